/* Fuzzes the socket calls' argument checks (socket/sockarg.c) with what a
 * program may pass: any sockaddr bytes and length, any socket() triple,
 * any timeval. Invariants: an accepted address is AF_INET, at least
 * sockaddr_in long, and fills back to the same family, port and address
 * bytes; an accepted type names one of the three kinds and only the two
 * flag bits, and a raw socket only as ICMP; a backlog is always 1..SECOS_NETSRV_BACKLOG_MAX; a timeout
 * is -EDOM or 0..UINT32_MAX. */
#include "tests/fuzz/fuzz.h"
#include "socket/sockarg.h"
#include "secos/errno.h"
#include "secos/netsrv.h"

static int64_t get64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = v << 8 | p[i];
    return (int64_t)v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Layout: [0] claimed address length, [1..24] domain, type, protocol,
     * [25] type mask choice, [26..49] backlog, tv_sec, tv_usec, [56..] the
     * address bytes. */
    if (size < 56 || size > 512)
        return 0;
    const uint8_t *addr = data + 56;
    uint32_t alen = (uint32_t)(size - 56);
    uint32_t claimed = data[0] % 130;   /* the length a program claims, maybe more than it gave */
    if (claimed > alen) claimed = alen;
    struct sock_addr a;
    int r = sockarg_parse_in(addr, claimed, &a);
    CHECK(r == 0 || r == -EINVAL || r == -EAFNOSUPPORT);
    if (r == 0) {
        CHECK(claimed >= SOCKARG_IN_LEN && addr[0] == SOCKARG_AF_INET && addr[1] == 0 && a.port <= 65535);
        uint8_t back[SOCKARG_IN_LEN];
        sockarg_fill_in(back, &a);
        CHECK(memcmp(back, addr, 8) == 0);
    }
    uint8_t kind = 0;
    int flags = -1;
    int64_t domain = get64(data + 1) % 20, type = get64(data + 9), proto = get64(data + 17) % 300;
    if (data[25] & 1) type &= 0x80f;
    r = sockarg_type(domain, type, proto, &kind, &flags);
    CHECK(r == 0 || r == -EAFNOSUPPORT || r == -EINVAL || r == -EPROTONOSUPPORT || r == -EPERM);
    if (r == 0) {
        CHECK(domain == SOCKARG_AF_INET);
        CHECK(kind == SECOS_NETSRV_STREAM || kind == SECOS_NETSRV_DGRAM || kind == SECOS_NETSRV_ICMP ||
              (kind == SECOS_NETSRV_ICMP_RAW && (type & 0xf) == 3 && proto == 1));
        CHECK((flags & ~(SOCKARG_NONBLOCK | SOCKARG_CLOEXEC)) == 0);
    }
    uint32_t b = sockarg_backlog(get64(data + 26));
    CHECK(b >= 1 && b <= SECOS_NETSRV_BACKLOG_MAX);
    int64_t ms = sockarg_timeval_ms(get64(data + 34), get64(data + 42));
    CHECK(ms == -EDOM || (ms >= 0 && ms <= 0xffffffffll));
    return 0;
}
