/* ICMP echo sockets (Linux's SOCK_DGRAM/IPPROTO_ICMP "ping" sockets) over a
 * raw lwIP pcb: SEND is an echo request (the checksum is ours to compute),
 * EV_DATA an echo reply without its IP header (SECOS_NETSRV_ICMP_RAW: with
 * it, as a raw socket shows it), from arg0. A socket gets the
 * replies carrying the identifier of its last request; everything else
 * goes on to the next pcb and to lwIP's own ICMP (which answers pings). */
#include "netd.h"
#include "sock.h"
#include "lwip/icmp.h"
#include "lwip/inet_chksum.h"
#include "lwip/ip.h"
#include "lwip/prot/ip4.h"
#include "lwip/raw.h"
#include <errno.h>
#include <string.h>

static u8_t on_recv(void *arg, struct raw_pcb *pcb, struct pbuf *p, const ip_addr_t *addr) {
    struct sock *s = arg;
    if (!s || !s->icmp_sent || p->len < IP_HLEN) return 0;
    u16_t hl = (u16_t)IPH_HL_BYTES((struct ip_hdr *)p->payload);
    struct icmp_echo_hdr e;
    if (hl < IP_HLEN || p->tot_len < hl + sizeof e || pbuf_copy_partial(p, &e, sizeof e, hl) != sizeof e) return 0;
    if (e.type != ICMP_ER || e.id != s->icmp_id) return 0;
    if ((pcb->flags & RAW_FLAGS_CONNECTED) && !ip_addr_cmp(addr, &pcb->remote_ip)) return 0;
    /* Ours from here on (lwIP does nothing with echo replies anyway). */
    int ok = pbuf_remove_header(p, hl) == 0 && inet_chksum_pbuf(p) == 0;
    if (ok && s->type == SECOS_NETSRV_ICMP_RAW) ok = pbuf_add_header(p, hl) == 0;
    if (ok && s->id && p->tot_len <= SECOS_NETSRV_DATA_MAX && p->tot_len <= s->rxwin) {
        pbuf_copy_partial(p, chan_data(s->id, p->tot_len, addr_host(addr), 0), p->tot_len, 0);
        s->rxwin -= p->tot_len;
    }
    pbuf_free(p);
    return 1;
}

void icmp_open(struct sock *s) {
    struct raw_pcb *pcb = raw_new(IP_PROTO_ICMP);
    if (!pcb) {
        s->state = SS_DEAD;
        s->dead_err = -ENOBUFS;
        chan_closed(s, -ENOBUFS);
        return;
    }
    s->state = SS_NEW;
    s->pcb.raw = pcb;
    raw_recv(pcb, on_recv, s);
    chan_event(SECOS_NETSRV_EV_CREDIT, s->id, 0, SOCK_DGRAM_CREDIT, 0);
}

static void send_echo(struct sock *s, const struct sockmsg *m, const uint8_t *payload) {
    struct raw_pcb *pcb = s->pcb.raw;
    if (m->len < sizeof(struct icmp_echo_hdr) || payload[0] != ICMP_ECHO || payload[1] != 0) return;
    if (m->arg[2] == 1 && !(pcb->flags & RAW_FLAGS_CONNECTED)) return;
    struct pbuf *p = pbuf_alloc(PBUF_IP, (u16_t)m->len, PBUF_RAM);
    if (!p) return;
    memcpy(p->payload, payload, m->len);
    struct icmp_echo_hdr *e = p->payload;
    e->chksum = 0;
    e->chksum = inet_chksum(e, (u16_t)m->len);
    s->icmp_id = e->id;
    s->icmp_sent = 1;
    if (m->arg[2] == 1) {
        raw_send(pcb, p);
    } else {
        ip_addr_t ip;
        addr_lwip(&ip, m->arg[0] ? m->arg[0] : 0x7f000001u);
        raw_sendto(pcb, p, &ip);
    }
    pbuf_free(p);
}

void icmp_handle(struct sock *s, const struct sockmsg *m, const uint8_t *payload) {
    struct raw_pcb *pcb = s->pcb.raw;
    if (s->state == SS_DEAD || !pcb) {
        if (sockmsg_is_request(m->op)) chan_reply(m, s->dead_err ? s->dead_err : -EINVAL, 0, 0);
        return;
    }
    ip_addr_t ip;
    switch (m->op) {
    case SECOS_NETSRV_BIND: {
        int r = s->bound ? -EINVAL : addr_bindable(m->arg[0]);
        if (r == 0) {
            addr_lwip(&ip, m->arg[0]);
            r = sock_errno(raw_bind(pcb, &ip));
        }
        if (r == 0) s->bound = 1;
        chan_reply(m, r, addr_host(&pcb->local_ip), m->arg[1]);
        break;
    }
    case SECOS_NETSRV_CONNECT:
        addr_lwip(&ip, m->arg[0] ? m->arg[0] : 0x7f000001u);
        chan_reply(m, sock_errno(raw_connect(pcb, &ip)), addr_host(&pcb->local_ip), 0);
        break;
    case SECOS_NETSRV_SEND:
        send_echo(s, m, payload);
        if (m->len) chan_event(SECOS_NETSRV_EV_CREDIT, s->id, 0, m->len, 0);
        break;
    case SECOS_NETSRV_GETNAME:
        if (m->arg[0] == 0) chan_reply(m, 0, addr_host(&pcb->local_ip), 0);
        else if (pcb->flags & RAW_FLAGS_CONNECTED) chan_reply(m, 0, addr_host(&pcb->remote_ip), 0);
        else chan_reply(m, -ENOTCONN, 0, 0);
        break;
    case SECOS_NETSRV_SETOPT:
        if (m->arg[0] == SECOS_NETSRV_OPT_BROADCAST) {
            if (m->arg[1]) ip_set_option(pcb, SOF_BROADCAST);
            else ip_reset_option(pcb, SOF_BROADCAST);
        }
        break;
    case SECOS_NETSRV_RECVD:
    case SECOS_NETSRV_SHUTDOWN:
        break;
    default:
        if (sockmsg_is_request(m->op)) chan_reply(m, -EOPNOTSUPP, 0, 0);
        break;
    }
}

void icmp_drop(struct sock *s) {
    if (s->pcb.raw) raw_remove(s->pcb.raw);
    sock_free(s);
}
