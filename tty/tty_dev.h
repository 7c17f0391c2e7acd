/* The terminal's state, shared by the files of tty/ (not for other layers:
 * they use tty/tty.h). Every field changes with interrupts off: the input
 * side runs in the serial and keyboard interrupt handlers. */
#ifndef TTY_TTY_DEV_H
#define TTY_TTY_DEV_H
#include <stdint.h>
#include "tty/ldisc.h"
#include "fs/file.h"

struct tty_winsize { uint16_t ws_row, ws_col, ws_xpixel, ws_ypixel; };

struct tty {
    struct ldisc ld;
    struct ktermios console_termios;  /* what the kernel console uses; back at every detach */
    int session;                      /* sid that owns it; 0: the kernel console has it */
    int fg_pgrp;                      /* the foreground process group (meaningful while owned) */
    void (*intr)(void);               /* the lender's VINTR action, or 0 */
    struct tty_winsize ws;
    uint64_t received;
};

extern struct tty console_tty;

/* The tty is p's controlling terminal: p's session owns it. */
struct proc;
int tty_is_ctty(const struct tty *t, const struct proc *p);
/* Session sid (its leader's pgid pgrp) owns t from now on: input goes to it. */
void tty_attach(struct tty *t, int sid, int pgrp);
/* Nobody owns t: console termios, unread input back to the console queue. */
void tty_detach(struct tty *t);
/* Readers, writers and poll sleepers recheck (input arrived, output resumed). */
void tty_wake(struct tty *t);

/* The file side (tty/tty_file.c). */
extern const struct file_ops tty_console_ops;   /* fds 0-2 and /dev/console: 5:1 */
extern const struct file_ops tty_devtty_ops;    /* /dev/tty: 5:0 */
long tty_ioctl(struct file *f, uint64_t req, uint64_t arg);

#endif
