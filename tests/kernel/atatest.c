/* atatest (test configuration): what tests/qemu/test_ata.py needs beyond
 * lsblk, blkhash and blksync: a write of a position-dependent pattern (a
 * sector written to the wrong place or a torn transfer shows on the host
 * image, which a constant fill would hide), a timed sequential read (a
 * figure for reports) and the disk drivers' counters. */
#include "console/shell.h"
#include "block/blockdev.h"
#include "drivers/ahci.h"
#include "drivers/ide.h"
#include "lib/console_out.h"
#include "lib/strerror.h"
#include "lib/string.h"
#include "mm/kheap.h"
#include "kernel/time.h"

#define CHUNK (64 * 1024)
#define USAGE "atatest write <dev> <offset> <bytes> <seed> | atatest read <dev> <bytes> <chunk> | atatest stats"

/* The byte atatest write puts at offset off (tests/qemu/test_ata.py pattern()). */
static uint8_t pattern_byte(uint64_t off, uint64_t seed) {
    uint64_t x = (off >> 3) * 0x9E3779B97F4A7C15ull + seed;
    x ^= x >> 29;
    return (uint8_t)(x >> (8 * (off & 7)));
}

static int cmd_write(char **argv) {
    unsigned long long off, len, seed;
    if (parse_u64(argv[3], &off) || parse_u64(argv[4], &len) || parse_u64(argv[5], &seed)) {
        kprintf("usage: " USAGE "\n");
        return 1;
    }
    struct blockdev *d = blockdev_find(argv[2]);
    if (!d) { kprintf("atatest: no block device '%s'\n", argv[2]); return 1; }
    uint8_t *buf = kmalloc(CHUNK);
    if (!buf) { kprintf("atatest: out of memory\n"); return 1; }
    long r = 0;
    for (uint64_t done = 0; done < len;) {
        uint64_t n = len - done < CHUNK ? len - done : CHUNK;
        for (uint64_t i = 0; i < n; i++) buf[i] = pattern_byte(off + done + i, seed);
        r = blk_write(d, off + done, buf, n);
        if (r < 0) break;
        done += n;
    }
    kfree(buf);
    if (r < 0) { kprintf("atatest: write %s failed: %ld (%s)\n", d->name, r, secos_strerror((int)r)); return 1; }
    kprintf("atatest: wrote %s %llu+%llu\n", d->name, off, len);
    return 0;
}

/* Sequential reads from offset 0 in chunks, timed by the tick: a figure
 * for reports (MiB/s), never a pass/fail criterion. */
static int cmd_read(char **argv) {
    unsigned long long len, chunk;
    if (parse_u64(argv[3], &len) || parse_u64(argv[4], &chunk) || chunk == 0 || chunk > (1u << 20)) {
        kprintf("usage: " USAGE "\n");
        return 1;
    }
    struct blockdev *d = blockdev_find(argv[2]);
    if (!d) { kprintf("atatest: no block device '%s'\n", argv[2]); return 1; }
    uint8_t *buf = kmalloc(chunk);
    if (!buf) { kprintf("atatest: out of memory\n"); return 1; }
    uint64_t t0 = timer_uptime_ms();
    long r = 0;
    uint64_t ops = 0;
    for (uint64_t done = 0; done < len; ops++) {
        uint64_t n = len - done < chunk ? len - done : chunk;
        r = blk_read(d, done, buf, n);
        if (r < 0) break;
        done += n;
    }
    uint64_t ms = timer_uptime_ms() - t0;
    kfree(buf);
    if (r < 0) { kprintf("atatest: read %s failed: %ld (%s)\n", d->name, r, secos_strerror((int)r)); return 1; }
    kprintf("atatest: read %s %llu bytes in %lu reads of %llu: %lu ms, %lu KiB/s\n", d->name, len, ops, chunk, ms,
            ms ? (uint64_t)(len / 1024) * 1000 / ms : 0);
    return 0;
}

static int cmd_atatest(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "stats") == 0) {
        kprintf("atatest: ide reads=%lu writes=%lu errors=%lu timeouts=%lu\n", ide_stats.reads,
                ide_stats.writes, ide_stats.errors, ide_stats.timeouts);
        kprintf("atatest: ahci commands=%lu errors=%lu timeouts=%lu recoveries=%lu retired=%lu\n",
                ahci_stats.commands, ahci_stats.errors, ahci_stats.timeouts, ahci_stats.recoveries,
                ahci_stats.retired);
        return 0;
    }
    if (argc == 6 && strcmp(argv[1], "write") == 0) return cmd_write(argv);
    if (argc == 5 && strcmp(argv[1], "read") == 0) return cmd_read(argv);
    kprintf("usage: " USAGE "\n");
    return 1;
}
SHELL_COMMAND(atatest, "atatest", USAGE,
              "(test configuration) pattern writes, timed reads and driver counters for the disk tests",
              cmd_atatest);
