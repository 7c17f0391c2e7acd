/* Sockets: the kernel's half of every AF_INET socket. The protocol work is
 * the network server's (netd, ring 3): the kernel keeps each socket's
 * state, its received bytes and its send credit, and talks to the server
 * over /dev/netsrv (the contract: include/secos/netsrv.h).
 *
 * Invariants (one CPU; every change happens with interrupts off, so a
 * sleeper's check and sleep cannot miss a wakeup):
 *  - a socket's id is unique for the boot (ids only grow); the table maps
 *    live ids to sockets, and a message naming an unknown id is dropped;
 *  - the bytes queued in a socket's receive list never exceed
 *    SECOS_NETSRV_RXWIN: the server sends within the window, and a server
 *    that overruns it resets that socket instead of growing the queue;
 *  - the kernel never SENDs more than the credit the server granted;
 *  - at most one request per socket is outstanding (call_seq != 0);
 *  - while no server holds /dev/netsrv no socket is usable: the server's
 *    close marks every socket dead and wakes every sleeper. */
#ifndef SOCKET_SOCK_H
#define SOCKET_SOCK_H
#include <stdint.h>
#include "lib/sockmsg.h"

enum sock_state {
    SOCK_NEW,          /* opened; maybe bound */
    SOCK_CONNECTING,   /* CONNECT outstanding */
    SOCK_CONNECTED,
    SOCK_LISTENING,
    SOCK_DEAD,         /* the server is gone, or the socket failed for good */
};

/* Received payload: one EV_DATA, whole (a datagram) or a run of stream bytes. */
struct sock_chunk {
    struct sock_chunk *next;
    uint32_t len, off;          /* bytes in data; bytes already read (stream) */
    uint32_t addr, port;        /* datagram source */
    uint8_t data[];
};

/* A caller waiting for its request's reply (on its own kernel stack). */
struct sock_call {
    int done;
    int32_t status;
    uint32_t arg[4];
};

struct sock {
    uint32_t id;
    uint8_t type;               /* SECOS_NETSRV_STREAM, _DGRAM or _ICMP */
    uint8_t state;              /* enum sock_state */
    uint8_t eof;                /* the peer's FIN came (stream) */
    uint8_t shut_rd, shut_wr;
    uint8_t bound, has_peer;
    int32_t err;                /* a pending error (-errno) for SO_ERROR and the next call */
    int32_t dead_err;           /* what calls return once the socket is dead */
    struct sock_chunk *rx_head, *rx_tail;
    uint32_t rx_bytes;          /* queued payload bytes (the window in use) */
    uint32_t rx_unreported;     /* bytes read, not yet given back by RECVD */
    uint32_t credit;            /* bytes the kernel may still SEND */
    uint32_t acceptq;           /* connections pending at a listener */
    uint32_t call_seq;          /* the outstanding request, 0: none */
    uint16_t call_op;
    uint32_t call_new_id;       /* ACCEPT: the id offered for the connection */
    struct sock_call *call;     /* its waiter, 0 once it gave up */
    uint32_t local_addr, local_port, peer_addr, peer_port;
    uint32_t opts;              /* bit (SECOS_NETSRV_OPT_x): the option is on */
    uint32_t rcvtimeo_ms, sndtimeo_ms;
    uint32_t sleepers;
};

/* Counters for the console's `net` and /proc. */
struct sock_stats {
    uint64_t opened, closed, msgs_in, msgs_out, bytes_in, bytes_out;
    uint64_t violations;        /* well-formed server messages that broke the protocol */
    uint64_t malformed;         /* writes refused by sockmsg_decode_server */
    uint32_t live;              /* sockets alive now */
    uint32_t server_pid;        /* holder of /dev/netsrv, 0: none */
    uint32_t server_starts;
    uint32_t if_addr, if_mask, if_gw, if_dns;
};
extern struct sock_stats sock_stats;

#define SOCK_MAX 256            /* sockets alive at once */
#define SOCK_OUTQ_MAX (256u * 1024u) /* bytes queued for the server before senders wait */

/* Interrupts must be off around each of these (the callers' irq_save). */
/* A new socket of type (the OPEN queued): 0 and *out, or -ENETDOWN (no
 * server), -ENFILE (table full), -ENOMEM. */
int sock_create(uint8_t type, struct sock **out);
/* A socket whose id is known (accept's new connection): registered, not
 * opened at the server (the ACCEPT names it). */
int sock_create_accepted(uint8_t type, struct sock **out);
/* The last reference is gone: CLOSE queued, the socket forgotten and freed. */
void sock_destroy(struct sock *s);
/* Queues a message for the server (header from m, payload from user memory
 * ubuf, or from kbuf when it is not 0, when m->len: -EFAULT). force: past SOCK_OUTQ_MAX (CLOSE, RECVD:
 * small and must not wait). 0, -EAGAIN (queue full), -ENOMEM, -ENETDOWN. */
int sock_queue(const struct sockmsg *m, uint64_t ubuf, const void *kbuf, int force);
/* Room in the queue to the server now. */
int sock_outq_room(void);
/* Sends request m for s without waiting (a non-blocking connect): 0, or
 * -EALREADY while another request is outstanding, or the socket's dead
 * error. The reply updates the socket. */
int sock_call_async(struct sock *s, struct sockmsg *m);
/* Sends request m for s and waits for its reply: the reply's status (its
 * args in *c), -EINTR (the reply will still update the socket), or the
 * socket's dead error. */
int sock_call(struct sock *s, struct sockmsg *m, struct sock_call *c);
/* Sleeps on s until a change (data, credit, reply, death), a signal
 * (-EINTR) or deadline tick (0: none). */
int sock_wait(struct sock *s, uint64_t deadline);
void sock_wake(struct sock *s);
/* Frees every queued received chunk (rx_bytes becomes 0; no RECVD). */
void sock_free_rx(struct sock *s);
/* Gives read bytes back to the server (RECVD), in batches. */
void sock_consumed(struct sock *s, uint32_t n);

/* The server side (socket/netsrv_file.c). */
int sock_server_up(void);
void sock_server_attach(uint32_t pid);
void sock_server_detach(void);
/* Applies one checked server message (payload follows the header in buf). */
void sock_deliver(const struct sockmsg *m, const uint8_t *payload);
/* Moves queued messages into buf (cap bytes): bytes, 0 when none is queued,
 * -EMSGSIZE when the first does not fit. */
long sock_outq_take(uint8_t *buf, uint32_t cap);
/* 1 while a message waits for the server. */
int sock_outq_pending(void);
/* The channel a reader of /dev/netsrv sleeps on. */
const void *sock_outq_chan(void);

#endif
