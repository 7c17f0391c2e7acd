/* Block-device commands: lsblk, blkhash. */
#include "console/shell.h"
#include "block/blockdev.h"
#include "block/bcache.h"
#include "drivers/virtio_blk.h"
#include "mm/kheap.h"
#include "lib/console_out.h"
#include "lib/sha256.h"
#include "lib/strerror.h"
#include "lib/string.h"

static int cmd_lsblk(int argc, char **argv) {
    (void)argv;
    if (argc > 1) { kprintf("usage: lsblk\n"); return 1; }
    kprintf("NAME            SIZE(bytes)     SECTOR DRIVER      RO  PARTITION\n");
    struct blockdev *d;
    for (uint32_t i = 0; (d = blockdev_at(i)) != 0; i++) {
        kprintf("%-15s %-15lu %-6u %-11s %-3s %s", d->name, blk_size(d), d->sector_size, d->driver ? d->driver : "?",
                d->readonly ? "ro" : "rw", d->part_desc);
        if (d->parent) kprintf(" (on %s at sector %lu)", d->parent->name, d->start);
        kprintf("\n");
    }
    struct bcache_info c;
    bcache_info(&c);
    kprintf("cache: %u/%u blocks of %u bytes, %u dirty; %lu hits, %lu misses, %lu direct reads, %lu write-backs, "
            "%lu write errors\n", c.used, c.capacity, c.block, c.dirty, c.st.hits, c.st.misses, c.direct_reads,
            c.st.writebacks, c.st.write_errors);
    struct virtio_blk_stats v;
    for (uint32_t i = 0; virtio_blk_stat(i, &v) == 0; i++)
        kprintf("%s: virtio-blk %lu requests, %lu interrupts, %lu sleeps%s%s\n", v.name, v.requests, v.irqs, v.sleeps,
                v.irq_on ? "" : " (polling: no interrupt line)", v.broken ? " (disabled: protocol error)" : "");
    return 0;
}
SHELL_COMMAND(lsblk, "lsblk", "lsblk",
              "list block devices: name, size, sector size, driver, read-only, partition type/name", cmd_lsblk);

static int cmd_blkhash(int argc, char **argv) {
    if (argc != 2 && argc != 4) {
        kprintf("usage: blkhash <dev> [offset length]\n");
        return 1;
    }
    struct blockdev *d = blockdev_find(argv[1]);
    if (!d) { kprintf("blkhash: no block device '%s' (see lsblk)\n", argv[1]); return 1; }
    unsigned long long off = 0, len = blk_size(d);
    if (argc == 4 && (parse_u64(argv[2], &off) != 0 || parse_u64(argv[3], &len) != 0)) {
        kprintf("blkhash: offset and length are numbers (decimal or 0x hex)\n");
        return 1;
    }
    if (off > blk_size(d) || len > blk_size(d) - off) {
        kprintf("blkhash: %llu bytes at %llu lie past the end of %s (%lu bytes)\n", len, off, d->name, blk_size(d));
        return 1;
    }
    enum { CHUNK = 64 * 1024 };
    uint8_t *buf = kmalloc(CHUNK);
    if (!buf) { kprintf("blkhash: out of memory\n"); return 1; }
    struct sha256 s;
    sha256_init(&s);
    for (unsigned long long done = 0; done < len;) {
        uint64_t n = len - done < CHUNK ? len - done : CHUNK;
        long r = blk_read(d, off + done, buf, n);
        if (r < 0) {
            kprintf("blkhash: read error at %llu: %s\n", off + done, secos_strerror((int)r));
            kfree(buf);
            return 1;
        }
        sha256_update(&s, buf, n);
        done += n;
    }
    kfree(buf);
    uint8_t digest[SHA256_DIGEST];
    char hex[65];
    sha256_final(&s, digest);
    sha256_hex(digest, hex);
    kprintf("%s  %s %llu %llu\n", hex, d->name, off, len);
    return 0;
}
SHELL_COMMAND(blkhash, "blkhash", "blkhash <dev> [offset length]",
              "SHA-256 of a block device, or of length bytes at offset", cmd_blkhash);
