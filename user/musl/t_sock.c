/* t_sock: BSD sockets from a musl program, served by netd over /dev/netsrv.
 * Everything stays inside the guest (127.0.0.1 and the interface's own
 * address, both looped back by netd). One line per check ("ok <what>" or
 * "FAIL <what>: ..."), then "t_sock: N failed"; the exit status is N.
 *
 *   t_sock              every check below
 *   t_sock cycles N     N connect/accept/close cycles on 127.0.0.1, then one more exchange
 *   t_sock addr A       the same stream checks towards address A (default 10.0.2.15)
 *   t_sock udp A P      20 datagrams (1..1472 bytes) to an echo server at A:P, each echoed intact */
#define _GNU_SOURCE
#include "t_check.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define BIG (1u << 20)
static unsigned char big[BIG], got[BIG];

static struct sockaddr_in sin_of(const char *ip, int port) {
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    inet_pton(AF_INET, ip, &a.sin_addr);
    return a;
}

/* A stream listener on ip (port chosen by the server); its port in *port. */
static int listener(const char *ip, int *port) {
    int l = socket(AF_INET, SOCK_STREAM, 0);
    if (l < 0) return -1;
    struct sockaddr_in a = sin_of(ip, 0);
    socklen_t n = sizeof a;
    if (bind(l, (struct sockaddr *)&a, sizeof a) || listen(l, 8) || getsockname(l, (struct sockaddr *)&a, &n)) {
        close(l);
        return -1;
    }
    *port = ntohs(a.sin_port);
    return l;
}

static int connect_to(const char *ip, int port) {
    int c = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = sin_of(ip, port);
    if (c >= 0 && connect(c, (struct sockaddr *)&a, sizeof a) != 0) {
        int e = errno;
        close(c);
        errno = e;
        return -1;
    }
    return c;
}

static size_t read_all(int fd, unsigned char *b, size_t cap) {
    size_t t = 0;
    for (;;) {
        ssize_t n = read(fd, b + t, cap - t > 65536 ? 65536 : cap - t);
        if (n <= 0) return t;
        t += (size_t)n;
        if (t == cap) return t;
    }
}

static int write_all(int fd, const unsigned char *b, size_t len) {
    while (len) {
        ssize_t n = write(fd, b, len > 50000 ? 50000 : len);
        if (n <= 0) return -1;
        b += n;
        len -= (size_t)n;
    }
    return 0;
}

static uint32_t sum(const unsigned char *b, size_t n) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 16777619u;
    return h;
}

static void check_errors(void) {
    errno = 0;
    CHECK("af-inet6-refused", socket(AF_INET6, SOCK_STREAM, 0) < 0 && errno == EAFNOSUPPORT, "errno %d", errno);
    errno = 0;
    CHECK("af-unix-refused", socket(AF_UNIX, SOCK_STREAM, 0) < 0 && errno == EAFNOSUPPORT, "errno %d", errno);
    errno = 0;
    CHECK("sock-raw-tcp-eperm", socket(AF_INET, SOCK_RAW, IPPROTO_TCP) < 0 && errno == EPERM, "errno %d", errno);
    int port;
    int l = listener("127.0.0.1", &port);   /* a port that was open and is closed again */
    close(l);
    errno = 0;
    int c = connect_to("127.0.0.1", port);
    CHECK("econnrefused", c < 0 && errno == ECONNREFUSED, "fd %d errno %d", c, errno);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = sin_of("1.2.3.4", 0);
    errno = 0;
    CHECK("bind-foreign-addr", bind(s, (struct sockaddr *)&a, sizeof a) < 0 && errno == EADDRNOTAVAIL, "errno %d", errno);
    a = sin_of("127.0.0.1", 0);
    errno = 0;
    CHECK("bind-short-len", bind(s, (struct sockaddr *)&a, 4) < 0 && errno == EINVAL, "errno %d", errno);
    a.sin_family = AF_INET6;
    errno = 0;
    CHECK("bind-wrong-family", bind(s, (struct sockaddr *)&a, sizeof a) < 0 && errno == EAFNOSUPPORT, "errno %d", errno);
    errno = 0;
    CHECK("connect-bad-pointer", connect(s, (struct sockaddr *)8, sizeof a) < 0 && errno == EFAULT, "errno %d", errno);
    char b[4];
    errno = 0;
    CHECK("read-unconnected", read(s, b, sizeof b) < 0 && errno == ENOTCONN, "errno %d", errno);
    errno = 0;
    socklen_t n = sizeof a;
    CHECK("getpeername-unconnected", getpeername(s, (struct sockaddr *)&a, &n) < 0 && errno == ENOTCONN, "errno %d", errno);
    close(s);
    int l1 = listener("127.0.0.1", &port);
    s = socket(AF_INET, SOCK_STREAM, 0);
    a = sin_of("127.0.0.1", port);
    errno = 0;
    CHECK("eaddrinuse", bind(s, (struct sockaddr *)&a, sizeof a) < 0 && errno == EADDRINUSE, "errno %d", errno);
    close(s);
    close(l1);
    int one = 1;
    s = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    CHECK("reuseaddr-rebind", bind(s, (struct sockaddr *)&a, sizeof a) == 0 && listen(s, 4) == 0, "errno %d", errno);
    close(s);
}

/* A connection on ip: names on both ends, 1 MiB each way with its sum,
 * shutdown(SHUT_WR) seen as EOF while the other direction goes on. */
static void check_stream(const char *ip) {
    char what[96];
    int port;
    int l = listener(strcmp(ip, "127.0.0.1") ? "0.0.0.0" : ip, &port);
    snprintf(what, sizeof what, "listen %s", ip);
    CHECK(what, l >= 0 && port > 0, "errno %d", errno);
    if (l < 0) return;
    for (size_t i = 0; i < BIG; i++) big[i] = (unsigned char)(i * 31 + (i >> 11));
    pid_t child = fork();
    if (child == 0) {                  /* the client: sends 1 MiB, then reads 1 MiB back */
        close(l);
        int c = connect_to(ip, port);
        if (c < 0) _exit(10);
        int one = 1;
        if (setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one)) _exit(11);
        if (write_all(c, big, BIG)) _exit(12);
        if (shutdown(c, SHUT_WR)) _exit(13);
        size_t n = read_all(c, got, BIG);
        if (n != BIG || memcmp(got, big, BIG)) _exit(14);
        char x;
        if (read(c, &x, 1) != 0) _exit(15);
        close(c);
        _exit(0);
    }
    struct sockaddr_in peer, me, cpeer;
    socklen_t n = sizeof peer;
    int a = accept(l, (struct sockaddr *)&peer, &n);
    snprintf(what, sizeof what, "accept %s", ip);
    CHECK(what, a >= 0 && peer.sin_family == AF_INET && peer.sin_addr.s_addr == inet_addr(ip),
          "fd %d errno %d peer %s", a, errno, inet_ntoa(peer.sin_addr));
    if (a < 0) { kill(child, SIGKILL); waitpid(child, 0, 0); close(l); return; }
    n = sizeof me;
    getsockname(a, (struct sockaddr *)&me, &n);
    n = sizeof cpeer;
    getpeername(a, (struct sockaddr *)&cpeer, &n);
    snprintf(what, sizeof what, "names %s", ip);
    CHECK(what, ntohs(me.sin_port) == port && me.sin_addr.s_addr == inet_addr(ip) &&
          cpeer.sin_port == peer.sin_port && ntohs(peer.sin_port) != port,
          "local %s:%d peer port %d", inet_ntoa(me.sin_addr), ntohs(me.sin_port), ntohs(cpeer.sin_port));
    size_t r = read_all(a, got, BIG);
    snprintf(what, sizeof what, "1MiB-in %s", ip);
    CHECK(what, r == BIG && sum(got, BIG) == sum(big, BIG), "got %zu bytes", r);
    char x;
    snprintf(what, sizeof what, "eof-after-shutdown %s", ip);
    CHECK(what, read(a, &x, 1) == 0, "errno %d", errno);
    snprintf(what, sizeof what, "1MiB-out-after-peer-eof %s", ip);
    CHECK(what, write_all(a, big, BIG) == 0, "errno %d", errno);
    close(a);
    int st = -1;
    waitpid(child, &st, 0);
    snprintf(what, sizeof what, "client %s", ip);
    CHECK(what, WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %#x", st);
    close(l);
}

/* A reader that starts late: the writer blocks once the kernel's window,
 * TCP's window and netd's buffers are full (a non-blocking write says
 * EAGAIN), and every byte still arrives in order once reading starts. */
static void check_backpressure(void) {
    int port;
    int l = listener("127.0.0.1", &port);
    int c = connect_to("127.0.0.1", port);
    int s = accept(l, 0, 0);
    for (size_t i = 0; i < BIG; i++) big[i] = (unsigned char)(i * 7 + (i >> 9));
    fcntl(c, F_SETFL, O_NONBLOCK);
    size_t sent = 0;
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {                         /* until writes stay refused for a second */
        ssize_t n = write(c, big + sent, BIG - sent > 8192 ? 8192 : BIG - sent);
        clock_gettime(CLOCK_MONOTONIC, &t);
        if (n > 0) { sent += (size_t)n; t0 = t; continue; }
        if (n < 0 && errno != EAGAIN) break;
        if (sent == BIG || t.tv_sec - t0.tv_sec >= 2) break;
        usleep(10000);
    }
    CHECK("backpressure-stops-writer", sent > 0 && sent < BIG && errno == EAGAIN, "sent %zu errno %d", sent, errno);
    pid_t child = fork();
    if (child == 0) {                  /* the rest goes as the parent reads */
        fcntl(c, F_SETFL, 0);
        _exit(write_all(c, big + sent, BIG - sent) ? 1 : 0);
    }
    close(c);
    size_t r = read_all(s, got, BIG);
    int st = -1;
    waitpid(child, &st, 0);
    CHECK("backpressure-all-arrives", r == BIG && !memcmp(got, big, BIG) && WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "got %zu status %#x", r, st);
    close(s);
    close(l);
}

/* Non-blocking connect: EINPROGRESS, poll for POLLOUT, SO_ERROR. */
static void check_nonblocking(void) {
    int port;
    int l = listener("127.0.0.1", &port);
    int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in a = sin_of("127.0.0.1", port);
    int r = connect(c, (struct sockaddr *)&a, sizeof a);
    CHECK("nb-connect-einprogress", r == 0 || errno == EINPROGRESS, "r %d errno %d", r, errno);
    struct pollfd p = { c, POLLOUT, 0 };
    r = poll(&p, 1, 10000);
    int err = -1;
    socklen_t n = sizeof err;
    getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &n);
    CHECK("nb-connect-pollout", r == 1 && (p.revents & POLLOUT) && err == 0, "r %d revents %#x err %d", r, p.revents, err);
    char b[8];
    errno = 0;
    CHECK("nb-read-eagain", read(c, b, sizeof b) < 0 && errno == EAGAIN, "errno %d", errno);
    int s = accept(l, 0, 0);
    CHECK("nb-accepted", s >= 0, "errno %d", errno);
    write(s, "ping", 4);
    p = (struct pollfd){ c, POLLIN, 0 };
    r = poll(&p, 1, 10000);
    CHECK("nb-pollin", r == 1 && (p.revents & POLLIN) && read(c, b, sizeof b) == 4 && !memcmp(b, "ping", 4),
          "r %d revents %#x", r, p.revents);
    close(s);
    p = (struct pollfd){ c, POLLIN, 0 };
    r = poll(&p, 1, 10000);
    CHECK("nb-eof-pollin", r == 1 && read(c, b, sizeof b) == 0, "r %d revents %#x", r, p.revents);
    close(c);
    close(l);
    /* the same towards a closed port: the failure comes through poll and SO_ERROR */
    c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    r = connect(c, (struct sockaddr *)&a, sizeof a);
    p = (struct pollfd){ c, POLLOUT, 0 };
    int pr = r == 0 ? 1 : poll(&p, 1, 10000);
    err = -1;
    n = sizeof err;
    getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &n);
    CHECK("nb-connect-refused", r < 0 && errno == EINPROGRESS && pr == 1 && err == ECONNREFUSED,
          "r %d poll %d revents %#x err %d", r, pr, p.revents, err);
    close(c);
    /* listener: poll shows POLLIN when a connection is pending; accept4 nonblocking EAGAIN when none */
    l = listener("127.0.0.1", &port);
    int fl = fcntl(l, F_GETFL);
    fcntl(l, F_SETFL, fl | O_NONBLOCK);
    errno = 0;
    CHECK("accept-eagain", accept(l, 0, 0) < 0 && errno == EAGAIN, "errno %d", errno);
    c = connect_to("127.0.0.1", port);
    p = (struct pollfd){ l, POLLIN, 0 };
    r = poll(&p, 1, 10000);
    s = accept4(l, 0, 0, SOCK_CLOEXEC);
    CHECK("listener-pollin", r == 1 && (p.revents & POLLIN) && s >= 0, "r %d revents %#x s %d", r, p.revents, s);
    close(s);
    close(c);
    close(l);
}

static void check_udp(void) {
    int a = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in sa = sin_of("127.0.0.1", 0), sb = sin_of("127.0.0.1", 0), from;
    socklen_t n = sizeof sa;
    bind(a, (struct sockaddr *)&sa, sizeof sa);
    getsockname(a, (struct sockaddr *)&sa, &n);
    CHECK("udp-bind", ntohs(sa.sin_port) != 0 && sa.sin_addr.s_addr == htonl(INADDR_LOOPBACK), "port %d", ntohs(sa.sin_port));
    int sent = 1;
    for (int i = 0; i < 20; i++) {
        char m[600];
        memset(m, 'a' + i, sizeof m);
        if (sendto(b, m, 100 + (size_t)i * 20, 0, (struct sockaddr *)&sa, sizeof sa) != 100 + i * 20) sent = 0;
    }
    CHECK("udp-sendto", sent, "errno %d", errno);
    int ok = 1;
    for (int i = 0; i < 20; i++) {
        char m[2000];
        n = sizeof from;
        ssize_t r = recvfrom(a, m, sizeof m, 0, (struct sockaddr *)&from, &n);
        if (r != 100 + i * 20 || m[0] != 'a' + i || m[r - 1] != 'a' + i) { ok = 0; printf("  datagram %d: %zd\n", i, r); }
        if (!i) sb = from;
    }
    CHECK("udp-boundaries", ok, "see above");
    /* echo back to the source address recvfrom gave */
    sendto(a, "echo", 4, 0, (struct sockaddr *)&sb, sizeof sb);
    char e[16];
    n = sizeof from;
    ssize_t r = recvfrom(b, e, sizeof e, 0, (struct sockaddr *)&from, &n);
    CHECK("udp-echo", r == 4 && !memcmp(e, "echo", 4) && from.sin_port == sa.sin_port, "r %zd errno %d", r, errno);
    /* connected datagram sockets: send/recv, getpeername */
    CHECK("udp-connect", connect(b, (struct sockaddr *)&sa, sizeof sa) == 0, "errno %d", errno);
    struct sockaddr_in pn;
    n = sizeof pn;
    CHECK("udp-getpeername", getpeername(b, (struct sockaddr *)&pn, &n) == 0 && pn.sin_port == sa.sin_port, "errno %d", errno);
    CHECK("udp-send-connected", send(b, "conn", 4, 0) == 4 && recv(a, e, sizeof e, 0) == 4 && !memcmp(e, "conn", 4), "errno %d", errno);
    char huge[3000] = { 0 };
    errno = 0;
    CHECK("udp-emsgsize", send(b, huge, sizeof huge, 0) < 0 && errno == EMSGSIZE, "errno %d", errno);
    char t[4];
    sendto(b, "truncated!", 10, 0, (struct sockaddr *)&sa, sizeof sa);
    r = recv(a, t, sizeof t, 0);
    CHECK("udp-truncated-read", r == 4 && !memcmp(t, "trun", 4), "r %zd", r);
    fcntl(a, F_SETFL, O_NONBLOCK);
    errno = 0;
    CHECK("udp-rest-dropped", recv(a, t, sizeof t, 0) < 0 && errno == EAGAIN, "errno %d", errno);
    close(a);
    close(b);
}

/* A connected socket inherited across fork: the child writes, the parent
 * reads; the connection ends only when both copies are closed. */
static void check_fork(void) {
    int port;
    int l = listener("127.0.0.1", &port);
    int c = connect_to("127.0.0.1", port);
    int s = accept(l, 0, 0);
    pid_t child = fork();
    if (child == 0) {
        const char *m = "from the child";
        _exit(write(c, m, strlen(m)) == (ssize_t)strlen(m) ? 0 : 1);
    }
    int st = -1;
    waitpid(child, &st, 0);
    char b[32] = { 0 };
    struct pollfd p = { s, POLLIN, 0 };
    poll(&p, 1, 10000);
    ssize_t r = read(s, b, sizeof b - 1);
    CHECK("fork-child-writes", WIFEXITED(st) && WEXITSTATUS(st) == 0 && r == 14 && !strcmp(b, "from the child"),
          "status %#x r %zd '%s'", st, r, b);
    /* the child's exit closed its copy; ours keeps the connection open */
    CHECK("fork-parent-copy-alive", write(c, "x", 1) == 1 && read(s, b, 1) == 1 && b[0] == 'x', "errno %d", errno);
    close(c);
    CHECK("fork-eof-after-last-close", read(s, b, 1) == 0, "errno %d", errno);
    close(s);
    close(l);
}

/* shutdown(SHUT_RD) and (SHUT_RDWR), write after the peer closed. */
static void check_shutdown(void) {
    int port;
    int l = listener("127.0.0.1", &port);
    int c = connect_to("127.0.0.1", port);
    int s = accept(l, 0, 0);
    CHECK("shutdown-rd", shutdown(c, SHUT_RD) == 0, "errno %d", errno);
    char b[8];
    CHECK("read-after-shut-rd", read(c, b, sizeof b) == 0, "errno %d", errno);
    CHECK("write-after-shut-rd", write(c, "ok", 2) == 2 && read(s, b, 2) == 2, "errno %d", errno);
    CHECK("shutdown-wr", shutdown(c, SHUT_WR) == 0 && read(s, b, 1) == 0, "errno %d", errno);
    signal(SIGPIPE, SIG_IGN);
    errno = 0;
    CHECK("write-after-shut-wr", write(c, "x", 1) < 0 && errno == EPIPE, "errno %d", errno);
    errno = 0;
    CHECK("shutdown-bad-how", shutdown(c, 7) < 0 && errno == EINVAL, "errno %d", errno);
    close(c);
    close(s);
    close(l);
    errno = 0;
    CHECK("shutdown-not-socket", shutdown(0, SHUT_RD) < 0 && errno == ENOTSOCK, "errno %d", errno);
}

/* A listener with many connections at once (queued before accept). */
static void check_many(void) {
    int port;
    int l = listener("127.0.0.1", &port);
    int c[8], ok = 1;
    for (int i = 0; i < 8; i++) c[i] = connect_to("127.0.0.1", port);
    for (int i = 0; i < 8; i++) {
        if (c[i] < 0) { ok = 0; continue; }
        write(c[i], &i, sizeof i);
    }
    for (int i = 0; i < 8; i++) {
        int s = accept(l, 0, 0), v = -1;
        if (s < 0 || read(s, &v, sizeof v) != sizeof v || v != i) { ok = 0; printf("  accept %d: fd %d v %d\n", i, s, v); }
        close(s);
    }
    for (int i = 0; i < 8; i++) close(c[i]);
    CHECK("eight-queued-connections-in-order", ok, "see above");
    close(l);
}

/* Echo requests on ping sockets: SOCK_DGRAM shows the reply without its
 * IP header, SOCK_RAW (ICMP only) with it; the identifier and payload come
 * back; netd's own ICMP answers for 127.0.0.1 and 10.0.2.15. */
static void check_ping(const char *ip, int type) {
    char what[64];
    snprintf(what, sizeof what, "ping-%s %s", type == SOCK_RAW ? "raw" : "dgram", ip);
    int s = socket(AF_INET, type, IPPROTO_ICMP);
    if (s < 0) { CHECK(what, 0, "socket errno %d", errno); return; }
    unsigned char req[64] = { 8, 0, 0, 0, 0x12, 0x34, 0, 1 };
    for (int i = 8; i < 64; i++) req[i] = (unsigned char)i;
    uint32_t ck = 0;                   /* the checksum, as a program that does compute it would */
    for (int i = 0; i < 64; i += 2) ck += (uint32_t)(req[i] << 8 | req[i + 1]);
    while (ck >> 16) ck = (ck & 0xffff) + (ck >> 16);
    req[2] = (unsigned char)(~ck >> 8);
    req[3] = (unsigned char)~ck;
    struct sockaddr_in to = sin_of(ip, 0), from;
    ssize_t r = sendto(s, req, sizeof req, 0, (struct sockaddr *)&to, sizeof to);
    unsigned char rep[256];
    struct pollfd p = { s, POLLIN, 0 };
    int pr = 0, hl = 0;
    ssize_t got_n = -1;
    for (int tries = 0; tries < 3; tries++) {   /* a raw socket on Linux also sees the request itself */
        pr = poll(&p, 1, 5000);
        socklen_t n = sizeof from;
        got_n = pr == 1 ? recvfrom(s, rep, sizeof rep, 0, (struct sockaddr *)&from, &n) : -1;
        hl = type == SOCK_RAW && got_n > 0 ? (rep[0] & 15) * 4 : 0;
        if (got_n <= hl || rep[hl] != 8) break;
    }
    CHECK(what, r == 64 && got_n == 64 + hl && (type != SOCK_RAW || (rep[0] >> 4) == 4) && rep[hl] == 0 &&
          rep[hl + 4] == 0x12 && rep[hl + 5] == 0x34 && !memcmp(rep + hl + 8, req + 8, 56) &&
          from.sin_addr.s_addr == to.sin_addr.s_addr,
          "sent %zd poll %d got %zd hl %d type %d", r, pr, got_n, hl, got_n > 0 ? rep[hl] : -1);
    /* A ping socket sends echo requests and nothing else: no forged replies,
     * redirects or timestamps, and nothing shorter than an ICMP header. */
    static const unsigned char forged[][8] = { { 0, 0 }, { 5, 1 }, { 13, 0 }, { 8, 1 } };
    int refused = 0;
    for (unsigned i = 0; i < sizeof forged / sizeof forged[0]; i++)
        refused += sendto(s, forged[i], 8, 0, (struct sockaddr *)&to, sizeof to) == -1 && errno == EINVAL;
    refused += sendto(s, req, 7, 0, (struct sockaddr *)&to, sizeof to) == -1 && errno == EINVAL;
    snprintf(what, sizeof what, "ping-%s refuses other ICMP", type == SOCK_RAW ? "raw" : "dgram");
    CHECK(what, refused == 5, "%d of 5 refused", refused);
    close(s);
}

static int cycles(long n) {
    int port;
    int l = listener("127.0.0.1", &port);
    if (l < 0) { printf("FAIL cycles: listener errno %d\n", errno); return 1; }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    long done = 0;
    for (long i = 0; i < n; i++) {
        int c = connect_to("127.0.0.1", port);
        if (c < 0) { printf("  cycle %ld: connect errno %d\n", i, errno); break; }
        int s = accept(l, 0, 0);
        char b = 0;
        if (s < 0 || write(c, "c", 1) != 1 || read(s, &b, 1) != 1 || b != 'c') {
            printf("  cycle %ld: accept/exchange failed errno %d\n", i, errno);
            close(c);
            close(s);
            break;
        }
        close(c);
        char x;
        if (read(s, &x, 1) != 0) { printf("  cycle %ld: no EOF\n", i); close(s); break; }
        close(s);
        done++;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    CHECK("cycles", done == n, "%ld of %ld", done, n);
    printf("t_sock: %ld cycles in %ld ms\n", done, ms);
    close(l);
    return check_done("t_sock");
}

static int udp_echo(const char *ip, int port) {
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = sin_of(ip, port), from;
    int ok = 0;
    for (int i = 0; i < 20; i++) {
        size_t len = i == 0 ? 1 : (size_t)i * 77 % 1472 + 1;
        if (i == 19) len = 1472;
        unsigned char out[1472], in[2048];
        for (size_t k = 0; k < len; k++) out[k] = (unsigned char)(i * 13 + k);
        for (int attempt = 0; attempt < 3; attempt++) {     /* UDP may lose one: ask again */
            sendto(s, out, len, 0, (struct sockaddr *)&to, sizeof to);
            struct pollfd p = { s, POLLIN, 0 };
            if (poll(&p, 1, 3000) != 1) continue;
            socklen_t n = sizeof from;
            ssize_t r = recvfrom(s, in, sizeof in, 0, (struct sockaddr *)&from, &n);
            if (r == (ssize_t)len && !memcmp(in, out, len) && from.sin_port == to.sin_port) { ok++; break; }
        }
    }
    CHECK("udp-echo-remote", ok == 20, "%d of 20 echoed", ok);
    close(s);
    return check_done("t_sock");
}

int main(int argc, char **argv) {
    check_init();
    if (argc == 3 && !strcmp(argv[1], "cycles")) return cycles(strtol(argv[2], 0, 10));
    if (argc == 4 && !strcmp(argv[1], "udp")) return udp_echo(argv[2], (int)strtol(argv[3], 0, 10));
    if (argc >= 2 && !strcmp(argv[1], "addr")) {
        check_stream(argc > 2 ? argv[2] : "10.0.2.15");
        return check_done("t_sock");
    }
    check_errors();
    check_stream("127.0.0.1");
#ifndef T_SOCK_ON_LINUX   /* the program's own check on the host: no 10.0.2.15 there */
    check_stream("10.0.2.15");
#endif
    check_backpressure();
    check_nonblocking();
    check_udp();
    check_fork();
    check_shutdown();
    check_many();
    check_ping("127.0.0.1", SOCK_DGRAM);
    check_ping("127.0.0.1", SOCK_RAW);
#ifndef T_SOCK_ON_LINUX
    check_ping("10.0.2.15", SOCK_DGRAM);
    check_ping("10.0.2.2", SOCK_DGRAM);
#endif
    return check_done("t_sock");
}
