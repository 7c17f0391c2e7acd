/* The terminal's ioctl requests (Linux numbers and rules):
 *   TCGETS/TCSETS/TCSETSW/TCSETSF  termios (validated by termios_sanitize;
 *                                  TCSETSF also flushes input; output is
 *                                  synchronous, so TCSETSW has nothing to drain)
 *   TIOCGWINSZ/TIOCSWINSZ          the window size (SIGWINCH to the foreground on a change)
 *   TIOCGPGRP/TIOCSPGRP            the foreground group: only on the caller's
 *                                  controlling terminal (else -ENOTTY); the
 *                                  group must be in the caller's session (-EPERM)
 *   TIOCSCTTY/TIOCNOTTY/TIOCGSID   the controlling terminal of a session
 *   FIONREAD, TCFLSH, TCXONC
 * Changing settings from a background group is a job-control check
 * (SIGTTOU, tty/jobctl.h). */
#include "tty/tty_dev.h"
#include "tty/jobctl.h"
#include "kernel/pgrp.h"
#include "kernel/input.h"
#include "kernel/proc.h"
#include "kernel/signal.h"
#include "mm/usercopy.h"
#include "arch/x86_64/cpu.h"
#include "lib/string.h"
#include "secos/errno.h"

#define TCGETS 0x5401
#define TCSETS 0x5402
#define TCSETSW 0x5403
#define TCSETSF 0x5404
#define TCXONC 0x540A
#define TCFLSH 0x540B
#define TIOCSCTTY 0x540E
#define TIOCGPGRP 0x540F
#define TIOCSPGRP 0x5410
#define TIOCGWINSZ 0x5413
#define TIOCSWINSZ 0x5414
#define FIONREAD 0x541B
#define TIOCNOTTY 0x5422
#define TIOCGSID 0x5429

#define TCOOFF 0
#define TCOON 1
#define TCIOFF 2
#define TCION 3
#define TCIFLUSH 0
#define TCOFLUSH 1
#define TCIOFLUSH 2

static long set_termios(struct tty *t, uint64_t arg, int flush) {
    struct ktermios k;
    if (copy_from_user(&k, arg, sizeof k)) return -EFAULT;
    long r = termios_sanitize(&k);
    if (r) return r;
    r = jobctl_check(t, SIGTTOU);
    if (r) return r;
    uint64_t f = irq_save();
    if (flush) ldisc_flush_input(&t->ld);
    ldisc_set_termios(&t->ld, &k);
    irq_restore(f);
    tty_wake(t);               /* a mode switch may make held bytes readable */
    console_input_resume();
    return 0;
}

static long set_pgrp(struct tty *t, uint64_t arg) {
    struct proc *p = current;
    if (!tty_is_ctty(t, p)) return -ENOTTY;
    int pgrp;
    if (copy_from_user(&pgrp, arg, sizeof pgrp)) return -EFAULT;
    long r = jobctl_check(t, SIGTTOU);
    if (r) return r;
    if (pgrp < 0) return -EINVAL;
    uint64_t f = irq_save();
    if (jobctl_group_in_session(pgrp, p->sid)) {
        t->fg_pgrp = pgrp;
        r = 0;
    } else {
        r = -ESRCH;   /* Linux: no such group -ESRCH, one of another session -EPERM */
        for (int i = 0; i < proc_slots_high && r == -ESRCH; i++) {
            const struct proc *q = &proc_table[i];
            if (q->state != PROC_UNUSED && (q->pid == pgrp || q->pgid == pgrp)) r = -EPERM;
        }
    }
    irq_restore(f);
    return r;
}

/* Linux's rules: a session leader without a terminal; the terminal not
 * another session's (taking it from one needs CAP_SYS_ADMIN on Linux, which
 * nothing has here). */
static long set_ctty(struct tty *t) {
    struct proc *p = current;
    uint64_t f = irq_save();
    long r = 0;
    if (tty_is_ctty(t, p)) r = 0;
    else if (p->sid != p->pid) r = -EPERM;
    else if (t->session) r = -EPERM;
    else tty_attach(t, p->sid, p->pgid);
    irq_restore(f);
    return r;
}

/* The session leader gives its terminal up (the foreground hears SIGHUP and
 * SIGCONT); any other member's call only succeeds (a process has no
 * terminal of its own here: it is its session's). */
static long drop_ctty(struct tty *t) {
    struct proc *p = current;
    if (!tty_is_ctty(t, p)) return -ENOTTY;
    if (p->sid != p->pid) return 0;
    int fg = t->fg_pgrp;
    tty_detach(t);
    pgrp_signal(fg, SIGHUP, SI_KERNEL, 0);
    pgrp_signal(fg, SIGCONT, SI_KERNEL, 0);
    return 0;
}

static long set_winsize(struct tty *t, uint64_t arg) {
    struct tty_winsize ws;
    if (copy_from_user(&ws, arg, sizeof ws)) return -EFAULT;
    uint64_t f = irq_save();
    int changed = memcmp(&ws, &t->ws, sizeof ws) != 0;
    t->ws = ws;
    int fg = t->session ? t->fg_pgrp : 0;
    irq_restore(f);
    if (changed) pgrp_signal(fg, SIGWINCH, SI_KERNEL, 0);
    return 0;
}

static long flow(struct tty *t, uint64_t arg) {
    long r = jobctl_check(t, SIGTTOU);
    if (r) return r;
    switch (arg) {
    case TCOOFF: t->ld.stopped = 1; break;
    case TCOON: t->ld.stopped = 0; tty_wake(t); break;
    case TCIOFF:
    case TCION: break;   /* no STOP/START characters to send: the console's sender has flow control */
    default: return -EINVAL;
    }
    return 0;
}

static long flush(struct tty *t, uint64_t arg) {
    if (arg > TCIOFLUSH) return -EINVAL;
    long r = jobctl_check(t, SIGTTOU);
    if (r) return r;
    if (arg != TCOFLUSH) {   /* output is never queued: nothing to flush there */
        uint64_t f = irq_save();
        ldisc_flush_input(&t->ld);
        irq_restore(f);
        console_input_resume();
    }
    return 0;
}

long tty_ioctl(struct file *f, uint64_t req, uint64_t arg) {
    struct tty *t = f->priv;
    switch (req) {
    case TCGETS: {
        struct ktermios k = t->ld.t;
        return copy_to_user(arg, &k, sizeof k) ? -EFAULT : 0;
    }
    case TCSETS:
    case TCSETSW: return set_termios(t, arg, 0);
    case TCSETSF: return set_termios(t, arg, 1);
    case TIOCGWINSZ: return copy_to_user(arg, &t->ws, sizeof t->ws) ? -EFAULT : 0;
    case TIOCSWINSZ: return set_winsize(t, arg);
    case TIOCGPGRP: {
        if (!tty_is_ctty(t, current)) return -ENOTTY;
        int pgrp = t->fg_pgrp;
        return copy_to_user(arg, &pgrp, sizeof pgrp) ? -EFAULT : 0;
    }
    case TIOCSPGRP: return set_pgrp(t, arg);
    case TIOCSCTTY: return set_ctty(t);
    case TIOCNOTTY: return drop_ctty(t);
    case TIOCGSID: {
        if (!tty_is_ctty(t, current)) return -ENOTTY;
        int sid = t->session;
        return copy_to_user(arg, &sid, sizeof sid) ? -EFAULT : 0;
    }
    case FIONREAD: {
        int n = (int)ldisc_readable(&t->ld);
        return copy_to_user(arg, &n, sizeof n) ? -EFAULT : 0;
    }
    case TCFLSH: return flush(t, arg);
    case TCXONC: return flow(t, arg);
    default: return -ENOTTY;
    }
}
