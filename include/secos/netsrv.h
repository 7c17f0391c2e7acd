/* The kernel <-> network server channel (/dev/netsrv): the layout of one
 * message. Every message is a fixed 40-byte header, little-endian, followed
 * by len payload bytes (at most SECOS_NETSRV_DATA_MAX: data moves in bounded
 * chunks). The kernel sends requests; the server answers each with a reply
 * carrying the same seq, or sends an event (data arrived, peer closed,
 * credits for more sends). Every field the server writes is untrusted by
 * the kernel and checked by net/sockmsg.c before use.
 *
 *   offset size field
 *        0    4 magic    SECOS_NETSRV_MAGIC
 *        4    2 version  SECOS_NETSRV_VERSION
 *        6    2 op       enum secos_netsrv_op (SECOS_NETSRV_REPLY bit set in replies)
 *        8    4 sock     the kernel's socket id (never 0)
 *       12    4 seq      matches a reply to its request; 0 in events
 *       16    4 status   replies: 0..INT32_MAX or -errno (-4095..-1); else 0
 *       20    4 len      payload bytes after the header
 *       24   16 arg[4]   per op: IPv4 address, port, flags, credits */
#ifndef SECOS_NETSRV_H
#define SECOS_NETSRV_H
#include <stdint.h>

#define SECOS_NETSRV_MAGIC    0x5653524eu   /* "NRSV" read little-endian */
#define SECOS_NETSRV_VERSION  1
#define SECOS_NETSRV_HDR_LEN  40
#define SECOS_NETSRV_DATA_MAX 2048
#define SECOS_NETSRV_MSG_MAX  (SECOS_NETSRV_HDR_LEN + SECOS_NETSRV_DATA_MAX)
#define SECOS_NETSRV_REPLY    0x8000u

enum secos_netsrv_op {
    SECOS_NETSRV_OPEN = 1,      /* arg0: 1 stream, 2 datagram */
    SECOS_NETSRV_CONNECT,       /* arg0 addr, arg1 port */
    SECOS_NETSRV_BIND,          /* arg0 addr, arg1 port */
    SECOS_NETSRV_LISTEN,        /* arg0 backlog */
    SECOS_NETSRV_ACCEPT,        /* reply: arg0 the new socket's id, arg1/arg2 peer addr/port */
    SECOS_NETSRV_SEND,          /* payload: data; datagram: arg0/arg1 destination */
    SECOS_NETSRV_CLOSE,
    SECOS_NETSRV_SHUTDOWN,      /* arg0: 0 read, 1 write, 2 both */
    SECOS_NETSRV_GETNAME,       /* arg0: 0 local, 1 peer; reply: arg0 addr, arg1 port */
    SECOS_NETSRV_SETOPT,        /* arg0 option, arg1 value */
    SECOS_NETSRV_EV_DATA,       /* server -> kernel: payload received; datagram: arg0/arg1 source */
    SECOS_NETSRV_EV_CREDIT,     /* server -> kernel: arg3 more bytes the kernel may send */
    SECOS_NETSRV_EV_CLOSED,     /* server -> kernel: status 0 (peer's FIN) or -errno (reset) */
    SECOS_NETSRV_OP_LAST = SECOS_NETSRV_EV_CLOSED,
};

#endif
