/* The process table and the process lifecycle: spawn, exit, kill, wait. */
#include "kernel/proc.h"
#include "kernel/loader.h"
#include "lib/console_out.h"
#include "arch/x86_64/panic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "mm/pmm.h"
#include "lib/string.h"
#include "secos/errno.h"
#include "mm/usercopy.h"
#include "kernel/signal.h"
#include "kernel/pgrp.h"
#include "kernel/time.h"

struct proc proc_table[PROC_MAX];
int proc_slots_high = 2; /* idle and the shell; raised by proc_alloc, never lowered */
extern struct proc *idle_proc;
static int next_pid = 2; /* 0 = idle, 1 = the kernel shell (or init, see proc_spawn_init) */

extern void kthread_trampoline(void);
extern void user_trampoline(void);

struct proc *proc_by_pid(int pid) {
    for (int i = 0; i < proc_slots_high; i++)
        if (proc_table[i].state != PROC_UNUSED && proc_table[i].pid == pid) return &proc_table[i];
    return 0;
}

int proc_count(void) {
    int n = 0;
    for (int i = 0; i < proc_slots_high; i++) n += proc_table[i].state != PROC_UNUSED;
    return n;
}

static void reap_orphans(void);

struct proc *proc_alloc(const char *name, int is_kernel) {
    uint64_t f = irq_save();
    struct proc *p = 0;
    for (int pass = 0; pass < 2 && !p; pass++) {
        for (int i = 0; i < PROC_MAX; i++) {
            if (proc_table[i].state == PROC_UNUSED) { p = &proc_table[i]; break; }
        }
        if (!p && pass == 0) reap_orphans();
    }
    if (p) {
        int slot = (int)(p - proc_table);
        if (slot >= proc_slots_high) proc_slots_high = slot + 1;
        memset(p, 0, sizeof *p);
        p->state = PROC_BLOCKED; /* not runnable until fully built */
        p->pid = next_pid++;
        p->is_kernel = is_kernel;
        p->parent = -1;
        strlcpy(p->name, name, sizeof p->name);
    }
    irq_restore(f);
    return p;
}

void proc_free_slot(struct proc *p) {
    if (p->kstack.top) kstack_free(&p->kstack);
    p->kstack.top = 0;
    p->state = PROC_UNUSED;
}

/* Lays out a fresh kernel stack so that context_switch "returns" into entry. */
static void prepare_kernel_context(struct proc *p, void (*entry)(void), uint64_t r12, uint64_t r13, uint64_t top) {
    uint64_t *sp = (uint64_t *)top;
    *--sp = (uint64_t)entry; /* return address of context_switch */
    *--sp = 0;               /* rbx */
    *--sp = 0;               /* rbp */
    *--sp = r12;
    *--sp = r13;
    *--sp = 0;               /* r14 */
    *--sp = 0;               /* r15 */
    for (int i = 0; i < 4; i++) *--sp = 0; /* ds, es, fs, gs: null selectors to start with */
    p->ctx_rsp = (uint64_t)sp;
}

void proc_prepare_user_return(struct proc *p) {
    prepare_kernel_context(p, user_trampoline, 0, 0, (uint64_t)p->tf);
}

static __attribute__((noreturn)) void idle_loop(void) {
    for (;;) {
        cpu_cli();
        reap_orphans();
        schedule();          /* returns at once when nothing is ready */
        cpu_sti_hlt();
    }
}

void proc_init(void) {
    struct proc *shell = &proc_table[1];
    shell->pid = 1;
    shell->is_kernel = 1;
    shell->parent = -1;
    shell->pgid = shell->sid = 1;
    shell->state = PROC_RUNNING;
    shell->kstack = kstack_main;
    strlcpy(shell->name, "kshell", sizeof shell->name);

    idle_proc = &proc_table[0];
    idle_proc->pid = 0;
    idle_proc->is_kernel = 1;
    idle_proc->parent = -1;
    idle_proc->state = PROC_READY;
    strlcpy(idle_proc->name, "idle", sizeof idle_proc->name);
    if (kstack_alloc(8192, &idle_proc->kstack) != 0) panic("proc: no stack for the idle task");
    prepare_kernel_context(idle_proc, kthread_trampoline, (uint64_t)idle_loop, 0, idle_proc->kstack.top);

    cpu_set_kernel_stack(kstack_main.top);
    current = shell;
}

/* Subsystems that hold per-process state (open files, driver bindings)
 * register a release hook at init; hooks run in registration order, all
 * before the address space goes (Driver Space unmaps device memory). */
#define PROC_RELEASE_HOOKS_MAX 8
static proc_release_fn release_hooks[PROC_RELEASE_HOOKS_MAX];
static int release_hook_count;

static proc_release_fn spawn_hooks[PROC_RELEASE_HOOKS_MAX];
static int spawn_hook_count;

void proc_add_spawn_hook(proc_release_fn fn) {
    if (spawn_hook_count == PROC_RELEASE_HOOKS_MAX) panic("proc: too many spawn hooks");
    spawn_hooks[spawn_hook_count++] = fn;
}

void proc_add_release_hook(proc_release_fn fn) {
    if (release_hook_count == PROC_RELEASE_HOOKS_MAX) panic("proc: too many release hooks");
    release_hooks[release_hook_count++] = fn;
}

static proc_fork_fn fork_hooks[PROC_RELEASE_HOOKS_MAX];
static int fork_hook_count;
static proc_release_fn exec_hooks[PROC_RELEASE_HOOKS_MAX];
static int exec_hook_count;

void proc_add_fork_hook(proc_fork_fn fn) {
    if (fork_hook_count == PROC_RELEASE_HOOKS_MAX) panic("proc: too many fork hooks");
    fork_hooks[fork_hook_count++] = fn;
}

void proc_add_exec_hook(proc_release_fn fn) {
    if (exec_hook_count == PROC_RELEASE_HOOKS_MAX) panic("proc: too many exec hooks");
    exec_hooks[exec_hook_count++] = fn;
}

void proc_run_fork_hooks(struct proc *child, struct proc *parent) {
    for (int i = 0; i < fork_hook_count; i++) fork_hooks[i](child, parent);
}

void proc_run_exec_hooks(struct proc *p) {
    for (int i = 0; i < exec_hook_count; i++) exec_hooks[i](p);
}

int proc_spawn(const char *path, int argc, char *const argv[], int parent, const char **why) {
    const char *base = path;
    for (const char *s = path; *s; s++)
        if (*s == '/') base = s + 1;
    *why = "the process table is full";
    struct proc *p = proc_alloc(base, 0);
    if (!p) return -EAGAIN;
    *why = "no kernel stack slot left";
    int r = kstack_alloc(PROC_KSTACK_SIZE, &p->kstack);
    if (r) { p->kstack.top = 0; proc_free_slot(p); return -EAGAIN; }
    *why = "out of memory for the address space";
    p->as = vmm_space_create();
    if (!p->as) { proc_free_slot(p); return -ENOMEM; }
    uint64_t entry, user_sp;
    /* The environment a program started from the kernel (the shell, SYS_spawn)
     * sees: enough for a Linux shell to find /bin. */
    static char *const default_env[] = { "PATH=/bin", "HOME=/", "TERM=vt100", 0 };
    struct loader_args args = { argc, argv, 3, default_env };
    r = loader_load(p, path, &args, &entry, &user_sp, why);
    if (r) {
        vmm_space_destroy(p->as);
        p->as = 0;
        proc_free_slot(p);
        return r;
    }
    for (int i = 0; i < spawn_hook_count; i++) spawn_hooks[i](p);
    proc_run_exec_hooks(p);
    fpu_state_init(&p->fpu);
    /* The first return to ring 3: a trapframe at the top of the kernel
     * stack, exactly where interrupts and syscalls from ring 3 put theirs. */
    struct trapframe *tf = (struct trapframe *)(p->kstack.top - sizeof *tf);
    memset(tf, 0, sizeof *tf);
    tf->rip = entry;
    tf->cs = 0x20 | 3;
    tf->ss = 0x18 | 3;
    tf->rsp = user_sp;
    tf->rflags = 0x202; /* IF; IOPL 0, NT 0 */
    p->tf = tf;
    prepare_kernel_context(p, user_trampoline, 0, 0, (uint64_t)tf);
    p->parent = parent;
    /* Started by a user process (SYS_spawn): its group and session, as a
     * fork would give. Started by the kernel: a session of its own, like a
     * login. */
    struct proc *pp = proc_by_pid(parent);
    if (pp && pp->is_kernel) pp = 0;
    p->pgid = pp ? pp->pgid : p->pid;
    p->sid = pp ? pp->sid : p->pid;
    sched_make_ready(p);
    return p->pid;
}

int proc_spawn_kthread(const char *name, void (*entry)(void)) {
    struct proc *p = proc_alloc(name, 1);
    if (!p) return -EAGAIN;
    if (kstack_alloc(PROC_KSTACK_SIZE, &p->kstack) != 0) { p->kstack.top = 0; proc_free_slot(p); return -EAGAIN; }
    prepare_kernel_context(p, kthread_trampoline, (uint64_t)entry, 0, p->kstack.top);
    p->pgid = p->sid = p->pid;
    sched_make_ready(p);
    return p->pid;
}

int proc_kernel_shell_pid(void) { return proc_table[1].pid; }

struct proc *proc_init_process(void) {
    struct proc *p = proc_by_pid(1);
    return p && !p->is_kernel && p->state != PROC_ZOMBIE ? p : 0;
}

int proc_spawn_init(const char *path, const char **why) {
    struct proc *kshell = &proc_table[1];
    *why = "init was started already";
    if (kshell->pid != 1) return -EBUSY;
    uint64_t f = irq_save();
    kshell->pid = next_pid++;
    kshell->pgid = kshell->sid = kshell->pid;
    int saved = next_pid;
    next_pid = 1; /* the one pid proc_alloc hands out below */
    char *argv[] = { (char *)path, 0 };
    int pid = proc_spawn(path, 1, argv, kshell->pid, why);
    next_pid = saved;
    irq_restore(f);
    return pid;
}

/* Releases what a dead process holds, except its kernel stack and slot
 * (reaped later: it may be running on that stack right now). */
static void proc_release(struct proc *p) {
    proc_vfork_release(p);
    for (int i = 0; i < release_hook_count; i++) release_hooks[i](p);
    if (p->as) {
        struct address_space *as = p->as;
        p->as = 0;
        if (vmm_current() == as) vmm_activate(&kernel_space);
        vmm_space_destroy(as);
    }
    pgrp_orphan_on_exit(p); /* while its children still name it */
    /* Children outlive their parent as orphans: init's children while it
     * lives (it waits for them), else the kernel's, which reaps them. */
    struct proc *init = proc_init_process();
    if (init == p) init = 0;
    for (int i = 0; i < proc_slots_high; i++) {
        struct proc *c = &proc_table[i];
        if (c->state == PROC_UNUSED || c->parent != p->pid) continue;
        c->parent = init ? init->pid : -1;
        if (init && c->state == PROC_ZOMBIE) {
            wakeup(init);
            signal_send_child(init, c->pid, c->term_signal ? CLD_KILLED : CLD_EXITED,
                              c->term_signal ? c->term_signal : c->exit_status & 0xff);
        }
    }
}

static void proc_become_zombie(struct proc *p, int status) {
    p->exit_status = status;
    p->state = PROC_ZOMBIE;
    p->wake_tick = 0;
    signal_child_ended(p);
}

void proc_vfork_release(struct proc *child) {
    if (!child->vfork_parent) return;
    child->vfork_parent = 0;
    wakeup(&child->vfork_parent);
}

void proc_clear_child_tid(void) {
    uint64_t at = current->clear_child_tid;
    current->clear_child_tid = 0;
    if (!at || !current->as) return;
    uint32_t zero = 0;
    (void)copy_to_user(at, &zero, sizeof zero); /* a bad pointer is the program's loss */
}

void proc_exit(int status) {
    if (current->is_kernel) panic("proc: kernel task %s tried to exit", current->name);
    proc_clear_child_tid(); /* while the address space is still there */
    cpu_cli();
    struct proc *p = current;
    proc_release(p);
    proc_become_zombie(p, status);
    schedule();
    panic("proc: zombie %d was scheduled", p->pid);
}

void proc_exit_signal(int sig) {
    current->term_signal = sig;
    proc_exit(128 + sig);
}

void proc_kill_current(const char *reason, const struct trapframe *tf, uint64_t addr, int status) {
    kprintf("[KILL] pid=%d name=%pE reason=%s rip=%#lx addr=%#lx\n", current->pid, current->name, reason,
            tf ? tf->rip : 0, addr);
    proc_exit(status);
}

int proc_kill(int pid) {
    uint64_t f = irq_save();
    struct proc *p = proc_by_pid(pid);
    if (!p || p->state == PROC_ZOMBIE) { irq_restore(f); return -ESRCH; }
    if (p->is_kernel) { irq_restore(f); return -EPERM; }
    if (p == current) {
        irq_restore(f);
        current->term_signal = SIGKILL;
        proc_kill_current("killed", p->tf, 0, 128 + SIGKILL);
    }
    /* It may be inside a system call (asleep, or switched out at a
     * reschedule point): it is only marked here and dies on its own way back
     * to ring 3, so nothing is freed under a call that still runs. */
    if (!(p->sig.pending & SIG_BIT(SIGKILL)))
        kprintf("[KILL] pid=%d name=%pE reason=killed rip=%#lx addr=0x0\n", p->pid, p->name, p->tf ? p->tf->rip : 0);
    signal_send(p, SIGKILL, SI_KERNEL, 0, 0);
    irq_restore(f);
    /* The shell's kill returns once the process is dead, as it always did:
     * it is READY now and dies the first time it runs (bounded all the same). */
    uint64_t until = timer_ticks() + 2 * TIMER_HZ;
    while (current->is_kernel && p->pid == pid && p->state != PROC_ZOMBIE && p->state != PROC_UNUSED &&
           timer_ticks() < until)
        sched_yield();
    return 0;
}

static void reap_orphans(void) {
    for (int i = 0; i < proc_slots_high; i++) {
        struct proc *p = &proc_table[i];
        if (p->state == PROC_ZOMBIE && p->parent < 0 && p != current) proc_free_slot(p);
    }
}

void proc_interrupt(int pid) {
    uint64_t f = irq_save();
    struct proc *p = proc_by_pid(pid);
    if (p) {
        p->interrupted = 1;
        wakeup(p);
    }
    irq_restore(f);
}

int proc_wait(int parent, int pid, int *status, int block) {
    uint64_t f = irq_save();
    struct proc *self = proc_by_pid(parent);
    for (;;) {
        int have_child = 0;
        for (int i = 0; i < proc_slots_high; i++) {
            struct proc *p = &proc_table[i];
            if (p->state == PROC_UNUSED || p->parent != parent || (pid >= 0 && p->pid != pid)) continue;
            have_child = 1;
            if (p->state != PROC_ZOMBIE) continue;
            int found = p->pid;
            if (status) *status = p->exit_status;
            proc_free_slot(p);
            irq_restore(f);
            return found;
        }
        if (!have_child) { irq_restore(f); return -ECHILD; }
        if (!block) { irq_restore(f); return 0; }
        if (block == PROC_WAIT_INTERRUPTIBLE && self->interrupted) {
            self->interrupted = 0;
            irq_restore(f);
            return -EINTR;
        }
        if (sleep_on(self) < 0) { irq_restore(f); return -EINTR; } /* a signal for a user process */
    }
}
