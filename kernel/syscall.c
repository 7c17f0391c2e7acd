/* System call dispatch and the process-related calls. Every user pointer
 * goes through mm/usercopy.c; every failure is a negative errno. */
#include "kernel/syscall.h"
#include "kernel/proc.h"
#include "kernel/loader.h"
#include "kernel/umem.h"
#include "lib/ro_after_init.h"
#include "mm/usercopy.h"
#include "mm/vmm.h"
#include "kernel/time.h"
#include "lib/string.h"
#include "secos/errno.h"
#include "secos/syscall.h"
#include "lib/console_out.h"
#include "arch/x86_64/panic.h"


long sys_yield(SYSARGS) {
    UNUSED_ARGS();
    sched_yield();
    return 0;
}

long sys_exit(SYSARGS) {
    UNUSED_ARGS();
    proc_exit((int)a0);
}

long sys_getpid(SYSARGS) {
    UNUSED_ARGS();
    return current->pid;
}

long sys_sleep(SYSARGS) {
    UNUSED_ARGS();
    if (a0 > 3600 * 1000ULL) return -EINVAL;
    sched_sleep_ms(a0);
    return 0;
}

/* Copies argv (a NULL-terminated user array) into kernel buffers. */
static long copy_argv(uint64_t uargv, char (*store)[SPAWN_MAX_ARG_LEN], char **argv) {
    int argc = 0;
    if (!uargv) return 0;
    for (;; argc++) {
        uint64_t ptr;
        if (copy_from_user(&ptr, uargv + (uint64_t)argc * 8, 8)) return -EFAULT;
        if (!ptr) break;
        if (argc == SPAWN_MAX_ARGS) return -E2BIG;
        long n = strncpy_from_user(store[argc], ptr, SPAWN_MAX_ARG_LEN);
        if (n < 0) return n == -ENAMETOOLONG ? -E2BIG : n;
        argv[argc] = store[argc];
    }
    argv[argc] = 0;
    return argc;
}

long sys_spawn(SYSARGS) {
    UNUSED_ARGS();
    char path[SPAWN_MAX_ARG_LEN];
    static char store[SPAWN_MAX_ARGS][SPAWN_MAX_ARG_LEN]; /* no sleep until spawn copies them */
    char *argv[SPAWN_MAX_ARGS + 1];
    long n = strncpy_from_user(path, a0, sizeof path);
    if (n < 0) return n;
    long argc = copy_argv(a1, store, argv);
    if (argc < 0) return argc;
    if (argc == 0) { argv[0] = path; argv[1] = 0; argc = 1; }
    const char *why;
    return proc_spawn(path, (int)argc, argv, current->pid, &why);
}

long sys_wait(SYSARGS) {
    UNUSED_ARGS();
    int pid = (int)a0;
    if (pid < -1) return -EINVAL;
    /* Check the status pointer before reaping, so a bad pointer loses nothing. */
    if (a1 && !user_range_valid(a1, sizeof(int), 1)) return -EFAULT;
    int status = 0;
    int r = proc_wait(current->pid, pid, &status, 1);
    if (r > 0 && a1 && copy_to_user(a1, &status, sizeof status)) return -EFAULT;
    return r;
}

long sys_mmap(SYSARGS) {
    UNUSED_ARGS();
    uint64_t len = a1, prot = a2;
    if (a0 != 0) return -EINVAL; /* the kernel picks the address */
    if (prot & PROT_EXEC) return -EPERM;
    if (!(prot & PROT_READ) || (prot & ~(uint64_t)(PROT_READ | PROT_WRITE))) return -EINVAL;
    if (len == 0 || len > (1ULL << 32)) return len ? -ENOMEM : -EINVAL;
    return umem_map(current, 0, len, prot, UMEM_ANYWHERE);
}

/* SECoS munmap takes back exactly one mapping of its mmap (anything else,
 * the program's image and stack included, is -EINVAL). */
long sys_munmap(SYSARGS) {
    UNUSED_ARGS();
    if (!umem_is_mapping(current, a0, a1)) return -EINVAL;
    return umem_unmap(current, a0, a1);
}

#define SYSCALL_NAME(num, name) [num] = #name,
const char *const syscall_names[SYS_COUNT] = { SECOS_SYSCALLS(SYSCALL_NAME) };

static struct syscall_abi syscall_abis[PROC_ABI_COUNT] __ro_after_init;
static const syscall_fn *syscall_tables[PROC_ABI_COUNT] __ro_after_init; /* the hot copy of .table */
/* The running task's table (one of syscall_tables, which stay read-only):
 * written only by the scheduler and exec, through syscall_activate. */
static const syscall_fn *active_table;
static uint32_t active_abi;

void syscall_set_abi(int abi, const struct syscall_abi *a) {
    if (a->count != SYSCALL_TABLE_SIZE) panic("syscall: the %s table has %u entries, not %u", a->name, a->count,
                                              SYSCALL_TABLE_SIZE);
    syscall_abis[abi] = *a;
    syscall_tables[abi] = a->table;
}

void syscall_activate(int abi) {
    active_abi = (uint32_t)abi;
    active_table = syscall_tables[abi];
}

#define ENOSYS_LOG_MAX 32 /* lines per process: a fuzzer must not flood the console */

long sys_nosys(SYSARGS) {
    UNUSED_ARGS();
    struct proc *p = current;
    struct trapframe *tf = p->tf;
    uint64_t nr = tf->rax;
    if (p->abi != PROC_ABI_LINUX) return -ENOSYS;
    uint64_t bit = nr < 512 ? nr : 511;
    if (p->enosys_seen[bit / 64] & (1ULL << (bit % 64))) return -ENOSYS;
    p->enosys_seen[bit / 64] |= 1ULL << (bit % 64);
    if (p->enosys_logged < ENOSYS_LOG_MAX)
        kprintf("[ENOSYS] pid=%d name=%pE nr=%lu%s\n", p->pid, p->name, nr,
                tf->vector == 0x80 ? " (int 0x80)" : "");
    else if (p->enosys_logged == ENOSYS_LOG_MAX)
        kprintf("[ENOSYS] pid=%d name=%pE: further missing calls are not logged\n", p->pid, p->name);
    p->enosys_logged++;
    return -ENOSYS;
}

/* The hot path: kept to the minimum (counted per entry kind by the callers).
 * One table per process: a Linux program never reaches a SECoS-only call
 * (Driver Space) and the reverse. Every table has SYSCALL_TABLE_SIZE entries
 * and no holes (sys_nosys), so one constant bounds check is all. */
void syscall_dispatch(struct trapframe *tf) {
    const syscall_fn *table = active_table;
    uint64_t nr = tf->rax;
    cpu_enable_interrupts_in_syscall();
    long r = nr < SYSCALL_TABLE_SIZE ? table[nr](tf->rdi, tf->rsi, tf->rdx, tf->r10, tf->r8, tf->r9)
                                     : sys_nosys(0, 0, 0, 0, 0, 0);
    tf->rax = (uint64_t)r;
}

/* INT 0x80 reaches only a personality that takes it (SECoS); from a Linux
 * program it is -ENOSYS, never the ia32 meaning Linux would give it. */
void syscall_dispatch_int80(struct trapframe *tf) {
    if (syscall_abis[active_abi].int80) {
        syscall_dispatch(tf);
        return;
    }
    cpu_enable_interrupts_in_syscall();
    tf->rax = (uint64_t)sys_nosys(0, 0, 0, 0, 0, 0);
}

/* syscall_entry.asm found a return address the CPU cannot take (only
 * reachable by a syscall in the very last bytes of the user half): sysretq
 * would fault in ring 0 with the user's stack, iretq would fault in ring 0
 * too, so the process dies here instead. */
void syscall_bad_return(struct trapframe *tf) {
    current->term_signal = 11; /* SIGSEGV, as for any #GP */
    proc_kill_current("non-canonical return address", tf, tf->rip, 128 + 13);
    __builtin_unreachable();
}
