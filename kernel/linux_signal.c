/* The Linux signal calls (include/secos/linux_syscall.h): rt_sigaction,
 * rt_sigprocmask, rt_sigreturn, rt_sigpending, rt_sigsuspend, pause, kill,
 * tkill, tgkill. Processes have one thread, so a tid is the pid. Single
 * user: any process may signal any other user process; kernel tasks (the
 * idle task, the shell) cannot be signalled (-EPERM). */
#include "kernel/syscall.h"
#include "kernel/proc.h"
#include "kernel/signal.h"
#include "kernel/sigframe.h"
#include "kernel/pgrp.h"
#include "mm/usercopy.h"
#include "lib/string.h"
#include "secos/errno.h"

#define UNBLOCKABLE (SIG_BIT(SIGKILL) | SIG_BIT(SIGSTOP))
#define SIGSET_SIZE 8
#define SIG_BLOCK   0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2

static int valid_sig(uint64_t sig) { return sig >= 1 && sig <= PROC_NSIG; }

/* A handler without SA_RESTORER is accepted, as on Linux; its delivery
 * fails and the process dies with SIGSEGV (Linux x86-64 has no default
 * trampoline either). SA_RESTART is accepted and means nothing: an
 * interrupted call returns -EINTR. SA_ONSTACK is ignored (no sigaltstack). */
long linux_rt_sigaction(SYSARGS) {
    UNUSED_ARGS();
    if (a3 != SIGSET_SIZE || !valid_sig(a0)) return -EINVAL;
    int sig = (int)a0;
    struct proc *p = current;
    struct proc_sigaction act;
    if (a1) {
        if (sig == SIGKILL || sig == SIGSTOP) return -EINVAL;
        if (copy_from_user(&act, a1, sizeof act)) return -EFAULT;
    }
    if (a2 && copy_to_user(a2, signal_action(p, sig), sizeof act)) return -EFAULT;
    if (!a1) return 0;
    act.mask &= ~UNBLOCKABLE;
    uint64_t f = irq_save();
    int r = signal_set_action(p, sig, &act);
    if (r) {
        irq_restore(f);
        return r;
    }
    /* Now ignored: a pending instance goes (SIGCHLD's default ignores too). */
    if (act.handler == SIG_IGN || (act.handler == SIG_DFL && (sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH)))
        p->sig.pending &= ~SIG_BIT(sig);
    proc_update_user_work(p);
    irq_restore(f);
    return 0;
}

long linux_rt_sigprocmask(SYSARGS) {
    UNUSED_ARGS();
    if (a3 != SIGSET_SIZE) return -EINVAL;
    struct proc *p = current;
    uint64_t set = 0, old = p->sig.blocked;
    if (a1 && copy_from_user(&set, a1, sizeof set)) return -EFAULT;
    if (a1) {
        switch (a0) {
        case SIG_BLOCK: set = old | set; break;
        case SIG_UNBLOCK: set = old & ~set; break;
        case SIG_SETMASK: break;
        default: return -EINVAL;
        }
    }
    if (a2 && copy_to_user(a2, &old, sizeof old)) return -EFAULT;
    if (a1) {
        uint64_t f = irq_save();
        p->sig.blocked = set & ~UNBLOCKABLE;
        proc_update_user_work(p); /* an unblocked pending signal is delivered on the way out */
        irq_restore(f);
    }
    return 0;
}

long linux_rt_sigpending(SYSARGS) {
    UNUSED_ARGS();
    if (a1 > SIGSET_SIZE) return -EINVAL;
    uint64_t set = current->sig.pending & current->sig.blocked;
    return copy_to_user(a0, &set, a1) ? -EFAULT : 0;
}

/* Sleeps until a signal is pending: returns -EINTR, which the caller sees
 * after its handler ran (or never, if the signal kills). */
static long wait_for_signal(void) {
    while (sleep_on(&current->sig) == 0) {
    }
    return -EINTR;
}

long linux_rt_sigsuspend(SYSARGS) {
    UNUSED_ARGS();
    if (a1 != SIGSET_SIZE) return -EINVAL;
    uint64_t mask;
    if (copy_from_user(&mask, a0, sizeof mask)) return -EFAULT;
    struct proc *p = current;
    uint64_t f = irq_save();
    p->sig.saved_mask = p->sig.blocked;
    p->sig.restore_mask = 1; /* the frame carries the old mask; the hook restores it otherwise */
    p->sig.blocked = mask & ~UNBLOCKABLE;
    proc_update_user_work(p);
    irq_restore(f);
    return wait_for_signal();
}

long linux_pause(SYSARGS) {
    UNUSED_ARGS();
    return wait_for_signal();
}

/* A frame the handler's `ret` into the restorer left at rsp - 8. Anything
 * wrong with it kills with SIGSEGV: a non-canonical or kernel rip or rsp,
 * an unreadable frame or FXSAVE image, reserved MXCSR bits (FXRSTOR would
 * #GP in the kernel). CS and SS are forced to the user selectors and
 * RFLAGS to IF plus the arithmetic flags and DF. */
long linux_rt_sigreturn(SYSARGS) {
    UNUSED_ARGS();
    struct proc *p = current;
    struct trapframe *tf = p->tf;
    uint64_t frame = tf->rsp - 8;
    struct linux_ucontext uc;
    struct trapframe restored = *tf;
    uint64_t mask;
    if (copy_from_user(&uc, frame + __builtin_offsetof(struct linux_rt_sigframe, uc), sizeof uc) ||
        sigframe_restore(&restored, &uc, &mask))
        goto bad;
    fpu_save(&p->fpu); /* for the CPU's MXCSR_MASK */
    uint32_t mxcsr_mask;
    memcpy(&mxcsr_mask, p->fpu.fxsave + SIGFRAME_MXCSR_MASK_OFF, sizeof mxcsr_mask);
    if (uc.uc_mcontext.fpstate) {
        if (copy_from_user(p->fpu.fxsave, uc.uc_mcontext.fpstate, SIGFRAME_FXSAVE_SIZE) ||
            !sigframe_fx_valid(p->fpu.fxsave, mxcsr_mask))
            goto bad;
    } else {
        fpu_state_init(&p->fpu); /* no FPU state saved: a clean one, as Linux */
    }
    fpu_restore(&p->fpu);
    uint64_t f = irq_save();
    *tf = restored;
    p->sig.blocked = mask;
    p->sig.force_iret = 1; /* sysret would lose rcx and r11 */
    proc_update_user_work(p);
    irq_restore(f);
    return (long)tf->rax;
bad:
    p->term_signal = SIGSEGV;
    proc_kill_current("bad signal frame", tf, frame, 128 + SIGSEGV);
    __builtin_unreachable();
}

static int may_signal(const struct proc *t) {
    return t && t->state != PROC_ZOMBIE && t->state != PROC_UNUSED;
}

/* Init (pid 1) gets from others only the signals it installed a handler
 * for, as on Linux: a default action (SIGKILL included) would end it, and
 * with it the system's user space. Dropped silently, as Linux does. */
static int init_protected(const struct proc *t, int sig) {
    if (t->pid != 1 || t == current) return 0;
    uint64_t h = signal_action(t, sig)->handler;
    return sig == SIGKILL || sig == SIGSTOP || h == SIG_DFL || h == SIG_IGN;
}

/* sig 0 checks that the target exists. */
static long send_to(struct proc *t, int sig, int code) {
    if (!may_signal(t)) return -ESRCH;
    if (t->is_kernel) return -EPERM;
    if (sig && init_protected(t, sig)) return 0;
    return sig ? signal_send(t, sig, code, current->pid, 0) : 0;
}

/* pid > 0: that process; 0: the caller's group; -1: every user process but
 * the caller (as Linux); < -1: every member of group -pid (-ESRCH if none). */
long linux_kill(SYSARGS) {
    UNUSED_ARGS();
    int pid = (int)a0, sig = (int)a1;
    if (a1 > PROC_NSIG) return -EINVAL;
    if (pid == -1) {
        int found = 0;
        for (int i = 0; i < proc_slots_high; i++) {
            struct proc *t = &proc_table[i];
            if (!may_signal(t) || t->is_kernel || t == current || t->pid == 1) continue; /* -1 spares init (Linux) */
            found++;
            if (sig) signal_send(t, sig, SI_USER, current->pid, 0);
        }
        return found ? 0 : -ESRCH;
    }
    if (pid == INT32_MIN) return -ESRCH;
    if (pid <= 0) return pgrp_signal(pid ? -pid : current->pgid, sig, SI_USER, current->pid) ? 0 : -ESRCH;
    return send_to(proc_by_pid(pid), sig, SI_USER);
}

long linux_tkill(SYSARGS) {
    UNUSED_ARGS();
    if ((int64_t)a0 <= 0 || a0 > INT32_MAX || a1 > PROC_NSIG) return -EINVAL;
    return send_to(proc_by_pid((int)a0), (int)a1, SI_TKILL);
}

long linux_tgkill(SYSARGS) {
    UNUSED_ARGS();
    if ((int64_t)a0 <= 0 || (int64_t)a1 <= 0 || a0 > INT32_MAX || a1 > INT32_MAX || a2 > PROC_NSIG) return -EINVAL;
    if (a0 != a1) return -ESRCH; /* one thread per process: tid == tgid */
    return send_to(proc_by_pid((int)a1), (int)a2, SI_TKILL);
}
