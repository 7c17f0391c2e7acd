/* Sending and receiving on a socket, and its file operations. Every path
 * runs with interrupts off from its check of the socket to its sleep (the
 * server's messages arrive in another process's write). */
#include "socket/sock_file.h"
#include "socket/sock_ifreq.h"
#include "fs/file.h"
#include "fs/fs.h"
#include "kernel/proc.h"
#include "kernel/signal.h"
#include "kernel/time.h"
#include "mm/kheap.h"
#include "mm/usercopy.h"
#include "arch/x86_64/cpu.h"
#include "lib/string.h"
#include "secos/errno.h"
#include "secos/syscall.h"

static uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }

static int nonblocking(const struct file *f, int flags) {
    return (f->flags & O_NONBLOCK) || (flags & SOCK_MSG_DONTWAIT);
}

static uint64_t deadline_of(uint32_t ms) { return ms ? timer_ticks() + (uint64_t)ms * TIMER_HZ / 1000 + 1 : 0; }

/* One wait for a change on s: 0, or the error the call returns. */
static long wait_change(struct file *f, struct sock *s, int flags, uint64_t deadline) {
    if (nonblocking(f, flags)) return -EAGAIN;
    if (sock_wait(s, deadline) < 0) return -EINTR;
    if (deadline && timer_ticks() >= deadline) return -EAGAIN;
    return 0;
}

/* The error a send on a socket that cannot send returns. */
static long send_refused(struct sock *s, int flags) {
    if (s->err) {
        long e = s->err;
        s->err = 0;
        return e;
    }
    if (s->shut_wr || s->state == SOCK_DEAD) {
        if (!(flags & SOCK_MSG_NOSIGNAL)) signal_send(current, SIGPIPE, SI_USER, current->pid, 0);
        return -EPIPE;
    }
    return -ENOTCONN;
}

static long stream_send(struct file *f, struct sock *s, uint64_t ubuf, const uint8_t *kbuf, uint64_t len, int flags) {
    uint64_t done = 0, deadline = deadline_of(s->sndtimeo_ms);
    long err = 0;
    while (done < len) {
        if (s->state != SOCK_CONNECTED && s->state != SOCK_CONNECTING) { err = send_refused(s, flags); break; }
        if (s->shut_wr || s->err) { err = send_refused(s, flags); break; }
        uint64_t n = min_u64(min_u64(len - done, s->credit), SECOS_NETSRV_DATA_MAX);
        if (s->state == SOCK_CONNECTING || n == 0 || !sock_outq_room()) {
            err = wait_change(f, s, flags, deadline);
            if (err) break;
            continue;
        }
        struct sockmsg m = { .op = SECOS_NETSRV_SEND, .sock = s->id, .len = (uint32_t)n };
        err = sock_queue(&m, ubuf + done, kbuf ? kbuf + done : 0, 0);
        if (err) break;
        s->credit -= (uint32_t)n;
        done += n;
        sock_stats.bytes_out += n;
        sched_resched_point();
    }
    return done ? (long)done : err;
}

static long dgram_send(struct file *f, struct sock *s, uint64_t ubuf, const uint8_t *kbuf, uint64_t len, int flags,
                       const struct sock_addr *dst) {
    if (s->state == SOCK_DEAD) return s->dead_err;
    if (!dst && !s->has_peer) return -EDESTADDRREQ;
    if (len > SECOS_NETSRV_DATA_MAX) return -EMSGSIZE;
    if (s->type == SECOS_NETSRV_ICMP || s->type == SECOS_NETSRV_ICMP_RAW) {
        /* A ping socket sends echo requests only (as Linux's do). */
        uint8_t hdr[2];
        if (len < 8) return -EINVAL;
        if (kbuf) memcpy(hdr, kbuf, 2);
        else if (copy_from_user(hdr, ubuf, 2)) return -EFAULT;
        if (hdr[0] != 8 || hdr[1] != 0) return -EINVAL;
    }
    uint64_t deadline = deadline_of(s->sndtimeo_ms);
    while (s->credit < len || !sock_outq_room()) {
        long e = wait_change(f, s, flags, deadline);
        if (e) return e;
        if (s->state == SOCK_DEAD) return s->dead_err;
    }
    struct sockmsg m = { .op = SECOS_NETSRV_SEND, .sock = s->id, .len = (uint32_t)len };
    if (dst) { m.arg[0] = dst->addr; m.arg[1] = dst->port; }
    else m.arg[2] = 1;
    long e = sock_queue(&m, ubuf, kbuf, 0);
    if (e) return e;
    s->credit -= (uint32_t)len;
    sock_stats.bytes_out += len;
    return (long)len;
}

long sock_send(struct file *f, uint64_t ubuf, const void *kbuf, uint64_t len, int flags, const struct sock_addr *dst) {
    struct sock *s = f->priv;
    if (!kbuf && len && !user_range_valid(ubuf, len, 0)) return -EFAULT;
    uint64_t fl = irq_save();
    long r;
    if (s->type == SECOS_NETSRV_STREAM) r = len ? stream_send(f, s, ubuf, kbuf, len, flags) : 0;
    else r = dgram_send(f, s, ubuf, kbuf, len, flags, dst);
    irq_restore(fl);
    return r;
}

/* Copies up to len queued stream bytes to ubuf (and consumes them unless
 * peek): bytes, or -EFAULT. */
static long stream_copy(struct sock *s, uint64_t ubuf, uint64_t len, int peek) {
    uint64_t done = 0;
    struct sock_chunk *c = s->rx_head;
    uint32_t off = c ? c->off : 0;
    while (c && done < len) {
        uint64_t n = min_u64(len - done, c->len - off);
        if (copy_to_user(ubuf + done, c->data + off, n)) return done ? (long)done : -EFAULT;
        done += n;
        off += (uint32_t)n;
        if (off < c->len) break;
        c = c->next;
        off = 0;
        if (!peek) {
            struct sock_chunk *gone = s->rx_head;
            s->rx_head = c;
            kfree(gone);
        }
    }
    if (!peek) {
        if (c) c->off = off;
        else s->rx_tail = 0;
        s->rx_bytes -= (uint32_t)done;
        sock_consumed(s, (uint32_t)done);
    }
    return (long)done;
}

static long stream_recv(struct file *f, struct sock *s, uint64_t ubuf, uint64_t len, int flags) {
    uint64_t done = 0, deadline = deadline_of(s->rcvtimeo_ms);
    for (;;) {
        if (s->rx_bytes) {
            long n = stream_copy(s, ubuf + done, len - done, flags & SOCK_MSG_PEEK);
            if (n < 0) return done ? (long)done : n;
            done += (uint64_t)n;
            if (done == len || !(flags & SOCK_MSG_WAITALL) || (flags & SOCK_MSG_PEEK)) return (long)done;
            continue;
        }
        if (done && !(flags & SOCK_MSG_WAITALL)) return (long)done;
        if (s->eof || s->shut_rd) return (long)done;
        if (s->state == SOCK_DEAD) {
            if (done) return (long)done;
            long e = s->err;
            s->err = 0;
            return e;
        }
        if (s->state == SOCK_NEW || s->state == SOCK_LISTENING) return done ? (long)done : -ENOTCONN;
        long e = wait_change(f, s, flags, deadline);
        if (e) return done ? (long)done : e;
    }
}

static long dgram_recv(struct file *f, struct sock *s, uint64_t ubuf, void *kbuf, uint64_t len, int flags,
                       struct sock_addr *src, int *trunc) {
    uint64_t deadline = deadline_of(s->rcvtimeo_ms);
    while (!s->rx_head) {
        if (s->state == SOCK_DEAD) return s->dead_err;
        if (s->shut_rd) return 0;
        long e = wait_change(f, s, flags, deadline);
        if (e) return e;
    }
    struct sock_chunk *c = s->rx_head;
    uint64_t n = min_u64(len, c->len);
    if (kbuf) memcpy(kbuf, c->data, n);
    else if (copy_to_user(ubuf, c->data, n)) return -EFAULT;
    if (src) { src->addr = c->addr; src->port = c->port; }
    if (trunc) *trunc = c->len > len;
    long r = (flags & SOCK_MSG_TRUNC) ? (long)c->len : (long)n;
    if (!(flags & SOCK_MSG_PEEK)) {
        s->rx_head = c->next;
        if (!s->rx_head) s->rx_tail = 0;
        s->rx_bytes -= c->len;
        sock_consumed(s, c->len);
        kfree(c);
    }
    return r;
}

long sock_recv(struct file *f, uint64_t ubuf, void *kbuf, uint64_t len, int flags, struct sock_addr *src, int *trunc) {
    struct sock *s = f->priv;
    if (trunc) *trunc = 0;
    if (!kbuf && len && !user_range_valid(ubuf, len, 1)) return -EFAULT;
    uint64_t fl = irq_save();
    long r;
    if (s->type == SECOS_NETSRV_STREAM) {
        r = len ? stream_recv(f, s, ubuf, len, flags) : 0;
        if (src) { src->addr = s->peer_addr; src->port = s->peer_port; }
    } else {
        r = dgram_recv(f, s, ubuf, kbuf, len, flags, src, trunc);
    }
    irq_restore(fl);
    return r;
}

static long sf_read(struct file *f, uint64_t ubuf, uint64_t len, uint64_t *off) {
    (void)off;
    return sock_recv(f, ubuf, 0, len, 0, 0, 0);
}

static long sf_write(struct file *f, uint64_t ubuf, uint64_t len, uint64_t *off) {
    (void)off;
    return sock_send(f, ubuf, 0, len, 0, 0);
}

static long sf_kwrite(struct file *f, const void *buf, uint64_t len, uint64_t *off) {
    (void)off;
    return sock_send(f, 0, buf, len, 0, 0);
}

static int sf_poll(struct file *f) {
    struct sock *s = f->priv;
    uint64_t fl = irq_save();
    int ev = 0;
    int dead = s->state == SOCK_DEAD;
    if (s->rx_bytes || s->eof || s->shut_rd || dead || (s->state == SOCK_LISTENING && s->acceptq)) ev |= FILE_POLLIN;
    int can_send = s->credit && sock_outq_room() && !s->shut_wr;
    if (s->type == SECOS_NETSRV_STREAM ? (s->state == SOCK_CONNECTED && can_send) : can_send) ev |= FILE_POLLOUT;
    if (dead || s->shut_wr) ev |= FILE_POLLOUT;   /* a send would not block: it fails */
    if (dead || (s->eof && s->shut_wr)) ev |= FILE_POLLHUP;
    if (s->err) ev |= FILE_POLLERR;
    irq_restore(fl);
    return ev;
}

static int sf_stat(struct file *f, struct vfs_stat *st) {
    struct sock *s = f->priv;
    memset(st, 0, sizeof *st);
    st->type = VFS_SOCK;
    st->mode = 0777;
    st->nlink = 1;
    st->ino = s->id;
    st->atime = st->mtime = st->ctime = fs_now();
    return 0;
}

#define FIONREAD 0x541B
#define FIONBIO  0x5421

static long sf_ioctl(struct file *f, uint64_t req, uint64_t arg) {
    struct sock *s = f->priv;
    long r;
    if (sock_ifreq_ioctl(req, arg, &r)) return r;
    if (req == FIONREAD) {
        uint64_t fl = irq_save();
        int n = (int)(s->type == SECOS_NETSRV_STREAM ? s->rx_bytes : (s->rx_head ? s->rx_head->len : 0));
        irq_restore(fl);
        return copy_to_user(arg, &n, sizeof n) ? -EFAULT : 0;
    }
    if (req == FIONBIO) {
        int on;
        if (copy_from_user(&on, arg, sizeof on)) return -EFAULT;
        if (on) f->flags |= O_NONBLOCK;
        else f->flags &= ~O_NONBLOCK;
        return 0;
    }
    return -ENOTTY;
}

static void sf_release(struct file *f) {
    uint64_t fl = irq_save();
    sock_destroy(f->priv);
    irq_restore(fl);
}

static const struct file_ops sock_ops = {
    .read = sf_read,
    .write = sf_write,
    .kwrite = sf_kwrite,
    .poll = sf_poll,
    .stat = sf_stat,
    .ioctl = sf_ioctl,
    .release = sf_release,
};

struct sock *sock_of(struct file *f) { return f && f->ops == &sock_ops ? f->priv : 0; }

struct file *sock_file_new(struct sock *s, int flags) {
    struct file *f = file_alloc(&sock_ops, O_RDWR | (flags & O_NONBLOCK));
    if (!f) {
        uint64_t fl = irq_save();
        sock_destroy(s);
        irq_restore(fl);
        return 0;
    }
    f->priv = s;
    return f;
}
