/* Job-control checks and group signals for the terminal (tty/jobctl.h). */
#include "tty/jobctl.h"
#include "tty/tty_dev.h"
#include "kernel/proc.h"
#include "kernel/signal.h"
#include "kernel/pgrp.h"
#include "arch/x86_64/cpu.h"
#include "secos/errno.h"

static int live_user(const struct proc *p) {
    return p->state != PROC_UNUSED && p->state != PROC_ZOMBIE && !p->is_kernel;
}

int jobctl_group_in_session(int pgid, int sid) {
    for (int i = 0; i < proc_slots_high; i++) {
        const struct proc *p = &proc_table[i];
        if (live_user(p) && p->pgid == pgid && p->sid == sid) return 1;
    }
    return 0;
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
        else if (pgrp_is_orphaned(p->pgid)) r = -EIO;
        else {
            pgrp_signal(p->pgid, sig, SI_KERNEL, 0);
            r = -EINTR;
        }
    }
    irq_restore(f);
    return r;
}
