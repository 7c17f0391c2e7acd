/* struct ifreq is 40 bytes on x86-64 Linux: the name (16 bytes, NUL
 * padded), then a 24-byte union (a sockaddr, flags, an int, struct ifmap).
 * Only eth0 has an address: it is the interface the server runs. */
#include "socket/sock_ifreq.h"
#include "socket/sock.h"
#include "socket/sockarg.h"
#include "net/netdev.h"
#include "mm/usercopy.h"
#include "lib/string.h"
#include "secos/errno.h"

#define SIOCGIFCONF    0x8912
#define SIOCGIFFLAGS   0x8913
#define SIOCGIFADDR    0x8915
#define SIOCGIFDSTADDR 0x8917
#define SIOCGIFBRDADDR 0x8919
#define SIOCGIFNETMASK 0x891b
#define SIOCGIFMETRIC  0x891d
#define SIOCGIFMTU     0x8921
#define SIOCGIFHWADDR  0x8927
#define SIOCGIFINDEX   0x8933
#define SIOCGIFTXQLEN  0x8942
#define SIOCGIFMAP     0x8970
#define IFF_UP 0x1
#define IFF_BROADCAST 0x2
#define IFF_RUNNING 0x40
#define IFF_MULTICAST 0x1000
#define ARPHRD_ETHER 1
#define IFREQ_SIZE 40
#define IFNAMSIZ 16

static uint32_t addr_of(const struct netdev *nd, uint64_t req) {
    if (strcmp(nd->name, "eth0") != 0 || !sock_stats.if_addr) return 0;
    switch (req) {
    case SIOCGIFADDR: return sock_stats.if_addr;
    case SIOCGIFNETMASK: return sock_stats.if_mask;
    case SIOCGIFBRDADDR: return sock_stats.if_addr | ~sock_stats.if_mask;
    default: return 0;
    }
}

static int fill_addr(uint8_t *u, uint32_t a) {
    struct sock_addr sa = { a, 0 };
    sockarg_fill_in(u, &sa);
    return 0;
}

/* SIOCGIFCONF: one ifreq (name, address) per NIC that has an address. */
static long ifconf(uint64_t arg) {
    struct { int32_t len, pad; uint64_t buf; } c;
    if (copy_from_user(&c, arg, sizeof c)) return -EFAULT;
    int32_t n = 0;
    for (uint32_t i = 0; i < netdev_count(); i++) {
        struct netdev *nd = netdev_at(i);
        uint32_t a = addr_of(nd, SIOCGIFADDR);
        if (!a) continue;
        if (c.buf) {
            if (c.len - n < IFREQ_SIZE) break;
            uint8_t r[IFREQ_SIZE] = { 0 };
            strlcpy((char *)r, nd->name, IFNAMSIZ);
            fill_addr(r + IFNAMSIZ, a);
            if (copy_to_user(c.buf + (uint64_t)n, r, sizeof r)) return -EFAULT;
        }
        n += IFREQ_SIZE;
    }
    return copy_to_user(arg, &n, sizeof n) ? -EFAULT : 0;
}

static long one(uint64_t req, uint64_t arg) {
    uint8_t r[IFREQ_SIZE];
    if (copy_from_user(r, arg, sizeof r)) return -EFAULT;
    r[IFNAMSIZ - 1] = 0;
    struct netdev *nd = netdev_find((const char *)r);
    if (!nd) return -ENODEV;
    uint8_t *u = r + IFNAMSIZ;
    memset(u, 0, IFREQ_SIZE - IFNAMSIZ);
    int32_t v;
    switch (req) {
    case SIOCGIFFLAGS: {
        uint16_t fl = IFF_BROADCAST | IFF_MULTICAST;
        if (nd->up) fl |= IFF_UP;
        if (nd->up && nd->ops->link_up(nd)) fl |= IFF_RUNNING;
        memcpy(u, &fl, sizeof fl);
        break;
    }
    case SIOCGIFADDR: case SIOCGIFNETMASK: case SIOCGIFBRDADDR: {
        uint32_t a = addr_of(nd, req);
        if (!a) return -EADDRNOTAVAIL;
        fill_addr(u, a);
        break;
    }
    case SIOCGIFDSTADDR:
        return -EADDRNOTAVAIL;   /* not point-to-point */
    case SIOCGIFHWADDR:
        u[0] = ARPHRD_ETHER;
        memcpy(u + 2, nd->mac, 6);
        break;
    case SIOCGIFMTU: v = 1500; memcpy(u, &v, 4); break;
    case SIOCGIFMETRIC: v = 0; memcpy(u, &v, 4); break;
    case SIOCGIFTXQLEN: v = 1000; memcpy(u, &v, 4); break;
    case SIOCGIFINDEX:
        for (v = 0; (uint32_t)v < netdev_count() && netdev_at((uint32_t)v) != nd; v++) {}
        v += 2;               /* 1 is lo on Linux */
        memcpy(u, &v, 4);
        break;
    case SIOCGIFMAP: break;   /* no I/O ports or memory window to show: zeros */
    default: return -EINVAL;
    }
    return copy_to_user(arg, r, sizeof r) ? -EFAULT : 0;
}

int sock_ifreq_ioctl(uint64_t req, uint64_t arg, long *ret) {
    if (req < 0x8910 || req > 0x8980) return 0;
    if (req == SIOCGIFCONF) *ret = ifconf(arg);
    else if (req == SIOCGIFFLAGS || req == SIOCGIFADDR || req == SIOCGIFDSTADDR || req == SIOCGIFBRDADDR ||
             req == SIOCGIFNETMASK || req == SIOCGIFMETRIC || req == SIOCGIFMTU || req == SIOCGIFHWADDR ||
             req == SIOCGIFINDEX || req == SIOCGIFTXQLEN || req == SIOCGIFMAP)
        *ret = one(req, arg);
    else
        *ret = -EPERM;        /* SIOCS*, SIOCADDRT, ...: the interface is the server's to configure */
    return 1;
}
