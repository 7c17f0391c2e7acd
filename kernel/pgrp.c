/* Process groups and sessions, as Linux keeps them, and the group side of
 * job control (kernel/pgrp.h: orphaned groups, signals to a group). Every process has a pgid and a sid, inherited by
 * fork; a process started by the kernel leads its own session and group
 * (kernel/proc.c). Rules enforced (setpgid(2)): only the caller or one of
 * its children, the child not yet past execve, both in the same session, a
 * session leader never moves, and the target group must exist in the
 * caller's session unless it is the process's own pid. */
#include "kernel/syscall.h"
#include "kernel/proc.h"
#include "kernel/pgrp.h"
#include "kernel/signal.h"
#include "arch/x86_64/cpu.h"
#include "secos/errno.h"

/* pid 0 means the caller; kernel tasks and free slots are nobody. */
static struct proc *target(int pid) {
    if (pid == 0) return current;
    struct proc *p = pid > 0 ? proc_by_pid(pid) : 0;
    return p && !p->is_kernel ? p : 0;
}

static int group_in_session(int pgid, int sid) {
    for (int i = 0; i < proc_slots_high; i++) {
        const struct proc *q = &proc_table[i];
        if (q->state != PROC_UNUSED && !q->is_kernel && q->pgid == pgid && q->sid == sid) return 1;
    }
    return 0;
}

long linux_setpgid(SYSARGS) {
    UNUSED_ARGS();
    int pid = (int)a0, pgid = (int)a1;
    if (pgid < 0) return -EINVAL;
    uint64_t f = irq_save();
    struct proc *self = current, *p = target(pid);
    long r = 0;
    if (!p) r = -ESRCH;
    else if (p != self && p->parent != self->pid) r = -ESRCH;
    else if (p != self && p->did_exec) r = -EACCES;
    else if (p->sid != self->sid || p->sid == p->pid) r = -EPERM;
    if (r == 0) {
        if (pgid == 0) pgid = p->pid;
        if (pgid != p->pid && !group_in_session(pgid, self->sid)) r = -EPERM;
        else p->pgid = pgid;
    }
    irq_restore(f);
    return r;
}

long linux_getpgid(SYSARGS) {
    UNUSED_ARGS();
    struct proc *p = target((int)a0);
    return p ? p->pgid : -ESRCH;
}

long linux_getpgrp(SYSARGS) {
    UNUSED_ARGS();
    return current->pgid;
}

long linux_getsid(SYSARGS) {
    UNUSED_ARGS();
    struct proc *p = target((int)a0);
    return p ? p->sid : -ESRCH;
}

/* A group leader may not start a session: its group would span two. */
long linux_setsid(SYSARGS) {
    UNUSED_ARGS();
    uint64_t f = irq_save();
    struct proc *self = current;
    long r = self->pid;
    for (int i = 0; i < proc_slots_high; i++)
        if (proc_table[i].state != PROC_UNUSED && proc_table[i].pgid == self->pid) r = -EPERM;
    if (r > 0) self->sid = self->pgid = self->pid;
    irq_restore(f);
    return r;
}

static int alive_user(const struct proc *q) {
    return q->state != PROC_UNUSED && q->state != PROC_ZOMBIE && !q->is_kernel;
}

/* Orphaned if ignore (an exiting process, or 0) did not count. */
static int orphaned_without(int pgid, const struct proc *ignore) {
    for (int i = 0; i < proc_slots_high; i++) {
        const struct proc *q = &proc_table[i];
        if (q == ignore || !alive_user(q) || q->pgid != pgid) continue;
        const struct proc *parent = q->parent > 0 ? proc_by_pid(q->parent) : 0;
        if (parent && parent != ignore && alive_user(parent) && parent->pgid != pgid && parent->sid == q->sid)
            return 0;
    }
    return 1;
}

int pgrp_is_orphaned(int pgid) {
    uint64_t f = irq_save();
    int r = orphaned_without(pgid, 0);
    irq_restore(f);
    return r;
}

int pgrp_signal(int pgid, int sig, int code, int sender) {
    uint64_t f = irq_save();
    int n = 0;
    for (int i = 0; i < proc_slots_high; i++) {
        struct proc *q = &proc_table[i];
        if (!alive_user(q) || q->pgid != pgid) continue;
        n++;
        if (sig) signal_send(q, sig, code, sender, 0);
    }
    irq_restore(f);
    return n;
}

static int has_stopped_member(int pgid) {
    for (int i = 0; i < proc_slots_high; i++)
        if (proc_table[i].state == PROC_STOPPED && proc_table[i].pgid == pgid) return 1;
    return 0;
}

/* Only a transition counts: a group that was orphaned already got its
 * SIGHUP when it became so (or never had a parent to lose). */
static void check_group(int pgid, const struct proc *dying) {
    if (!has_stopped_member(pgid) || orphaned_without(pgid, 0) || !orphaned_without(pgid, dying)) return;
    pgrp_signal(pgid, SIGHUP, SI_KERNEL, 0);
    pgrp_signal(pgid, SIGCONT, SI_KERNEL, 0);
}

void pgrp_orphan_on_exit(const struct proc *dying) {
    uint64_t f = irq_save();
    int any_stopped = 0;
    for (int i = 0; i < proc_slots_high && !any_stopped; i++) any_stopped = proc_table[i].state == PROC_STOPPED;
    if (any_stopped) { /* the common exit costs this one scan */
        check_group(dying->pgid, dying);
        for (int i = 0; i < proc_slots_high; i++) {
            const struct proc *c = &proc_table[i];
            if (alive_user(c) && c->parent == dying->pid && c->pgid != dying->pgid) check_group(c->pgid, dying);
        }
    }
    irq_restore(f);
}
