/* See arch/x86_64/entropy.h. The generator state is one lib/csprng key;
 * interrupts are off while it is used (drivers may add from interrupt
 * context, and on one CPU that is the whole lock). */
#include "arch/x86_64/entropy.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/io.h"
#include "lib/csprng.h"

static struct csprng pool;
static int have_rdseed, have_rdrand, strong;
static char sources[96];

#define ROTL(x, b) (((x) << (b)) | ((x) >> (64 - (b))))

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

/* Appends name once: a device that adds many times is listed once. */
static void add_source(const char *name) {
    uint32_t n = 0, start = 0;
    for (;; n++) {
        if (sources[n] == '+' || sources[n] == '\0') {
            uint32_t i = 0;
            while (start + i < n && name[i] && sources[start + i] == name[i]) i++;
            if (start + i == n && !name[i]) return;
            if (!sources[n]) break;
            start = n + 1;
        }
    }
    if (n && n + 1 < sizeof sources) sources[n++] = '+';
    for (uint32_t i = 0; name[i] && n + 1 < sizeof sources; i++) sources[n++] = name[i];
    sources[n] = '\0';
}

static void mix_u64(uint64_t v) { csprng_reseed(&pool, &v, sizeof v); }

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
    csprng_init(&pool);
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
        if (have_rdseed && hw_random(&v, 1)) { mix_u64(v); got |= 1; }
        if (have_rdrand && hw_random(&v, 0)) { mix_u64(v); got |= 2; }
    }
    if (got & 1) add_source("rdseed");
    if (got & 2) add_source("rdrand");
    strong = got != 0;
    /* Timing jitter: how long each slow port access takes varies with the
     * chipset, SMIs and (under emulation) the host. 256 deltas, folded. */
    uint64_t acc = 0, prev = rdtsc();
    for (int i = 0; i < 256; i++) {
        uint16_t pc = pit_count();
        io_wait();
        uint64_t now = rdtsc();
        acc = ROTL(acc, 7) ^ (now - prev) ^ ((uint64_t)pc << 32);
        prev = now;
        if ((i & 15) == 15) mix_u64(acc);
    }
    add_source("jitter+pit");
    uint64_t clock = 0;
    for (uint8_t reg = 0; reg <= 9; reg++) clock = (clock << 6) ^ cmos(reg);
    mix_u64(clock);
    add_source("rtc");
    mix_u64(rdtsc());
    add_source("tsc");
}

void entropy_add(const char *src, const void *buf, size_t len, int is_strong) {
    if (!len) return;
    uint64_t f = irq_save();
    csprng_reseed(&pool, buf, len);
    add_source(src);
    if (is_strong) strong = 1;
    irq_restore(f);
}

void entropy_bytes(void *buf, size_t len) {
    uint64_t v;
    uint64_t f = irq_save();
    /* A fresh hardware value per draw: even a captured key does not predict
     * later output on machines that have RDRAND. The TSC costs nothing. */
    if ((have_rdseed && hw_random(&v, 1)) || (have_rdrand && hw_random(&v, 0))) mix_u64(v ^ ROTL(rdtsc(), 32));
    else mix_u64(rdtsc());
    csprng_bytes(&pool, buf, len);
    irq_restore(f);
}

uint64_t entropy_u64(void) {
    uint64_t v;
    entropy_bytes(&v, sizeof v);
    return v;
}

const char *entropy_sources(void) { return sources[0] ? sources : "none"; }
int entropy_is_strong(void) { return strong; }
