/* The block-device registry and byte-granular I/O. This version goes to the
 * device directly (read-modify-write of the sectors a transfer touches);
 * the block cache replaces the sector path without changing callers. */
#include "block/blockdev.h"
#include "mm/kheap.h"
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

static int sectors_io(struct blockdev *d, uint64_t lba, uint32_t n, void *buf, int write) {
    uint64_t base;
    struct blockdev *disk = disk_of(d, &base);
    return write ? disk->ops->write(disk, base + lba, n, buf) : disk->ops->read(disk, base + lba, n, buf);
}

static int range_ok(const struct blockdev *d, uint64_t off, uint64_t len) {
    uint64_t size = blk_size(d);
    return off <= size && len <= size - off;
}

static long transfer(struct blockdev *d, uint64_t off, void *buf, uint64_t len, int write) {
    if (!d) return -EINVAL;
    if (!range_ok(d, off, len)) return -EINVAL;
    if (write && d->readonly) return -EROFS;
    uint32_t ss = d->sector_size;
    uint8_t *bounce = 0;
    uint8_t *p = buf;
    uint64_t done = 0;
    while (done < len) {
        uint64_t lba = (off + done) / ss, in = (off + done) % ss;
        if (in == 0 && len - done >= ss) {
            /* Whole sectors straight to or from the caller's buffer. */
            uint64_t n = (len - done) / ss;
            if (n > 128) n = 128;
            int r = sectors_io(d, lba, (uint32_t)n, p + done, write);
            if (r < 0) { kfree(bounce); return r; }
            done += n * ss;
            continue;
        }
        if (!bounce && !(bounce = kmalloc(ss))) return -ENOMEM;
        uint64_t part = ss - in < len - done ? ss - in : len - done;
        int r = sectors_io(d, lba, 1, bounce, 0);
        if (r == 0 && write) {
            memcpy(bounce + in, p + done, part);
            r = sectors_io(d, lba, 1, bounce, 1);
        } else if (r == 0) {
            memcpy(p + done, bounce + in, part);
        }
        if (r < 0) { kfree(bounce); return r; }
        done += part;
    }
    kfree(bounce);
    return (long)len;
}

long blk_read(struct blockdev *d, uint64_t off, void *buf, uint64_t len) { return transfer(d, off, buf, len, 0); }

long blk_write(struct blockdev *d, uint64_t off, const void *buf, uint64_t len) {
    return transfer(d, off, (void *)buf, len, 1);
}

int blk_sync(struct blockdev *d) {
    uint64_t base;
    if (d) {
        struct blockdev *disk = disk_of(d, &base);
        return disk->ops->flush ? disk->ops->flush(disk) : 0;
    }
    for (uint32_t i = 0; i < ndevs; i++) {
        if (devs[i]->parent || !devs[i]->ops->flush) continue;
        int r = devs[i]->ops->flush(devs[i]);
        if (r < 0) return r;
    }
    return 0;
}
