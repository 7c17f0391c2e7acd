/* The socket table, the queue of messages to the network server, and what
 * each server message does to a socket (the invariants: socket/sock.h). */
#include "socket/sock.h"
#include "fs/file.h"
#include "kernel/proc.h"
#include "mm/kheap.h"
#include "mm/usercopy.h"
#include "lib/string.h"
#include "secos/errno.h"

struct sock_stats sock_stats;

static struct sock *table[SOCK_MAX];   /* slot id % SOCK_MAX */
static uint32_t next_id = 1, next_seq = 1;

/* Messages waiting for the server to read them, oldest first. */
struct qmsg {
    struct qmsg *next;
    uint32_t size;
    uint8_t data[];
};
static struct qmsg *outq_head, *outq_tail;
static uint32_t outq_bytes;

const void *sock_outq_chan(void) { return &outq_head; }

int sock_server_up(void) { return sock_stats.server_pid != 0; }

int sock_outq_room(void) { return outq_bytes < SOCK_OUTQ_MAX; }

int sock_outq_pending(void) { return outq_head != 0; }

static struct sock *lookup(uint32_t id) {
    struct sock *s = table[id % SOCK_MAX];
    return s && s->id == id ? s : 0;
}

void sock_wake(struct sock *s) {
    if (s->sleepers) wakeup(s);
    file_poll_notify();
}

int sock_wait(struct sock *s, uint64_t deadline) {
    s->sleepers++;
    int r = deadline ? sleep_on_until(s, deadline) : sleep_on(s);
    s->sleepers--;
    return r;
}

int sock_queue(const struct sockmsg *m, uint64_t ubuf, const void *kbuf, int force) {
    if (!sock_server_up()) return -ENETDOWN;
    if (!force && outq_bytes >= SOCK_OUTQ_MAX) return -EAGAIN;
    uint32_t size = SECOS_NETSRV_HDR_LEN + m->len;
    struct qmsg *q = kmalloc(sizeof *q + size);
    if (!q) return -ENOMEM;
    sockmsg_encode(q->data, size, m);
    if (m->len && kbuf) {
        memcpy(q->data + SECOS_NETSRV_HDR_LEN, kbuf, m->len);
    } else if (m->len && copy_from_user(q->data + SECOS_NETSRV_HDR_LEN, ubuf, m->len)) {
        kfree(q);
        return -EFAULT;
    }
    q->size = size;
    q->next = 0;
    if (outq_tail) outq_tail->next = q;
    else outq_head = q;
    outq_tail = q;
    outq_bytes += size;
    sock_stats.msgs_out++;
    wakeup(&outq_head);
    file_poll_notify();
    return 0;
}

/* A notice that names s and carries no payload. */
static void notice(struct sock *s, uint16_t op, uint32_t a0) {
    struct sockmsg m = { .op = op, .sock = s->id, .arg = { a0, 0, 0, 0 } };
    sock_queue(&m, 0, 0, 1);
}

long sock_outq_take(uint8_t *buf, uint32_t cap) {
    uint32_t n = 0;
    while (outq_head && outq_head->size <= cap - n) {
        struct qmsg *q = outq_head;
        memcpy(buf + n, q->data, q->size);
        n += q->size;
        outq_head = q->next;
        if (!outq_head) outq_tail = 0;
        outq_bytes -= q->size;
        kfree(q);
    }
    if (n == 0 && outq_head) return -EMSGSIZE;
    if (n) {
        /* Senders waiting for room in the queue sleep on their socket. */
        for (uint32_t i = 0; i < SOCK_MAX; i++)
            if (table[i] && table[i]->sleepers) wakeup(table[i]);
        file_poll_notify();
    }
    return n;
}

static void outq_flush(void) {
    while (outq_head) {
        struct qmsg *q = outq_head;
        outq_head = q->next;
        kfree(q);
    }
    outq_tail = 0;
    outq_bytes = 0;
}

static int alloc_slot(struct sock *s) {
    for (uint32_t tries = 0; tries < SOCK_MAX; tries++) {
        uint32_t id = next_id++;
        if (id == 0) id = next_id++;
        if (!table[id % SOCK_MAX]) {
            s->id = id;
            table[id % SOCK_MAX] = s;
            sock_stats.live++;
            return 0;
        }
    }
    return -ENFILE;
}

int sock_create_accepted(uint8_t type, struct sock **out) {
    if (!sock_server_up()) return -ENETDOWN;
    struct sock *s = kmalloc(sizeof *s);
    if (!s) return -ENOMEM;
    memset(s, 0, sizeof *s);
    s->type = type;
    s->state = SOCK_NEW;
    if (alloc_slot(s) != 0) { kfree(s); return -ENFILE; }
    sock_stats.opened++;
    *out = s;
    return 0;
}

int sock_create(uint8_t type, struct sock **out) {
    struct sock *s;
    int e = sock_create_accepted(type, &s);
    if (e) return e;
    struct sockmsg m = { .op = SECOS_NETSRV_OPEN, .sock = s->id, .arg = { type, 0, 0, 0 } };
    e = sock_queue(&m, 0, 0, 1);
    if (e) { sock_destroy(s); return e; }
    *out = s;
    return 0;
}

void sock_free_rx(struct sock *s) {
    while (s->rx_head) {
        struct sock_chunk *c = s->rx_head;
        s->rx_head = c->next;
        kfree(c);
    }
    s->rx_tail = 0;
    s->rx_bytes = 0;
}

/* No call waits on s here: every caller of sock_call holds a reference
 * on s's file, and the last reference is what destroys it. */
void sock_destroy(struct sock *s) {
    if (s->call_seq && s->call_op == SECOS_NETSRV_ACCEPT) {
        /* The connection an outstanding ACCEPT names has no owner now. */
        struct sock *n = lookup(s->call_new_id);
        if (n) sock_destroy(n);
    }
    if (lookup(s->id) == s) table[s->id % SOCK_MAX] = 0;
    notice(s, SECOS_NETSRV_CLOSE, 0);
    sock_free_rx(s);
    sock_stats.live--;
    sock_stats.closed++;
    kfree(s);
}

void sock_consumed(struct sock *s, uint32_t n) {
    s->rx_unreported += n;
    if (s->rx_unreported >= SECOS_NETSRV_RXWIN / 4 || s->rx_bytes == 0 || s->type != SECOS_NETSRV_STREAM) {
        if (s->state != SOCK_DEAD) notice(s, SECOS_NETSRV_RECVD, s->rx_unreported);
        s->rx_unreported = 0;
    }
}

/* Queues request m as s's outstanding call, answered into c (0: nobody waits). */
static int send_request(struct sock *s, struct sockmsg *m, struct sock_call *c) {
    m->sock = s->id;
    m->seq = next_seq++;
    if (m->seq == 0) m->seq = next_seq++;
    int e = sock_queue(m, 0, 0, 1);
    if (e) return e;
    s->call_seq = m->seq;
    s->call_op = m->op;
    s->call_new_id = m->op == SECOS_NETSRV_ACCEPT ? m->arg[0] : 0;
    s->call = c;
    return 0;
}

int sock_call_async(struct sock *s, struct sockmsg *m) {
    if (s->state == SOCK_DEAD) return s->dead_err;
    if (s->call_seq) return -EALREADY;
    return send_request(s, m, 0);
}

int sock_call(struct sock *s, struct sockmsg *m, struct sock_call *c) {
    while (s->call_seq && s->state != SOCK_DEAD)
        if (sock_wait(s, 0) < 0) return -EINTR;
    if (s->state == SOCK_DEAD) return s->dead_err;
    c->done = 0;
    int e = send_request(s, m, c);
    if (e) return e;
    while (!c->done) {
        if (sock_wait(s, 0) < 0) {
            if (!c->done) { s->call = 0; return -EINTR; }
        }
    }
    return c->status;
}

/* s can no longer be used: err is what its calls return from now on. */
static void kill_sock(struct sock *s, int32_t err) {
    if (s->state != SOCK_DEAD) {
        s->state = SOCK_DEAD;
        s->dead_err = err;
        if (!s->err) s->err = err;
    }
    if (s->call_seq) {
        if (s->call) { s->call->done = 1; s->call->status = err; }
        else if (s->call_op == SECOS_NETSRV_ACCEPT) {
            struct sock *n = lookup(s->call_new_id);
            if (n) sock_destroy(n);
        }
        s->call = 0;
        s->call_seq = 0;
    }
    sock_wake(s);
}

/* A well-formed message that breaks the protocol: the socket is reset and
 * the server told to forget it; the rest of the channel goes on. */
static void violation(struct sock *s) {
    sock_stats.violations++;
    if (s->state != SOCK_DEAD) {
        kill_sock(s, -EIO);
        notice(s, SECOS_NETSRV_CLOSE, 0);
    }
}

static void reply(struct sock *s, const struct sockmsg *m) {
    uint16_t op = m->op & (uint16_t)~SECOS_NETSRV_REPLY;
    if (!s->call_seq || m->seq != s->call_seq || op != s->call_op) { violation(s); return; }
    int ok = m->status >= 0;
    switch (op) {
    case SECOS_NETSRV_BIND:
        if (ok) { s->bound = 1; s->local_addr = m->arg[0]; s->local_port = m->arg[1]; }
        break;
    case SECOS_NETSRV_LISTEN:
        if (ok) s->state = SOCK_LISTENING;
        break;
    case SECOS_NETSRV_CONNECT:
        if (ok) {
            s->local_addr = m->arg[0];
            s->local_port = m->arg[1];
            s->bound = 1;
            if (s->type == SECOS_NETSRV_STREAM) s->state = SOCK_CONNECTED;
            else s->has_peer = 1;
        } else if (s->type == SECOS_NETSRV_STREAM) {
            s->err = m->status;          /* SO_ERROR after a non-blocking connect */
            s->state = SOCK_DEAD;
            s->dead_err = m->status;
        }
        break;
    case SECOS_NETSRV_ACCEPT: {
        struct sock *n = lookup(s->call_new_id);
        if (n && ok) {
            n->state = SOCK_CONNECTED;
            n->peer_addr = m->arg[0];
            n->peer_port = m->arg[1];
            n->has_peer = 1;
            n->local_addr = s->local_addr;
            n->local_port = s->local_port;
            n->bound = 1;
        }
        if (n && !s->call) sock_destroy(n);   /* its caller gave up (a signal) */
        break;
    }
    default:
        break;
    }
    if (s->call) {
        s->call->done = 1;
        s->call->status = m->status;
        memcpy(s->call->arg, m->arg, sizeof m->arg);
    }
    s->call = 0;
    s->call_seq = 0;
    sock_wake(s);
}

static void data(struct sock *s, const struct sockmsg *m, const uint8_t *payload) {
    if (s->state == SOCK_DEAD) return;   /* data in flight before the server read our CLOSE */
    if (s->rx_bytes + m->len > SECOS_NETSRV_RXWIN || s->state == SOCK_LISTENING) { violation(s); return; }
    if (s->shut_rd) {                  /* nobody will read it: give the window back */
        notice(s, SECOS_NETSRV_RECVD, m->len);
        return;
    }
    struct sock_chunk *c = kmalloc(sizeof *c + m->len);
    if (!c) { kill_sock(s, -ENOMEM); notice(s, SECOS_NETSRV_CLOSE, 0); return; }
    c->next = 0;
    c->len = m->len;
    c->off = 0;
    c->addr = m->arg[0];
    c->port = m->arg[1];
    memcpy(c->data, payload, m->len);
    if (s->rx_tail) s->rx_tail->next = c;
    else s->rx_head = c;
    s->rx_tail = c;
    s->rx_bytes += m->len;
    sock_stats.bytes_in += m->len;
    sock_wake(s);
}

void sock_deliver(const struct sockmsg *m, const uint8_t *payload) {
    sock_stats.msgs_in++;
    uint16_t op = m->op & (uint16_t)~SECOS_NETSRV_REPLY;
    if (op == SECOS_NETSRV_EV_IFADDR) {
        sock_stats.if_addr = m->arg[0];
        sock_stats.if_mask = m->arg[1];
        sock_stats.if_gw = m->arg[2];
        sock_stats.if_dns = m->arg[3];
        return;
    }
    struct sock *s = lookup(m->sock);
    if (!s) return;                    /* closed meanwhile: the server learns it from CLOSE */
    if (m->op & SECOS_NETSRV_REPLY) { reply(s, m); return; }
    switch (op) {
    case SECOS_NETSRV_EV_DATA:
        data(s, m, payload);
        break;
    case SECOS_NETSRV_EV_CREDIT:
        if (m->arg[0] > (16u << 20) - s->credit) { violation(s); break; }
        s->credit += m->arg[0];
        sock_wake(s);
        break;
    case SECOS_NETSRV_EV_CLOSED:
        if (m->status == 0) s->eof = 1;
        else kill_sock(s, m->status);
        sock_wake(s);
        break;
    case SECOS_NETSRV_EV_ACCEPTQ:
        if (s->state != SOCK_LISTENING || s->acceptq >= 4 * SECOS_NETSRV_BACKLOG_MAX) { violation(s); break; }
        s->acceptq++;
        sock_wake(s);
        break;
    default:
        break;
    }
}

void sock_server_attach(uint32_t pid) {
    sock_stats.server_pid = pid;
    sock_stats.server_starts++;
}

void sock_server_detach(void) {
    sock_stats.server_pid = 0;
    sock_stats.if_addr = sock_stats.if_mask = sock_stats.if_gw = sock_stats.if_dns = 0;
    outq_flush();
    for (uint32_t i = 0; i < SOCK_MAX; i++) {
        struct sock *s = table[i];
        if (s) kill_sock(s, s->state == SOCK_CONNECTED ? -ECONNRESET : -ENETDOWN);
    }
    file_poll_notify();
}
