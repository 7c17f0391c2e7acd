/* ICMP echo over a raw lwIP pcb: one request a second, replies matched by
 * identifier and sequence number, a reply more than 3 s late counts lost. */
#include "netd.h"
#include "lwip/icmp.h"
#include "lwip/inet_chksum.h"
#include "lwip/ip.h"
#include "lwip/raw.h"
#include "lwip/sys.h"
#include "lwip/timeouts.h"
#include <stdio.h>
#include <string.h>

static struct raw_pcb *pcb;
static ip_addr_t target;
static u16_t ident, seq;
static int want, sent, received, finished;
static u32_t sent_at[64];

static u8_t on_recv(void *arg, struct raw_pcb *pc, struct pbuf *p, const ip_addr_t *addr) {
    (void)arg; (void)pc;
    struct icmp_echo_hdr echo;
    u16_t hl = (u16_t)(IPH_HL_BYTES((struct ip_hdr *)p->payload));
    if (p->tot_len < hl + sizeof echo || pbuf_copy_partial(p, &echo, sizeof echo, hl) != sizeof echo) return 0;
    if (echo.type != ICMP_ER || echo.id != ident || !ip_addr_cmp(addr, &target)) return 0;
    u16_t s = lwip_ntohs(echo.seqno);
    if (s == 0 || s > sent) return 0;
    received++;
    printf("%u bytes from %s: icmp_seq=%u time=%u ms\n", (unsigned)(p->tot_len - hl), ipaddr_ntoa(addr), s,
           (unsigned)(sys_now() - sent_at[(s - 1) % 64]));
    pbuf_free(p);
    return 1;
}

static void finish(void *arg) {
    (void)arg;
    printf("%d packets transmitted, %d received\n", sent, received);
    finished = 1;
}

static void send_one(void *arg) {
    (void)arg;
    struct pbuf *p = pbuf_alloc(PBUF_IP, sizeof(struct icmp_echo_hdr) + 56, PBUF_RAM);
    if (!p) return;
    struct icmp_echo_hdr *e = p->payload;
    memset(e, 0, p->len);
    e->type = ICMP_ECHO;
    e->id = ident;
    e->seqno = lwip_htons(++seq);
    for (int i = 0; i < 56; i++) ((u8_t *)(e + 1))[i] = (u8_t)i;
    e->chksum = inet_chksum(e, p->len);
    sent_at[(seq - 1) % 64] = sys_now();
    raw_sendto(pcb, p, &target);
    pbuf_free(p);
    sent++;
    if (sent < want) sys_timeout(1000, send_one, 0);
    else sys_timeout(3000, finish, 0);
}

void ping_start(const ip4_addr_t *dst, int count) {
    ip_addr_copy_from_ip4(target, *dst);
    want = count;
    ident = (u16_t)netd_random_u32();
    pcb = raw_new(IP_PROTO_ICMP);
    raw_recv(pcb, on_recv, 0);
    raw_bind(pcb, IP_ADDR_ANY);
    printf("PING %s: 56 data bytes\n", ip4addr_ntoa(dst));
    send_one(0);
}

int ping_done(void) { return finished; }
int ping_received(void) { return received; }
