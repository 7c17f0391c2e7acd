/* Signals: per-process actions, a blocked mask and a pending set (struct
 * proc_signals in kernel/proc.h), delivered on the way back to ring 3 by the
 * user-return hook (arch/x86_64/trap_hooks.h). Linux numbers and semantics
 * for 64 signals; SECoS-personality programs have no calls to change an
 * action, so every signal does its default to them.
 *
 * Default actions: terminate (most), terminate with core (no core is
 * written: the same as terminate), ignore (SIGCHLD, SIGURG, SIGWINCH), stop
 * (SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU) and continue (SIGCONT). SIGKILL and
 * SIGSTOP can be neither caught nor blocked. A process killed while in a
 * system call only has SIGKILL pending: its sleep returns -EINTR and it dies
 * at the hook.
 *
 * Job control, as POSIX and Linux:
 *   - a stop takes effect in the hook (a sleeping call is interrupted first,
 *     and restarted after the continue unless a handler ran): the process is
 *     PROC_STOPPED, never scheduled, until SIGCONT or SIGKILL;
 *   - SIGCONT continues a stopped process whatever its action (a handler
 *     runs after continuing); a stop signal discards a pending SIGCONT and
 *     SIGCONT every pending stop signal;
 *   - the parent's wait4 wakes and it gets SIGCHLD with CLD_STOPPED or
 *     CLD_CONTINUED (not with SA_NOCLDSTOP), CLD_EXITED or CLD_KILLED at exit;
 *   - SIGTSTP, SIGTTIN, SIGTTOU with the default action are discarded for a
 *     process of an orphaned group (kernel/pgrp.h); a group an exit orphans
 *     while it has a stopped member gets SIGHUP then SIGCONT. */
#ifndef KERNEL_SIGNAL_H
#define KERNEL_SIGNAL_H
#include <stdint.h>

struct proc;
struct trapframe;

#define SIGHUP    1
#define SIGINT    2
#define SIGQUIT   3
#define SIGILL    4
#define SIGTRAP   5
#define SIGABRT   6
#define SIGBUS    7
#define SIGFPE    8
#define SIGKILL   9
#define SIGUSR1   10
#define SIGSEGV   11
#define SIGUSR2   12
#define SIGPIPE   13
#define SIGALRM   14
#define SIGTERM   15
#define SIGCHLD   17
#define SIGCONT   18
#define SIGSTOP   19
#define SIGTSTP   20
#define SIGTTIN   21
#define SIGTTOU   22
#define SIGURG    23
#define SIGWINCH  28
#define SIG_BIT(sig) (1ULL << ((sig) - 1))

#define SIG_DFL 0
#define SIG_IGN 1

#define SA_SIGINFO   0x4
#define SA_RESTORER  0x04000000
#define SA_ONSTACK   0x08000000
#define SA_RESTART   0x10000000
#define SA_NODEFER   0x40000000
#define SA_RESETHAND 0x80000000

/* si_code values. */
#define SI_USER    0
#define SI_KERNEL  0x80
#define SI_TKILL   (-6)
#define CLD_EXITED    1
#define CLD_KILLED    2
#define CLD_STOPPED   5
#define CLD_CONTINUED 6
#define SA_NOCLDSTOP  0x1
#define SI_FAULT   1      /* SEGV_MAPERR, BUS_ADRALN, ILL_ILLOPC, FPE_INTDIV, TRAP_BRKPT: the first code of each */

/* Installs the user-return hook and the exec hook (once, at boot). */
void signal_init(void);

/* Makes sig pending for p (interrupts may be on or off), with the siginfo
 * fields code, sender pid and addr. A signal p ignores is dropped; one it
 * does not block wakes it from any sleep (not from a stop: only SIGCONT,
 * even ignored, and SIGKILL end that). 0 or -EINVAL (bad number). */
int signal_send(struct proc *p, int sig, int code, int pid, uint64_t addr);

/* SIGCHLD to parent about child_pid, with si_code code (CLD_*) and si_status. */
void signal_send_child(struct proc *parent, int child_pid, int code, int status);
/* p just became a zombie: its parent's wait4 wakes, a user parent gets
 * SIGCHLD (CLD_EXITED with the exit code, or CLD_KILLED with the signal). */
void signal_child_ended(struct proc *p);

/* A pending signal cut a sleep of the current process's system call short
 * (every -EINTR comes from one: sleep_on, sched_sleep_ms, a check of
 * proc_signal_pending). Notes the call's number, still in its frame, and
 * makes the hook run on its way out; if the call returns -EINTR and no
 * handler runs there (a stop and continue, a signal discarded meanwhile),
 * the hook restarts it, as Linux's ERESTARTSYS. Returns -EINTR. Kept off
 * the dispatcher so that the system call path costs nothing more. */
int signal_syscall_interrupted(void);

/* A fault in ring 3 of a Linux-personality process, as signal sig: 1 when a
 * handler will take it (the hook delivers it on the way out), 0 when the
 * default action applies (the caller prints [KILL] and ends the process). */
int signal_fault(int sig, int code, uint64_t addr);

/* The Linux signal for an exception in ring 3 (error: its error code), for
 * delivery and for the wait status of a process the fault killed. */
int signal_for_vector(uint64_t vector, uint64_t error);

/* sig's action for p (SIG_DFL when p has no table). */
const struct proc_sigaction *signal_action(const struct proc *p, int sig);
/* Sets sig's action: 0, or -ENOMEM when the table cannot be allocated. */
int signal_set_action(struct proc *p, int sig, const struct proc_sigaction *a);

/* The signal state a fork hands the child: actions and mask, nothing pending
 * (a child whose table cannot be allocated starts with every action SIG_DFL). */
int signal_fork(struct proc *child, const struct proc *parent); /* 0 or -ENOMEM */

#endif
