/* The console terminal: its state, who owns it, the input side (a
 * receiver of kernel/input.c, in interrupt context), the hand-over between
 * the kernel console and user sessions (tty/tty.h says the rules). */
#include "tty/tty.h"
#include "tty/tty_dev.h"
#include "tty/jobctl.h"
#include "kernel/pgrp.h"
#include "fs/devfs.h"
#include "fs/file.h"
#include "kernel/input.h"
#include "kernel/proc.h"
#include "kernel/signal.h"
#include "drivers/display.h"
#include "arch/x86_64/cpu.h"
#include "lib/console_out.h"
#include "lib/string.h"
#include "secos/errno.h"

struct tty console_tty;

int tty_is_ctty(const struct tty *t, const struct proc *p) {
    return t->session != 0 && !p->is_kernel && p->sid == t->session;
}

void tty_wake(struct tty *t) {
    wakeup(t);
    file_poll_notify();
}

static void signal_fg(struct tty *t, int sig) { pgrp_signal(t->fg_pgrp, sig, SI_KERNEL, 0); }

/* One received byte, interrupts off. Echo goes out at once, as typed. */
static void receive(uint8_t c) {
    struct tty *t = &console_tty;
    t->received++;
    enum ldisc_event ev = ldisc_input(&t->ld, c);
    if (ev == LDISC_SIGINT && t->intr) {
        t->intr();   /* the lender's Ctrl-C; it prints its own ^C */
        return;
    }
    console_program_write_raw((const char *)t->ld.echo, t->ld.echo_len);
    switch (ev) {
    case LDISC_SIGINT: signal_fg(t, SIGINT); break;
    case LDISC_SIGQUIT: signal_fg(t, SIGQUIT); break;
    case LDISC_SIGTSTP: signal_fg(t, SIGTSTP); break;
    case LDISC_NONE: return;
    default: break;
    }
    tty_wake(t);
}

static uint32_t room(void) { return ldisc_room(&console_tty.ld); }

static const struct console_input_receiver receiver = { .put = receive, .room = room };

void tty_attach(struct tty *t, int sid, int pgrp) {
    uint64_t f = irq_save();
    t->session = sid;
    t->fg_pgrp = pgrp;
    t->intr = 0;
    console_input_set_receiver(&receiver);
    irq_restore(f);
    tty_wake(t);
}

void tty_detach(struct tty *t) {
    uint64_t f = irq_save();
    if (t->session) {
        t->session = t->fg_pgrp = 0;
        t->intr = 0;
        console_input_set_receiver(0);
        /* What nobody read goes back to the console, in the order typed
         * (after the ldisc's mapping; VEOF marks are not data). */
        struct ldisc *ld = &t->ld;
        for (uint32_t i = 0; i < ld->count; i++) {
            uint32_t pos = (ld->head + i) % LDISC_CAP;
            if (!(ld->mark[pos] & LDISC_EOF)) console_input_push(ld->buf[pos]);
        }
        ldisc_flush_input(ld);
        ld->stopped = 0;
        ldisc_set_termios(ld, &t->console_termios);
    }
    irq_restore(f);
    tty_wake(t);
}

void tty_console_lend(int sid, void (*intr)(void)) {
    struct tty *t = &console_tty;
    uint64_t f = irq_save();
    tty_detach(t);   /* a session that still held it loses it */
    const struct proc *p = proc_by_pid(sid);
    tty_attach(t, sid, p ? p->pgid : sid);
    t->intr = intr;
    irq_restore(f);
}

void tty_console_reclaim(void) { tty_detach(&console_tty); }

void tty_console_stats(struct tty_stats *out) {
    const struct tty *t = &console_tty;
    uint64_t f = irq_save();
    out->session = t->session;
    out->fg_pgrp = t->fg_pgrp;
    out->buffered = t->ld.count;
    out->dropped = t->ld.dropped;
    out->received = t->received;
    irq_restore(f);
}

/* A session leader's exit ends its session's hold. Unlike Linux, its
 * foreground group hears no SIGHUP: the programs a leader leaves behind are
 * orphans the kernel keeps running and reaps (test_attack's orphanbomb). */
static void session_end(struct proc *p) {
    struct tty *t = &console_tty;
    if (t->session && p->pid == t->session) tty_detach(t);
}

static struct file *open_console(int flags, int *err) {
    struct file *f = file_alloc(&tty_console_ops, flags);
    if (!f) {
        *err = -ENOMEM;
        return 0;
    }
    f->priv = &console_tty;
    strlcpy(f->path, "/dev/console", sizeof f->path);
    /* A session leader without a terminal acquires the free one. */
    struct proc *p = current;
    uint64_t irq = irq_save();
    if (!(flags & O_NOCTTY) && !console_tty.session && p->sid == p->pid) tty_attach(&console_tty, p->sid, p->pgid);
    irq_restore(irq);
    return f;
}

static struct file *open_devtty(int flags, int *err) {
    if (!tty_is_ctty(&console_tty, current)) {
        *err = -ENXIO;
        return 0;
    }
    struct file *f = file_alloc(&tty_devtty_ops, flags);
    if (!f) {
        *err = -ENOMEM;
        return 0;
    }
    f->priv = &console_tty;
    strlcpy(f->path, "/dev/tty", sizeof f->path);
    return f;
}

static const struct devfs_chr console_node = { "console", (5u << 8) | 1u, 0620, open_console };
static const struct devfs_chr tty_node = { "tty", (5u << 8) | 0u, 0666, open_devtty };

void tty_init(void) {
    struct tty *t = &console_tty;
    termios_default(&t->console_termios);
    ldisc_init(&t->ld, &t->console_termios);
    uint32_t cols, rows;
    if (display_cells(&cols, &rows) == 0 && cols <= 0xffff && rows <= 0xffff) {
        t->ws.ws_col = (uint16_t)cols;
        t->ws.ws_row = (uint16_t)rows;
    } else {
        t->ws.ws_col = 80;
        t->ws.ws_row = 25;
    }
    console_file_set_ops(&tty_console_ops, t);
    devfs_register_chr(&console_node);
    devfs_register_chr(&tty_node);
    proc_add_release_hook(session_end);
}
