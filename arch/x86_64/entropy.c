#include "arch/x86_64/entropy.h"
#include "arch/x86_64/cpu.h"

static uint64_t mix64(uint64_t x) {
    x ^= x >> 33; x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33; x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

static int hw_random(uint64_t *out, int seed) {
    for (int tries = 0; tries < 16; tries++) {
        uint8_t ok;
        uint64_t v;
        if (seed) __asm__ volatile("rdseed %0; setc %1" : "=r"(v), "=qm"(ok));
        else __asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok));
        if (ok) { *out = v; return 1; }
    }
    return 0;
}

const char *entropy_source = "tsc";

uint64_t entropy_u64(void) {
    uint64_t v;
    if (cpu_info.rdseed && hw_random(&v, 1)) return v;
    if (cpu_info.rdrand && hw_random(&v, 0)) return v;
    static uint64_t counter;
    return mix64(rdtsc() ^ (++counter * 0x9e3779b97f4a7c15ULL) ^ (uint64_t)&v);
}

/* No stack protector: the canary is drawn from here before it is armed. */
__attribute__((no_stack_protector)) uint64_t entropy_early_u64(void) {
    uint32_t a, b, c, d;
    cpuid(1, 0, &a, &b, &c, &d);
    int rdrand = !!(c & (1u << 30));
    cpuid(0, 0, &a, &b, &c, &d);
    int rdseed = 0;
    if (a >= 7) { cpuid(7, 0, &a, &b, &c, &d); rdseed = !!(b & (1u << 18)); }
    uint64_t v = 0;
    if (rdseed && hw_random(&v, 1)) entropy_source = "rdseed";
    else if (rdrand && hw_random(&v, 0)) entropy_source = "rdrand";
    else v = mix64(rdtsc() ^ 0x2545f4914f6cdd1dULL);
    return v;
}
