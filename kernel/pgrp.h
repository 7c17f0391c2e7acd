/* Process groups for job control (kernel/pgrp.c): what the terminal
 * (tty/) and the signal code ask about groups. Call with interrupts in any
 * state; none of them sleeps. */
#ifndef KERNEL_PGRP_H
#define KERNEL_PGRP_H

struct proc;

/* POSIX: a group is orphaned when no member has a parent in another group
 * of the same session (the parent that could continue a stopped job is
 * gone). Zombies, kernel tasks and reparented orphans link nothing. A group
 * without members counts as orphaned. 1 or 0. */
int pgrp_is_orphaned(int pgid);

/* sig to every user process in group pgid, from sender (a pid, 0 for the
 * kernel) with si_code code: how many got it (0: nobody, for -ESRCH). */
int pgrp_signal(int pgid, int sig, int code, int sender);

/* dying is exiting: every group its exit orphans (its own, its children's)
 * that has a stopped member gets SIGHUP then SIGCONT, as POSIX requires.
 * Called before its children are reparented. */
void pgrp_orphan_on_exit(const struct proc *dying);

#endif
