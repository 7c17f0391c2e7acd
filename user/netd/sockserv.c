/* netd's end of /dev/netsrv (include/secos/netsrv.h): reads the kernel's
 * messages, hands each to its socket's protocol file, and queues replies
 * and events in one output buffer that the main loop writes out.
 *
 * Invariants:
 * - The output buffer holds whole, well-formed messages only, in the order
 *   they were made; a write takes a prefix of whole messages (a short
 *   write is retried from there; a message the kernel refuses as malformed,
 *   -EPROTO, is a bug here: said once and dropped).
 * - Messages of one socket are applied in the order they were read.
 * - Requests naming no record get -EBADF; notices naming none are dropped
 *   (the kernel may close a socket while events for it are in flight). */
#include "netd.h"
#include "sock.h"
#include "sockserv.h"
#include "lwip/dns.h"
#include "lwip/netif.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RBUF 65536
#define READS_PER_ROUND 8      /* then lwIP gets its frames and timers again */

static int fd = -1;
static uint8_t rbuf[RBUF];
static uint8_t *obuf;
static size_t olen, ocap;
static uint32_t ifaddr_sent[4];
static int ifaddr_told;
static struct netif *nif;
static int said_eproto;

/* Room for n more bytes in the output buffer (it grows: what is queued is
 * bounded by the windows and credits of the sockets). */
static uint8_t *out_reserve(size_t n) {
    if (olen + n > ocap) {
        size_t cap = ocap ? ocap : 65536;
        while (cap < olen + n) cap *= 2;
        uint8_t *b = realloc(obuf, cap);
        if (!b) { fprintf(stderr, "netd: out of memory for kernel messages\n"); exit(1); }
        obuf = b;
        ocap = cap;
    }
    uint8_t *p = obuf + olen;
    olen += n;
    return p;
}

static void out_msg(uint16_t op, uint32_t sock, uint32_t seq, int32_t status, uint32_t len, const uint32_t arg[4]) {
    struct sockmsg m = { .op = op, .sock = sock, .seq = seq, .status = status, .len = len };
    memcpy(m.arg, arg, sizeof m.arg);
    sockmsg_encode(out_reserve(SECOS_NETSRV_HDR_LEN), SECOS_NETSRV_HDR_LEN, &m);
}

void chan_event(uint16_t op, uint32_t sock, int32_t status, uint32_t a0, uint32_t a1) {
    if (sock == 0 && op != SECOS_NETSRV_EV_IFADDR) return;
    uint32_t arg[4] = { a0, a1, 0, 0 };
    out_msg(op, sock, 0, status, 0, arg);
}

void chan_reply(const struct sockmsg *req, int32_t status, uint32_t a0, uint32_t a1) {
    uint32_t arg[4] = { a0, a1, 0, 0 };
    if (status < 0) arg[0] = arg[1] = 0;
    out_msg((uint16_t)(req->op | SECOS_NETSRV_REPLY), req->sock, req->seq, status, 0, arg);
}

uint8_t *chan_data(uint32_t sock, uint32_t len, uint32_t a0, uint32_t a1) {
    uint32_t arg[4] = { a0, a1, 0, 0 };
    out_msg(SECOS_NETSRV_EV_DATA, sock, 0, 0, len, arg);
    return out_reserve(len);
}

void chan_closed(struct sock *s, int32_t status) {
    if (s->id) chan_event(SECOS_NETSRV_EV_CLOSED, s->id, status, 0, 0);
}

/* EV_IFADDR whenever the interface's configuration differs from what the
 * kernel was last told (the first call always sends). */
void sockserv_check_ifaddr(void) {
    uint32_t now[4] = {
        lwip_ntohl(ip4_addr_get_u32(netif_ip4_addr(nif))),
        lwip_ntohl(ip4_addr_get_u32(netif_ip4_netmask(nif))),
        lwip_ntohl(ip4_addr_get_u32(netif_ip4_gw(nif))),
        lwip_ntohl(ip4_addr_get_u32(ip_2_ip4(dns_getserver(0)))),
    };
    if (ifaddr_told && !memcmp(now, ifaddr_sent, sizeof now)) return;
    ifaddr_told = 1;
    memcpy(ifaddr_sent, now, sizeof now);
    out_msg(SECOS_NETSRV_EV_IFADDR, 0, 0, 0, 0, now);
}

int sockserv_open(struct netif *n) {
    nif = n;
    fd = open("/dev/netsrv", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "netd: /dev/netsrv: %s\n", strerror(errno));
        return -1;
    }
    sockserv_check_ifaddr();
    return 0;
}

int sockserv_fd(void) { return fd; }

short sockserv_events(void) { return (short)(POLLIN | (olen ? POLLOUT : 0)); }

/* Length of the whole message at p (the header's len field; the buffer
 * holds only messages this file encoded). */
static size_t msg_size(const uint8_t *p) {
    uint32_t len = (uint32_t)p[20] | (uint32_t)p[21] << 8 | (uint32_t)p[22] << 16 | (uint32_t)p[23] << 24;
    return SECOS_NETSRV_HDR_LEN + len;
}

int sockserv_flush(void) {
    size_t done = 0;
    while (done < olen) {
        ssize_t w = write(fd, obuf + done, olen - done);
        if (w > 0) { done += (size_t)w; continue; }
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && errno == EAGAIN) break;          /* POLLOUT tells when to go on */
        if (w < 0 && errno == EPROTO) {
            if (!said_eproto++)
                fprintf(stderr, "netd: the kernel refused a message (op %u): dropped\n",
                        (unsigned)(obuf[done + 6] | obuf[done + 7] << 8));
            done += msg_size(obuf + done);
            continue;
        }
        fprintf(stderr, "netd: /dev/netsrv write: %s\n", w < 0 ? strerror(errno) : "no progress");
        return -1;
    }
    memmove(obuf, obuf + done, olen - done);
    olen -= done;
    return 0;
}

static void open_sock(const struct sockmsg *m) {
    if (sock_find(m->sock)) {          /* the kernel never reuses a named id */
        fprintf(stderr, "netd: OPEN of socket %u, which exists: ignored\n", (unsigned)m->sock);
        return;
    }
    uint32_t type = m->arg[0];
    if (type != SECOS_NETSRV_STREAM && type != SECOS_NETSRV_DGRAM && type != SECOS_NETSRV_ICMP &&
        type != SECOS_NETSRV_ICMP_RAW) {
        chan_event(SECOS_NETSRV_EV_CLOSED, m->sock, -ESOCKTNOSUPPORT, 0, 0);
        return;
    }
    struct sock *s = sock_new(m->sock, (uint8_t)type);
    if (!s) {
        chan_event(SECOS_NETSRV_EV_CLOSED, m->sock, -ENOBUFS, 0, 0);
        return;
    }
    sock_insert(s);
    if (type == SECOS_NETSRV_STREAM) tcp_open(s);
    else if (type == SECOS_NETSRV_DGRAM) udp_open(s);
    else icmp_open(s);
}

static void apply(const struct sockmsg *m, const uint8_t *payload) {
    if (m->op == SECOS_NETSRV_OPEN) { open_sock(m); return; }
    struct sock *s = sock_find(m->sock);
    if (!s) {
        if (sockmsg_is_request(m->op)) chan_reply(m, -EBADF, 0, 0);
        return;
    }
    if (m->op == SECOS_NETSRV_RECVD) {
        /* The window grows; stream bytes also go back to TCP's window (tcp_handle). */
        uint32_t n = m->arg[0];
        s->rxwin = s->rxwin + n < s->rxwin ? UINT32_MAX : s->rxwin + n;
    }
    if (m->op == SECOS_NETSRV_CLOSE) {
        sock_remove(s);
        if (s->type == SECOS_NETSRV_STREAM) tcp_drop(s);
        else if (s->type == SECOS_NETSRV_DGRAM) udp_drop(s);
        else icmp_drop(s);
        return;
    }
    if (s->type == SECOS_NETSRV_STREAM) tcp_handle(s, m, payload);
    else if (s->type == SECOS_NETSRV_DGRAM) udp_handle(s, m, payload);
    else icmp_handle(s, m, payload);
}

int sockserv_service(short revents) {
    if (revents & (POLLERR | POLLNVAL)) {
        fprintf(stderr, "netd: /dev/netsrv failed\n");
        return -1;
    }
    if (!(revents & (POLLIN | POLLHUP))) return 0;
    for (int round = 0; round < READS_PER_ROUND; round++) {
        ssize_t n = read(fd, rbuf, sizeof rbuf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return 0;
        if (n <= 0) {
            fprintf(stderr, "netd: /dev/netsrv read: %s\n", n < 0 ? strerror(errno) : "end of file");
            return -1;
        }
        size_t off = 0;
        while (off < (size_t)n) {
            struct sockmsg m;
            if (sockmsg_decode_kernel(rbuf + off, (uint32_t)((size_t)n - off), &m) != 0) {
                fprintf(stderr, "netd: malformed message from the kernel at byte %zu of %zd\n", off, n);
                return -1;
            }
            apply(&m, rbuf + off + SECOS_NETSRV_HDR_LEN);
            off += SECOS_NETSRV_HDR_LEN + m.len;
        }
    }
    return 0;
}
