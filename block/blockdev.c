/* The block-device registry and byte-granular I/O: every transfer is
 * checked against its device (partition or disk) here, then goes to the
 * whole disk through the block cache (block/bcache.c). */
#include "block/blockdev.h"
#include "block/bcache.h"
#include "lib/string.h"
#include "secos/errno.h"

static struct blockdev *devs[BLOCKDEV_MAX];
static uint32_t ndevs;

int blockdev_register(struct blockdev *d) {
    if (!d || !d->name[0] || d->sector_size < 512 || d->sector_size > 4096 ||
        (d->sector_size & (d->sector_size - 1)) || (!d->ops && !d->parent)) return -EINVAL;
    if (d->parent && (d->start > d->parent->sectors || d->sectors > d->parent->sectors - d->start))
        return -EINVAL;
    if (blockdev_find(d->name)) return -EEXIST;
    if (ndevs == BLOCKDEV_MAX) return -ENOSPC;
    devs[ndevs++] = d;
    return 0;
}

struct blockdev *blockdev_find(const char *name) {
    for (uint32_t i = 0; i < ndevs; i++)
        if (strcmp(devs[i]->name, name) == 0) return devs[i];
    return 0;
}

struct blockdev *blockdev_at(uint32_t index) { return index < ndevs ? devs[index] : 0; }

/* The whole disk under d and d's first sector on it. */
static struct blockdev *disk_of(struct blockdev *d, uint64_t *base) {
    *base = 0;
    while (d->parent) { *base += d->start; d = d->parent; }
    return d;
}

static int range_ok(const struct blockdev *d, uint64_t off, uint64_t len) {
    uint64_t size = blk_size(d);
    return off <= size && len <= size - off;
}

static long transfer(struct blockdev *d, uint64_t off, void *buf, uint64_t len, int write) {
    if (!d) return -EINVAL;
    if (!range_ok(d, off, len)) return -EINVAL;
    if (write && d->readonly) return -EROFS;
    if (len == 0) return 0;
    uint64_t base;
    struct blockdev *disk = disk_of(d, &base);
    int r = bcache_io(disk, base * disk->sector_size + off, buf, len, write);
    return r < 0 ? r : (long)len;
}

long blk_read(struct blockdev *d, uint64_t off, void *buf, uint64_t len) { return transfer(d, off, buf, len, 0); }

long blk_write(struct blockdev *d, uint64_t off, const void *buf, uint64_t len) {
    return transfer(d, off, (void *)buf, len, 1);
}

int blk_barrier(struct blockdev *d) {
    (void)d;   /* the cache's epochs are global: a barrier orders every disk, which is never wrong */
    return bcache_order_barrier();
}

int blk_sync(struct blockdev *d) {
    uint64_t base;
    struct blockdev *disk = d ? disk_of(d, &base) : 0;
    /* Every block is tried even after a failure: -EIO then, the failed
     * blocks stay dirty for the next sync. */
    int r = bcache_flush_dirty(disk);
    for (uint32_t i = 0; i < ndevs; i++) {
        struct blockdev *x = devs[i];
        if (x->parent || !x->ops->flush || (disk && x != disk)) continue;
        int f = x->ops->flush(x);
        if (f < 0 && r == 0) r = f;
    }
    return r;
}
