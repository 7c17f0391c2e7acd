/* nic: the network interfaces with link state and counters; arping: one
 * ARP who-has on a NIC and the reply, the smallest check that a NIC both
 * sends and receives on the wire. */
#include "console/shell.h"
#include "net/netdev.h"
#include "net/arp.h"
#include "socket/sock.h"
#include "socket/net_keeper.h"
#include "lib/ipv4_addr.h"
#include "kernel/time.h"
#include "lib/console_out.h"
#include "lib/strerror.h"
#include "lib/string.h"
#include "secos/errno.h"

static int cmd_nic(int argc, char **argv) {
    (void)argv;
    if (argc > 1) { kprintf("usage: nic\n"); return 1; }
    if (netdev_count() == 0) { kprintf("nic: no network interfaces\n"); return 0; }
    for (uint32_t i = 0; i < netdev_count(); i++) {
        struct netdev *nd = netdev_at(i);
        const uint8_t *m = nd->mac;
        const struct netdev_stats *s = &nd->stats;
        kprintf("%s: %s mac %02x:%02x:%02x:%02x:%02x:%02x link %s irq %s\n", nd->name, nd->driver, m[0], m[1], m[2],
                m[3], m[4], m[5], nd->ops->link_up(nd) ? "up" : "down", nd->irq_ok ? "on" : "polling");
        kprintf("  rx packets %lu bytes %lu dropped %lu errors %lu\n", s->rx_packets, s->rx_bytes, s->rx_dropped,
                s->rx_errors);
        kprintf("  tx packets %lu bytes %lu dropped %lu errors %lu interrupts %lu\n", s->tx_packets, s->tx_bytes,
                s->tx_dropped, s->tx_errors, s->irqs);
    }
    return 0;
}
SHELL_COMMAND(nic, "nic", "nic", "network interfaces: driver, MAC, link, rx/tx counters", cmd_nic);

static void put_ip(const char *label, uint32_t a) {
    kprintf(" %s %u.%u.%u.%u", label, a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

/* The network server and the sockets it serves. */
static int cmd_net(int argc, char **argv) {
    (void)argv;
    if (argc > 1) { kprintf("usage: net\n"); return 1; }
    const struct sock_stats *s = &sock_stats;
    kprintf("server: %s", s->server_pid ? "up" : "down");
    if (s->server_pid) kprintf(" pid %u", s->server_pid);
    kprintf(" (keeper %s, started %u times)\n", net_keeper_enabled() ? "on" : "off: boot with net=on", net_keeper_starts());
    if (s->if_addr) {
        kprintf("eth0:");
        put_ip("inet", s->if_addr);
        put_ip("netmask", s->if_mask);
        put_ip("gateway", s->if_gw);
        put_ip("dns", s->if_dns);
        kprintf("\n");
    }
    kprintf("sockets: %u open, %lu opened, %lu closed\n", s->live, s->opened, s->closed);
    kprintf("channel: %lu messages in, %lu out; %lu bytes received, %lu sent; %lu refused, %lu protocol violations\n",
            s->msgs_in, s->msgs_out, s->bytes_in, s->bytes_out, s->malformed, s->violations);
    return 0;
}
SHELL_COMMAND(net, "net", "net", "the network server (netd), its address, and socket counters", cmd_net);

/* Waits up to about two seconds for the reply, skipping every other frame. */
static int cmd_arping(int argc, char **argv) {
    uint32_t src, dst;
    struct netdev *nd = argc == 4 ? netdev_find(argv[1]) : 0;
    if (argc != 4 || ipv4_parse(argv[2], &src) != 0 || ipv4_parse(argv[3], &dst) != 0) {
        kprintf("usage: arping <nic> <source-ipv4> <target-ipv4>\n");
        return 1;
    }
    if (!nd) { kprintf("arping: no network interface '%s'\n", argv[1]); return 1; }
    if (nd->raw_owner) {   /* its frames are that process's: taking them would break its stack */
        kprintf("arping: %s is held by pid %d (/dev/%s)\n", nd->name, nd->raw_owner, nd->name);
        return 1;
    }
    uint8_t frame[NETDEV_FRAME_MAX];
    uint32_t len = arp_build_request(frame, sizeof frame, nd->mac, src, dst);
    netdev_flush_rx(nd);
    int r = netdev_send(nd, frame, len);
    if (r < 0) { kprintf("arping: %s: %s\n", nd->name, secos_strerror(r)); return 1; }
    uint64_t deadline = timer_ticks() + 2 * TIMER_HZ;
    for (;;) {
        int n = netdev_recv(nd, frame, sizeof frame, deadline);
        if (n == -ETIMEDOUT) break;
        struct arp_packet p;
        if (arp_parse(frame, (uint32_t)n, &p) != 0 || p.op != ARP_OP_REPLY || p.spa != dst || p.tpa != src ||
            memcmp(p.tha, nd->mac, 6) != 0)
            continue;
        char ip[16];
        ipv4_format(p.spa, ip);
        kprintf("arping: reply from %s at %02x:%02x:%02x:%02x:%02x:%02x\n", ip, p.sha[0], p.sha[1], p.sha[2],
                p.sha[3], p.sha[4], p.sha[5]);
        return 0;
    }
    kprintf("arping: no reply from %s within 2 s\n", argv[3]);
    return 1;
}
SHELL_COMMAND(arping, "arping", "arping <nic> <source-ipv4> <target-ipv4>",
              "send one ARP who-has for target from source on a NIC and show the reply", cmd_arping);
