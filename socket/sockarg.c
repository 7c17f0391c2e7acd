/* Checks of the socket calls' arguments (socket/sockarg.h). */
#include "socket/sockarg.h"
#include "secos/errno.h"
#include "secos/netsrv.h"

int sockarg_parse_in(const uint8_t *buf, uint32_t len, struct sock_addr *out) {
    if (len < 2) return -EINVAL;
    uint16_t family = (uint16_t)(buf[0] | buf[1] << 8);
    if (family != SOCKARG_AF_INET) return -EAFNOSUPPORT;
    if (len < SOCKARG_IN_LEN) return -EINVAL;
    out->port = (uint32_t)(buf[2] << 8 | buf[3]);
    out->addr = (uint32_t)buf[4] << 24 | (uint32_t)buf[5] << 16 | (uint32_t)buf[6] << 8 | buf[7];
    return 0;
}

void sockarg_fill_in(uint8_t out[SOCKARG_IN_LEN], const struct sock_addr *a) {
    for (int i = 0; i < SOCKARG_IN_LEN; i++) out[i] = 0;
    out[0] = SOCKARG_AF_INET;
    out[2] = (uint8_t)(a->port >> 8);
    out[3] = (uint8_t)a->port;
    out[4] = (uint8_t)(a->addr >> 24);
    out[5] = (uint8_t)(a->addr >> 16);
    out[6] = (uint8_t)(a->addr >> 8);
    out[7] = (uint8_t)a->addr;
}

int sockarg_type(int64_t domain, int64_t type, int64_t protocol, uint8_t *kind, int *flags) {
    if (domain != SOCKARG_AF_INET) return -EAFNOSUPPORT;
    int64_t base = type & 0xf;
    if (type & ~(int64_t)(0xf | SOCKARG_NONBLOCK | SOCKARG_CLOEXEC)) return -EINVAL;
    enum { SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_RAW = 3 };
    enum { IPPROTO_ICMP = 1, IPPROTO_TCP = 6, IPPROTO_UDP = 17 };
    switch (base) {
    case SOCK_STREAM:
        if (protocol != 0 && protocol != IPPROTO_TCP) return -EPROTONOSUPPORT;
        *kind = SECOS_NETSRV_STREAM;
        break;
    case SOCK_DGRAM:
        if (protocol == IPPROTO_ICMP) *kind = SECOS_NETSRV_ICMP;
        else if (protocol == 0 || protocol == IPPROTO_UDP) *kind = SECOS_NETSRV_DGRAM;
        else return -EPROTONOSUPPORT;
        break;
    case SOCK_RAW:
        /* Only as a ping socket (echo requests out, replies to its own
         * identifier in, IP header shown): any other raw socket would let
         * a program write or read arbitrary packets. */
        if (protocol != IPPROTO_ICMP) return -EPERM;
        *kind = SECOS_NETSRV_ICMP_RAW;
        break;
    default:
        return -EINVAL;
    }
    *flags = (int)(type & (SOCKARG_NONBLOCK | SOCKARG_CLOEXEC));
    return 0;
}

uint32_t sockarg_backlog(int64_t backlog) {
    if (backlog < 1) return 1;
    if (backlog > SECOS_NETSRV_BACKLOG_MAX) return SECOS_NETSRV_BACKLOG_MAX;
    return (uint32_t)backlog;
}

int64_t sockarg_timeval_ms(int64_t sec, int64_t usec) {
    if (sec < 0 || usec < 0 || usec > 999999) return -EDOM;
    if (sec > 0xffffffffll / 1000) return 0xffffffffll;
    int64_t ms = sec * 1000 + usec / 1000;
    if (ms == 0 && usec) ms = 1;       /* a timeout under 1 ms is still a timeout */
    return ms > 0xffffffffll ? 0xffffffffll : ms;
}
