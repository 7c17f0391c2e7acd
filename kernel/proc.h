/* Processes and kernel threads. A user process owns an address space, a
 * kernel stack (in the guarded stack region) and its FPU state; a kernel
 * thread (idle, the shell) only a stack. The table is bounded; a slot is
 * free again only once its zombie has been reaped. */
#ifndef KERNEL_PROC_H
#define KERNEL_PROC_H
#include <stdint.h>
#include "arch/x86_64/trapframe.h"
#include "arch/x86_64/fpu.h"
#include "mm/kstack.h"
#include "mm/vmm.h"
#include "secos/manifest.h"
#include "secos/syscall.h" /* SECOS_FD_MAX */

struct file;
#define PROC_MAX      64
#define PROC_NAME_MAX 32
#define PROC_KSTACK_SIZE (16 * 1024)
#define SCHED_QUANTUM_TICKS 10
#define PROC_CWD_MAX  1024         /* holds a VFS path (fs/vfs.h VFS_PATH_MAX + 1) */
#define PROC_FD_CLOEXEC 1          /* fd_flags bit: closed by execve (fs/fd.c) */

/* PROC_STOPPED: job control stopped it (SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU);
 * it sits in the user-return hook, never scheduled until SIGCONT or SIGKILL
 * makes it READY (kernel/signal.c). Nothing else wakes it. */
enum proc_state { PROC_UNUSED = 0, PROC_READY, PROC_RUNNING, PROC_BLOCKED, PROC_ZOMBIE, PROC_STOPPED };

/* Which system call table a process uses, fixed at exec from its image
 * (kernel/loader.c): a valid SECOS manifest without MANIFEST_FLAG_ABI_LINUX
 * means SECoS's own ABI, anything else the Linux x86-64 one. Inherited by a
 * forked child, recomputed by every exec, never changed otherwise. */
enum proc_abi { PROC_ABI_SECOS = 0, PROC_ABI_LINUX = 1, PROC_ABI_COUNT };

#define PROC_EXE_MAX     1024 /* absolute path of the running image (/proc/self/exe) */
#define PROC_CMDLINE_MAX 256  /* the start of argv, NUL-separated (/proc/<pid>/cmdline) */

/* Signals (kernel/signal.c). Bit sig-1 of a set stands for signal sig. */
#define PROC_NSIG 64
struct proc_sigaction { uint64_t handler, flags, restorer, mask; }; /* Linux's kernel sigaction */
struct proc_siginfo { int32_t code, pid; };                         /* of the pending instance */
struct proc_signals {
    /* [sig - 1] on the kernel heap, or 0 while every action is SIG_DFL (most
     * programs never install one: the table of 64 stays out of proc_table). */
    struct proc_sigaction *action;
    struct proc_siginfo info[PROC_NSIG];
    uint64_t fault_addr;                     /* si_addr of the pending fault signal */
    uint64_t pending;
    uint64_t blocked;                        /* never holds SIGKILL or SIGSTOP */
    uint64_t saved_mask;                     /* rt_sigsuspend's mask, back after the handler */
    uint8_t restore_mask;                    /* saved_mask is to be restored */
    uint8_t force_iret;                      /* rt_sigreturn rewrote the frame: leave through IRETQ */
    /* A system call returned -EINTR (syscall_dispatch): if no handler runs
     * on this way out, the hook restarts it (Linux's ERESTARTSYS), so a stop
     * and continue is invisible to the interrupted call. */
    uint8_t restart;
    uint32_t restart_nr;                     /* the interrupted call's number */
    int32_t chld_status;                     /* si_status of the pending SIGCHLD */
};

/* What wait4's WUNTRACED / WCONTINUED report, once each (kernel/signal.c
 * sets it, kernel/linux_wait.c consumes it). */
enum proc_job_report { PROC_JOB_NONE = 0, PROC_JOB_STOPPED, PROC_JOB_CONTINUED };

struct proc {
    int pid;
    char name[PROC_NAME_MAX];
    enum proc_state state;
    int is_kernel;                 /* kernel thread: no address space of its own */
    int parent;                    /* pid, or -1: the kernel (orphans, reaped by it) */
    int exit_status;               /* SECoS encoding: the exit code, or 128 + vector/signal when killed */
    int term_signal;               /* the signal that ended it (Linux wait status), 0 = normal exit */
    int pgid, sid;                 /* process group and session (inherited by fork) */
    int vfork_parent;              /* pid blocked in vfork until this child execs or exits, 0 = none */
    uint8_t did_exec;              /* has called execve since fork (setpgid by the parent: -EACCES) */
    uint8_t stop_sig;              /* the signal that stopped it (PROC_STOPPED, and the WUNTRACED report) */
    uint8_t job_report;            /* enum proc_job_report: a stop or continue its parent has not waited for */
    uint64_t ctx_rsp;              /* saved kernel rsp while switched out */
    struct trapframe *tf;          /* user frame at the top of the kernel stack */
    struct kstack kstack;
    struct address_space *as;
    struct secos_manifest manifest;
    int has_manifest;
    uint64_t ticks;                /* timer ticks spent running */
    uint64_t quantum;              /* ticks left before preemption */
    const void *wait_chan;         /* what a BLOCKED process waits for */
    uint64_t wake_tick;            /* sleep deadline, 0 = none */
    uint64_t alarm_due;            /* ITIMER_REAL: the tick SIGALRM is due, 0 = off (kernel/itimer.c) */
    uint64_t alarm_every;          /* its interval in ticks, 0 = one shot; neither survives fork */
    int interrupted;               /* proc_interrupt() since the last interruptible wait */
    /* The memory map itself is the address space's regions (kernel/umem.c). */
    uint64_t mmap_base;            /* mappings placed by the kernel go above this (ASLR) */
    uint64_t stack_bottom;         /* lowest address the stack may grow to */
    uint8_t abi;                   /* enum proc_abi */
    uint64_t fs_base;              /* FS segment base (TLS), restored on every switch */
    uint64_t clear_child_tid;      /* set_tid_address: cleared at exit */
    uint64_t brk_start;            /* the program break's lowest value: the heap starts here */
    uint64_t brk;                  /* current program break (Linux brk) */
    uint64_t enosys_seen[8];       /* Linux numbers < 512 already logged as missing */
    uint32_t enosys_logged;        /* [ENOSYS] lines printed for this process */
    char exe_path[PROC_EXE_MAX];
    char cmdline[PROC_CMDLINE_MAX];
    uint32_t cmdline_len;          /* bytes of cmdline used, NULs included */
    struct proc_signals sig;       /* a fork copies actions and blocked; exec resets handlers (signal.c) */
    uint8_t user_work;             /* proc_user_work(), kept by proc_update_user_work after every change of sig */
    struct file *files[SECOS_FD_MAX]; /* open-file descriptions (fs/file.h); 0-2 start as the console */
    uint8_t fd_flags[SECOS_FD_MAX];   /* per descriptor, not per description: PROC_FD_CLOEXEC */
    char cwd[PROC_CWD_MAX];           /* working directory: absolute, normalised (fs/fd.h says why) */
    uint32_t umask;                   /* Linux umask: kept, applied to the modes of new files */
    struct fpu_state fpu;
};

extern struct proc *current;
extern struct proc proc_table[PROC_MAX]; /* slot 0 is idle; PROC_UNUSED slots are free */
/* No slot at or above this index has ever been used: scans that look for
 * live processes (wakeup) may stop there. */
extern int proc_slots_high;

struct sched_stats { uint64_t switches, preemptions, yields, idle_ticks; };
extern struct sched_stats sched_stats;

/* Releases a subsystem's per-process state when a process exits or is killed. */
typedef void (*proc_release_fn)(struct proc *p);
void proc_add_release_hook(proc_release_fn fn);
/* Sets up a subsystem's per-process state for a new user process (the
 * console descriptors), before it first runs. */
void proc_add_spawn_hook(proc_release_fn fn);
/* Copies a subsystem's per-process state into a forked child (the child is
 * fully built otherwise and not yet runnable); hooks cannot fail. */
typedef void (*proc_fork_fn)(struct proc *child, struct proc *parent);
void proc_add_fork_hook(proc_fork_fn fn);
/* Runs after a program image was loaded into p: a successful execve (after
 * the switch to the new image, before the return to ring 3) and spawn
 * (close-on-exec descriptors, Driver Space bindings, signal handlers back
 * to SIG_DFL). */
void proc_add_exec_hook(proc_release_fn fn);
void proc_run_fork_hooks(struct proc *child, struct proc *parent);
void proc_run_exec_hooks(struct proc *p);

void proc_init(void);               /* turns the boot thread into the shell task, starts idle */
struct proc *proc_by_pid(int pid);
struct proc *proc_alloc(const char *name, int is_kernel);
void proc_free_slot(struct proc *p);
/* Makes p's first switch-in leave through its trapframe p->tf to ring 3. */
void proc_prepare_user_return(struct proc *p);
int proc_count(void);

/* A signal the process must act on before it returns to ring 3 is pending
 * (SIGKILL included: it is never blocked). Blocking sleeps end early and
 * return -EINTR while this holds. */
static inline int proc_signal_pending(const struct proc *p) { return (p->sig.pending & ~p->sig.blocked) != 0; }
/* The return-to-ring-3 hook has work for p (arch/x86_64/percpu.h user_work). */
static inline int proc_user_work(const struct proc *p) {
    return proc_signal_pending(p) || p->sig.force_iret || p->sig.restart;
}
/* Recomputes p->user_work after p's signal state changed, and
 * percpu0.user_work if p is running (the scheduler copies p->user_work there
 * when it switches to p). Every change of p->sig must be followed by it. */
void proc_update_user_work(struct proc *p);

/* Scheduling. Called with interrupts in any state. */
void sched_make_ready(struct proc *p);
void schedule(void);                /* switch to the next READY task (or idle) */
void sched_yield(void);
void sched_tick(struct trapframe *tf); /* timer IRQ */
/* Blocks the current task until wakeup(chan). The caller re-checks its
 * condition. A user process with a signal pending does not block, or wakes
 * at once when one arrives: -EINTR (else 0), which the caller must pass up
 * so that the process reaches the return-to-ring-3 hook. */
int sleep_on(const void *chan);
void wakeup(const void *chan);
/* sleep_on that also ends at timer tick deadline (0 then too: the caller
 * re-checks its condition and the clock). */
int sleep_on_until(const void *chan, uint64_t deadline);
/* Blocks the current task until wakeup(chan) or tick `deadline`, whichever
 * comes first; signals do not end it (device waits: the device may still be
 * writing memory the caller owns, so the caller must not return early). The
 * caller re-checks its condition and the time with interrupts off around
 * the check and this call, so that a wakeup between them is not lost. */
void sleep_on_device(const void *chan, uint64_t deadline);
/* 0 after ms, or -EINTR when a signal arrived first (user processes). */
int sched_sleep_ms(uint64_t ms);
/* Between chunks of a long system call: yields once the quantum is used up
 * (kernel/resched.c). */
void sched_resched_point(void);

/* Lifecycle. */
/* pid, or -errno with *why set to a one-line reason. */
int proc_spawn(const char *path, int argc, char *const argv[], int parent, const char **why);
/* Starts path as pid 1, the init process (the kernel's init= option): the
 * kernel console task, pid 1 until then, takes the next free pid and is
 * init's parent, so that it can wait for init and take the console back
 * when it ends. While init lives, orphans become its children (it reaps
 * them, as on Linux). Once per boot: 1, or -errno with *why set. */
int proc_spawn_init(const char *path, const char **why);
/* A kernel thread running entry (which never returns) on a stack of its
 * own, in the kernel's address space: its pid, or -EAGAIN. */
int proc_spawn_kthread(const char *name, void (*entry)(void));
/* The kernel console task's pid: 1, or another once init runs. */
int proc_kernel_shell_pid(void);
/* The init process (pid 1, a user process) if it is alive, else NULL. */
struct proc *proc_init_process(void);
__attribute__((noreturn)) void proc_exit(int status);
/* Ends the current process as killed by signal sig (the default action of a
 * fatal signal): Linux parents see WIFSIGNALED, SECoS's wait 128 + sig. */
__attribute__((noreturn)) void proc_exit_signal(int sig);
/* Forks the current user process (kernel/fork.c): the child shares nothing
 * but copies of everything (COW memory, descriptions via the fork hooks),
 * returns 0 from the call on child_sp (0: the caller's rsp). The child's pid,
 * or -EAGAIN (table or stacks full) / -ENOMEM. */
int proc_fork(uint64_t child_sp, struct proc **child_out);
/* A child's vfork parent may run again (the child exec'd or is dying). */
void proc_vfork_release(struct proc *child);
/* Writes 0 to the set_tid_address / CLONE_CHILD_CLEARTID word of the
 * current process (its own address space; faults ignored). */
void proc_clear_child_tid(void);
void proc_kill_current(const char *reason, const struct trapframe *tf, uint64_t addr, int status);
/* The shell's kill: prints the [KILL] line and sends SIGKILL. The process
 * dies on its own way back to ring 3 (a sleep returns -EINTR first), never
 * under a running system call; the current process dies at once. 0 or
 * -ESRCH/-EPERM. */
int proc_kill(int pid);
/* Reaps a zombie child of parent (pid or -1 for any); blocks if block is set.
 * Returns the pid (status in *status), -ECHILD, or 0 when !block and none ready. */
int proc_wait(int parent, int pid, int *status, int block);
/* block = PROC_WAIT_INTERRUPTIBLE: like blocking, but returns -EINTR once
 * proc_interrupt(parent) was called (safe from interrupt context), and clears
 * that; the caller clears `interrupted` before it arms whatever interrupts. */
#define PROC_WAIT_INTERRUPTIBLE 2
void proc_interrupt(int pid);

#endif
