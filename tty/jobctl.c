/* Job-control checks and group signals for the terminal (tty/jobctl.h). */
#include "tty/jobctl.h"
#include "tty/tty_dev.h"
#include "kernel/proc.h"
#include "kernel/signal.h"
#include "arch/x86_64/cpu.h"
#include "secos/errno.h"

static int live_user(const struct proc *p) {
    return p->state != PROC_UNUSED && p->state != PROC_ZOMBIE && !p->is_kernel;
}

void jobctl_signal_group(int pgid, int sig) {
    if (pgid <= 0) return;
    uint64_t f = irq_save();
    for (int i = 0; i < proc_slots_high; i++) {
        struct proc *p = &proc_table[i];
        if (live_user(p) && p->pgid == pgid) signal_send(p, sig, SI_KERNEL, 0, 0);
    }
    irq_restore(f);
}

int jobctl_group_in_session(int pgid, int sid) {
    for (int i = 0; i < proc_slots_high; i++) {
        const struct proc *p = &proc_table[i];
        if (live_user(p) && p->pgid == pgid && p->sid == sid) return 1;
    }
    return 0;
}

int jobctl_group_orphaned(int pgid) {
    for (int i = 0; i < proc_slots_high; i++) {
        const struct proc *p = &proc_table[i];
        if (!live_user(p) || p->pgid != pgid) continue;
        const struct proc *parent = p->parent > 0 ? proc_by_pid(p->parent) : 0;
        if (parent && live_user(parent) && parent->pgid != pgid && parent->sid == p->sid) return 0;
    }
    return 1;
}

static int ignored_or_blocked(const struct proc *p, int sig) {
    return (p->sig.blocked & SIG_BIT(sig)) || signal_action(p, sig)->handler == SIG_IGN;
}

long jobctl_check(struct tty *t, int sig) {
    struct proc *p = current;
    uint64_t f = irq_save();
    long r = 0;
    if (tty_is_ctty(t, p) && t->fg_pgrp && p->pgid != t->fg_pgrp) {
        if (ignored_or_blocked(p, sig)) r = sig == SIGTTIN ? -EIO : 0;
        else if (jobctl_group_orphaned(p->pgid)) r = -EIO;
        else {
            jobctl_signal_group(p->pgid, sig);
            r = -EINTR;
        }
    }
    irq_restore(f);
    return r;
}
