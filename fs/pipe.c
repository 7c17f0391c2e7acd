/* Pipes. One ring of PIPE_RING_SIZE bytes on the kernel heap, shared by two
 * descriptions: the read end (O_RDONLY) and the write end (O_WRONLY); each
 * counts as one reader or writer however many descriptors share it.
 *
 *   read:  blocks while empty; 0 (EOF) once empty with no writer left
 *   write: blocks while full; a write of at most PIPE_BUF bytes goes in whole
 *          (it waits for room for all of it); with no reader left -EPIPE and
 *          SIGPIPE to the writer (after a partial write: the bytes written)
 *   O_NONBLOCK (set at pipe2 or by fcntl F_SETFL): -EAGAIN instead of
 *          blocking; a signal: -EINTR (or the bytes already moved)
 *
 * Everything runs with interrupts off between the state check and the
 * sleep, so a wakeup cannot be lost (one CPU). The ring and the pipe go
 * when the last end is released: nothing stays behind. */
#include "fs/pipe.h"
#include "fs/file.h"
#include "kernel/proc.h"
#include "kernel/signal.h"
#include "mm/kheap.h"
#include "mm/usercopy.h"
#include "arch/x86_64/cpu.h"
#include "lib/string.h"
#include "secos/errno.h"
#include "secos/syscall.h"

struct pipe {
    uint8_t *ring;
    uint32_t head;     /* next byte to read */
    uint32_t count;    /* bytes in the ring */
    int readers, writers;
    /* Tasks asleep on this pipe. A wakeup scans the whole process table, so
     * reads and writes only wake when someone sleeps here: every sleep on a
     * pipe must go through pipe_sleep, which keeps the count. */
    uint32_t sleepers;
};

/* Interrupts are off (the callers' irq_save). */
static int pipe_sleep(struct pipe *p) {
    p->sleepers++;
    int r = sleep_on(p);
    p->sleepers--;
    return r;
}

/* Readers and writers asleep here, and poll/select sleepers (file_poll_notify). */
static void pipe_wake(struct pipe *p) {
    if (p->sleepers) wakeup(p);
    file_poll_notify();
}

static uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }

/* Copies n bytes out of the ring (n <= count) to user memory. */
static int ring_to_user(struct pipe *p, uint64_t ubuf, uint64_t n) {
    uint64_t first = min_u64(n, PIPE_RING_SIZE - p->head);
    if (copy_to_user(ubuf, p->ring + p->head, first)) return -EFAULT;
    if (n > first && copy_to_user(ubuf + first, p->ring, n - first)) return -EFAULT;
    p->head = (uint32_t)((p->head + n) % PIPE_RING_SIZE);
    p->count -= (uint32_t)n;
    return 0;
}

/* Copies n bytes of user memory into the ring (n <= room). */
static int ring_from_user(struct pipe *p, uint64_t ubuf, uint64_t n) {
    uint32_t tail = (p->head + p->count) % PIPE_RING_SIZE;
    uint64_t first = min_u64(n, PIPE_RING_SIZE - tail);
    if (copy_from_user(p->ring + tail, ubuf, first)) return -EFAULT;
    if (n > first && copy_from_user(p->ring, ubuf + first, n - first)) return -EFAULT;
    p->count += (uint32_t)n;
    return 0;
}

static long pipe_read(struct file *f, uint64_t ubuf, uint64_t len, uint64_t *off) {
    (void)off; /* a pipe has no position */
    struct pipe *p = f->priv;
    if (len == 0) return 0;
    if (!user_range_valid(ubuf, len, 1)) return -EFAULT;
    uint64_t fl = irq_save();
    long r;
    for (;;) {
        if (p->count) {
            uint64_t n = min_u64(len, p->count);
            r = ring_to_user(p, ubuf, n);
            if (r == 0) r = (long)n;
            pipe_wake(p);
            break;
        }
        if (p->writers == 0) { r = 0; break; }
        if (f->flags & O_NONBLOCK) { r = -EAGAIN; break; }
        if (pipe_sleep(p) < 0) { r = -EINTR; break; }
    }
    irq_restore(fl);
    return r;
}

static long pipe_write(struct file *f, uint64_t ubuf, uint64_t len, uint64_t *off) {
    (void)off;
    struct pipe *p = f->priv;
    if (len == 0) return 0;
    if (!user_range_valid(ubuf, len, 0)) return -EFAULT;
    uint64_t fl = irq_save();
    uint64_t done = 0;
    long err = 0;
    while (done < len) {
        if (p->readers == 0) {
            signal_send(current, SIGPIPE, SI_USER, current->pid, 0);
            err = -EPIPE;
            break;
        }
        uint64_t room = PIPE_RING_SIZE - p->count;
        uint64_t need = len <= PIPE_BUF ? len : 1; /* small writes are never split */
        if (room < need) {
            if (f->flags & O_NONBLOCK) { err = -EAGAIN; break; }
            if (pipe_sleep(p) < 0) { err = -EINTR; break; }
            continue;
        }
        uint64_t n = min_u64(room, len - done);
        if (ring_from_user(p, ubuf + done, n)) { err = -EFAULT; break; }
        done += n;
        pipe_wake(p);
    }
    irq_restore(fl);
    return done ? (long)done : err;
}

static void pipe_release(struct file *f) {
    struct pipe *p = f->priv;
    uint64_t fl = irq_save();
    if ((f->flags & 3) == O_RDONLY) p->readers--;
    else p->writers--;
    wakeup(p); /* a blocked reader sees EOF, a blocked writer EPIPE */
    file_poll_notify();
    int last = p->readers == 0 && p->writers == 0;
    irq_restore(fl);
    if (last) {
        kfree(p->ring);
        kfree(p);
    }
}

/* As Linux's pipe_poll: the read end is IN with data, HUP once no writer
 * is left (IN too while data remains); the write end is OUT with room for
 * PIPE_BUF, ERR once no reader is left. */
static int pipe_poll(struct file *f) {
    struct pipe *p = f->priv;
    if ((f->flags & 3) == O_RDONLY) return (p->count ? FILE_POLLIN : 0) | (p->writers == 0 ? FILE_POLLHUP : 0);
    return (PIPE_RING_SIZE - p->count >= PIPE_BUF ? FILE_POLLOUT : 0) | (p->readers == 0 ? FILE_POLLERR : 0);
}

static const struct file_ops pipe_read_ops = { .read = pipe_read, .poll = pipe_poll, .release = pipe_release };
static const struct file_ops pipe_write_ops = { .write = pipe_write, .poll = pipe_poll, .release = pipe_release };

int pipe_create(int flags, struct file **read_end, struct file **write_end) {
    struct pipe *p = kmalloc(sizeof *p);
    if (!p) return -ENOMEM;
    memset(p, 0, sizeof *p);
    p->ring = kmalloc(PIPE_RING_SIZE);
    int nb = flags & O_NONBLOCK;
    struct file *r = p->ring ? file_alloc(&pipe_read_ops, O_RDONLY | nb) : 0;
    struct file *w = r ? file_alloc(&pipe_write_ops, O_WRONLY | nb) : 0;
    if (!w) {
        if (r) kfree(r);
        if (p->ring) kfree(p->ring);
        kfree(p);
        return -ENOMEM;
    }
    r->priv = w->priv = p;
    strlcpy(r->path, "pipe:", sizeof r->path);
    strlcpy(w->path, "pipe:", sizeof w->path);
    p->readers = p->writers = 1;
    *read_end = r;
    *write_end = w;
    return 0;
}
