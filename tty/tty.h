/* The console terminal: the line discipline (tty/ldisc.c) over the console
 * input queue (kernel/input.c) and the console sinks, as the file behind
 * every process's fds 0-2, /dev/console (5:1) and /dev/tty (5:0, the
 * caller's controlling terminal).
 *
 * Exactly one reader takes console input. While no user session owns the
 * terminal, bytes queue for the kernel console (console/shell.c). While a
 * session owns it (the console lent it with tty_console_lend, or a session
 * leader acquired the free terminal by opening it or with TIOCSCTTY),
 * every byte goes through the line discipline to that session's readers
 * and the kernel console does not read. When the session ends (its leader
 * exits, TIOCNOTTY, or the console takes it back), the console's termios
 * come back and unread input returns to the console's queue, in order. */
#ifndef TTY_TTY_H
#define TTY_TTY_H
#include <stdint.h>

/* At boot, before any process: the console file's ops, the /dev nodes, the
 * release hook. */
void tty_init(void);

/* The console lends the terminal to session sid (a leader it just spawned,
 * not yet run), its group in the foreground. intr: 0, VINTR sends SIGINT to
 * the foreground group; else VINTR calls it instead (interrupt context:
 * the console's `run`, whose Ctrl-C kills the program). */
void tty_console_lend(int sid, void (*intr)(void));
/* Takes it back (the session ended or is abandoned): as above. */
void tty_console_reclaim(void);

struct tty_stats {
    int session, fg_pgrp;      /* 0: the kernel console has the terminal */
    uint32_t buffered;         /* bytes held by the line discipline */
    uint64_t dropped;          /* bytes refused because its buffer was full */
    uint64_t received;         /* bytes that went through it */
};
void tty_console_stats(struct tty_stats *out);

#endif
