/* Block devices: one interface for every disk (virtio-blk, AHCI, IDE, a RAM
 * disk) and for the partitions found on them. A driver fills a struct
 * blockdev and registers it; file systems never talk to a driver, only to
 * blk_read/blk_write/blk_sync below, which work in bytes at any offset and
 * go through the block cache (block/bcache.c), so a file system never sees
 * sector sizes or alignment.
 *
 * Invariants: a registered device is never freed (devices do not go away
 * while the kernel runs; hot-unplug is not supported); sector_size is a
 * power of two from 512 to 4096; a partition's [start, start + sectors) lies
 * inside its parent and its ops are the parent's, offset by start. */
#ifndef BLOCK_BLOCKDEV_H
#define BLOCK_BLOCKDEV_H
#include <stdint.h>

#define BLOCKDEV_NAME_MAX 15
#define BLOCKDEV_MAX      32

struct blockdev;

/* What a driver provides. Sectors are the device's own (sector_size bytes);
 * buf is a kernel address, count >= 1 and lba + count <= sectors (the block
 * layer checks before calling). The call returns when the transfer is done
 * (a driver whose device interrupts sleeps the caller meanwhile): 0, or a
 * negative errno (-EIO for a device error). */
struct blockdev_ops {
    int (*read)(struct blockdev *d, uint64_t lba, uint32_t count, void *buf);
    int (*write)(struct blockdev *d, uint64_t lba, uint32_t count, const void *buf);
    int (*flush)(struct blockdev *d);   /* 0: nothing volatile to flush */
};

struct blockdev {
    char name[BLOCKDEV_NAME_MAX + 1];   /* "vda", "sda", "hda", "ram0"; partitions "vda1" */
    uint32_t sector_size;
    uint64_t sectors;
    int readonly;                       /* writes are -EROFS */
    const struct blockdev_ops *ops;     /* a partition: 0, the block layer goes to parent */
    void *priv;                         /* the driver's */
    struct blockdev *parent;            /* a partition: the whole disk; else 0 */
    uint64_t start;                     /* a partition: first sector in parent */
    const char *driver;                 /* "virtio-blk", "ahci", "ide", "ramdisk", "partition" */
    char part_desc[48];                 /* a partition: its type and name for lsblk ("GPT Linux filesystem \"root\""); else "" */
};

/* Adds d (filled by the caller, static or heap storage that is never freed)
 * under its name: 0, -EEXIST (name taken), -ENOSPC (table full), -EINVAL. */
int blockdev_register(struct blockdev *d);
struct blockdev *blockdev_find(const char *name);   /* or 0 */
struct blockdev *blockdev_at(uint32_t index);       /* 0.. in registration order, 0 past the end */

/* Byte-granular I/O for file systems, through the cache: bytes done (len on
 * success), or a negative errno: -EINVAL past the end of the device (nothing
 * is done; a transfer is never silently truncated), -EROFS, -EIO. */
long blk_read(struct blockdev *d, uint64_t off, void *buf, uint64_t len);
long blk_write(struct blockdev *d, uint64_t off, const void *buf, uint64_t len);
/* Writes back every dirty cached block of d (0: every device) and flushes
 * the device's volatile cache: 0 or a negative errno. */
int blk_sync(struct blockdev *d);
/* Ordering for a power cut: every blk_write after this reaches the disk
 * only after every blk_write before it (to the same disk) has; nothing is
 * written now. 0 or a negative errno. */
int blk_barrier(struct blockdev *d);
/* Bytes in d. */
static inline uint64_t blk_size(const struct blockdev *d) { return d->sectors * d->sector_size; }

#endif
