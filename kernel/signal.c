/* Signal generation and delivery (kernel/signal.h). Delivery happens only
 * in the user-return hook, on the current process's own kernel stack, just
 * before it enters ring 3: no system call is running any more, so a signal
 * that terminates frees nothing anyone still uses. */
#include "kernel/signal.h"
#include "kernel/proc.h"
#include "kernel/sigframe.h"
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
/* Default ignore, and the stop/continue signals, ignored until job control. */
#define DEFAULT_IGNORED (SIG_BIT(SIGCHLD) | SIG_BIT(SIGURG) | SIG_BIT(SIGWINCH) | SIG_BIT(SIGCONT) | \
                         SIG_BIT(SIGSTOP) | SIG_BIT(SIGTSTP) | SIG_BIT(SIGTTIN) | SIG_BIT(SIGTTOU))
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

int signal_send(struct proc *p, int sig, int code, int pid, uint64_t addr) {
    if (sig < 1 || sig > PROC_NSIG) return -EINVAL;
    uint64_t f = irq_save();
    uint64_t bit = SIG_BIT(sig);
    /* A blocked ignored signal stays pending: the action may change before
     * it is unblocked (Linux does the same). */
    /* No tf yet: still being built by spawn (BLOCKED until then, never to be woken early). */
    if (p->is_kernel || !p->tf || p->state == PROC_UNUSED || p->state == PROC_ZOMBIE ||
        (!(p->sig.blocked & bit) && ignored(p, sig))) {
        irq_restore(f);
        return 0;
    }
    (void)addr;
    if (!(p->sig.pending & bit)) p->sig.info[sig - 1] = (struct proc_siginfo){ code, pid };
    p->sig.pending |= bit; /* standard semantics for all 64: one instance pending at most */
    if (proc_signal_pending(p) && p->state == PROC_BLOCKED) p->state = PROC_READY; /* its sleep returns -EINTR */
    proc_update_user_work(p);
    irq_restore(f);
    return 0;
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

/* The user-return hook: every pending unblocked signal, lowest first (a
 * handler's frame nests on the one before, as on Linux). */
static void user_return(struct trapframe *tf) {
    cpu_cli();
    struct proc *p = current;
    p->sig.force_iret = 0;
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
            char reason[16];
            ksnprintf(reason, sizeof reason, "signal %d", sig);
            die(sig, reason, tf, (SYNCHRONOUS & SIG_BIT(sig)) ? p->sig.fault_addr : 0);
        }
        if (deliver(p, tf, sig, &act) < 0) die(SIGSEGV, "bad signal frame", tf, tf->rsp);
    }
    proc_update_user_work(p);
}

void signal_init(void) {
    trap_set_user_return_hook(user_return);
    proc_add_exec_hook(signal_exec);
    proc_add_release_hook(signal_release);
}
