/* Job control as the terminal enforces it (Linux's rules, drivers/tty/
 * tty_jobctrl.c): who may read, write or change settings, and signals to
 * process groups. Reads the process table with interrupts off. */
#ifndef TTY_JOBCTL_H
#define TTY_JOBCTL_H

struct tty;

/* 0: the current process may go on. A process whose controlling terminal t
 * is, in a group that is not t's foreground group, instead: sig ignored or
 * blocked: 0 for SIGTTOU (Linux lets it write and set), -EIO for SIGTTIN;
 * an orphaned group: -EIO; else sig goes to its whole group and the call
 * returns -EINTR (the signal stops it once stops are real). */
long jobctl_check(struct tty *t, int sig);
/* Some live user process is in group pgid of session sid. */
int jobctl_group_in_session(int pgid, int sid);
/* Group signals and the orphaned-group rule are kernel/pgrp.h's
 * (pgrp_signal, pgrp_is_orphaned), shared with kill(2) and exit. */

#endif
