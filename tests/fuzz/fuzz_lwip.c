/* Fuzzes lwIP, netd's TCP/IP stack (user/netd/, lwIP 2.1.3 from Debian's
 * source package in build/lwip), with what the network could send netd:
 * Ethernet frames into a netif, lwIP's timers running between them. The
 * modules are netd's (IPv4, ARP, ICMP, raw, UDP, TCP, DHCP, DNS; configured
 * in tests/fuzz/lwip/lwipopts.h, asserts on), and so are the roles: a TCP
 * listener on port 80 that answers a request with 20 KB, an active
 * connection to 10.0.2.2:8080 that sends a request and reads the answer, a
 * UDP echo on port 7, a DNS lookup, a raw ICMP PCB (ping). Modeled on lwIP's
 * own AFL harness (test/fuzz/fuzz.c, multi-packet mode), written for
 * libFuzzer: one process runs every input, so after each one the harness
 * frees every object lwIP allocated and puts lwIP's variables back as they
 * were before lwip_init() (tests/fuzz/lwip/state_section.h).
 *
 * Input: one configuration byte, then records of
 *     u8 delay, u16 length (big-endian, low 11 bits, at most 1514), frame
 * delay (before the frame, lwIP's timers run every 250 ms of it):
 * 0-127: 10 ms units; 128-255: (delay - 127) * 2 s, up to 256 s.
 * Configuration bits: 0x01 DHCP (the roles start once a lease is bound;
 * otherwise 10.0.2.15/24, gateway 10.0.2.2: QEMU's user network),
 * 0x02 checksums checked (otherwise not, so mutated frames get through),
 * 0x04 DNS lookup of example.org, 0x08 ping (an echo request to the gateway,
 * replies taken by a raw PCB), 0x10 no active connection.
 * Fixed "random" numbers: LWIP_RAND() is 0x2a2a2a2a, every TCP initial
 * sequence number 0x5ec00000 (tests/fuzz/mkcorpus.py builds seeds that
 * answer them). FUZZ_LWIP_TRACE=1 in the environment prints every frame
 * lwIP sends, in hex, to stderr. */
#include "lwip/dhcp.h"
#include "lwip/dns.h"
#include "lwip/etharp.h"
#include "lwip/icmp.h"
#include "lwip/inet_chksum.h"
#include "lwip/init.h"
#include "lwip/ip4.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/raw.h"
#include "lwip/tcp.h"
#include "lwip/timeouts.h"
#include "lwip/udp.h"
#include "netif/ethernet.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CFG_DHCP     0x01
#define CFG_CHECKSUM 0x02
#define CFG_DNS      0x04
#define CFG_PING     0x08
#define CFG_NOCONN   0x10

#define FRAME_MAX   1514
#define RESPONSE    20000   /* bytes the listener sends per connection */
#define MAX_SERVED  8

#define CHECK(cond)                                                                \
    do {                                                                           \
        if (!(cond)) {                                                             \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                               \
        }                                                                          \
    } while (0)

/* ---- lwIP's memory: every allocation remembered, all freed after an input -- */
static void **live;
static size_t live_n, live_cap;

static void *remember(void *p) {
    if (!p) return p;
    if (live_n == live_cap) {
        live_cap = live_cap ? 2 * live_cap : 1024;
        live = realloc(live, live_cap * sizeof *live);
        CHECK(live);
    }
    live[live_n++] = p;
    return p;
}
void *fuzz_lwip_malloc(size_t size) { return remember(malloc(size)); }
void *fuzz_lwip_calloc(size_t n, size_t size) { return remember(calloc(n, size)); }
void fuzz_lwip_free(void *p) {
    if (!p) return;
    for (size_t i = live_n; i-- > 0;) {
        if (live[i] == p) {
            live[i] = live[--live_n];
            free(p);
            return;
        }
    }
    CHECK(!"lwIP freed memory it did not allocate");
}

/* ---- lwIP's variables: saved once, restored after every input ------------ */
extern uint8_t __start_fz_lwip_data[] __attribute__((weak)), __stop_fz_lwip_data[] __attribute__((weak));
extern uint8_t __start_fz_lwip_bss[] __attribute__((weak)), __stop_fz_lwip_bss[] __attribute__((weak));
static uint8_t *saved_data, *saved_bss;

/* Byte by byte and uninstrumented: the sections hold ASan's redzones too. */
__attribute__((no_sanitize("address"))) static void copy_raw(uint8_t *dst, const uint8_t *src, size_t n) {
    volatile uint8_t *d = dst;
    const volatile uint8_t *s = src;
    for (size_t i = 0; i < n; i++) d[i] = s[i];
}
static size_t span(const uint8_t *a, const uint8_t *b) { return a && b ? (size_t)(b - a) : 0; }
static void state_save(void) {
    saved_data = malloc(span(__start_fz_lwip_data, __stop_fz_lwip_data) + 1);
    saved_bss = malloc(span(__start_fz_lwip_bss, __stop_fz_lwip_bss) + 1);
    CHECK(saved_data && saved_bss);
    copy_raw(saved_data, __start_fz_lwip_data, span(__start_fz_lwip_data, __stop_fz_lwip_data));
    copy_raw(saved_bss, __start_fz_lwip_bss, span(__start_fz_lwip_bss, __stop_fz_lwip_bss));
}
static void state_restore(void) {
    copy_raw(__start_fz_lwip_data, saved_data, span(__start_fz_lwip_data, __stop_fz_lwip_data));
    copy_raw(__start_fz_lwip_bss, saved_bss, span(__start_fz_lwip_bss, __stop_fz_lwip_bss));
}

/* ---- the platform: clock, randomness, ISN ---------------------------------- */
static struct {
    u32_t now;
    unsigned cfg;
    int started;
    struct netif nif;
    struct tcp_pcb *client;
    struct raw_pcb *ping;
    struct served {
        struct tcp_pcb *pcb;
        size_t sent;
        int responding;
    } served[MAX_SERVED];
} h;
static int trace;

u32_t sys_now(void) { return h.now; }
uint32_t fuzz_lwip_rand(void) { return 0x2a2a2a2au; }
u32_t fuzz_lwip_tcp_isn(const ip_addr_t *local_ip, u16_t local_port, const ip_addr_t *remote_ip, u16_t remote_port) {
    (void)local_ip, (void)local_port, (void)remote_ip, (void)remote_port;
    return 0x5ec00000u;
}

/* ---- the netif: what lwIP sends is checked and dropped --------------------- */
static err_t link_output(struct netif *nif, struct pbuf *p) {
    static uint8_t frame[FRAME_MAX + 64];
    CHECK(p->tot_len <= nif->mtu + 14 + 4);
    u16_t n = pbuf_copy_partial(p, frame, p->tot_len, 0);   /* reads every byte: ASan checks them */
    CHECK(n == p->tot_len);
    if (trace) {
        fprintf(stderr, "out %u:", n);
        for (u16_t i = 0; i < n; i++) fprintf(stderr, "%02x", frame[i]);
        fprintf(stderr, "\n");
    }
    return ERR_OK;
}

static err_t nif_init(struct netif *nif) {
    static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };   /* QEMU's default */
    nif->name[0] = 'f';
    nif->name[1] = 'z';
    nif->hwaddr_len = 6;
    memcpy(nif->hwaddr, mac, 6);
    nif->mtu = 1500;
    nif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET | NETIF_FLAG_LINK_UP;
    nif->output = etharp_output;
    nif->linkoutput = link_output;
    return ERR_OK;
}

/* ---- the listener (netd --serve): a request in, RESPONSE bytes out --------- */
static const uint8_t pattern[2048] = { 'H', 'T', 'T', 'P', '/', '1', '.', '0', ' ', '2', '0', '0' };

static void served_free(struct served *s) {
    tcp_arg(s->pcb, NULL);
    tcp_recv(s->pcb, NULL);
    tcp_sent(s->pcb, NULL);
    tcp_err(s->pcb, NULL);
    s->pcb = NULL;
}

static void serve_more(struct served *s) {
    while (s->pcb && s->sent < RESPONSE) {
        size_t n = RESPONSE - s->sent;
        if (n > sizeof pattern) n = sizeof pattern;
        if (n > tcp_sndbuf(s->pcb)) n = tcp_sndbuf(s->pcb);
        if (n == 0) break;
        if (tcp_write(s->pcb, pattern, (u16_t)n, TCP_WRITE_FLAG_COPY) != ERR_OK) break;
        s->sent += n;
    }
    if (!s->pcb) return;
    if (s->sent == RESPONSE) {
        struct tcp_pcb *pcb = s->pcb;
        served_free(s);
        if (tcp_close(pcb) != ERR_OK) tcp_abort(pcb);
        return;
    }
    tcp_output(s->pcb);
}

static err_t served_sent(void *arg, struct tcp_pcb *pcb, u16_t len) {
    (void)pcb, (void)len;
    serve_more(arg);
    return ERR_OK;
}

static err_t served_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err) {
    struct served *s = arg;
    if (!p || err != ERR_OK) {
        if (p) pbuf_free(p);
        served_free(s);
        if (tcp_close(pcb) != ERR_OK) {
            tcp_abort(pcb);
            return ERR_ABRT;
        }
        return ERR_OK;
    }
    tcp_recved(pcb, p->tot_len);
    pbuf_free(p);
    if (!s->responding) {
        s->responding = 1;
        serve_more(s);
        if (!s->pcb) return ERR_OK;   /* closed (lwIP keeps the PCB until the FIN is acknowledged) */
    }
    return ERR_OK;
}

static void served_err(void *arg, err_t err) {
    (void)err;
    ((struct served *)arg)->pcb = NULL;   /* lwIP has freed it */
}

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err) {
    (void)arg;
    if (err != ERR_OK || !pcb) return ERR_VAL;
    for (int i = 0; i < MAX_SERVED; i++) {
        struct served *s = &h.served[i];
        if (s->pcb) continue;
        memset(s, 0, sizeof *s);
        s->pcb = pcb;
        tcp_arg(pcb, s);
        tcp_recv(pcb, served_recv);
        tcp_sent(pcb, served_sent);
        tcp_err(pcb, served_err);
        return ERR_OK;
    }
    tcp_abort(pcb);
    return ERR_ABRT;
}

/* ---- the active connection (netd --get) ------------------------------------ */
static err_t client_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err) {
    (void)arg;
    if (!p || err != ERR_OK) {
        if (p) pbuf_free(p);
        h.client = NULL;
        tcp_arg(pcb, NULL);
        tcp_recv(pcb, NULL);
        tcp_err(pcb, NULL);
        if (tcp_close(pcb) != ERR_OK) {
            tcp_abort(pcb);
            return ERR_ABRT;
        }
        return ERR_OK;
    }
    tcp_recved(pcb, p->tot_len);
    pbuf_free(p);
    return ERR_OK;
}

static void client_err(void *arg, err_t err) {
    (void)arg, (void)err;
    h.client = NULL;
}

static err_t client_connected(void *arg, struct tcp_pcb *pcb, err_t err) {
    static const char req[] = "GET /blob HTTP/1.0\r\nHost: 10.0.2.2:8080\r\nUser-Agent: netd\r\n\r\n";
    (void)arg;
    if (err != ERR_OK) return err;
    if (tcp_write(pcb, req, sizeof req - 1, TCP_WRITE_FLAG_COPY) != ERR_OK) return ERR_OK;
    tcp_output(pcb);
    return ERR_OK;
}

/* ---- UDP echo, DNS, ping --------------------------------------------------- */
static void echo_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr, u16_t port) {
    (void)arg;
    udp_sendto(pcb, p, addr, port);
    pbuf_free(p);
}

static void dns_found(const char *name, const ip_addr_t *addr, void *arg) {
    (void)arg;
    CHECK(name != NULL);
    if (addr) CHECK(IP_IS_V4(addr));
}

static u8_t ping_recv(void *arg, struct raw_pcb *pcb, struct pbuf *p, const ip_addr_t *addr) {
    (void)arg, (void)pcb, (void)addr;
    struct icmp_echo_hdr echo;
    if (p->tot_len >= IP_HLEN + sizeof echo && pbuf_copy_partial(p, &echo, sizeof echo, IP_HLEN) == sizeof echo &&
        echo.type == ICMP_ER && echo.id == PP_HTONS(0x5ec0)) {
        pbuf_free(p);
        return 1;
    }
    return 0;
}

static void ping_send(void) {
    struct pbuf *p = pbuf_alloc(PBUF_IP, sizeof(struct icmp_echo_hdr) + 32, PBUF_RAM);
    if (!p) return;
    struct icmp_echo_hdr *e = p->payload;
    memset(e, 0, p->len);
    ICMPH_TYPE_SET(e, ICMP_ECHO);
    e->id = PP_HTONS(0x5ec0);
    e->seqno = PP_HTONS(1);
    e->chksum = inet_chksum(e, p->len);
    ip_addr_t gw;
    IP_ADDR4(&gw, 10, 0, 2, 2);
    raw_sendto(h.ping, p, &gw);
    pbuf_free(p);
}

/* Everything netd runs once it has an address. */
static void start_roles(void) {
    if (h.started) return;
    h.started = 1;
    struct tcp_pcb *l = tcp_new();
    CHECK(l);
    CHECK(tcp_bind(l, IP_ANY_TYPE, 80) == ERR_OK);
    struct tcp_pcb *listener = tcp_listen(l);
    CHECK(listener);
    tcp_accept(listener, on_accept);

    struct udp_pcb *u = udp_new();
    CHECK(u);
    CHECK(udp_bind(u, IP_ANY_TYPE, 7) == ERR_OK);
    udp_recv(u, echo_recv, NULL);

    if (!(h.cfg & CFG_NOCONN)) {
        h.client = tcp_new();
        CHECK(h.client);
        tcp_recv(h.client, client_recv);
        tcp_err(h.client, client_err);
        ip_addr_t dst;
        IP_ADDR4(&dst, 10, 0, 2, 2);
        if (tcp_connect(h.client, &dst, 8080, client_connected) != ERR_OK) {
            tcp_abort(h.client);
            h.client = NULL;
        }
    }
    if (h.cfg & CFG_DNS) {
        ip_addr_t a;
        dns_gethostbyname("example.org", &a, dns_found, NULL);
    }
    if (h.cfg & CFG_PING) {
        h.ping = raw_new(IP_PROTO_ICMP);
        CHECK(h.ping);
        raw_recv(h.ping, ping_recv, NULL);
        raw_bind(h.ping, IP_ADDR_ANY);
        ping_send();
    }
}

static void on_status(struct netif *n) {
    if (!ip4_addr_isany_val(*netif_ip4_addr(n))) start_roles();
}

static void advance(u32_t ms) {
    while (ms > 0) {
        u32_t step = ms < 250 ? ms : 250;
        h.now += step;
        ms -= step;
        netif_poll_all();
        sys_check_timeouts();
    }
}

static void input_frame(const uint8_t *f, u16_t len) {
    struct pbuf *p = pbuf_alloc(PBUF_RAW, len, PBUF_POOL);
    if (!p) return;
    CHECK(pbuf_take(p, f, len) == ERR_OK);
    if (h.nif.input(p, &h.nif) != ERR_OK) pbuf_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static int saved;
    if (!saved) {
        state_save();
        trace = getenv("FUZZ_LWIP_TRACE") != NULL;
        saved = 1;
    }
    memset(&h, 0, sizeof h);
    h.now = 1000;
    if (size < 1) return 0;
    h.cfg = data[0];
    data++, size--;

    lwip_init();
    ip4_addr_t ip, mask, gw, dns;
    IP4_ADDR(&gw, 10, 0, 2, 2);
    IP4_ADDR(&dns, 10, 0, 2, 3);
    if (h.cfg & CFG_DHCP) {
        ip4_addr_set_zero(&ip);
        ip4_addr_set_zero(&mask);
        ip4_addr_set_zero(&gw);
    } else {
        IP4_ADDR(&ip, 10, 0, 2, 15);
        IP4_ADDR(&mask, 255, 255, 255, 0);
    }
    CHECK(netif_add(&h.nif, &ip, &mask, &gw, NULL, nif_init, ethernet_input) == &h.nif);
    NETIF_SET_CHECKSUM_CTRL(&h.nif, (h.cfg & CFG_CHECKSUM) ? NETIF_CHECKSUM_ENABLE_ALL
                                                           : NETIF_CHECKSUM_GEN_IP | NETIF_CHECKSUM_GEN_UDP |
                                                                 NETIF_CHECKSUM_GEN_TCP | NETIF_CHECKSUM_GEN_ICMP);
    netif_set_status_callback(&h.nif, on_status);
    netif_set_default(&h.nif);
    if (!(h.cfg & CFG_DHCP)) {   /* with DHCP, the lease names the server */
        ip_addr_t d;
        ip_addr_copy_from_ip4(d, dns);
        dns_setserver(0, &d);
    }
    netif_set_up(&h.nif);   /* with an address: the status callback starts the roles */
    if (h.cfg & CFG_DHCP) CHECK(dhcp_start(&h.nif) == ERR_OK);

    while (size >= 3) {
        u8_t delay = data[0];
        u16_t len = (u16_t)(((data[1] << 8) | data[2]) & 0x7ff);
        data += 3, size -= 3;
        if (len > FRAME_MAX) len = FRAME_MAX;
        if (len > size) len = (u16_t)size;
        advance(delay < 128 ? delay * 10u : (delay - 127u) * 2000u);
        if (len) input_frame(data, len);
        data += len, size -= len;
    }

    /* Back to the state before lwip_init(): lwIP's objects freed (without
     * its callbacks: the program "ends" here), its variables restored. */
    for (size_t i = 0; i < live_n; i++) free(live[i]);
    live_n = 0;
    state_restore();
    return 0;
}
