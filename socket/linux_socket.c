/* The Linux socket calls (socket, bind, listen, accept/accept4, connect,
 * sendto/recvfrom, sendmsg/recvmsg, shutdown, getsockname/getpeername,
 * setsockopt/getsockopt, socketpair). AF_INET only: each call checks its
 * arguments (socket/sockarg.c), then works on the socket (socket/sock.c)
 * whose protocol the network server runs. */
#include "kernel/syscall.h"
#include "socket/sock.h"
#include "socket/sock_file.h"
#include "socket/sockarg.h"
#include "fs/fd.h"
#include "fs/file.h"
#include "kernel/proc.h"
#include "mm/kheap.h"
#include "mm/usercopy.h"
#include "arch/x86_64/cpu.h"
#include "lib/string.h"
#include "secos/errno.h"
#include "secos/syscall.h"

/* The socket behind descriptor fd, with one reference the caller puts back. */
static long sock_fd(uint64_t fd, struct file **fp) {
    struct file *f = fd_get(fd);
    if (!f) return -EBADF;
    if (!sock_of(f)) return -ENOTSOCK;
    *fp = file_get(f);
    return 0;
}

static long user_addr_in(uint64_t uaddr, uint64_t len, struct sock_addr *out) {
    uint8_t buf[SOCKARG_IN_LEN];
    if (len > 128) return -EINVAL;   /* larger than any sockaddr */
    uint32_t n = len < sizeof buf ? (uint32_t)len : sizeof buf;
    if (copy_from_user(buf, uaddr, n)) return -EFAULT;
    return sockarg_parse_in(buf, n, out);
}

/* Writes a as a sockaddr_in to (uaddr, *ulen) the Linux way: at most *ulen
 * bytes, *ulen set to the full size. A 0 uaddr: nothing. */
static long user_put_addr(uint64_t uaddr, uint64_t ulen, const struct sock_addr *a) {
    if (!uaddr) return 0;
    int32_t len;
    if (copy_from_user(&len, ulen, sizeof len)) return -EFAULT;
    if (len < 0) return -EINVAL;
    uint8_t buf[SOCKARG_IN_LEN];
    sockarg_fill_in(buf, a);
    uint32_t n = (uint32_t)len < sizeof buf ? (uint32_t)len : sizeof buf;
    int32_t full = SOCKARG_IN_LEN;
    if (copy_to_user(uaddr, buf, n) || copy_to_user(ulen, &full, sizeof full)) return -EFAULT;
    return 0;
}

static long install(struct file *f, int flags) {
    int fd = fd_install(current, 0, f, (flags & SOCKARG_CLOEXEC) != 0);
    if (fd < 0) file_put(f);
    return fd;
}

long linux_socket(SYSARGS) {
    UNUSED_ARGS();
    uint8_t kind;
    int flags;
    long e = sockarg_type((int64_t)a0, (int64_t)a1, (int64_t)a2, &kind, &flags);
    if (e) return e;
    struct sock *s;
    uint64_t fl = irq_save();
    e = sock_create(kind, &s);
    irq_restore(fl);
    if (e) return e;
    struct file *f = sock_file_new(s, flags & SOCKARG_NONBLOCK ? O_NONBLOCK : 0);
    if (!f) return -ENOMEM;
    return install(f, flags);
}

long linux_socketpair(SYSARGS) {
    UNUSED_ARGS();
    return a0 == SOCKARG_AF_UNIX ? -EAFNOSUPPORT : -EOPNOTSUPP;   /* no AF_UNIX sockets */
}

/* Runs request m on the socket behind fd and waits: status (args in *c). */
static long call(struct sock *s, struct sockmsg *m, struct sock_call *c) {
    uint64_t fl = irq_save();
    long r = sock_call(s, m, c);
    irq_restore(fl);
    return r;
}

long linux_bind(SYSARGS) {
    UNUSED_ARGS();
    struct sock_addr a;
    struct file *f;
    long e = sock_fd(a0, &f);
    if (e) return e;
    struct sock *s = sock_of(f);
    e = user_addr_in(a1, a2, &a);
    if (!e && (s->bound || s->state != SOCK_NEW)) e = -EINVAL;
    if (!e) {
        struct sockmsg m = { .op = SECOS_NETSRV_BIND, .arg = { a.addr, a.port, 0, 0 } };
        struct sock_call c;
        e = call(s, &m, &c);
        if (e > 0) e = 0;
    }
    file_put(f);
    return e;
}

long linux_listen(SYSARGS) {
    UNUSED_ARGS();
    struct file *f;
    long e = sock_fd(a0, &f);
    if (e) return e;
    struct sock *s = sock_of(f);
    if (s->type != SECOS_NETSRV_STREAM) e = -EOPNOTSUPP;
    else if (s->state == SOCK_LISTENING) e = 0;
    else if (s->state != SOCK_NEW) e = s->state == SOCK_DEAD ? s->dead_err : -EINVAL;
    else {
        struct sockmsg m = { .op = SECOS_NETSRV_LISTEN, .arg = { sockarg_backlog((int64_t)(int32_t)a1), 0, 0, 0 } };
        struct sock_call c;
        e = call(s, &m, &c);
        if (e > 0) e = 0;
    }
    file_put(f);
    return e;
}

static long do_connect(struct file *f, struct sock *s, const struct sock_addr *a) {
    if (s->type != SECOS_NETSRV_STREAM) {
        s->peer_addr = a->addr;
        s->peer_port = a->port;
        struct sockmsg m = { .op = SECOS_NETSRV_CONNECT, .arg = { a->addr, a->port, 0, 0 } };
        struct sock_call c;
        long e = sock_call(s, &m, &c);
        if (e < 0) s->has_peer = 0;
        return e < 0 ? e : 0;
    }
    switch (s->state) {
    case SOCK_CONNECTED: return -EISCONN;
    case SOCK_CONNECTING: return -EALREADY;
    case SOCK_LISTENING: return -EINVAL;
    case SOCK_DEAD: {
        long e = s->err ? s->err : s->dead_err;
        s->err = 0;
        return e;
    }
    default: break;
    }
    s->peer_addr = a->addr;
    s->peer_port = a->port;
    s->has_peer = 1;
    struct sockmsg m = { .op = SECOS_NETSRV_CONNECT, .arg = { a->addr, a->port, 0, 0 } };
    if (f->flags & O_NONBLOCK) {
        long e = sock_call_async(s, &m);
        if (e) return e;
        s->state = SOCK_CONNECTING;
        return -EINPROGRESS;
    }
    struct sock_call c;
    s->state = SOCK_CONNECTING;
    long e = sock_call(s, &m, &c);
    if (e == -EINTR) return e;         /* the connection goes on; poll and SO_ERROR tell */
    if (e < 0) {
        if (s->state == SOCK_CONNECTING) s->state = SOCK_NEW;   /* never sent */
        s->err = 0;                     /* reported here, not again by SO_ERROR */
        return e;
    }
    return 0;
}

long linux_connect(SYSARGS) {
    UNUSED_ARGS();
    struct sock_addr a;
    struct file *f;
    long e = sock_fd(a0, &f);
    if (e) return e;
    e = user_addr_in(a1, a2, &a);
    if (!e) {
        uint64_t fl = irq_save();
        e = do_connect(f, sock_of(f), &a);
        irq_restore(fl);
    }
    file_put(f);
    return e;
}

/* Waits for a pending connection of listener s and takes it: the new
 * socket, or -errno. */
static long take_connection(struct file *f, struct sock *s, struct sock **out) {
    for (;;) {
        if (s->state == SOCK_DEAD) return s->dead_err;
        if (s->state != SOCK_LISTENING) return -EINVAL;
        if (!s->acceptq) {
            if (f->flags & O_NONBLOCK) return -EAGAIN;
            if (sock_wait(s, 0) < 0) return -EINTR;
            continue;
        }
        struct sock *n;
        long e = sock_create_accepted(SECOS_NETSRV_STREAM, &n);
        if (e) return e;
        s->acceptq--;
        struct sockmsg m = { .op = SECOS_NETSRV_ACCEPT, .arg = { n->id, 0, 0, 0 } };
        struct sock_call c;
        e = sock_call(s, &m, &c);
        if (e >= 0) { *out = n; return 0; }
        if (e == -EINTR && s->call_seq && s->call_new_id == n->id) return e;   /* the reply disposes of n */
        if (e == -EINTR) s->acceptq++;     /* never sent */
        sock_destroy(n);
        if (e != -EAGAIN) return e;
    }
}

long linux_accept4(SYSARGS) {
    UNUSED_ARGS();
    if (a3 & ~(uint64_t)(SOCKARG_NONBLOCK | SOCKARG_CLOEXEC)) return -EINVAL;
    struct file *f;
    long e = sock_fd(a0, &f);
    if (e) return e;
    struct sock *s = sock_of(f), *n = 0;
    if (s->type != SECOS_NETSRV_STREAM) e = -EOPNOTSUPP;
    else {
        uint64_t fl = irq_save();
        e = take_connection(f, s, &n);
        irq_restore(fl);
    }
    file_put(f);
    if (e) return e;
    struct sock_addr peer = { n->peer_addr, n->peer_port };
    struct file *nf = sock_file_new(n, a3 & SOCKARG_NONBLOCK ? O_NONBLOCK : 0);
    if (!nf) return -ENOMEM;
    e = user_put_addr(a1, a2, &peer);
    if (e) { file_put(nf); return e; }
    return install(nf, (int)a3);
}

long linux_accept(SYSARGS) {
    UNUSED_ARGS();
    return linux_accept4(a0, a1, a2, 0, 0, 0);
}

/* MSG_MORE and MSG_EOR are hints a stream may ignore; MSG_OOB is refused. */
#define MSG_OOB 0x01
static long send_flags(uint64_t flags) {
    if (flags & MSG_OOB) return -EOPNOTSUPP;
    return (long)(flags & SOCK_MSG_KNOWN);
}

long linux_sendto(SYSARGS) {
    UNUSED_ARGS();
    long fl = send_flags(a3);
    if (fl < 0) return fl;
    struct file *f;
    long e = sock_fd(a0, &f);
    if (e) return e;
    struct sock_addr dst;
    int has_dst = a4 != 0 && sock_of(f)->type != SECOS_NETSRV_STREAM;   /* TCP ignores it, as Linux does */
    e = has_dst ? user_addr_in(a4, a5, &dst) : 0;
    if (!e) e = sock_send(f, a1, 0, a2, (int)fl, has_dst ? &dst : 0);
    file_put(f);
    return e;
}

long linux_recvfrom(SYSARGS) {
    UNUSED_ARGS();
    if (a3 & 0x01) return -EOPNOTSUPP;   /* MSG_OOB */
    struct file *f;
    long e = sock_fd(a0, &f);
    if (e) return e;
    struct sock_addr src = { 0, 0 };
    e = sock_recv(f, a1, 0, a2, (int)(a3 & SOCK_MSG_KNOWN), &src, 0);
    if (e >= 0 && a4) {
        long pe = user_put_addr(a4, a5, &src);
        if (pe) e = pe;
    }
    file_put(f);
    return e;
}

/* struct msghdr and struct iovec of x86-64 Linux. */
struct linux_msghdr {
    uint64_t name;
    uint32_t namelen, pad0;
    uint64_t iov, iovlen, control, controllen;
    int32_t flags, pad1;
};
struct linux_iovec { uint64_t base, len; };
#define IOV_MAX 1024

static long read_msghdr(uint64_t umsg, struct linux_msghdr *mh) {
    if (copy_from_user(mh, umsg, sizeof *mh)) return -EFAULT;
    if (mh->iovlen > IOV_MAX) return -EMSGSIZE;
    return 0;
}

static long iov_at(const struct linux_msghdr *mh, uint64_t i, struct linux_iovec *v) {
    if (copy_from_user(v, mh->iov + i * sizeof *v, sizeof *v)) return -EFAULT;
    if (v->len > (1ull << 31)) return -EINVAL;
    return 0;
}

/* A datagram gathered from every iovec into buf (at most cap bytes). */
static long gather(const struct linux_msghdr *mh, uint8_t *buf, uint64_t cap) {
    uint64_t n = 0;
    for (uint64_t i = 0; i < mh->iovlen; i++) {
        struct linux_iovec v;
        long e = iov_at(mh, i, &v);
        if (e) return e;
        if (v.len > cap - n) return -EMSGSIZE;
        if (copy_from_user(buf + n, v.base, v.len)) return -EFAULT;
        n += v.len;
    }
    return (long)n;
}

long linux_sendmsg(SYSARGS) {
    UNUSED_ARGS();
    long fl = send_flags(a2);
    if (fl < 0) return fl;
    struct linux_msghdr mh;
    long e = read_msghdr(a1, &mh);
    if (e) return e;
    struct file *f;
    e = sock_fd(a0, &f);
    if (e) return e;
    struct sock *s = sock_of(f);
    struct sock_addr dst;
    int has_dst = mh.name && s->type != SECOS_NETSRV_STREAM;
    if (has_dst) e = user_addr_in(mh.name, mh.namelen, &dst);
    if (!e && s->type != SECOS_NETSRV_STREAM) {
        uint8_t *dgram = kmalloc(SECOS_NETSRV_DATA_MAX);
        long n = dgram ? gather(&mh, dgram, SECOS_NETSRV_DATA_MAX) : -ENOMEM;
        e = n < 0 ? n : sock_send(f, 0, dgram, (uint64_t)n, (int)fl, has_dst ? &dst : 0);
        kfree(dgram);
    } else if (!e) {
        uint64_t done = 0;
        for (uint64_t i = 0; i < mh.iovlen; i++) {
            struct linux_iovec v;
            long r = iov_at(&mh, i, &v);
            if (!r && v.len) r = sock_send(f, v.base, 0, v.len, (int)fl | (done ? SOCK_MSG_DONTWAIT : 0), 0);
            if (r < 0) { if (!done) e = r; break; }
            done += (uint64_t)r;
            if ((uint64_t)r < v.len) break;
        }
        if (!e) e = (long)done;
    }
    file_put(f);
    return e;
}

long linux_recvmsg(SYSARGS) {
    UNUSED_ARGS();
    if (a2 & 0x01) return -EOPNOTSUPP;   /* MSG_OOB */
    int fl = (int)(a2 & SOCK_MSG_KNOWN);
    struct linux_msghdr mh;
    long e = read_msghdr(a1, &mh);
    if (e) return e;
    struct file *f;
    e = sock_fd(a0, &f);
    if (e) return e;
    struct sock *s = sock_of(f);
    struct sock_addr src = { 0, 0 };
    int trunc = 0;
    if (s->type != SECOS_NETSRV_STREAM) {
        uint8_t *dgram = kmalloc(SECOS_NETSRV_DATA_MAX);
        long n = dgram ? sock_recv(f, 0, dgram, SECOS_NETSRV_DATA_MAX, fl & ~SOCK_MSG_TRUNC, &src, &trunc) : -ENOMEM;
        uint64_t put = 0;
        for (uint64_t i = 0; n > 0 && i < mh.iovlen && put < (uint64_t)n; i++) {
            struct linux_iovec v;
            long r = iov_at(&mh, i, &v);
            uint64_t k = v.len < (uint64_t)n - put ? v.len : (uint64_t)n - put;
            if (!r && copy_to_user(v.base, dgram + put, k)) r = -EFAULT;
            if (r) { n = r; break; }
            put += k;
        }
        if (n >= 0) {
            if (put < (uint64_t)n) trunc = 1;
            e = (fl & SOCK_MSG_TRUNC) && trunc ? n : (long)put;
        } else {
            e = n;
        }
        kfree(dgram);
    } else {
        uint64_t done = 0;
        e = 0;
        for (uint64_t i = 0; i < mh.iovlen; i++) {
            struct linux_iovec v;
            long r = iov_at(&mh, i, &v);
            if (!r && v.len) r = sock_recv(f, v.base, 0, v.len, fl | (done ? SOCK_MSG_DONTWAIT : 0), &src, 0);
            if (r == -EAGAIN && done) break;
            if (r < 0) { e = r; break; }
            done += (uint64_t)r;
            if ((uint64_t)r < v.len) break;
        }
        if (!e) e = (long)done;
    }
    if (e >= 0) {
        int32_t outflags = trunc ? SOCK_MSG_TRUNC : 0;
        uint64_t zero = 0;
        if (mh.name) {
            uint8_t buf[SOCKARG_IN_LEN];
            sockarg_fill_in(buf, &src);
            uint32_t n = mh.namelen < sizeof buf ? mh.namelen : sizeof buf;
            uint32_t full = SOCKARG_IN_LEN;
            if (copy_to_user(mh.name, buf, n) || copy_to_user(a1 + 8, &full, sizeof full)) e = -EFAULT;
        }
        /* No ancillary data: msg_controllen 0; msg_flags MSG_TRUNC when cut. */
        if (copy_to_user(a1 + 40, &zero, sizeof zero) || copy_to_user(a1 + 48, &outflags, sizeof outflags)) e = -EFAULT;
    }
    file_put(f);
    return e;
}

long linux_shutdown(SYSARGS) {
    UNUSED_ARGS();
    if (a1 > 2) return -EINVAL;
    struct file *f;
    long e = sock_fd(a0, &f);
    if (e) return e;
    struct sock *s = sock_of(f);
    uint64_t fl = irq_save();
    if (s->type == SECOS_NETSRV_STREAM && s->state != SOCK_CONNECTED) {
        e = -ENOTCONN;
    } else {
        if (a1 != 1 && !s->shut_rd) {
            s->shut_rd = 1;
            uint32_t queued = s->rx_bytes;
            sock_free_rx(s);
            if (queued) sock_consumed(s, queued);
        }
        if (a1 != 0) s->shut_wr = 1;
        struct sockmsg m = { .op = SECOS_NETSRV_SHUTDOWN, .sock = s->id, .arg = { (uint32_t)a1, 0, 0, 0 } };
        sock_queue(&m, 0, 0, 1);
        sock_wake(s);
    }
    irq_restore(fl);
    file_put(f);
    return e;
}

static long get_name(uint64_t fd, uint64_t uaddr, uint64_t ulen, int peer) {
    struct file *f;
    long e = sock_fd(fd, &f);
    if (e) return e;
    struct sock *s = sock_of(f);
    struct sock_addr a = { 0, 0 };
    if (peer) {
        if (!s->has_peer || (s->type == SECOS_NETSRV_STREAM && s->state != SOCK_CONNECTED)) e = -ENOTCONN;
        a.addr = s->peer_addr;
        a.port = s->peer_port;
    } else if (s->type == SECOS_NETSRV_STREAM && s->state == SOCK_CONNECTED) {
        /* The address a connection really uses (a listener may be bound to any). */
        struct sockmsg m = { .op = SECOS_NETSRV_GETNAME };
        struct sock_call c;
        e = call(s, &m, &c);
        if (e >= 0) { e = 0; a.addr = c.arg[0]; a.port = c.arg[1]; }
    } else {
        a.addr = s->local_addr;
        a.port = s->local_port;
    }
    if (!e) e = uaddr ? user_put_addr(uaddr, ulen, &a) : -EFAULT;
    file_put(f);
    return e;
}

long linux_getsockname(SYSARGS) {
    UNUSED_ARGS();
    return get_name(a0, a1, a2, 0);
}

long linux_getpeername(SYSARGS) {
    UNUSED_ARGS();
    return get_name(a0, a1, a2, 1);
}

#define SOL_SOCKET   1
#define IPPROTO_TCP  6
#define SO_REUSEADDR 2
#define SO_TYPE      3
#define SO_ERROR     4
#define SO_BROADCAST 6
#define SO_SNDBUF    7
#define SO_RCVBUF    8
#define SO_KEEPALIVE 9
#define SO_LINGER    13
#define SO_RCVTIMEO  20
#define SO_SNDTIMEO  21
#define SO_ACCEPTCONN 30
#define SO_PROTOCOL  38
#define SO_DOMAIN    39
#define TCP_NODELAY  1

/* The server-side option an option name maps to, or 0. */
static uint32_t server_opt(uint64_t level, uint64_t name) {
    if (level == SOL_SOCKET && name == SO_REUSEADDR) return SECOS_NETSRV_OPT_REUSEADDR;
    if (level == SOL_SOCKET && name == SO_KEEPALIVE) return SECOS_NETSRV_OPT_KEEPALIVE;
    if (level == SOL_SOCKET && name == SO_BROADCAST) return SECOS_NETSRV_OPT_BROADCAST;
    if (level == IPPROTO_TCP && name == TCP_NODELAY) return SECOS_NETSRV_OPT_NODELAY;
    return 0;
}

long linux_setsockopt(SYSARGS) {
    UNUSED_ARGS();
    struct file *f;
    long e = sock_fd(a0, &f);
    if (e) return e;
    struct sock *s = sock_of(f);
    uint32_t opt = server_opt(a1, a2);
    if (opt || (a1 == SOL_SOCKET && (a2 == SO_SNDBUF || a2 == SO_RCVBUF || a2 == SO_LINGER))) {
        int32_t v = 0;
        if (a4 < sizeof v) e = -EINVAL;
        else if (copy_from_user(&v, a3, sizeof v)) e = -EFAULT;
        else if (a2 == SO_LINGER && v != 0 && a1 == SOL_SOCKET) e = -ENOPROTOOPT;   /* a lingering close is not offered */
        else if (opt) {
            uint64_t fl = irq_save();
            if (v) s->opts |= 1u << opt;
            else s->opts &= ~(1u << opt);
            struct sockmsg m = { .op = SECOS_NETSRV_SETOPT, .sock = s->id, .arg = { opt, v != 0, 0, 0 } };
            e = sock_queue(&m, 0, 0, 1);
            irq_restore(fl);
        }
        /* SO_SNDBUF/SO_RCVBUF are sizing hints: the window is fixed (netsrv.h). */
    } else if (a1 == SOL_SOCKET && (a2 == SO_RCVTIMEO || a2 == SO_SNDTIMEO)) {
        int64_t tv[2];
        if (a4 < sizeof tv) e = -EINVAL;
        else if (copy_from_user(tv, a3, sizeof tv)) e = -EFAULT;
        else {
            int64_t ms = sockarg_timeval_ms(tv[0], tv[1]);
            if (ms < 0) e = ms;
            else if (a2 == SO_RCVTIMEO) s->rcvtimeo_ms = (uint32_t)ms;
            else s->sndtimeo_ms = (uint32_t)ms;
        }
    } else {
        e = -ENOPROTOOPT;
    }
    file_put(f);
    return e;
}

long linux_getsockopt(SYSARGS) {
    UNUSED_ARGS();
    struct file *f;
    long e = sock_fd(a0, &f);
    if (e) return e;
    struct sock *s = sock_of(f);
    int32_t len;
    int32_t val[2] = { 0, 0 };   /* an int, or struct linger (SO_LINGER: never on) */
    int32_t size = sizeof val[0];
    int32_t v = 0;
    uint32_t opt = server_opt(a1, a2);
    if (copy_from_user(&len, a4, sizeof len)) { file_put(f); return -EFAULT; }
    if (len < 0) { file_put(f); return -EINVAL; }
    if (opt) v = (s->opts >> opt) & 1;
    else if (a1 == SOL_SOCKET && a2 == SO_ERROR) {
        uint64_t fl = irq_save();
        v = -s->err;
        s->err = 0;
        irq_restore(fl);
    } else if (a1 == SOL_SOCKET && a2 == SO_TYPE) v = s->type == SECOS_NETSRV_STREAM ? 1 : s->type == SECOS_NETSRV_ICMP_RAW ? 3 : 2;
    else if (a1 == SOL_SOCKET && (a2 == SO_SNDBUF || a2 == SO_RCVBUF)) v = (int32_t)SECOS_NETSRV_RXWIN;
    else if (a1 == SOL_SOCKET && a2 == SO_ACCEPTCONN) v = s->state == SOCK_LISTENING;
    else if (a1 == SOL_SOCKET && a2 == SO_DOMAIN) v = SOCKARG_AF_INET;
    else if (a1 == SOL_SOCKET && a2 == SO_PROTOCOL) v = s->type == SECOS_NETSRV_STREAM ? 6 : s->type == SECOS_NETSRV_DGRAM ? 17 : 1;
    else if (a1 == SOL_SOCKET && a2 == SO_LINGER) size = sizeof val;
    else {
        file_put(f);
        return -ENOPROTOOPT;
    }
    val[0] = v;
    int32_t n = len < size ? len : size;
    e = copy_to_user(a3, val, (uint64_t)n) || copy_to_user(a4, &n, sizeof n) ? -EFAULT : 0;
    file_put(f);
    return e;
}
