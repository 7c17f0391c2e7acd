/* See kernel/entropy.h. The pool is four 64-bit words mixed by an ARX
 * permutation (SipHash's rounds); input is XORed in, output is taken after
 * a permutation so earlier draws do not reveal the state. None of this is
 * a cryptographic DRBG: with a hardware source every draw also takes a fresh
 * RDRAND value, without one the pool is all there is. */
#include "arch/x86_64/entropy.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/io.h"

static uint64_t pool[4] = { 0x736f6d6570736575ULL, 0x646f72616e646f6dULL, 0x6c7967656e657261ULL,
                            0x7465646279746573ULL };
static int have_rdseed, have_rdrand, hw_ok;
static char sources[64];

#define ROTL(x, b) (((x) << (b)) | ((x) >> (64 - (b))))

static void permute(int rounds) {
    uint64_t v0 = pool[0], v1 = pool[1], v2 = pool[2], v3 = pool[3];
    for (int r = 0; r < rounds; r++) {
        v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);
        v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;
        v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;
        v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);
    }
    pool[0] = v0; pool[1] = v1; pool[2] = v2; pool[3] = v3;
}

static void absorb(uint64_t x) {
    pool[3] ^= x;
    permute(2);
    pool[0] ^= x;
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

static void add_source(const char *name) {
    uint32_t n = 0;
    while (sources[n]) n++;
    if (n && n + 1 < sizeof sources) sources[n++] = '+';
    for (uint32_t i = 0; name[i] && n + 1 < sizeof sources; i++) sources[n++] = name[i];
    sources[n] = '\0';
}

static uint8_t cmos(uint8_t reg) {
    outb(0x70, reg);
    return inb(0x71);
}

static uint16_t pit_count(void) {
    outb(0x43, 0x00); /* latch channel 0 */
    uint8_t lo = inb(0x40), hi = inb(0x40);
    return (uint16_t)(lo | (hi << 8));
}

void entropy_init(void) {
    uint32_t a, b, c, d, max;
    cpuid(0, 0, &max, &b, &c, &d);
    cpuid(1, 0, &a, &b, &c, &d);
    have_rdrand = !!(c & (1u << 30));
    if (max >= 7) {
        cpuid(7, 0, &a, &b, &c, &d);
        have_rdseed = !!(b & (1u << 18));
    }
    uint64_t v;
    int got = 0;
    for (int i = 0; i < 4; i++) {
        if (have_rdseed && hw_random(&v, 1)) { absorb(v); got |= 1; }
        if (have_rdrand && hw_random(&v, 0)) { absorb(v); got |= 2; }
    }
    if (got & 1) add_source("rdseed");
    if (got & 2) add_source("rdrand");
    hw_ok = got != 0;
    /* Timing jitter: how long each slow port access takes varies with the
     * chipset, SMIs and (under emulation) the host. 256 deltas, folded. */
    uint64_t acc = 0, prev = rdtsc();
    for (int i = 0; i < 256; i++) {
        uint16_t pc = pit_count();
        io_wait();
        uint64_t now = rdtsc();
        acc = ROTL(acc, 7) ^ (now - prev) ^ ((uint64_t)pc << 32);
        prev = now;
        if ((i & 15) == 15) absorb(acc);
    }
    add_source("jitter+pit");
    uint64_t clock = 0;
    for (uint8_t reg = 0; reg <= 9; reg++) clock = (clock << 6) ^ cmos(reg);
    absorb(clock);
    add_source("rtc");
    absorb(rdtsc());
    add_source("tsc");
    permute(4);
}

uint64_t entropy_u64(void) {
    uint64_t v;
    uint64_t f = irq_save();
    if ((have_rdseed && hw_random(&v, 1)) || (have_rdrand && hw_random(&v, 0))) absorb(v);
    absorb(rdtsc());
    permute(2);
    v = pool[0] ^ pool[1] ^ pool[2] ^ pool[3];
    permute(2);
    irq_restore(f);
    return v;
}

const char *entropy_sources(void) { return sources[0] ? sources : "none"; }
int entropy_is_hardware(void) { return hw_ok; }
