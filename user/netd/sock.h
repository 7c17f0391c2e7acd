/* netd's socket records and the helpers the per-protocol files share
 * (sockserv.c: the channel; socktab.c: the records; sock_tcp.c, sock_udp.c,
 * sock_icmp.c: one protocol each). The contract with the kernel is
 * include/secos/netsrv.h.
 *
 * Invariants every file keeps:
 * - A record named by the kernel (id != 0) is in the table until the
 *   kernel's CLOSE, whatever happened to its pcb (then pcb is NULL and the
 *   record only answers). A record with id 0 is not in the table: a
 *   connection waiting on its listener's queue, or a stream the kernel
 *   closed whose last bytes are still draining.
 * - Nothing is ever sent to the kernel for a record with id 0.
 * - rxwin is what may still go out as EV_DATA: SECOS_NETSRV_RXWIN at the
 *   start, minus every EV_DATA payload, plus every RECVD.
 * - A stream's credit granted to the kernel never exceeds the free space of
 *   its transmit buffer (tx): a SEND always fits.
 * - Whenever an lwIP pcb is given back to lwIP (closed, aborted) its arg and
 *   callbacks are cleared first, so no callback ever sees a freed record. */
#ifndef NETD_SOCK_H
#define NETD_SOCK_H
#include <stdint.h>
#include "lib/sockmsg.h"
#include "lwip/ip_addr.h"
#include "lwip/pbuf.h"

#define SOCK_TXBUF      16384u   /* a stream's transmit buffer = its credit */
#define SOCK_DGRAM_CREDIT 65536u /* a datagram socket's credit; back as each datagram leaves */
#define SOCK_MAX        4096     /* records at once (the kernel bounds its sockets too) */

enum sock_state {
    SS_NEW,          /* opened; maybe bound */
    SS_LISTEN,       /* stream listener */
    SS_CONNECTING,   /* stream: CONNECT outstanding (connect_seq) */
    SS_CONNECTED,    /* stream: established (or datagram with a default destination) */
    SS_PENDING,      /* stream: on a listener's queue, not accepted yet (id 0) */
    SS_DEAD,         /* pcb gone (EV_CLOSED -errno sent, or to be sent at accept) */
    SS_DRAINING,     /* stream: CLOSE received, tx still draining (id 0) */
};

struct sock {
    uint32_t id;
    uint8_t type;                 /* SECOS_NETSRV_STREAM / _DGRAM / _ICMP / _ICMP_RAW */
    uint8_t state;                /* enum sock_state */
    uint8_t bound;                /* BIND (or an implicit bind) happened */
    uint8_t fin_in;               /* stream: the peer's FIN arrived */
    uint8_t fin_told;             /* stream: EV_CLOSED 0 sent */
    uint8_t rd_shut;              /* stream: SHUTDOWN read: received bytes are dropped */
    uint8_t wr_shut;              /* stream: SHUTDOWN write asked: FIN once tx is empty */
    uint8_t fin_out;              /* stream: our FIN was handed to lwIP */
    uint8_t so_opts;              /* SOF_* asked by SETOPT (kept across a failed connect's new pcb) */
    uint8_t nodelay;              /* stream: TCP_NODELAY (accepted connections inherit it) */
    int32_t dead_err;             /* SS_DEAD: -errno (for a pending connection, told at accept) */
    union {
        struct tcp_pcb *tcp;
        struct tcp_pcb_listen *lis;
        struct udp_pcb *udp;
        struct raw_pcb *raw;
        void *any;
    } pcb;
    uint32_t rxwin;
    uint32_t connect_seq;         /* SS_CONNECTING: the request to answer */
    /* Stream receive side: bytes lwIP gave us that the window did not let
     * out yet (always less than TCP_WND), and bytes sent to the kernel that
     * it has not reported RECVD (tcp_recved is called only on RECVD). */
    struct pbuf *rxq;
    uint32_t unrecvd;
    /* Stream transmit side: a ring of SOCK_TXBUF bytes. */
    uint8_t *tx;
    uint32_t tx_head, tx_len;
    /* Listener: its queue of SS_PENDING records, oldest first. */
    struct sock *acc_head, *acc_tail;
    struct sock *acc_next;        /* SS_PENDING: next on the queue */
    struct sock *listener;        /* SS_PENDING: whose queue */
    /* ICMP: the identifier of the last echo request sent (replies with it are ours). */
    uint16_t icmp_id;
    uint8_t icmp_sent;
    /* Addresses remembered for GETNAME once the pcb is gone (host order). */
    uint32_t local_addr, peer_addr;
    uint16_t local_port, peer_port;
    struct sock *hnext;           /* table chain */
};

/* socktab.c */
struct sock *sock_new(uint32_t id, uint8_t type);   /* zeroed, rxwin set; not in the table; NULL: no memory or SOCK_MAX */
void sock_insert(struct sock *s);                   /* s->id != 0, not present */
struct sock *sock_find(uint32_t id);
void sock_remove(struct sock *s);                   /* out of the table (id kept) */
void sock_free(struct sock *s);                     /* frees rxq, tx and s itself; s must be out of the table */
int sock_count(void);

/* sockserv.c: queue a message for the kernel (flushed by the main loop). */
void chan_event(uint16_t op, uint32_t sock, int32_t status, uint32_t a0, uint32_t a1);
void chan_reply(const struct sockmsg *req, int32_t status, uint32_t a0, uint32_t a1);
/* Queues an EV_DATA header and returns where its len payload bytes go. */
uint8_t *chan_data(uint32_t sock, uint32_t len, uint32_t a0, uint32_t a1);
void chan_closed(struct sock *s, int32_t status);   /* EV_CLOSED unless s->id is 0 */

/* sock_err.c */
int sock_errno(err_t e);                            /* lwIP error -> -errno (Linux) */
uint32_t addr_host(const ip_addr_t *a);             /* lwIP address -> host integer */
void addr_lwip(ip_addr_t *out, uint32_t host);
/* 0 when host may be bound here: any, 127/8, or the interface's address. */
int addr_bindable(uint32_t host);

/* The per-type handlers. A request gets exactly one reply (now or later). */
void tcp_open(struct sock *s);
void tcp_handle(struct sock *s, const struct sockmsg *m, const uint8_t *payload);
void tcp_drop(struct sock *s);                      /* CLOSE: ends s, frees it now or once drained */
void udp_open(struct sock *s);
void udp_handle(struct sock *s, const struct sockmsg *m, const uint8_t *payload);
void udp_drop(struct sock *s);
void icmp_open(struct sock *s);
void icmp_handle(struct sock *s, const struct sockmsg *m, const uint8_t *payload);
void icmp_drop(struct sock *s);

#endif
