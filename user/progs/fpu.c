/* fpu <seed>: checks that the kernel keeps each process's FPU/SSE state.
 *
 * A chaotic double recurrence (any flipped bit changes the end result) runs
 * twice: once yielding every 10,000 iterations so other processes' FPU state
 * is loaded in between, once without. MXCSR's rounding mode is set from the
 * seed, so a process that got another's MXCSR would compute differently too.
 * Around each yield all 16 XMM registers are loaded with a seed-dependent
 * pattern and compared afterwards, alternating SYSCALL and INT 0x80.
 * Prints "fpu <seed> result=<hex>" and "fpu <seed> OK" or "... MISMATCH";
 * exit status 0 or 1. */
#include "ulib.h"

SECOS_MANIFEST(SECOS_MANIFEST_DEFAULT_FLAGS, 0);

#define ITERATIONS  2000000
#define YIELD_EVERY 10000

static uint64_t bits(double d) { uint64_t u; memcpy(&u, &d, sizeof u); return u; }
static uint64_t rotl(uint64_t v, int r) { return (v << r) | (v >> (64 - r)); }

static uint32_t get_mxcsr(void) { uint32_t v; __asm__ volatile("stmxcsr %0" : "=m"(v)); return v; }
static void set_mxcsr(uint32_t v) { __asm__ volatile("ldmxcsr %0" : : "m"(v)); }

static unsigned long xmm_bad;   /* register pattern mismatches seen around yields */

/* Yields with xmm0-15 holding a known pattern; counts registers that differ. */
static void yield_checked(uint64_t salt, int int80) {
    uint64_t in[32] __attribute__((aligned(16))), out[32] __attribute__((aligned(16)));
    for (int j = 0; j < 32; j++) in[j] = rotl(salt * 0x9e3779b97f4a7c15ull, j) ^ (uint64_t)j;
#define XMM_LOAD(n)  "movdqa " #n "*16(%[in]), %%xmm" #n "\n\t"
#define XMM_STORE(n) "movdqa %%xmm" #n ", " #n "*16(%[out])\n\t"
#define ALL16(M) M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7) \
                 M(8) M(9) M(10) M(11) M(12) M(13) M(14) M(15)
    __asm__ volatile(
        ALL16(XMM_LOAD)
        "testl %[int80], %[int80]\n\t"
        "jnz 1f\n\t"
        "syscall\n\t"
        "jmp 2f\n"
        "1: int $0x80\n"
        "2:\n\t"
        ALL16(XMM_STORE)
        : "=a"(salt /* result unused */)
        : "a"((long)SYS_yield), [in] "r"(in), [out] "r"(out), [int80] "r"(int80)
        : "rcx", "r11", "memory", "cc",
          "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",
          "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
    for (int j = 0; j < 32; j++) xmm_bad += in[j] != out[j];
}

__attribute__((noinline)) static uint64_t run(unsigned seed, int yields) {
    double x = 0.05 + (double)(seed % 1000) / 1111.0;  /* in (0,1): logistic map stays there */
    double y = 1.0, s = 0.0;
    for (long i = 1; i <= ITERATIONS; i++) {
        x = 3.99 * x * (1.0 - x);
        y = y * 0.999999 + x / (double)i;
        s += x * y;
        if (yields && i % YIELD_EVERY == 0)
            yield_checked(seed ^ (uint64_t)i, (int)(i / YIELD_EVERY) & 1);
    }
    return bits(x) ^ rotl(bits(y), 21) ^ rotl(bits(s), 42);
}

int main(int argc, char **argv) {
    unsigned seed = argc > 1 ? (unsigned)atoi(argv[1]) : (unsigned)sys_getpid();
    uint32_t mxcsr = (get_mxcsr() & ~0x6000u) | ((seed & 3u) << 13);   /* rounding mode */
    set_mxcsr(mxcsr);

    uint64_t with_yields = run(seed, 1);
    uint32_t mxcsr_after = get_mxcsr() & ~0x3fu;        /* ignore sticky exception flags */
    uint64_t without = run(seed, 0);

    printf("fpu %u result=%016lx\n", seed, (unsigned long)with_yields);
    int ok = with_yields == without && xmm_bad == 0 && mxcsr_after == (mxcsr & ~0x3fu);
    if (ok) {
        printf("fpu %u OK\n", seed);
        return 0;
    }
    printf("fpu %u MISMATCH (no-yield result=%016lx, xmm words changed=%lu, mxcsr %x -> %x)\n",
           seed, (unsigned long)without, xmm_bad, mxcsr, mxcsr_after);
    return 1;
}
