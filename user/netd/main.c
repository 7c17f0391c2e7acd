/* netd: brings the NIC up with DHCP and runs lwIP's loop: frames from the
 * raw device in, lwIP's timers, the loopback interface, frames out.
 *
 * usage: netd [--dev /dev/ethN] [--daemon] [--ping <ipv4> [count]] [--get <ipv4> <port> <path>] [--serve <port> <dir>] [--once]
 *   --daemon after the lease, serve the kernel's sockets over /dev/netsrv (sockserv.c) until
 *            the channel fails (exit 1: the kernel restarts netd); the kernel runs it (net=on)
 *   --ping   after the lease, ping the address count times (default 3), then exit
 *   --get    after the lease, HTTP GET path from ipv4:port, print size and SHA-256, then exit
 *   --serve  after the lease, serve the files under dir over HTTP/1.0 on port, until killed
 *   --once   exit as soon as the address is configured */
#include "netd.h"
#include "sockserv.h"
#include "lwip/dhcp.h"
#include "lwip/dns.h"
#include "lwip/init.h"
#include "lwip/ip4_addr.h"
#include "lwip/netif.h"
#include "lwip/timeouts.h"
#include "manifest.h"
#include "lib/ipv4_addr.h"
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

SECOS_MANIFEST(SECOS_MANIFEST_DEFAULT_FLAGS | MANIFEST_FLAG_ABI_LINUX | MANIFEST_FLAG_NET_RAW, 32 << 20);

#define DHCP_WAIT_MS 30000

static struct netif nif;
static int bound;

u32_t sys_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (u32_t)((uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u);
}

static void on_status(struct netif *n) {
    if (bound || ip4_addr_isany_val(*netif_ip4_addr(n))) return;
    bound = 1;
    char ip[16], mask[16], gw[16];
    strcpy(ip, ip4addr_ntoa(netif_ip4_addr(n)));
    strcpy(mask, ip4addr_ntoa(netif_ip4_netmask(n)));
    strcpy(gw, ip4addr_ntoa(netif_ip4_gw(n)));
    printf("netd: %s bound %s netmask %s gateway %s dns %s\n", "eth0", ip, mask, gw,
           ipaddr_ntoa(dns_getserver(0)));
}

/* 1 when a looped-back packet waits for netif_poll_all() (poll must not sleep). */
static int netif_loopback_pending(void) {
    struct netif *n;
    NETIF_FOREACH(n)
        if (n->loop_first) return 1;
    return 0;
}

static int usage(void) {
    fprintf(stderr, "usage: netd [--dev /dev/ethN] [--daemon] [--ping <ipv4> [count]] [--get <ipv4> <port> <path>] [--serve <port> <dir>] [--once]\n");
    return 2;
}

int main(int argc, char **argv) {
    setvbuf(stdout, 0, _IONBF, 0);
    const char *dev = "/dev/eth0";
    ip4_addr_t ping_to;
    int ping_count = 0, once = 0, as_daemon = 0;
    ip4_addr_t get_ip;
    long get_port = 0;
    const char *get_path = 0, *serve_dir = 0;
    long serve_port = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--dev") == 0 && i + 1 < argc) {
            dev = argv[++i];
        } else if (strcmp(argv[i], "--ping") == 0 && i + 1 < argc) {
            uint32_t a;
            if (ipv4_parse(argv[++i], &a) != 0) return usage();   /* strict: no inet_aton shorthands */
            ip4_addr_set_u32(&ping_to, lwip_htonl(a));
            ping_count = 3;
            if (i + 1 < argc && argv[i + 1][0] != '-') {
                char *end;
                long c = strtol(argv[++i], &end, 10);
                if (*end || c < 1 || c > 64) return usage();
                ping_count = (int)c;
            }
        } else if (strcmp(argv[i], "--get") == 0 && i + 3 < argc) {
            uint32_t a;
            char *end;
            if (ipv4_parse(argv[++i], &a) != 0) return usage();
            ip4_addr_set_u32(&get_ip, lwip_htonl(a));
            get_port = strtol(argv[++i], &end, 10);
            if (*end || get_port < 1 || get_port > 65535) return usage();
            get_path = argv[++i];
            if (get_path[0] != '/' || strlen(get_path) > 256) return usage();
        } else if (strcmp(argv[i], "--serve") == 0 && i + 2 < argc) {
            char *end;
            serve_port = strtol(argv[++i], &end, 10);
            if (*end || serve_port < 1 || serve_port > 65535) return usage();
            serve_dir = argv[++i];
        } else if (strcmp(argv[i], "--daemon") == 0) {
            as_daemon = 1;
        } else if (strcmp(argv[i], "--once") == 0) {
            once = 1;
        } else {
            return usage();
        }
    }
    if (netd_random_init() != 0) { fprintf(stderr, "netd: getrandom: %s\n", strerror(errno)); return 1; }
    lwip_init();
    if (netif_raw_open(&nif, dev) != 0) return 1;
    netif_set_status_callback(&nif, on_status);
    netif_set_default(&nif);
    netif_set_up(&nif);
    if (dhcp_start(&nif) != ERR_OK) { fprintf(stderr, "netd: DHCP could not start\n"); return 1; }
    printf("netd: %s up, asking for an address (DHCP)\n", dev);

    u32_t start = sys_now();
    int pinging = 0, getting = 0, serving = 0, channel = 0;
    for (;;) {
        struct pollfd p[2] = { { netif_raw_fd(&nif), POLLIN, 0 }, { sockserv_fd(), 0, 0 } };
        if (channel) p[1].events = sockserv_events();
        u32_t wait = sys_timeouts_sleeptime();
        if (wait > 100) wait = 100;
        if (netif_loopback_pending()) wait = 0;
        if (poll(p, channel ? 2 : 1, (int)wait) < 0 && errno != EINTR) { perror("netd: poll"); return 1; }
        if (netif_raw_input(&nif) < 0) { fprintf(stderr, "netd: %s: %s\n", dev, strerror(errno)); return 1; }
        netif_poll_all();
        sys_check_timeouts();
        if (channel) {
            if (sockserv_service(p[1].revents) != 0) return 1;
            netif_poll_all();
            sockserv_check_ifaddr();
            if (sockserv_flush() != 0) return 1;
            continue;
        }
        if (!bound) {
            if (sys_now() - start > DHCP_WAIT_MS) {
                fprintf(stderr, "netd: no DHCP lease within %d s\n", DHCP_WAIT_MS / 1000);
                return 1;
            }
            continue;
        }
        if (once) return 0;
        if (as_daemon) {
            if (sockserv_open(&nif) != 0) return 1;
            printf("netd: serving sockets on /dev/netsrv\n");
            channel = 1;
            if (sockserv_flush() != 0) return 1;
            continue;
        }
        if (ping_count && !pinging) { ping_start(&ping_to, ping_count); pinging = 1; }
        if (pinging && ping_done()) return ping_received() ? 0 : 1;
        if (get_path && !getting) {
            if (http_get_start(&get_ip, (uint16_t)get_port, get_path) != 0) { fprintf(stderr, "netd: GET: no TCP pcb\n"); return 1; }
            getting = 1;
        }
        if (getting && http_get_done()) return http_get_failed() ? 1 : 0;
        if (serve_dir && !serving) {
            if (http_serve_start((uint16_t)serve_port, serve_dir) != 0) { fprintf(stderr, "netd: cannot listen on port %ld\n", serve_port); return 1; }
            serving = 1;
        }
    }
}
