/* The terminal as a file (fs/file.h ops): read through the line
 * discipline (canonical: a line at a time; raw: VMIN/VTIME), write through
 * output processing to the console sinks, poll, stat. */
#include "tty/tty_dev.h"
#include "tty/jobctl.h"
#include "kernel/input.h"
#include "kernel/proc.h"
#include "kernel/signal.h"
#include "kernel/time.h"
#include "mm/usercopy.h"
#include "arch/x86_64/cpu.h"
#include "lib/console_out.h"
#include "lib/string.h"
#include "secos/errno.h"
#include "secos/syscall.h"

#define CHUNK 256

/* Deciseconds (VTIME) as a tick deadline from now. */
static uint64_t deadline_in(uint8_t dsec) { return timer_ticks() + (uint64_t)dsec * (TIMER_HZ / 10); }

/* Waits, interrupts off, until a read of len may take bytes: 0, or
 * 1 for "return 0 now" (raw timeouts, VMIN = 0), or a negative errno. */
static long wait_readable(struct tty *t, struct file *f, uint64_t len) {
    struct ldisc *ld = &t->ld;
    int canonical = (ld->t.c_lflag & ICANON) != 0;
    uint8_t vmin = ld->t.c_cc[VMIN], vtime = ld->t.c_cc[VTIME];
    uint32_t want = canonical ? 1 : vmin;
    if (!canonical && want > len) want = (uint32_t)len;
    if (want > LDISC_CAP) want = LDISC_CAP;
    uint64_t deadline = !canonical && vtime && vmin == 0 ? deadline_in(vtime) : 0;
    uint32_t seen = ld->count;
    for (;;) {
        long jc = jobctl_check(t, SIGTTIN);
        if (jc) return jc;
        if (canonical ? ldisc_can_read(ld, 1) : ldisc_can_read(ld, want ? want : 1)) return 0;
        if (!canonical && vmin == 0 && vtime == 0) return 1;
        if (!canonical && vmin && vtime && ld->count > 0) {
            /* VMIN with VTIME: an inter-byte timer, restarted by every byte */
            if (ld->count != seen || !deadline) deadline = deadline_in(vtime);
            seen = ld->count;
        }
        if (deadline && timer_ticks() >= deadline) return ld->count ? 0 : 1;
        if (f->flags & O_NONBLOCK) return -EAGAIN;
        int r = deadline ? sleep_on_until(t, deadline) : sleep_on(t);
        if (r < 0) return -EINTR;
    }
}

static long tty_read(struct file *f, uint64_t ubuf, uint64_t len, uint64_t *off) {
    (void)off;
    struct tty *t = f->priv;
    if (len == 0) return 0;
    if (!user_range_valid(ubuf, len, 1)) return -EFAULT;
    uint8_t kbuf[CHUNK];
    uint64_t done = 0;
    uint64_t irq = irq_save();
    long w = wait_readable(t, f, len);
    if (w != 0) {
        irq_restore(irq);
        return w < 0 ? w : 0;
    }
    while (done < len) {
        struct ldisc *ld = &t->ld;
        uint32_t lines = ld->lines;
        int eof;
        uint32_t ask = len - done < CHUNK ? (uint32_t)(len - done) : CHUNK;
        uint32_t n = ldisc_read(ld, kbuf, ask, &eof);
        int line_done = (ld->t.c_lflag & ICANON) && ld->lines < lines;
        irq_restore(irq);
        console_input_resume();   /* room again: a paused sender may go on */
        if (n && copy_to_user(ubuf + done, kbuf, n)) return done ? (long)done : -EFAULT;
        done += n;
        if (eof || line_done || n < ask) break;
        irq = irq_save();
    }
    return (long)done;
}

/* The bytes to the sinks after output processing; waits while output is
 * stopped (VSTOP / TCOOFF). 0 or -EINTR. */
static long emit(struct tty *t, const uint8_t *buf, uint64_t n) {
    uint8_t out[2 * CHUNK];
    while (n) {
        uint64_t irq = irq_save();
        while (t->ld.stopped) {
            if (sleep_on(t) < 0) {
                irq_restore(irq);
                return -EINTR;
            }
        }
        struct ktermios tios = t->ld.t;
        irq_restore(irq);
        uint32_t used, w = ldisc_output(&tios, buf, n < CHUNK ? (uint32_t)n : CHUNK, out, sizeof out, &used);
        console_program_write_raw((const char *)out, w);
        buf += used;
        n -= used;
    }
    return 0;
}

static long write_check(struct tty *t) {
    return (t->ld.t.c_lflag & TOSTOP) ? jobctl_check(t, SIGTTOU) : 0;
}

static long tty_write(struct file *f, uint64_t ubuf, uint64_t len, uint64_t *off) {
    (void)off;
    struct tty *t = f->priv;
    if (len == 0) return 0;
    if (!user_range_valid(ubuf, len, 0)) return -EFAULT;
    long jc = write_check(t);
    if (jc) return jc;
    uint8_t buf[CHUNK];
    for (uint64_t done = 0; done < len;) {
        uint64_t n = len - done < sizeof buf ? len - done : sizeof buf;
        if (copy_from_user(buf, ubuf + done, n)) return done ? (long)done : -EFAULT;
        long r = emit(t, buf, n);
        if (r < 0) return done ? (long)done : r;
        done += n;
        sched_resched_point();   /* the console is slow: others (the shell) run between chunks */
    }
    return (long)len;
}

static long tty_kwrite(struct file *f, const void *buf, uint64_t len, uint64_t *off) {
    (void)off;
    struct tty *t = f->priv;
    long jc = write_check(t);
    if (jc) return jc;
    long r = emit(t, buf, len);
    return r < 0 ? r : (long)len;
}

static int tty_poll(struct file *f) {
    struct tty *t = f->priv;
    uint64_t irq = irq_save();
    int r = 0;
    if (ldisc_can_read(&t->ld, 1)) r |= FILE_POLLIN;
    if (!t->ld.stopped) r |= FILE_POLLOUT;
    irq_restore(irq);
    return r;
}

static int stat_as(struct vfs_stat *st, uint32_t minor, uint32_t mode) {
    memset(st, 0, sizeof *st);
    st->type = VFS_CHR;
    st->mode = mode;
    st->nlink = 1;
    st->rdev = (5u << 8) | minor;
    return 0;
}

static int console_stat(struct file *f, struct vfs_stat *st) {
    (void)f;
    return stat_as(st, 1, 0620);
}

static int devtty_stat(struct file *f, struct vfs_stat *st) {
    (void)f;
    return stat_as(st, 0, 0666);
}

const struct file_ops tty_console_ops = {
    .read = tty_read, .write = tty_write, .kwrite = tty_kwrite, .ioctl = tty_ioctl, .poll = tty_poll,
    .stat = console_stat,
};

const struct file_ops tty_devtty_ops = {
    .read = tty_read, .write = tty_write, .kwrite = tty_kwrite, .ioctl = tty_ioctl, .poll = tty_poll,
    .stat = devtty_stat,
};
