/* Stream sockets over lwIP's raw TCP API.
 *
 * Receive: lwIP's pbufs are queued on the record (rxq) and leave as EV_DATA
 * while the kernel's window (rxwin) has room; tcp_recved is called only when
 * the kernel reports RECVD, so TCP's own window is what holds the peer back.
 * TCP_WND is below SECOS_NETSRV_RXWIN, so rxq never waits long: everything
 * TCP lets in fits the kernel's buffer.
 *
 * Transmit: SEND bytes go into the record's ring (tx, SOCK_TXBUF), which is
 * exactly the credit the kernel holds; the ring drains into tcp_write as
 * lwIP's send buffer and segment queue allow (now, on every ack, every poll)
 * and every byte that went to lwIP is granted back as EV_CREDIT.
 *
 * lwIP owns a pcb from the moment both FINs are out (it may sit in
 * TIME_WAIT and be freed without a callback): such a pcb is detached at
 * once. The err callback means lwIP already freed the pcb. */
#include "netd.h"
#include "sock.h"
#include "lwip/tcp.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(TCP_WND <= SECOS_NETSRV_RXWIN, "TCP may let in more than the kernel's receive buffer");
_Static_assert(TCP_WND < 0xffff, "rxq's u16 tot_len holds at most TCP_WND bytes");

#define POLL_INTERVAL 1   /* lwIP's coarse timer ticks (500 ms) between retries of a stalled drain */

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err);
static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len);
static err_t on_poll(void *arg, struct tcp_pcb *pcb);
static void on_err(void *arg, err_t err);

static void attach(struct sock *s, struct tcp_pcb *pcb) {
    s->pcb.tcp = pcb;
    tcp_arg(pcb, s);
    tcp_recv(pcb, on_recv);
    tcp_sent(pcb, on_sent);
    tcp_poll(pcb, on_poll, POLL_INTERVAL);
    tcp_err(pcb, on_err);
}

/* The pcb is lwIP's from now on (a connection pcb, not a listener). */
static void detach(struct sock *s) {
    struct tcp_pcb *pcb = s->pcb.tcp;
    if (!pcb) return;
    tcp_arg(pcb, NULL);
    tcp_recv(pcb, NULL);
    tcp_sent(pcb, NULL);
    tcp_poll(pcb, NULL, 0);
    tcp_err(pcb, NULL);
    s->pcb.tcp = NULL;
}

static void names_from(struct sock *s, const struct tcp_pcb *pcb, int peer) {
    s->local_addr = addr_host(&pcb->local_ip);
    s->local_port = pcb->local_port;
    if (peer) {
        s->peer_addr = addr_host(&pcb->remote_ip);
        s->peer_port = pcb->remote_port;
    }
}

/* Gives n bytes back to TCP's receive window. */
static void recved(struct tcp_pcb *pcb, uint32_t n) {
    while (pcb && n) {
        u16_t k = n > 0xffff ? 0xffff : (u16_t)n;
        tcp_recved(pcb, k);
        n -= k;
    }
}

static void apply_opts(struct sock *s, struct tcp_pcb *pcb) {
    pcb->so_options = (u8_t)((pcb->so_options & ~(SOF_REUSEADDR | SOF_KEEPALIVE)) | s->so_opts);
    if (s->nodelay) tcp_nagle_disable(pcb);
    else tcp_nagle_enable(pcb);
}

/* Sends what rxq holds as the window allows; the peer's FIN once all of it is out. */
static void pump_rx(struct sock *s) {
    if (s->id == 0 || s->state == SS_DEAD) return;
    while (s->rxq && s->rxwin > 0) {
        uint32_t n = s->rxq->tot_len;
        if (n > s->rxwin) n = s->rxwin;
        if (n > SECOS_NETSRV_DATA_MAX) n = SECOS_NETSRV_DATA_MAX;
        pbuf_copy_partial(s->rxq, chan_data(s->id, n, 0, 0), (u16_t)n, 0);
        s->rxq = pbuf_free_header(s->rxq, (u16_t)n);
        s->rxwin -= n;
        s->unrecvd += n;
    }
    if (!s->rxq && s->fin_in && !s->fin_told) {
        s->fin_told = 1;
        chan_closed(s, 0);
    }
}

/* Drops what is queued for the kernel and gives it back to TCP's window
 * (SHUTDOWN read, CLOSE): the peer is not held back by bytes nobody reads. */
static void discard_rx(struct sock *s) {
    uint32_t n = s->unrecvd + (s->rxq ? s->rxq->tot_len : 0);
    if (s->rxq) pbuf_free(s->rxq);
    s->rxq = NULL;
    s->unrecvd = 0;
    recved(s->pcb.tcp, n);
}

/* The record's last act: a graceful close of its pcb (lwIP sends what it
 * has, then FIN), an abort if lwIP has no memory for that, and the record
 * freed. ERR_ABRT when the pcb was aborted (a callback must return it). */
static err_t finish(struct sock *s) {
    err_t r = ERR_OK;
    struct tcp_pcb *pcb = s->pcb.tcp;
    if (pcb) {
        discard_rx(s);
        detach(s);
        if (tcp_close(pcb) != ERR_OK) {
            tcp_abort(pcb);
            r = ERR_ABRT;
        }
    }
    sock_free(s);
    return r;
}

/* Moves tx into lwIP as far as it takes it, grants the bytes back, sends
 * our FIN once tx is empty after SHUTDOWN write, and finishes a draining
 * record whose tx emptied. ERR_ABRT when the pcb was aborted. */
static err_t drain(struct sock *s) {
    struct tcp_pcb *pcb = s->pcb.tcp;
    if (!pcb || !s->tx || (s->state != SS_CONNECTED && s->state != SS_DRAINING)) return ERR_OK;
    uint32_t moved = 0;
    while (s->tx_len) {
        uint32_t n = s->tx_len, room = tcp_sndbuf(pcb);
        if (n > SOCK_TXBUF - s->tx_head) n = SOCK_TXBUF - s->tx_head;
        if (n > room) n = room;
        if (n == 0) break;
        u8_t flags = TCP_WRITE_FLAG_COPY | (n < s->tx_len ? TCP_WRITE_FLAG_MORE : 0);
        if (tcp_write(pcb, s->tx + s->tx_head, (u16_t)n, flags) != ERR_OK) break;   /* ERR_MEM: next ack or poll */
        s->tx_head = (s->tx_head + n) % SOCK_TXBUF;
        s->tx_len -= n;
        moved += n;
    }
    if (moved) tcp_output(pcb);
    if (moved && s->state == SS_CONNECTED) chan_event(SECOS_NETSRV_EV_CREDIT, s->id, 0, moved, 0);
    if (s->tx_len) return ERR_OK;
    if (s->state == SS_DRAINING) return finish(s);
    if (s->wr_shut && !s->fin_out && tcp_shutdown(pcb, 0, 1) == ERR_OK) {
        s->fin_out = 1;
        if (s->fin_in) detach(s);      /* both FINs out: lwIP's now (LAST_ACK ends in ERR_CLSD otherwise) */
    }
    return ERR_OK;
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len) {
    (void)pcb; (void)len;
    struct sock *s = arg;
    return s ? drain(s) : ERR_OK;
}

static err_t on_poll(void *arg, struct tcp_pcb *pcb) {
    (void)pcb;
    struct sock *s = arg;
    return s ? drain(s) : ERR_OK;
}

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err) {
    struct sock *s = arg;
    (void)err;   /* always ERR_OK in lwIP 2.1 */
    if (!s) {
        if (p) { tcp_recved(pcb, p->tot_len); pbuf_free(p); }
        return ERR_OK;
    }
    if (!p) {
        s->fin_in = 1;
        pump_rx(s);
        if (s->fin_out) detach(s);     /* CLOSING / TIME_WAIT: lwIP frees it when it likes */
        return ERR_OK;
    }
    if (s->state == SS_DRAINING || s->rd_shut) {
        tcp_recved(pcb, p->tot_len);
        pbuf_free(p);
        return ERR_OK;
    }
    /* Held until ACCEPT: copied out of the frame pool, so that queued
     * connections cannot starve every other connection's input. */
    if (s->state == SS_PENDING) {
        struct pbuf *q = pbuf_clone(PBUF_RAW, PBUF_RAM, p);
        if (!q) return ERR_MEM;        /* lwIP keeps it and offers it again */
        pbuf_free(p);
        p = q;
    }
    if (s->rxq) pbuf_cat(s->rxq, p);
    else s->rxq = p;
    pump_rx(s);
    return ERR_OK;
}

static void connect_reply(struct sock *s, int32_t status) {
    struct sockmsg req = { .op = SECOS_NETSRV_CONNECT, .sock = s->id, .seq = s->connect_seq };
    s->connect_seq = 0;
    if (s->id) chan_reply(&req, status, s->local_addr, s->local_port);
}

/* A fresh pcb after a failed connect, so that connect may be tried again. */
static void renew(struct sock *s) {
    struct tcp_pcb *pcb = tcp_new();
    s->bound = 0;
    if (!pcb) {
        s->state = SS_DEAD;
        s->dead_err = -ENOBUFS;
        return;
    }
    s->state = SS_NEW;
    attach(s, pcb);
    apply_opts(s, pcb);
}

static void on_err(void *arg, err_t err) {
    struct sock *s = arg;
    if (!s) return;
    s->pcb.tcp = NULL;                 /* freed by lwIP before this call */
    switch (s->state) {
    case SS_CONNECTING:
        connect_reply(s, err == ERR_RST ? -ECONNREFUSED : err == ERR_ABRT ? -ETIMEDOUT : sock_errno(err));
        renew(s);
        return;
    case SS_DRAINING:
        sock_free(s);
        return;
    case SS_PENDING:
        s->state = SS_DEAD;
        s->dead_err = -ECONNRESET;
        if (s->rxq) pbuf_free(s->rxq);
        s->rxq = NULL;
        return;
    case SS_CONNECTED:
        if (err == ERR_CLSD) {         /* both sides closed normally; what rxq holds still goes out */
            pump_rx(s);
            return;
        }
        if (s->rxq) pbuf_free(s->rxq);
        s->rxq = NULL;
        s->state = SS_DEAD;
        s->dead_err = err == ERR_RST ? -ECONNRESET : err == ERR_ABRT ? -ETIMEDOUT : sock_errno(err);
        chan_closed(s, s->dead_err);
        return;
    default:
        s->state = SS_DEAD;
        s->dead_err = sock_errno(err);
        chan_closed(s, s->dead_err);
        return;
    }
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err) {
    struct sock *s = arg;
    (void)err;   /* always ERR_OK in lwIP 2.1: failures come through on_err */
    if (!s || s->state != SS_CONNECTING) return ERR_OK;
    names_from(s, pcb, 1);
    s->tx = s->tx ? s->tx : malloc(SOCK_TXBUF);
    if (!s->tx) {
        detach(s);
        tcp_abort(pcb);
        connect_reply(s, -ENOBUFS);
        renew(s);
        return ERR_ABRT;
    }
    s->state = SS_CONNECTED;
    chan_event(SECOS_NETSRV_EV_CREDIT, s->id, 0, SOCK_TXBUF, 0);
    connect_reply(s, 0);
    return ERR_OK;
}

/* A connection completed its handshake on a listener: queued (its bytes
 * and FIN are held) until ACCEPT names it; counted against the backlog
 * until then (tcp_backlog_delayed), so excess SYNs are dropped, as Linux
 * does with a full accept queue, and the client retries. */
static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err) {
    struct sock *l = arg;
    if (err != ERR_OK || !pcb || !l || l->state != SS_LISTEN) return ERR_VAL;
    struct sock *c = sock_new(0, SECOS_NETSRV_STREAM);
    if (c) c->tx = malloc(SOCK_TXBUF);
    if (!c || !c->tx) {
        if (c) sock_free(c);
        return ERR_MEM;                /* lwIP aborts the connection */
    }
    c->state = SS_PENDING;
    c->bound = 1;
    c->listener = l;
    c->so_opts = l->so_opts;
    c->nodelay = l->nodelay;
    attach(c, pcb);
    if (c->nodelay) tcp_nagle_disable(pcb);
    names_from(c, pcb, 1);
    if (l->acc_tail) l->acc_tail->acc_next = c;
    else l->acc_head = c;
    l->acc_tail = c;
    tcp_backlog_delayed(pcb);
    chan_event(SECOS_NETSRV_EV_ACCEPTQ, l->id, 0, 0, 0);
    return ERR_OK;
}

void tcp_open(struct sock *s) {
    struct tcp_pcb *pcb = tcp_new();
    if (!pcb) {
        s->state = SS_DEAD;
        s->dead_err = -ENOBUFS;
        chan_closed(s, -ENOBUFS);
        return;
    }
    s->state = SS_NEW;
    attach(s, pcb);
}

static int32_t do_bind(struct sock *s, uint32_t addr, uint32_t port) {
    if (s->state != SS_NEW || s->bound || port > 0xffff) return -EINVAL;
    int r = addr_bindable(addr);
    if (r) return r;
    ip_addr_t ip;
    addr_lwip(&ip, addr);
    err_t e = tcp_bind(s->pcb.tcp, &ip, (u16_t)port);
    if (e != ERR_OK) return sock_errno(e);
    s->bound = 1;
    names_from(s, s->pcb.tcp, 0);
    return 0;
}

static int32_t do_listen(struct sock *s, uint32_t backlog) {
    if (backlog < 1) backlog = 1;
    if (backlog > SECOS_NETSRV_BACKLOG_MAX) backlog = SECOS_NETSRV_BACKLOG_MAX;
    if (s->state == SS_LISTEN) {       /* listen again: a new backlog */
        tcp_backlog_set(s->pcb.lis, (u8_t)(backlog + 1));
        return 0;
    }
    if (s->state != SS_NEW) return -EINVAL;
    if (!s->bound) {
        int32_t r = do_bind(s, 0, 0);
        if (r) return r;
    }
    err_t e;
    /* Linux's accept queue holds backlog + 1 connections. */
    struct tcp_pcb *l = tcp_listen_with_backlog_and_err(s->pcb.tcp, (u8_t)(backlog + 1), &e);
    if (!l) return sock_errno(e);      /* the old pcb is still ours */
    s->pcb.tcp = l;                    /* the old pcb was freed by tcp_listen */
    tcp_arg(l, s);
    tcp_accept(l, on_accept);
    s->state = SS_LISTEN;
    return 0;
}

static int32_t do_connect(struct sock *s, const struct sockmsg *m) {
    if (s->state == SS_CONNECTING) return -EALREADY;
    if (s->state == SS_CONNECTED || s->state == SS_LISTEN) return -EISCONN;
    if (s->state != SS_NEW) return s->dead_err ? s->dead_err : -EINVAL;
    uint32_t addr = m->arg[0] ? m->arg[0] : 0x7f000001u;   /* Linux: INADDR_ANY is this host */
    if (m->arg[1] == 0 || m->arg[1] > 0xffff) return m->arg[1] ? -EINVAL : -ECONNREFUSED;
    if (addr == 0xffffffffu || (addr >> 28) == 0xe) return -ENETUNREACH;
    ip_addr_t ip;
    addr_lwip(&ip, addr);
    err_t e = tcp_connect(s->pcb.tcp, &ip, (u16_t)m->arg[1], on_connected);
    if (e != ERR_OK) return e == ERR_RTE ? -ENETUNREACH : sock_errno(e);
    s->bound = 1;
    s->state = SS_CONNECTING;
    s->connect_seq = m->seq;
    names_from(s, s->pcb.tcp, 0);
    return 1;                          /* answered later */
}

static void do_accept(struct sock *l, const struct sockmsg *m) {
    if (l->state != SS_LISTEN) { chan_reply(m, -EINVAL, 0, 0); return; }
    uint32_t id = m->arg[0];
    if (id == 0 || sock_find(id)) { chan_reply(m, -EINVAL, 0, 0); return; }
    struct sock *c = l->acc_head;
    if (!c) { chan_reply(m, -EAGAIN, 0, 0); return; }
    l->acc_head = c->acc_next;
    if (!l->acc_head) l->acc_tail = NULL;
    c->acc_next = NULL;
    c->listener = NULL;
    c->id = id;
    sock_insert(c);
    if (c->state == SS_DEAD) {         /* reset while it waited: accepted, then gone */
        chan_reply(m, 0, c->peer_addr, c->peer_port);
        chan_closed(c, c->dead_err);
        return;
    }
    tcp_backlog_accepted(c->pcb.tcp);
    c->state = SS_CONNECTED;
    chan_event(SECOS_NETSRV_EV_CREDIT, id, 0, SOCK_TXBUF, 0);
    chan_reply(m, 0, c->peer_addr, c->peer_port);
    pump_rx(c);
    if (c->fin_in && c->fin_out) detach(c);
}

static void do_send(struct sock *s, const struct sockmsg *m, const uint8_t *payload) {
    static int said;
    if (!s->tx || s->wr_shut || (s->state != SS_CONNECTED)) return;   /* gone: the kernel learns from EV_CLOSED */
    uint32_t n = m->len;
    if (n > SOCK_TXBUF - s->tx_len) {
        if (!said++) fprintf(stderr, "netd: socket %u sent beyond its credit: cut\n", (unsigned)s->id);
        n = SOCK_TXBUF - s->tx_len;
    }
    uint32_t tail = (s->tx_head + s->tx_len) % SOCK_TXBUF, first = SOCK_TXBUF - tail;
    if (first > n) first = n;
    memcpy(s->tx + tail, payload, first);
    memcpy(s->tx, payload + first, n - first);
    s->tx_len += n;
    drain(s);
}

static void do_getname(struct sock *s, const struct sockmsg *m) {
    if (s->pcb.any && s->state != SS_DEAD) {
        if (s->state == SS_LISTEN) {
            s->local_addr = addr_host(&s->pcb.lis->local_ip);
            s->local_port = s->pcb.lis->local_port;
        } else {
            names_from(s, s->pcb.tcp, s->state == SS_CONNECTED);
        }
    }
    if (m->arg[0] == 0) chan_reply(m, 0, s->local_addr, s->local_port);
    else if (s->state == SS_CONNECTED) chan_reply(m, 0, s->peer_addr, s->peer_port);
    else chan_reply(m, -ENOTCONN, 0, 0);
}

static void do_setopt(struct sock *s, uint32_t opt, uint32_t on) {
    u8_t flag = opt == SECOS_NETSRV_OPT_KEEPALIVE ? SOF_KEEPALIVE : opt == SECOS_NETSRV_OPT_REUSEADDR ? SOF_REUSEADDR : 0;
    if (flag) s->so_opts = (uint8_t)(on ? s->so_opts | flag : s->so_opts & ~flag);
    if (opt == SECOS_NETSRV_OPT_NODELAY) s->nodelay = on != 0;
    if (!s->pcb.any || s->state == SS_DEAD) return;
    if (s->state == SS_LISTEN) {
        struct tcp_pcb_listen *l = s->pcb.lis;
        l->so_options = (u8_t)((l->so_options & ~(SOF_REUSEADDR | SOF_KEEPALIVE)) | s->so_opts);
    } else {
        apply_opts(s, s->pcb.tcp);
    }
}

static void do_shutdown(struct sock *s, uint32_t how) {
    if (s->state != SS_CONNECTED) return;
    if (how == 0 || how == 2) {
        s->rd_shut = 1;
        discard_rx(s);
    }
    if (how == 1 || how == 2) {
        s->wr_shut = 1;
        drain(s);
    }
}

void tcp_handle(struct sock *s, const struct sockmsg *m, const uint8_t *payload) {
    int32_t r;
    switch (m->op) {
    case SECOS_NETSRV_BIND:
        r = do_bind(s, m->arg[0], m->arg[1]);
        chan_reply(m, r, s->local_addr, s->local_port);
        break;
    case SECOS_NETSRV_LISTEN:
        r = do_listen(s, m->arg[0]);
        chan_reply(m, r, s->local_addr, s->local_port);
        break;
    case SECOS_NETSRV_CONNECT:
        r = do_connect(s, m);
        if (r <= 0) chan_reply(m, r, s->local_addr, s->local_port);
        break;
    case SECOS_NETSRV_ACCEPT:
        do_accept(s, m);
        break;
    case SECOS_NETSRV_SEND:
        do_send(s, m, payload);
        break;
    case SECOS_NETSRV_RECVD: {
        uint32_t n = m->arg[0] > s->unrecvd ? s->unrecvd : m->arg[0];
        s->unrecvd -= n;
        if (s->state == SS_CONNECTED) recved(s->pcb.tcp, n);
        pump_rx(s);
        break;
    }
    case SECOS_NETSRV_SHUTDOWN:
        do_shutdown(s, m->arg[0]);
        break;
    case SECOS_NETSRV_GETNAME:
        do_getname(s, m);
        break;
    case SECOS_NETSRV_SETOPT:
        do_setopt(s, m->arg[0], m->arg[1]);
        break;
    default:
        if (sockmsg_is_request(m->op)) chan_reply(m, -EINVAL, 0, 0);
        break;
    }
}

void tcp_drop(struct sock *s) {
    s->id = 0;                         /* nothing more goes to the kernel about it */
    if (s->state == SS_LISTEN) {
        for (struct sock *c = s->acc_head, *next; c; c = next) {
            next = c->acc_next;
            struct tcp_pcb *pcb = c->pcb.tcp;
            detach(c);
            if (pcb) tcp_abort(pcb);
            sock_free(c);
        }
        struct tcp_pcb *l = s->pcb.tcp;
        tcp_arg(l, NULL);
        tcp_accept(l, NULL);
        tcp_close(l);                  /* always succeeds for a listener */
        sock_free(s);
        return;
    }
    if (s->state == SS_CONNECTED && s->pcb.tcp && s->tx_len && !s->fin_out) {
        s->state = SS_DRAINING;        /* the last bytes go out first, then FIN */
        discard_rx(s);
        drain(s);
        return;
    }
    finish(s);
}
