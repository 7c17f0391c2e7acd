/* atatest (test configuration): drives the block devices the disk drivers
 * registered, through the block layer as a file system would, so that
 * tests/qemu/test_ata.py can compare what the guest reads and writes with
 * the host's image. The hash is FNV-1a 64 (the host computes the same in a
 * few lines; no cryptographic strength is needed to compare two copies). */
#include "console/shell.h"
#include "block/blockdev.h"
#include "drivers/ahci.h"
#include "drivers/ide.h"
#include "lib/console_out.h"
#include "lib/string.h"
#include "mm/kheap.h"
#include "secos/errno.h"

#define CHUNK (64 * 1024)

static int usage(void) {
    kprintf("usage: atatest list | hash <dev> [<offset> <bytes>] | write <dev> <offset> <bytes> <seed>"
            " | sync <dev> | stats\n");
    return -1;
}

/* The pattern atatest write puts at byte offset off: the host test builds
 * the same bytes (tests/qemu/test_ata.py pattern()). */
static uint8_t pattern_byte(uint64_t off, uint64_t seed) {
    uint64_t x = (off >> 3) * 0x9E3779B97F4A7C15ull + seed;
    x ^= x >> 29;
    return (uint8_t)(x >> (8 * (off & 7)));
}

static struct blockdev *find(const char *name) {
    struct blockdev *d = blockdev_find(name);
    if (!d) kprintf("atatest: no block device %s\n", name);
    return d;
}

static int cmd_hash(int argc, char **argv) {
    struct blockdev *d = find(argv[2]);
    unsigned long long off = 0, len;
    if (!d) return -1;
    len = blk_size(d);
    if (argc == 5 && (parse_u64(argv[3], &off) || parse_u64(argv[4], &len))) return usage();
    uint8_t *buf = kmalloc(CHUNK);
    if (!buf) return -1;
    uint64_t h = 0xcbf29ce484222325ull;
    long r = 0;
    for (uint64_t done = 0; done < len;) {
        uint64_t n = len - done < CHUNK ? len - done : CHUNK;
        r = blk_read(d, off + done, buf, n);
        if (r < 0) break;
        for (uint64_t i = 0; i < n; i++) h = (h ^ buf[i]) * 0x100000001b3ull;
        done += n;
    }
    kfree(buf);
    if (r < 0) {
        kprintf("atatest: read %s failed: %ld\n", d->name, r);
        return -1;
    }
    kprintf("atatest: %s %llu+%llu fnv1a64=%016lx\n", d->name, off, len, h);
    return 0;
}

static int cmd_write(char **argv) {
    struct blockdev *d = find(argv[2]);
    unsigned long long off, len, seed;
    if (!d) return -1;
    if (parse_u64(argv[3], &off) || parse_u64(argv[4], &len) || parse_u64(argv[5], &seed)) return usage();
    uint8_t *buf = kmalloc(CHUNK);
    if (!buf) return -1;
    long r = 0;
    for (uint64_t done = 0; done < len;) {
        uint64_t n = len - done < CHUNK ? len - done : CHUNK;
        for (uint64_t i = 0; i < n; i++) buf[i] = pattern_byte(off + done + i, seed);
        r = blk_write(d, off + done, buf, n);
        if (r < 0) break;
        done += n;
    }
    kfree(buf);
    if (r < 0) {
        kprintf("atatest: write %s failed: %ld\n", d->name, r);
        return -1;
    }
    kprintf("atatest: wrote %s %llu+%llu\n", d->name, off, len);
    return 0;
}

static int cmd_atatest(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "list") == 0) {
        struct blockdev *d;
        for (uint32_t i = 0; (d = blockdev_at(i)); i++)
            kprintf("atatest: %s %s sectors=%lu sector_size=%u bytes=%lu%s\n", d->name,
                    d->driver ? d->driver : "?", d->sectors, d->sector_size, blk_size(d),
                    d->readonly ? " ro" : "");
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "stats") == 0) {
        kprintf("atatest: ide reads=%lu writes=%lu errors=%lu timeouts=%lu\n", ide_stats.reads,
                ide_stats.writes, ide_stats.errors, ide_stats.timeouts);
        kprintf("atatest: ahci commands=%lu errors=%lu timeouts=%lu recoveries=%lu retired=%lu\n",
                ahci_stats.commands, ahci_stats.errors, ahci_stats.timeouts, ahci_stats.recoveries,
                ahci_stats.retired);
        return 0;
    }
    if ((argc == 3 || argc == 5) && strcmp(argv[1], "hash") == 0) return cmd_hash(argc, argv);
    if (argc == 6 && strcmp(argv[1], "write") == 0) return cmd_write(argv);
    if (argc == 3 && strcmp(argv[1], "sync") == 0) {
        struct blockdev *d = find(argv[2]);
        if (!d) return -1;
        int r = blk_sync(d);
        kprintf("atatest: sync %s: %d\n", d->name, r);
        return r < 0 ? -1 : 0;
    }
    return usage();
}
SHELL_COMMAND(atatest, "atatest", "atatest list | hash <dev> [<offset> <bytes>] | write <dev> <offset> <bytes> <seed> | sync <dev> | stats",
              "(test configuration) read, hash and write block devices through the block layer", cmd_atatest);
