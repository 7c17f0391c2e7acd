/* The kernel <-> network server channel (/dev/netsrv): sockets of ordinary
 * programs are served by one ring-3 process (netd, lwIP) through this
 * channel; no program but the server sees frames. The checks of every
 * message are lib/sockmsg.c (pure, host-tested, fuzzed).
 *
 * The device. Only a process whose manifest has MANIFEST_FLAG_NET_RAW may
 * open /dev/netsrv, one at a time (-EBUSY). The server opens it once it
 * has an address: while nobody holds it socket(AF_INET) fails with
 * -ENETDOWN. When the holder closes it (exits, dies), every socket fails:
 * calls waiting for a reply return -ENETDOWN, connected sockets read and
 * write -ECONNRESET; the kernel restarts the server (net=on).
 *   read:  as many whole queued kernel messages as fit (at least one:
 *          -EMSGSIZE when the first does not fit); blocks, O_NONBLOCK, poll.
 *   write: one or more whole server messages back to back. Each is checked
 *          and applied in order; the first malformed one ends the write
 *          with -EPROTO (or the bytes before it). A well-formed message
 *          that breaks the protocol (data beyond the window, a reply to
 *          nothing) resets that socket (-EIO to its user) and is counted.
 *
 * A message is a fixed 40-byte header, little-endian, followed by len
 * payload bytes (at most SECOS_NETSRV_DATA_MAX):
 *
 *   offset size field
 *        0    4 magic    SECOS_NETSRV_MAGIC
 *        4    2 version  SECOS_NETSRV_VERSION
 *        6    2 op       enum secos_netsrv_op (SECOS_NETSRV_REPLY bit set in replies)
 *        8    4 sock     the kernel's socket id (never 0, never reused while
 *                        the server may still name it; 0 only in EV_IFADDR)
 *       12    4 seq      requests and their replies: the same non-zero
 *                        number; notices and events: 0
 *       16    4 status   replies and EV_CLOSED: 0..INT32_MAX or -errno
 *                        (-4095..-1, Linux's values); else 0
 *       20    4 len      payload bytes after the header (SEND, EV_DATA only)
 *       24   16 arg[4]   per op, below
 *
 * IPv4 addresses are host integers (10.0.2.15 is 0x0a00020f), ports are
 * host integers 0..65535.
 *
 * Kernel -> server. R: a request, answered by exactly one reply with the
 * same sock and seq; at most one is outstanding per socket. N: a notice,
 * never answered; the server applies notices and requests of one socket
 * in the order they were read.
 *   OPEN      N  arg0: SECOS_NETSRV_STREAM (TCP), _DGRAM (UDP), _ICMP
 *                (echo datagrams: SEND is an ICMP echo request, EV_DATA an
 *                echo reply with the same identifier, no IP header) or
 *                _ICMP_RAW (the same, but EV_DATA starts with the reply's
 *                IPv4 header, as a raw socket shows it). A failure comes
 *                back as EV_CLOSED with -errno.
 *   BIND      R  arg0 addr (0: any), arg1 port (0: an ephemeral one);
 *                reply arg0/arg1 what was bound; -EADDRINUSE, -EINVAL.
 *   LISTEN    R  arg0 backlog 1..SECOS_NETSRV_BACKLOG_MAX; stream only
 *                (binds an ephemeral port first if unbound).
 *   CONNECT   R  arg0 addr, arg1 port. Stream: answered once established
 *                (0) or failed (-ECONNREFUSED, -ETIMEDOUT, -ENETUNREACH,
 *                -EHOSTUNREACH, -ECONNRESET); datagram: the default
 *                destination, answered at once. Reply arg0/arg1: the local
 *                address and port.
 *   ACCEPT    R  arg0: a new socket id from the kernel. The server gives
 *                the listener's oldest pending connection that id. Reply
 *                arg0/arg1 the peer's address and port; -EAGAIN when none
 *                is pending. The new socket is connected: it gets
 *                credit (EV_CREDIT) and data (EV_DATA) like any other.
 *   SEND      N  payload: stream bytes, in order; datagram: one datagram
 *                to arg0/arg1, or to the connected destination when arg2
 *                is 1. Never more than the credit the server granted.
 *   RECVD     N  arg0: payload bytes the program took from this socket's
 *                receive buffer; the server may send that many more.
 *   SHUTDOWN  N  arg0: 0 read, 1 write (FIN after the data sent), 2 both.
 *   CLOSE     N  the socket is gone: the server ends it (stream: a
 *                graceful close after the data sent; a listener also
 *                aborts its pending connections) and forgets the id.
 *   GETNAME   R  arg0: 0 local, 1 peer; reply arg0 addr, arg1 port, or
 *                -ENOTCONN.
 *   SETOPT    N  arg0: SECOS_NETSRV_OPT_*, arg1 value.
 *
 * Server -> kernel: replies (above) and events.
 *   EV_DATA    payload received. Stream: the next bytes in order;
 *              datagram/ICMP: one whole datagram from arg0/arg1 (a larger
 *              datagram is dropped by the server). The server never sends
 *              more than the window: SECOS_NETSRV_RXWIN bytes per socket
 *              from its start, plus every RECVD since.
 *   EV_CREDIT  arg0: more bytes the kernel may SEND on this socket (for a
 *              datagram socket each datagram counts its payload bytes).
 *   EV_CLOSED  status 0: the peer's FIN, no more data (sending may go on);
 *              -errno: the connection or socket is gone (reset, timeout,
 *              open failure); the server keeps only the id until CLOSE.
 *   EV_ACCEPTQ a listener has one more pending connection (poll shows
 *              POLLIN, accept takes it).
 *   EV_IFADDR  sock 0: the interface's configuration: arg0 address, arg1
 *              netmask, arg2 gateway, arg3 DNS server (all 0 when lost). */
#ifndef SECOS_NETSRV_H
#define SECOS_NETSRV_H
#include <stdint.h>

#define SECOS_NETSRV_MAGIC    0x5653524eu   /* "NRSV" read little-endian */
#define SECOS_NETSRV_VERSION  2
#define SECOS_NETSRV_HDR_LEN  40
#define SECOS_NETSRV_DATA_MAX 2048
#define SECOS_NETSRV_MSG_MAX  (SECOS_NETSRV_HDR_LEN + SECOS_NETSRV_DATA_MAX)
#define SECOS_NETSRV_REPLY    0x8000u
#define SECOS_NETSRV_RXWIN    65536u        /* each socket's receive buffer in the kernel */
#define SECOS_NETSRV_BACKLOG_MAX 64
#define SECOS_NETSRV_MAJOR    241           /* /dev/netsrv is char 241:0, mode 0600 */

#define SECOS_NETSRV_STREAM 1
#define SECOS_NETSRV_DGRAM  2
#define SECOS_NETSRV_ICMP   3
#define SECOS_NETSRV_ICMP_RAW 4

#define SECOS_NETSRV_OPT_NODELAY   1   /* TCP_NODELAY */
#define SECOS_NETSRV_OPT_KEEPALIVE 2   /* SO_KEEPALIVE */
#define SECOS_NETSRV_OPT_REUSEADDR 3   /* SO_REUSEADDR (before BIND) */
#define SECOS_NETSRV_OPT_BROADCAST 4   /* SO_BROADCAST (datagram) */

enum secos_netsrv_op {
    SECOS_NETSRV_OPEN = 1,
    SECOS_NETSRV_BIND,
    SECOS_NETSRV_LISTEN,
    SECOS_NETSRV_CONNECT,
    SECOS_NETSRV_ACCEPT,
    SECOS_NETSRV_SEND,
    SECOS_NETSRV_RECVD,
    SECOS_NETSRV_SHUTDOWN,
    SECOS_NETSRV_CLOSE,
    SECOS_NETSRV_GETNAME,
    SECOS_NETSRV_SETOPT,
    SECOS_NETSRV_EV_DATA,
    SECOS_NETSRV_EV_CREDIT,
    SECOS_NETSRV_EV_CLOSED,
    SECOS_NETSRV_EV_ACCEPTQ,
    SECOS_NETSRV_EV_IFADDR,
    SECOS_NETSRV_OP_LAST = SECOS_NETSRV_EV_IFADDR,
};

#endif
