/* Glue between blk_read/blk_write and the cache core: the pool, the lock,
 * block <-> sector translation (a disk whose size is not a multiple of the
 * block has a short last block: only its sectors are read or written, the
 * rest of the cached block stays zero), the direct path for long reads, and
 * write-back of neighbouring dirty blocks as one request. */
#include "block/bcache.h"
#include "kernel/proc.h"
#include "arch/x86_64/cpu.h"
#include "mm/kheap.h"
#include "lib/string.h"
#include "secos/errno.h"

#define DIRECT_MAX_BLOCKS 128  /* one device request: 512 KiB (the virtio-blk bounce buffer); also a write-back run's */

static struct bcache cache;
static struct bcache_entry *entries;
static uint8_t *pool;
static int busy;
static uint64_t direct_reads;
static uint8_t *run_buf;   /* write-back runs (bcache_set_run_buf) */

static int block_io(void *dev, uint64_t blk, uint8_t *buf, int write) {
    struct blockdev *d = dev;
    uint32_t spb = BCACHE_BLOCK / d->sector_size;
    uint64_t lba = blk * spb;
    if (lba >= d->sectors) return -EINVAL;
    uint32_t n = d->sectors - lba < spb ? (uint32_t)(d->sectors - lba) : spb;
    if (!write && n < spb) memset(buf + (uint64_t)n * d->sector_size, 0, (uint64_t)(spb - n) * d->sector_size);
    return write ? d->ops->write(d, lba, n, buf) : d->ops->read(d, lba, n, buf);
}
static int block_read(void *dev, uint64_t blk, uint8_t *buf) { return block_io(dev, blk, buf, 0); }
static int block_write(void *dev, uint64_t blk, const uint8_t *buf) { return block_io(dev, blk, (uint8_t *)buf, 1); }
/* Whole blocks in one request; a run that reaches a short last block
 * writes that one alone. */
static int block_write_run(void *dev, uint64_t blk, uint32_t count, const uint8_t *buf) {
    struct blockdev *d = dev;
    uint32_t spb = BCACHE_BLOCK / d->sector_size;
    uint64_t full = d->sectors / spb;
    if (blk >= full) return block_io(dev, blk, (uint8_t *)buf, 1);
    uint32_t n = full - blk < count ? (uint32_t)(full - blk) : count;
    int r = d->ops->write(d, blk * spb, n * spb, buf);
    if (r || n == count) return r;
    return block_io(dev, blk + n, (uint8_t *)buf + (uint64_t)n * BCACHE_BLOCK, 1);
}
static int block_flush(void *dev) {
    struct blockdev *d = dev;
    return d->ops->flush ? d->ops->flush(d) : 0;
}
static const struct bcache_ops ops = { block_read, block_write, block_flush, block_write_run };

static int lock(void) {
    uint64_t f = irq_save();
    while (busy)
        if (sleep_on(&busy) < 0) { cpu_sti_hlt(); cpu_cli(); }   /* a signal must not skip the queue */
    busy = 1;
    irq_restore(f);
    if (!entries) {
        entries = kmalloc(sizeof *entries * BCACHE_BLOCKS);
        pool = kmalloc((uint64_t)BCACHE_BLOCKS * BCACHE_BLOCK);
        if (!entries || !pool) {
            kfree(entries); kfree(pool);
            entries = 0; pool = 0;
            busy = 0;
            wakeup(&busy);
            return -ENOMEM;
        }
        bcache_init(&cache, entries, BCACHE_BLOCKS, pool, BCACHE_BLOCK, &ops);
        run_buf = kmalloc((uint64_t)DIRECT_MAX_BLOCKS * BCACHE_BLOCK);   /* without it: block by block */
        bcache_set_run_buf(&cache, run_buf, DIRECT_MAX_BLOCKS);
    }
    return 0;
}

static void unlock(void) {
    busy = 0;
    wakeup(&busy);
}

/* Whole blocks from blk on that are not cached, at most max. */
static uint32_t uncached_run(struct blockdev *disk, uint64_t blk, uint64_t max) {
    uint32_t n = 0;
    while (n < max && n < DIRECT_MAX_BLOCKS && !bcache_cached(&cache, disk, blk + n)) n++;
    return n;
}

int bcache_io(struct blockdev *disk, uint64_t off, void *buf, uint64_t len, int write) {
    int r = lock();
    if (r < 0) return r;
    uint8_t *p = buf;
    uint32_t spb = BCACHE_BLOCK / disk->sector_size;
    while (len && r == 0) {
        uint64_t blk = off / BCACHE_BLOCK;
        uint32_t in = (uint32_t)(off % BCACHE_BLOCK);
        uint64_t whole = in ? 0 : len / BCACHE_BLOCK;
        /* Never past the disk's last full block: the short one goes through the cache. */
        uint64_t full_blocks = disk->sectors / spb;
        if (blk + whole > full_blocks) whole = blk < full_blocks ? full_blocks - blk : 0;
        uint32_t run = !write && whole ? uncached_run(disk, blk, whole) : 0;
        if (run) {
            r = disk->ops->read(disk, blk * spb, run * spb, p);
            direct_reads++;
            uint64_t n = (uint64_t)run * BCACHE_BLOCK;
            p += n; off += n; len -= n;
            continue;
        }
        uint32_t n = BCACHE_BLOCK - in < len ? BCACHE_BLOCK - in : (uint32_t)len;
        r = write ? bcache_write(&cache, disk, blk, in, p, n) : bcache_read(&cache, disk, blk, in, p, n);
        p += n; off += n; len -= n;
    }
    unlock();
    return r;
}

int bcache_flush_dirty(struct blockdev *disk) {
    int r = lock();
    if (r < 0) return r;
    r = bcache_sync(&cache, disk);
    unlock();
    return r;
}

int bcache_order_barrier(void) {
    int r = lock();
    if (r < 0) return r;
    bcache_barrier(&cache);
    unlock();
    return 0;
}

void bcache_info(struct bcache_info *out) {
    memset(out, 0, sizeof *out);
    out->capacity = BCACHE_BLOCKS;
    out->block = BCACHE_BLOCK;
    out->direct_reads = direct_reads;
    if (!entries) return;
    out->st = cache.st;
    out->used = bcache_count(&cache, &out->dirty);
}
