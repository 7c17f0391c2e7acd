/* Signal generation and delivery (kernel/signal.h). Delivery happens only
 * in the user-return hook, on the current process's own kernel stack, just
 * before it enters ring 3: no system call is running any more, so a signal
 * that terminates frees nothing anyone still uses. */
#include "kernel/signal.h"
#include "kernel/proc.h"
#include "kernel/sigframe.h"
#include "kernel/pgrp.h"
#include "arch/x86_64/trap_hooks.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/fpu.h"
#include "mm/usercopy.h"
#include "mm/kheap.h"
#include "lib/console_out.h"
#include "lib/string.h"
#include "lib/printf.h"
#include "secos/errno.h"

#define UNBLOCKABLE (SIG_BIT(SIGKILL) | SIG_BIT(SIGSTOP))
/* Default ignore (SIGCONT's default continues, in signal_send, then ignores). */
#define DEFAULT_IGNORED (SIG_BIT(SIGCHLD) | SIG_BIT(SIGURG) | SIG_BIT(SIGWINCH) | SIG_BIT(SIGCONT))
#define STOP_SIGNALS (SIG_BIT(SIGSTOP) | SIG_BIT(SIGTSTP) | SIG_BIT(SIGTTIN) | SIG_BIT(SIGTTOU))
/* The terminal's stop signals: discarded for a process of an orphaned group. */
#define TTY_STOP_SIGNALS (STOP_SIGNALS & ~SIG_BIT(SIGSTOP))
/* Faults: delivered before anything else pending, as Linux dequeues them. */
#define SYNCHRONOUS (SIG_BIT(SIGSEGV) | SIG_BIT(SIGBUS) | SIG_BIT(SIGILL) | SIG_BIT(SIGFPE) | SIG_BIT(SIGTRAP))

static const struct proc_sigaction default_action;

const struct proc_sigaction *signal_action(const struct proc *p, int sig) {
    return p->sig.action ? &p->sig.action[sig - 1] : &default_action;
}

int signal_set_action(struct proc *p, int sig, const struct proc_sigaction *a) {
    if (!p->sig.action) {
        if (a->handler == SIG_DFL) return 0;
        struct proc_sigaction *t = kmalloc(PROC_NSIG * sizeof *t);
        if (!t) return -ENOMEM;
        memset(t, 0, PROC_NSIG * sizeof *t);
        p->sig.action = t;
    }
    p->sig.action[sig - 1] = *a;
    return 0;
}

/* A release hook: the table goes with the process. */
static void signal_release(struct proc *p) {
    if (p->sig.action) kfree(p->sig.action);
    p->sig.action = 0;
}

static int ignored(const struct proc *p, int sig) {
    if (sig == SIGKILL) return 0;
    uint64_t h = signal_action(p, sig)->handler;
    return h == SIG_IGN || (h == SIG_DFL && (DEFAULT_IGNORED & SIG_BIT(sig)));
}

/* Tells p's parent that p stopped, continued or ended (code CLD_*,
 * status the si_status): its wait4 rechecks; a user parent gets SIGCHLD,
 * except for a stop or continue when its SIGCHLD action has SA_NOCLDSTOP. */
static void notify_parent(struct proc *p, int code, int status) {
    struct proc *parent = p->parent > 0 ? proc_by_pid(p->parent) : 0;
    if (!parent) return;
    wakeup(parent);
    if (parent->is_kernel) return;
    if (code != CLD_EXITED && code != CLD_KILLED && (signal_action(parent, SIGCHLD)->flags & SA_NOCLDSTOP)) return;
    signal_send_child(parent, p->pid, code, status);
}

/* Interrupts off. p was stopped; SIGCONT (or the kernel, for an orphaned
 * group) makes it runnable: it goes on from where it stopped, in the hook. */
static void continue_stopped(struct proc *p) {
    p->state = PROC_READY;
    p->job_report = PROC_JOB_CONTINUED;
    notify_parent(p, CLD_CONTINUED, SIGCONT);
}

static int send(struct proc *p, int sig, int code, int pid, int status) {
    if (sig < 1 || sig > PROC_NSIG) return -EINVAL;
    uint64_t f = irq_save();
    uint64_t bit = SIG_BIT(sig);
    /* No tf yet: still being built by spawn (BLOCKED until then, never to be woken early). */
    if (p->is_kernel || !p->tf || p->state == PROC_UNUSED || p->state == PROC_ZOMBIE) {
        irq_restore(f);
        return 0;
    }
    /* Stop and continue cancel each other's pending instances whatever the
     * actions, and SIGCONT continues even when ignored or caught (POSIX). */
    if (bit & STOP_SIGNALS) p->sig.pending &= ~SIG_BIT(SIGCONT);
    if (sig == SIGCONT) {
        p->sig.pending &= ~STOP_SIGNALS;
        if (p->state == PROC_STOPPED) continue_stopped(p);
    }
    /* A blocked ignored signal stays pending: the action may change before
     * it is unblocked (Linux does the same). */
    if (!(p->sig.blocked & bit) && ignored(p, sig)) {
        proc_update_user_work(p);
        irq_restore(f);
        return 0;
    }
    if (!(p->sig.pending & bit)) {
        p->sig.info[sig - 1] = (struct proc_siginfo){ code, pid };
        if (sig == SIGCHLD) p->sig.chld_status = status;
    }
    p->sig.pending |= bit; /* standard semantics for all 64: one instance pending at most */
    if (proc_signal_pending(p) && p->state == PROC_BLOCKED) p->state = PROC_READY; /* its sleep returns -EINTR */
    if (sig == SIGKILL && p->state == PROC_STOPPED) p->state = PROC_READY; /* it dies in the hook */
    proc_update_user_work(p);
    irq_restore(f);
    return 0;
}

int signal_send(struct proc *p, int sig, int code, int pid, uint64_t addr) {
    (void)addr;
    return send(p, sig, code, pid, 0);
}

void signal_send_child(struct proc *parent, int child_pid, int code, int status) {
    send(parent, SIGCHLD, code, child_pid, status);
}

void signal_child_ended(struct proc *p) {
    notify_parent(p, p->term_signal ? CLD_KILLED : CLD_EXITED,
                  p->term_signal ? p->term_signal : (p->exit_status & 0xff));
}

int signal_fault(int sig, int code, uint64_t addr) {
    struct proc *p = current;
    uint64_t h = signal_action(p, sig)->handler;
    /* As Linux's force_sig: a blocked or ignored fault signal kills. */
    if ((p->sig.blocked & SIG_BIT(sig)) || h == SIG_DFL || h == SIG_IGN) return 0;
    p->sig.info[sig - 1] = (struct proc_siginfo){ code, 0 };
    p->sig.fault_addr = addr;
    p->sig.pending |= SIG_BIT(sig);
    proc_update_user_work(p);
    return 1;
}

int signal_for_vector(uint64_t vector, uint64_t error) {
    /* int3 reaches ring 0 as #GP on its DPL-0 gate, the error code naming
     * IDT entry 3 (QEMU's TCG scales the index by 16, hardware by 8). */
    if (vector == 13 && (error == ((3 << 3) | 2) || error == ((3 << 4) | 2))) return SIGTRAP; /* as Linux's */
    switch (vector) {
    case 0: case 16: case 19: return SIGFPE;  /* #DE, #MF, #XM */
    case 1: case 3: return SIGTRAP;           /* #DB, #BP */
    case 6: return SIGILL;                    /* #UD */
    case 11: case 12: case 17: return SIGBUS; /* #NP, #SS, #AC */
    default: return SIGSEGV;                  /* #GP, #PF, #OF, #BR and the rest */
    }
}

int signal_fork(struct proc *child, const struct proc *parent) {
    child->sig.action = 0;
    if (parent->sig.action) {
        child->sig.action = kmalloc(PROC_NSIG * sizeof *child->sig.action);
        if (!child->sig.action) return -ENOMEM; /* never a child that silently lost its handlers */
        memcpy(child->sig.action, parent->sig.action, PROC_NSIG * sizeof *child->sig.action);
    }
    child->sig.blocked = parent->sig.blocked;
    child->sig.pending = 0;
    child->sig.restore_mask = 0;
    child->sig.force_iret = 0;
    child->sig.restart = 0;
    return 0;
}

/* exec: caught signals go back to SIG_DFL (the handlers are gone with the
 * old image); ignored ones stay ignored, the mask and pending set stay. */
static void signal_exec(struct proc *p) {
    for (int i = 0; p->sig.action && i < PROC_NSIG; i++)
        if (p->sig.action[i].handler != SIG_IGN) p->sig.action[i] = (struct proc_sigaction){ 0, 0, 0, 0 };
    p->sig.restore_mask = 0;
}

__attribute__((noreturn)) static void die(int sig, const char *reason, const struct trapframe *tf, uint64_t addr) {
    current->term_signal = sig;
    proc_kill_current(reason, tf, addr, 128 + sig);
    __builtin_unreachable();
}

/* Builds the frame for sig on the user stack and points tf at the handler.
 * -1 when it cannot (no SA_RESTORER: Linux x86-64 fails the same way; a
 * stack that is not writable): the caller kills with SIGSEGV. */
static int deliver(struct proc *p, struct trapframe *tf, int sig, const struct proc_sigaction *act) {
    uint64_t oldmask = p->sig.restore_mask ? p->sig.saved_mask : p->sig.blocked;
    p->sig.restore_mask = 0;
    uint64_t frame, fpstate;
    if (!(act->flags & SA_RESTORER) || sigframe_place(tf->rsp, &frame, &fpstate)) return -1;
    fpu_save(&p->fpu); /* the live registers are the process's: the kernel never uses them */
    if (copy_to_user(fpstate, p->fpu.fxsave, SIGFRAME_FXSAVE_SIZE)) return -1;
    struct linux_siginfo info;
    memset(&info, 0, sizeof info);
    const struct proc_siginfo *pi = &p->sig.info[sig - 1];
    info.si_signo = sig;
    info.si_code = pi->code;
    uint64_t addr = (SYNCHRONOUS & SIG_BIT(sig)) ? p->sig.fault_addr : 0;
    if (SYNCHRONOUS & SIG_BIT(sig)) info.f.addr = addr;
    else info.f.kill.pid = pi->pid;
    if (sig == SIGCHLD) info.f.chld.status = p->sig.chld_status;
    struct linux_rt_sigframe f;
    sigframe_fill(&f, tf, act->restorer, fpstate, oldmask, &info, addr);
    if (copy_to_user(frame, &f, sizeof f)) return -1;
    sigframe_enter(tf, frame, act->handler, sig);
    fpu_state_init(&p->fpu); /* the handler starts with a clean FPU, as on Linux */
    fpu_restore(&p->fpu);
    p->sig.blocked |= act->mask & ~UNBLOCKABLE;
    if (!(act->flags & SA_NODEFER)) p->sig.blocked |= SIG_BIT(sig);
    if ((act->flags & SA_RESETHAND) && p->sig.action) p->sig.action[sig - 1] = (struct proc_sigaction){ 0, 0, 0, 0 };
    return 0;
}

static int next_signal(uint64_t ready) {
    if (ready & SIG_BIT(SIGKILL)) return SIGKILL;
    if (ready & SYNCHRONOUS) ready &= SYNCHRONOUS;
    return __builtin_ctzll(ready) + 1;
}

/* Interrupts off. The default action of a stop signal: the process stops
 * right here, on its way back to ring 3, and is not scheduled again until
 * SIGCONT or SIGKILL makes it READY (signal_send). */
static void stop_current(struct proc *p, int sig) {
    p->stop_sig = (uint8_t)sig;
    p->job_report = PROC_JOB_STOPPED;
    p->state = PROC_STOPPED;
    notify_parent(p, CLD_STOPPED, sig);
    while (p->state == PROC_STOPPED) schedule();
}

/* A call that returned -EINTR and met no handler on its way out runs again
 * from its SYSCALL / INT 0x80 instruction (both two bytes), with the same
 * arguments (they are still in the frame), as Linux restarts ERESTARTSYS. */
static void restart_call(const struct proc *p, struct trapframe *tf) {
    if ((tf->vector == 0x100 || tf->vector == 0x80) && (int64_t)tf->rax == -EINTR) {
        tf->rax = p->sig.restart_nr;
        tf->rip -= 2;
    }
}

int signal_syscall_interrupted(void) {
    struct proc *p = current;
    if (p->is_kernel || !p->tf) return -EINTR;
    uint64_t f = irq_save();
    p->sig.restart = 1;
    p->sig.restart_nr = (uint32_t)p->tf->rax; /* the dispatcher writes the result only after the call */
    proc_update_user_work(p);
    irq_restore(f);
    return -EINTR;
}

/* The user-return hook: every pending unblocked signal, lowest first (a
 * handler's frame nests on the one before, as on Linux). */
static void user_return(struct trapframe *tf) {
    cpu_cli();
    struct proc *p = current;
    p->sig.force_iret = 0;
    int handled = 0;
    for (;;) {
        uint64_t ready = p->sig.pending & ~p->sig.blocked;
        if (!ready) {
            if (!p->sig.restore_mask) break;
            p->sig.blocked = p->sig.saved_mask; /* rt_sigsuspend ended with no handler run */
            p->sig.restore_mask = 0;
            continue;
        }
        int sig = next_signal(ready);
        p->sig.pending &= ~SIG_BIT(sig);
        struct proc_sigaction act = *signal_action(p, sig);
        if (sig == SIGKILL) { /* proc_kill printed its [KILL] line when it sent it (SI_KERNEL) */
            if (p->sig.info[SIGKILL - 1].code == SI_KERNEL) proc_exit_signal(SIGKILL);
            die(SIGKILL, "signal 9", tf, 0);
        }
        if (act.handler == SIG_IGN) continue;
        if (act.handler == SIG_DFL) {
            if (DEFAULT_IGNORED & SIG_BIT(sig)) continue;
            if (STOP_SIGNALS & SIG_BIT(sig)) {
                /* POSIX: nobody would continue an orphaned group stopped from the terminal. */
                if (!((TTY_STOP_SIGNALS & SIG_BIT(sig)) && pgrp_is_orphaned(p->pgid))) stop_current(p, sig);
                continue;
            }
            char reason[16];
            ksnprintf(reason, sizeof reason, "signal %d", sig);
            die(sig, reason, tf, (SYNCHRONOUS & SIG_BIT(sig)) ? p->sig.fault_addr : 0);
        }
        if (deliver(p, tf, sig, &act) < 0) die(SIGSEGV, "bad signal frame", tf, tf->rsp);
        handled = 1;
    }
    if (p->sig.restart && !handled) restart_call(p, tf);
    p->sig.restart = 0;
    proc_update_user_work(p);
}

void signal_init(void) {
    trap_set_user_return_hook(user_return);
    proc_add_exec_hook(signal_exec);
    proc_add_release_hook(signal_release);
}
