/* kbench [iterations]: kernel-side micro-benchmarks, in the format of the
 * user-side /bin/bench and the Linux harness:
 *
 *   BENCH <name> <median> <iterations> <min> <p10> <p90>     ticks per operation
 *
 * Each sample is "lfence; rdtsc; lfence" around one operation (so it includes
 * the rdtsc overhead, 5 ticks under -icount). Interrupts stay on: a timer
 * interrupt that lands in a window counts, the median ignores it.
 * docs/PERFORMANCE.md has the method and the figures. */
#include "console/shell.h"
#include "lib/console_out.h"
#include "mm/pmm.h"
#include "mm/kheap.h"
#include "mm/vmm.h"
#include "lib/string.h"

/* The column names and units, printed once before the BENCH lines. */
#define BENCH_HEADER "# BENCH <name> <median_ticks> <iterations> <min_ticks> <p10_ticks> <p90_ticks>; ticks = rdtsc (guest instructions under -icount shift=0)\n"
#define KBENCH_DEFAULT 2000
#define KBENCH_MAX     100000
#define KBENCH_PF_BATCH 512                           /* pages per demand-zero range */
#define KBENCH_PF_BASE (KTEST_BASE + 0x40000000ULL)   /* far from the selftests' scratch */

static uint32_t samples[KBENCH_MAX];

static inline uint64_t tsc(void) {
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) : : "memory");
    return ((uint64_t)hi << 32) | lo;
}

static inline void record(int i, uint64_t t0) {
    uint64_t d = tsc() - t0;
    samples[i] = d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
}

static void sift(uint32_t *s, int root, int n) {
    for (int child; (child = 2 * root + 1) < n; root = child) {
        if (child + 1 < n && s[child + 1] > s[child]) child++;
        if (s[root] >= s[child]) return;
        uint32_t t = s[root]; s[root] = s[child]; s[child] = t;
    }
}

static void report(const char *name, int n) {
    for (int i = n / 2 - 1; i >= 0; i--) sift(samples, i, n);   /* heapsort */
    for (int end = n - 1; end > 0; end--) {
        uint32_t t = samples[0]; samples[0] = samples[end]; samples[end] = t;
        sift(samples, 0, end);
    }
    kprintf("BENCH %s %u %d %u %u %u\n", name, samples[n / 2], n, samples[0], samples[n / 10],
            samples[n * 9 / 10]);
}

static int bench_pmm(int n) {
    for (int i = 0; i < n; i++) {
        uint64_t t = tsc();
        uint64_t pa = pmm_alloc();
        if (pa) pmm_free(pa);
        record(i, t);
        if (!pa) { kprintf("kbench: pmm_alloc failed\n"); return -1; }
    }
    report("pmm_alloc_free", n);
    return 0;
}

static int bench_kmalloc(int n, size_t size, const char *name) {
    for (int i = 0; i < n; i++) {
        uint64_t t = tsc();
        void *p = kmalloc(size);
        if (p) kfree(p);
        record(i, t);
        if (!p) { kprintf("kbench: kmalloc(%zu) failed\n", size); return -1; }
    }
    report(name, n);
    return 0;
}

/* First touch of a demand-zero kernel page: #PF, a zeroed frame, the mapping.
 * Batches of up to KBENCH_PF_BATCH pages at the same addresses; after each
 * batch every page is unmapped (its frame goes back) and the range removed.
 * Page-table frames created on the way stay, as for every kernel mapping, so
 * the leak check allows exactly those. */
static int bench_kernel_page_fault(int n) {
    uint64_t free0 = pmm_free_frames(), tables0 = kernel_space.table_frames;
    uint64_t base = KBENCH_PF_BASE;
    for (int done = 0; done < n;) {
        int batch = n - done < KBENCH_PF_BATCH ? n - done : KBENCH_PF_BATCH;
        uint64_t end = base + (uint64_t)batch * 4096;
        if (vmm_add_demand_zero(&kernel_space, base, end, PTE_P | PTE_W | PTE_NX)) {
            kprintf("kbench: cannot register the demand-zero range\n");
            return -1;
        }
        for (int i = 0; i < batch; i++) {
            uint64_t t = tsc();
            *(volatile uint8_t *)(base + (uint64_t)i * 4096) = 1;
            record(done + i, t);
        }
        for (uint64_t va = base; va < end; va += 4096) vmm_unmap(&kernel_space, va, 0);
        vmm_remove_demand_zero(&kernel_space, base);
        done += batch;
    }
    uint64_t tables = kernel_space.table_frames - tables0;
    if (free0 - pmm_free_frames() != tables) {
        kprintf("kbench: leak: %ld frames not returned\n", (long)(free0 - pmm_free_frames() - tables));
        return -1;
    }
    report("kernel_page_fault", n);
    return 0;
}

static int cmd_kbench(int argc, char **argv) {
    unsigned long long n = KBENCH_DEFAULT;
    if (argc > 2 || (argc == 2 && (parse_u64(argv[1], &n) || n < 1 || n > KBENCH_MAX))) {
        kprintf("usage: kbench [iterations 1..%d]\n", KBENCH_MAX);
        return -1;
    }
    kprintf("%s", BENCH_HEADER);
    int r = bench_pmm((int)n);
    if (!r) r = bench_kmalloc((int)n, 64, "kmalloc_kfree_64");
    if (!r) r = bench_kmalloc((int)n, 4096, "kmalloc_kfree_4k");
    if (!r) r = bench_kernel_page_fault((int)n);
    kprintf("kbench: %s\n", r ? "FAILED" : "done");
    return r;
}
SHELL_COMMAND(kbench, "kbench", "kbench [iterations]",
              "kernel micro-benchmarks: pmm, kmalloc, demand-zero page fault (BENCH lines)", cmd_kbench);
