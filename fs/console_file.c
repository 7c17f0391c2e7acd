/* The console as a file: reads take bytes from the console input queue
 * (kernel/input.c) up to a line end, writes go to every output sink through
 * console_program_write (so the kernel console can redraw its prompt). */
#include "fs/file.h"
#include "kernel/input.h"
#include "kernel/proc.h"
#include "mm/usercopy.h"
#include "lib/console_out.h"
#include "lib/string.h"
#include "secos/errno.h"
#include "secos/syscall.h"

static long console_file_read(struct file *f, uint64_t ubuf, uint64_t len, uint64_t *off) {
    (void)f; (void)off;
    if (len == 0) return 0;
    if (!user_range_valid(ubuf, len, 1)) return -EFAULT;
    uint8_t c;
    int r = console_getc(&c); /* blocks: this process uses no CPU meanwhile */
    if (r < 0) return r;
    uint64_t n = 0;
    for (;;) {
        if (copy_to_user(ubuf + n, &c, 1)) return n ? (long)n : -EFAULT;
        n++;
        if (n == len || c == '\n' || c == '\r' || console_try_getc(&c) != 0) break;
    }
    return (long)n;
}

static long console_file_write(struct file *f, uint64_t ubuf, uint64_t len, uint64_t *off) {
    (void)f; (void)off;
    if (len == 0) return 0;
    if (!user_range_valid(ubuf, len, 0)) return -EFAULT;
    char buf[256];
    for (uint64_t done = 0; done < len;) {
        uint64_t n = len - done < sizeof buf ? len - done : sizeof buf;
        if (copy_from_user(buf, ubuf + done, n)) return done ? (long)done : -EFAULT;
        console_program_write(buf, n);
        done += n;
        sched_resched_point();   /* the console is slow: others (the shell) run between chunks */
    }
    return (long)len;
}

static long console_file_kwrite(struct file *f, const void *buf, uint64_t len, uint64_t *off) {
    (void)f; (void)off;
    console_program_write(buf, len);
    return (long)len;
}

/* A character device to stat (Linux's /dev/console is 5:1). */
static int console_file_stat(struct file *f, struct vfs_stat *st) {
    (void)f;
    memset(st, 0, sizeof *st);
    st->type = VFS_CHR;
    st->mode = 0620;
    st->nlink = 1;
    st->rdev = (5u << 8) | 1u;
    return 0;
}

/* Input waiting in the queue (kernel/input.c notifies on arrival); output never blocks. */
static int console_file_poll(struct file *f) {
    return f == &console_in ? (console_input_available() ? FILE_POLLIN : 0) : FILE_POLLOUT;
}

/* No ioctl: every terminal request (TCGETS, TIOCGWINSZ) is -ENOTTY until
 * the console is a real tty; libcs then treat it as a plain stream. */
static const struct file_ops console_ops = {
    .read = console_file_read, .write = console_file_write, .kwrite = console_file_kwrite,
    .stat = console_file_stat, .poll = console_file_poll,
};

/* One reference each that is never dropped: the console outlives everyone. */
struct file console_in = { .ops = &console_ops, .refs = 1, .flags = O_RDONLY, .path = "/dev/console" };
struct file console_out = { .ops = &console_ops, .refs = 1, .flags = O_WRONLY, .path = "/dev/console" };

int file_is_console(const struct file *f) { return f == &console_in || f == &console_out; }
