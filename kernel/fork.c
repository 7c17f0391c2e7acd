/* fork, vfork and the fork-like clones. A child is a copy of its parent:
 * the address space and its regions copy-on-write (vmm_space_fork), the registers with 0 in
 * rax, the FPU state and FS base, personality, process group and session,
 * and whatever subsystems copy in their fork hooks (descriptors). It shares
 * no memory with the parent, ever: CLONE_VM is honoured only together with
 * CLONE_VFORK, where a private copy is indistinguishable to a caller that
 * only runs exec or _exit in the child (posix_spawn, popen, system), and the
 * parent stays blocked until then, as vfork promises. Threads (CLONE_THREAD,
 * CLONE_SIGHAND, CLONE_VM alone) are refused with -EINVAL, never degraded
 * into a fork the caller did not ask for. */
#include "kernel/syscall.h"
#include "kernel/proc.h"
#include "kernel/signal.h"
#include "arch/x86_64/cpu.h"
#include "mm/usercopy.h"
#include "mm/vmm.h"
#include "lib/string.h"
#include "secos/errno.h"

#define CLONE_VM             0x00000100ULL
#define CLONE_VFORK          0x00004000ULL
#define CLONE_PARENT_SETTID  0x00100000ULL
#define CLONE_CHILD_CLEARTID 0x00200000ULL
#define CLONE_CHILD_SETTID   0x01000000ULL
#define LINUX_SIGCHLD        17

int proc_fork(uint64_t child_sp, struct proc **child_out) {
    struct proc *parent = current;
    if (parent->is_kernel || !parent->as) return -EINVAL;
    struct proc *c = proc_alloc(parent->name, 0);
    if (!c) return -EAGAIN;
    if (kstack_alloc(PROC_KSTACK_SIZE, &c->kstack)) {
        c->kstack.top = 0;
        proc_free_slot(c);
        return -EAGAIN;
    }
    c->as = vmm_space_fork(parent->as);
    if (!c->as) {
        proc_free_slot(c);
        return -ENOMEM;
    }
    c->manifest = parent->manifest;
    c->has_manifest = parent->has_manifest;
    /* The memory map itself (regions) came with the space. */
    c->mmap_base = parent->mmap_base;
    c->stack_bottom = parent->stack_bottom;
    c->brk_start = parent->brk_start;
    c->abi = parent->abi;
    c->fs_base = parent->fs_base;
    c->brk = parent->brk;
    /* Only the used bytes: the child's slot is all zero (proc_alloc). */
    strlcpy(c->exe_path, parent->exe_path, sizeof c->exe_path);
    memcpy(c->cmdline, parent->cmdline, parent->cmdline_len);
    c->cmdline_len = parent->cmdline_len;
    /* What the parent already logged as missing is not news from its child
     * (a fork storm must not flood the console). */
    memcpy(c->enosys_seen, parent->enosys_seen, sizeof c->enosys_seen);
    c->enosys_logged = parent->enosys_logged;
    c->pgid = parent->pgid;
    c->sid = parent->sid;
    if (signal_fork(c, parent) < 0) { /* the dispositions and mask: the one step that can fail */
        vmm_space_destroy(c->as);
        c->as = 0;
        proc_free_slot(c);
        return -ENOMEM;
    }
    /* The live registers are the parent's (the kernel never touches them). */
    fpu_save(&c->fpu);
    /* The same place every entry from ring 3 puts its frame. */
    c->tf = (struct trapframe *)(c->kstack.top - sizeof *c->tf);
    *c->tf = *parent->tf;
    c->tf->rax = 0;
    if (child_sp) c->tf->rsp = child_sp;
    proc_run_fork_hooks(c, parent);
    proc_prepare_user_return(c);
    c->parent = parent->pid;
    *child_out = c;
    return c->pid;
}

/* Writes the child's tid into its own copy of the page (CLONE_CHILD_SETTID):
 * its space is made current just for the copy; a fault is ignored, as
 * Linux does. */
static void set_child_tid(struct proc *c, uint64_t at) {
    uint32_t tid = (uint32_t)c->pid;
    uint64_t f = irq_save();
    struct address_space *mine = vmm_current();
    vmm_activate(c->as);
    (void)copy_to_user(at, &tid, sizeof tid);
    vmm_activate(mine);
    irq_restore(f);
}

/* Blocks the parent until the vfork child has exec'd or is gone. The child's
 * slot cannot be reused meanwhile: only this parent may reap it. */
static void vfork_wait(struct proc *c, int cpid) {
    uint64_t f = irq_save();
    while (c->pid == cpid && c->vfork_parent == current->pid && c->state != PROC_ZOMBIE &&
           c->state != PROC_UNUSED)
        if (sleep_on(&c->vfork_parent) < 0) break; /* a signal: the parent acts on it (its memory is its own) */
    irq_restore(f);
}

static long do_clone(uint64_t flags, uint64_t sp, uint64_t ptid, uint64_t ctid) {
    uint64_t tid_flags = CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID;
    int vfork = 0;
    if (flags == (CLONE_VM | CLONE_VFORK | LINUX_SIGCHLD)) vfork = 1;
    else if ((flags & ~tid_flags) != LINUX_SIGCHLD) return -EINVAL;
    struct proc *c;
    int pid = proc_fork(sp, &c);
    if (pid < 0) return pid;
    if (flags & CLONE_CHILD_SETTID) set_child_tid(c, ctid);
    if (flags & CLONE_CHILD_CLEARTID) c->clear_child_tid = ctid;
    if (flags & CLONE_PARENT_SETTID) {
        uint32_t tid = (uint32_t)pid;
        (void)copy_to_user(ptid, &tid, sizeof tid);
    }
    if (vfork) c->vfork_parent = current->pid;
    sched_make_ready(c);
    if (vfork) vfork_wait(c, pid);
    return pid;
}

long sys_fork(SYSARGS) {
    UNUSED_ARGS();
    return do_clone(LINUX_SIGCHLD, 0, 0, 0);
}

long linux_vfork(SYSARGS) {
    UNUSED_ARGS();
    return do_clone(CLONE_VM | CLONE_VFORK | LINUX_SIGCHLD, 0, 0, 0);
}

/* clone(flags, newsp, parent_tid, child_tid, tls): the x86-64 order. */
long linux_clone(SYSARGS) {
    UNUSED_ARGS();
    if ((a0 & CLONE_VM) && !a1) return -EINVAL; /* a vfork clone needs the child's stack */
    return do_clone(a0, a1, a2, a3);
}
