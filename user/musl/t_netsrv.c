/* The socket channel attacked from the server's side: this program holds
 * /dev/netsrv (its manifest has MANIFEST_FLAG_NET_RAW) and plays a hostile
 * network server to a forked client. It checks that the channel is the
 * documented one (include/secos/netsrv.h), that every malformed or
 * protocol-breaking message is refused or costs only its socket, and that
 * the server's end makes every socket fail instead of hang.
 * Boot without net=on: the program must be the only server.
 *
 * usage: t_netsrv            the attack (its checks, then "t_netsrv: N failed")
 *        t_netsrv --ifaddr   hold /dev/netsrv and report 10.0.2.15/24 via 10.0.2.2
 *                            (DNS 10.0.2.3) for interface tools, until killed */
#include "t_check.h"
#include "manifest.h"
#include "lib/sockmsg.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

SECOS_MANIFEST(SECOS_MANIFEST_DEFAULT_FLAGS | MANIFEST_FLAG_ABI_LINUX | MANIFEST_FLAG_NET_RAW, 8 << 20);

static int srv;
static uint8_t inbuf[64 * 1024];
static uint32_t in_len, in_pos;

/* The next kernel message (waits up to 5 s): 0, or -1. */
static int next_msg(struct sockmsg *m, uint8_t *payload) {
    if (in_pos == in_len) {
        struct pollfd p = { srv, POLLIN, 0 };
        if (poll(&p, 1, 5000) != 1) return -1;
        ssize_t n = read(srv, inbuf, sizeof inbuf);
        if (n <= 0) return -1;
        in_len = (uint32_t)n;
        in_pos = 0;
    }
    if (sockmsg_decode_kernel(inbuf + in_pos, in_len - in_pos, m) != 0) return -1;
    if (payload) memcpy(payload, inbuf + in_pos + SECOS_NETSRV_HDR_LEN, m->len);
    in_pos += SECOS_NETSRV_HDR_LEN + m->len;
    return 0;
}

/* The next message whose op is op (notices of earlier sockets, RECVD,
 * CLOSE and OPEN, are skipped). */
static int expect(uint16_t op, struct sockmsg *m, uint8_t *payload) {
    for (;;) {
        if (next_msg(m, payload) != 0) return -1;
        if (m->op == op) return 0;
        if (m->op != SECOS_NETSRV_RECVD && m->op != SECOS_NETSRV_CLOSE && m->op != SECOS_NETSRV_OPEN) { printf("  (got op %u, wanted %u)\n", m->op, op); return -1; }
    }
}

static long put(uint16_t op, uint32_t sock, uint32_t seq, int32_t status, const void *data, uint32_t len,
                uint32_t a0, uint32_t a1) {
    uint8_t b[SECOS_NETSRV_MSG_MAX];
    struct sockmsg m = { .op = op, .sock = sock, .seq = seq, .status = status, .len = len, .arg = { a0, a1, 0, 0 } };
    sockmsg_encode(b, sizeof b, &m);
    if (len) memcpy(b + SECOS_NETSRV_HDR_LEN, data, len);
    return write(srv, b, SECOS_NETSRV_HDR_LEN + len);
}

static int connect_to(uint32_t addr, uint16_t port) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) return -errno;
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(addr) };
    if (connect(s, (struct sockaddr *)&sa, sizeof sa) != 0) { int e = errno; close(s); return -e; }
    return s;
}

/* Child: connects, sends "hello", expects "world", then reads to the reset. */
static int client_stream(void) {
    int s = connect_to(0x0a000202, 80);
    if (s < 0) { printf("  client: connect: %s\n", strerror(-s)); return 1; }
    if (write(s, "hello", 5) != 5) return 2;
    char b[8] = { 0 };
    if (read(s, b, 5) != 5 || memcmp(b, "world", 5) != 0) return 3;
    static char big[8192];
    ssize_t n;
    while ((n = read(s, big, sizeof big)) > 0) {}
    if (n != -1 || errno != EIO) { printf("  client: end of the overrun stream: %zd %s\n", n, strerror(errno)); return 4; }
    close(s);
    return 0;
}

static int wait_child(pid_t pid) {
    int st;
    if (waitpid(pid, &st, 0) != pid) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 100 + WTERMSIG(st);
}

static void stream_session(void) {
    pid_t pid = fork();
    if (pid == 0) { close(srv); _exit(client_stream()); }   /* the client must not hold the server's end */
    struct sockmsg m;
    uint8_t pl[SECOS_NETSRV_DATA_MAX];
    int ok = expect(SECOS_NETSRV_OPEN, &m, 0) == 0 && m.arg[0] == SECOS_NETSRV_STREAM;
    CHECK("socket() sends OPEN stream", ok, "op %u arg0 %u", m.op, m.arg[0]);
    uint32_t id = m.sock;
    ok = expect(SECOS_NETSRV_CONNECT, &m, 0) == 0 && m.sock == id && m.arg[0] == 0x0a000202 && m.arg[1] == 80 && m.seq;
    CHECK("connect() sends CONNECT with the address in host order", ok, "sock %u arg %x:%u", m.sock, m.arg[0], m.arg[1]);
    CHECK("a reply with the wrong seq is taken (and costs nothing but a count)",
          put(SECOS_NETSRV_CONNECT | SECOS_NETSRV_REPLY, id + 1000, m.seq, 0, 0, 0, 0, 0) == SECOS_NETSRV_HDR_LEN, "%s",
          strerror(errno));
    put(SECOS_NETSRV_EV_CREDIT, id, 0, 0, 0, 0, 4096, 0);
    put(SECOS_NETSRV_CONNECT | SECOS_NETSRV_REPLY, id, m.seq, 0, 0, 0, 0x0a00020f, 40000);
    ok = expect(SECOS_NETSRV_SEND, &m, pl) == 0 && m.len == 5 && memcmp(pl, "hello", 5) == 0;
    CHECK("write() becomes SEND within the credit", ok, "len %u", m.len);
    put(SECOS_NETSRV_EV_DATA, id, 0, 0, "world", 5, 0, 0);
    /* Then more than the window: the kernel must reset the socket, not grow. */
    static uint8_t chunk[SECOS_NETSRV_DATA_MAX];
    for (uint32_t sent = 0; sent <= SECOS_NETSRV_RXWIN; sent += sizeof chunk)
        put(SECOS_NETSRV_EV_DATA, id, 0, 0, chunk, sizeof chunk, 0, 0);
    ok = expect(SECOS_NETSRV_CLOSE, &m, 0) == 0 && m.sock == id;
    CHECK("data past the window resets the socket (CLOSE sent)", ok, "op %u", m.op);
    int st = wait_child(pid);
    CHECK("the client read everything, then EIO", st == 0, "client status %d", st);
}

static void malformed(void) {
    uint8_t b[SECOS_NETSRV_HDR_LEN];
    struct sockmsg m = { .op = SECOS_NETSRV_EV_CREDIT, .sock = 5, .arg = { 1 } };
    sockmsg_encode(b, sizeof b, &m);
    b[0] ^= 0xff;
    errno = 0;
    CHECK("a bad magic is refused with EPROTO", write(srv, b, sizeof b) == -1 && errno == EPROTO, "%s", strerror(errno));
    sockmsg_encode(b, sizeof b, &m);
    CHECK("half a header is refused", write(srv, b, 20) == -1 && errno == EPROTO, "%s", strerror(errno));
    uint8_t two[2 * SECOS_NETSRV_HDR_LEN];
    sockmsg_encode(two, sizeof two, &m);
    memcpy(two + SECOS_NETSRV_HDR_LEN, two, SECOS_NETSRV_HDR_LEN);
    two[SECOS_NETSRV_HDR_LEN + 6] = 0x77;   /* unknown op in the second */
    long n = write(srv, two, sizeof two);
    CHECK("a good message before a bad one is applied, the write stops there", n == SECOS_NETSRV_HDR_LEN, "%ld", n);
    CHECK("an event for a socket nobody has is taken and dropped",
          put(SECOS_NETSRV_EV_DATA, 987654, 0, 0, "x", 1, 0, 0) == SECOS_NETSRV_HDR_LEN + 1, "%s", strerror(errno));
    CHECK("a second holder is refused", open("/dev/netsrv", O_RDWR) == -1 && errno == EBUSY, "%s", strerror(errno));
}

/* Child: blocks in connect until the server goes away. */
static int client_orphaned(void) {
    int s = connect_to(0x0a000202, 81);
    return s == -ENETDOWN ? 0 : 1;
}

static void server_dies(void) {
    pid_t pid = fork();
    if (pid == 0) { close(srv); _exit(client_orphaned()); }
    struct sockmsg m;
    int ok = expect(SECOS_NETSRV_CONNECT, &m, 0) == 0;
    CHECK("second client's CONNECT arrives", ok, "op %u", m.op);
    close(srv);
    int st = wait_child(pid);
    CHECK("the server's close ends a waiting connect with ENETDOWN", st == 0, "client status %d", st);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    CHECK("with no server socket() says ENETDOWN", s == -1 && errno == ENETDOWN, "%d %s", s, strerror(errno));
}

/* A quiet server: reports an address and swallows every message. */
static int hold_with_address(void) {
    srv = open("/dev/netsrv", O_RDWR);
    if (srv < 0) { perror("t_netsrv: /dev/netsrv"); return 1; }
    uint8_t b[SECOS_NETSRV_HDR_LEN];
    struct sockmsg m = { .op = SECOS_NETSRV_EV_IFADDR, .arg = { 0x0a00020f, 0xffffff00, 0x0a000202, 0x0a000203 } };
    sockmsg_encode(b, sizeof b, &m);
    if (write(srv, b, sizeof b) != (ssize_t)sizeof b) { perror("t_netsrv: EV_IFADDR"); return 1; }
    printf("t_netsrv: holding /dev/netsrv\n");
    while (read(srv, inbuf, sizeof inbuf) > 0) {}
    return 0;
}

int main(int argc, char **argv) {
    check_init();
    if (argc == 2 && strcmp(argv[1], "--ifaddr") == 0) return hold_with_address();
    if (argc != 1) {
        fprintf(stderr, "usage: t_netsrv [--ifaddr]\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    srv = open("/dev/netsrv", O_RDWR);
    CHECK("open /dev/netsrv", srv >= 0, "%s", strerror(errno));
    if (srv < 0) return check_done("t_netsrv");
    stream_session();
    malformed();
    server_dies();
    return check_done("t_netsrv");
}
