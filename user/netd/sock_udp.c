/* Datagram sockets over lwIP's UDP pcbs. Each datagram is one EV_DATA
 * (dropped when it is larger than SECOS_NETSRV_DATA_MAX or the window has
 * no room for it, as a full socket buffer drops on Linux) and each SEND one
 * datagram, whose credit goes back as soon as lwIP took (or refused) it:
 * the kernel's credit is never stranded. */
#include "netd.h"
#include "sock.h"
#include "lwip/ip4.h"
#include "lwip/netif.h"
#include "lwip/udp.h"
#include <errno.h>
#include <string.h>

static void on_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr, u16_t port) {
    (void)pcb;
    struct sock *s = arg;
    if (s && s->id && p->tot_len <= SECOS_NETSRV_DATA_MAX && p->tot_len <= s->rxwin) {
        pbuf_copy_partial(p, chan_data(s->id, p->tot_len, addr_host(addr), port), p->tot_len, 0);
        s->rxwin -= p->tot_len;
    }
    pbuf_free(p);
}

void udp_open(struct sock *s) {
    struct udp_pcb *pcb = udp_new();
    if (!pcb) {
        s->state = SS_DEAD;
        s->dead_err = -ENOBUFS;
        chan_closed(s, -ENOBUFS);
        return;
    }
    s->state = SS_NEW;
    s->pcb.udp = pcb;
    udp_recv(pcb, on_recv, s);
    chan_event(SECOS_NETSRV_EV_CREDIT, s->id, 0, SOCK_DGRAM_CREDIT, 0);
}

/* The address a socket bound to "any" sends from towards remote (host order). */
static uint32_t source_for(uint32_t local, uint32_t remote) {
    if (local || !remote) return local;
    ip4_addr_t r;
    ip4_addr_set_u32(&r, lwip_htonl(remote));
    struct netif *n = ip4_route(&r);
    return n ? lwip_ntohl(ip4_addr_get_u32(netif_ip4_addr(n))) : 0;
}

static void names(struct sock *s) {
    struct udp_pcb *pcb = s->pcb.udp;
    int conn = (pcb->flags & UDP_FLAGS_CONNECTED) != 0;
    s->peer_addr = conn ? addr_host(&pcb->remote_ip) : 0;
    s->peer_port = conn ? pcb->remote_port : 0;
    s->local_addr = source_for(addr_host(&pcb->local_ip), s->peer_addr);
    s->local_port = pcb->local_port;
}

static void send_one(struct sock *s, const struct sockmsg *m, const uint8_t *payload) {
    struct udp_pcb *pcb = s->pcb.udp;
    int conn = (pcb->flags & UDP_FLAGS_CONNECTED) != 0;
    uint32_t addr = m->arg[0] ? m->arg[0] : 0x7f000001u;
    if (m->arg[2] == 1 ? !conn : m->arg[1] == 0 || m->arg[1] > 0xffff) return;
    struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)m->len, PBUF_RAM);
    if (!p) return;                    /* dropped, as a full device queue would */
    memcpy(p->payload, payload, m->len);
    if (m->arg[2] == 1) {
        udp_send(pcb, p);
    } else {
        ip_addr_t ip;
        addr_lwip(&ip, addr);
        udp_sendto(pcb, p, &ip, (u16_t)m->arg[1]);
    }
    pbuf_free(p);
}

void udp_handle(struct sock *s, const struct sockmsg *m, const uint8_t *payload) {
    struct udp_pcb *pcb = s->pcb.udp;
    if (s->state == SS_DEAD || !pcb) {
        if (sockmsg_is_request(m->op)) chan_reply(m, s->dead_err ? s->dead_err : -EINVAL, 0, 0);
        return;
    }
    ip_addr_t ip;
    err_t e;
    switch (m->op) {
    case SECOS_NETSRV_BIND: {
        int r = s->bound || m->arg[1] > 0xffff ? -EINVAL : addr_bindable(m->arg[0]);
        if (r == 0) {
            addr_lwip(&ip, m->arg[0]);
            e = udp_bind(pcb, &ip, (u16_t)m->arg[1]);
            r = sock_errno(e);
        }
        if (r == 0) s->bound = 1;
        names(s);
        chan_reply(m, r, s->local_addr, s->local_port);
        break;
    }
    case SECOS_NETSRV_CONNECT: {
        if (m->arg[1] > 0xffff) { chan_reply(m, -EINVAL, 0, 0); break; }
        if (m->arg[0] == 0 && m->arg[1] == 0) {
            udp_disconnect(pcb);       /* connect to nothing: back to unconnected */
            s->state = SS_NEW;
            names(s);
            chan_reply(m, 0, s->local_addr, s->local_port);
            break;
        }
        addr_lwip(&ip, m->arg[0] ? m->arg[0] : 0x7f000001u);
        e = udp_connect(pcb, &ip, (u16_t)m->arg[1]);   /* binds an ephemeral port if unbound */
        if (e == ERR_OK) {
            s->bound = 1;
            s->state = SS_CONNECTED;
        }
        names(s);
        chan_reply(m, sock_errno(e), s->local_addr, s->local_port);
        break;
    }
    case SECOS_NETSRV_SEND:
        send_one(s, m, payload);
        s->bound = 1;                  /* udp_sendto binds an ephemeral port */
        if (m->len) chan_event(SECOS_NETSRV_EV_CREDIT, s->id, 0, m->len, 0);
        break;
    case SECOS_NETSRV_GETNAME:
        names(s);
        if (m->arg[0] == 0) chan_reply(m, 0, s->local_addr, s->local_port);
        else if (pcb->flags & UDP_FLAGS_CONNECTED) chan_reply(m, 0, s->peer_addr, s->peer_port);
        else chan_reply(m, -ENOTCONN, 0, 0);
        break;
    case SECOS_NETSRV_SETOPT: {
        u8_t flag = m->arg[0] == SECOS_NETSRV_OPT_REUSEADDR ? SOF_REUSEADDR
                  : m->arg[0] == SECOS_NETSRV_OPT_BROADCAST ? SOF_BROADCAST : 0;
        if (flag && m->arg[1]) ip_set_option(pcb, flag);
        else if (flag) ip_reset_option(pcb, flag);
        break;
    }
    case SECOS_NETSRV_RECVD:      /* the window grew (sockserv.c) */
    case SECOS_NETSRV_SHUTDOWN:   /* the kernel's own state */
        break;
    default:                       /* LISTEN, ACCEPT: not for datagrams */
        if (sockmsg_is_request(m->op)) chan_reply(m, -EOPNOTSUPP, 0, 0);
        break;
    }
}

void udp_drop(struct sock *s) {
    if (s->pcb.udp) udp_remove(s->pcb.udp);
    sock_free(s);
}
