/* netd's randomness: getrandom(2) for identifiers, and RFC 6528 initial
 * sequence numbers (ISN = M + F(4-tuple, secret), M a 4-microsecond clock,
 * F the first 32 bits of SHA-256 over a boot-time secret and the tuple). */
#include "netd.h"
#include "lib/sha256.h"
#include <string.h>
#include <sys/random.h>
#include <time.h>

static uint8_t isn_secret[32];

int netd_random_init(void) {
    return getrandom(isn_secret, sizeof isn_secret, 0) == (ssize_t)sizeof isn_secret ? 0 : -1;
}

uint32_t netd_random_u32(void) {
    uint32_t v;
    if (getrandom(&v, sizeof v, 0) != (ssize_t)sizeof v) abort();   /* never a predictable fallback */
    return v;
}

u32_t netd_tcp_isn(const ip_addr_t *local_ip, u16_t local_port, const ip_addr_t *remote_ip, u16_t remote_port) {
    uint8_t msg[32 + 12], digest[32];
    memcpy(msg, isn_secret, 32);
    uint32_t l = ip4_addr_get_u32(ip_2_ip4(local_ip)), r = ip4_addr_get_u32(ip_2_ip4(remote_ip));
    memcpy(msg + 32, &l, 4);
    memcpy(msg + 36, &r, 4);
    memcpy(msg + 40, &local_port, 2);
    memcpy(msg + 42, &remote_port, 2);
    struct sha256 h;
    sha256_init(&h);
    sha256_update(&h, msg, sizeof msg);
    sha256_final(&h, digest);
    uint32_t f;
    memcpy(&f, digest, 4);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint32_t m = (uint32_t)((uint64_t)ts.tv_sec * 250000u + (uint64_t)ts.tv_nsec / 4000u);
    return m + f;
}
