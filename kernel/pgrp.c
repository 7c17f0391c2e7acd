/* Process groups and sessions, as Linux keeps them (the TTY that makes them
 * matter comes later). Every process has a pgid and a sid, inherited by
 * fork; a process started by the kernel leads its own session and group
 * (kernel/proc.c). Rules enforced (setpgid(2)): only the caller or one of
 * its children, the child not yet past execve, both in the same session, a
 * session leader never moves, and the target group must exist in the
 * caller's session unless it is the process's own pid. */
#include "kernel/syscall.h"
#include "kernel/proc.h"
#include "arch/x86_64/cpu.h"
#include "secos/errno.h"

/* pid 0 means the caller; kernel tasks and free slots are nobody. */
static struct proc *target(int pid) {
    if (pid == 0) return current;
    struct proc *p = pid > 0 ? proc_by_pid(pid) : 0;
    return p && !p->is_kernel ? p : 0;
}

static int group_in_session(int pgid, int sid) {
    for (int i = 0; i < PROC_MAX; i++) {
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
    for (int i = 0; i < PROC_MAX; i++)
        if (proc_table[i].state != PROC_UNUSED && proc_table[i].pgid == self->pid) r = -EPERM;
    if (r > 0) self->sid = self->pgid = self->pid;
    irq_restore(f);
    return r;
}
