/* Test configuration only: blkbench, the storage benchmark tools/bench.sh
 * --storage runs. Prints BENCH lines (tools/bench.sh's format):
 *   blk_seq_read_per_mib   ticks per MiB of a sequential read (1 MiB calls)
 *   blk_rand_read_4k       ticks per 4 KiB read at a random aligned offset
 *                          (outside the cache: a 4 KiB direct read each)
 * and BLKBENCH lines with the guest milliseconds (timer ticks) of each run,
 * for throughput when QEMU runs without -icount. */
#include "console/shell.h"
#include "block/blockdev.h"
#include "kernel/time.h"
#include "mm/kheap.h"
#include "lib/console_out.h"
#include "lib/strerror.h"
#include "lib/string.h"

#define RAND_READS 1000
#define SEQ_CHUNK (1024 * 1024)
static uint32_t samples[RAND_READS];

static inline uint64_t tsc(void) {
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) : : "memory");
    return ((uint64_t)hi << 32) | lo;
}

static void sort(uint32_t *s, int n) {   /* insertion sort: 1000 samples, once */
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && s[j - 1] > s[j]; j--) { uint32_t t = s[j]; s[j] = s[j - 1]; s[j - 1] = t; }
}

static int cmd_blkbench(int argc, char **argv) {
    unsigned long long mib = 64;
    if (argc < 2 || argc > 3 || (argc == 3 && (parse_u64(argv[2], &mib) != 0 || mib == 0 || mib > 4096))) {
        kprintf("usage: blkbench <dev> [MiB]   (sequential read of MiB, default 64, then %d random 4 KiB reads)\n",
                RAND_READS);
        return 1;
    }
    struct blockdev *d = blockdev_find(argv[1]);
    if (!d) { kprintf("blkbench: no block device '%s'\n", argv[1]); return 1; }
    uint64_t bytes = mib << 20;
    if (bytes > blk_size(d)) { kprintf("blkbench: %s has only %lu bytes\n", d->name, blk_size(d)); return 1; }
    uint8_t *buf = kmalloc(SEQ_CHUNK);
    if (!buf) { kprintf("blkbench: out of memory\n"); return 1; }
    uint64_t t0 = tsc(), ms0 = timer_ticks();
    for (uint64_t off = 0; off < bytes; off += SEQ_CHUNK) {
        long r = blk_read(d, off, buf, SEQ_CHUNK);
        if (r < 0) { kprintf("blkbench: FAILED read at %lu: %s\n", off, secos_strerror((int)r)); kfree(buf); return 1; }
    }
    uint64_t ticks = tsc() - t0, ms = (timer_ticks() - ms0) * 1000 / TIMER_HZ, per = ticks / (uint64_t)mib;
    kprintf("BENCH blk_seq_read_per_mib %lu 1 %lu %lu %lu\n", per, per, per, per);
    kprintf("BLKBENCH seq_read %llu MiB %lu ms\n", mib, ms);
    uint64_t x = 0x9e3779b97f4a7c15ULL, blocks = bytes / 4096;
    ms0 = timer_ticks();
    for (int i = 0; i < RAND_READS; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        uint64_t t = tsc();
        long r = blk_read(d, (x % blocks) * 4096, buf, 4096);
        uint64_t dt = tsc() - t;
        if (r < 0) { kprintf("blkbench: FAILED random read: %s\n", secos_strerror((int)r)); kfree(buf); return 1; }
        samples[i] = dt > UINT32_MAX ? UINT32_MAX : (uint32_t)dt;
    }
    ms = (timer_ticks() - ms0) * 1000 / TIMER_HZ;
    kfree(buf);
    sort(samples, RAND_READS);
    kprintf("BENCH blk_rand_read_4k %u %d %u %u %u\n", samples[RAND_READS / 2], RAND_READS, samples[0],
            samples[RAND_READS / 10], samples[RAND_READS * 9 / 10]);
    kprintf("BLKBENCH rand_read_4k %d reads %lu ms\n", RAND_READS, ms);
    return 0;
}
SHELL_COMMAND(blkbench, "blkbench", "blkbench <dev> [MiB]",
              "(test) storage benchmark: sequential read and random 4 KiB reads, BENCH lines", cmd_blkbench);
