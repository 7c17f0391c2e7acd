/* The block cache's core: a fixed pool of equal-size blocks keyed by
 * (device, block number), least-recently-used replacement, write-back with
 * dirty tracking. Pure: devices are opaque pointers reached through the
 * ops, memory is the caller's, no locking (block/bcache.c serialises).
 *
 * Write order (for a power cut): bcache_barrier starts a new epoch; every
 * dirty block remembers the epoch it was dirtied in. A device never
 * receives a block of epoch e before every block of that device dirtied in
 * an earlier epoch has been written (eviction, sync and re-dirtying all
 * write back the older epochs first, and ops->flush runs between epochs),
 * so after a cut the disk holds every epoch before some k whole and part of
 * epoch k. A file system puts a barrier between writes whose order matters
 * (fs/fat_core.c: clusters before the entry that reaches them).
 *
 * Invariants: at most one entry per (dev, blk); a valid entry's data is
 * what the device holds, or, when dirty, what was last written to it; a
 * dirty entry is never dropped (eviction writes it back first, and a failed
 * write-back leaves it dirty and in place, with every later epoch of its
 * device); the pool never grows. */
#ifndef BLOCK_BCACHE_CORE_H
#define BLOCK_BCACHE_CORE_H
#include <stdint.h>

struct bcache_ops {
    /* Whole block blk of dev into/from buf: 0 or a negative errno. */
    int (*read)(void *dev, uint64_t blk, uint8_t *buf);
    int (*write)(void *dev, uint64_t blk, const uint8_t *buf);
    /* Optional: the device's volatile cache to stable storage, between
     * epochs: 0 or a negative errno. */
    int (*flush)(void *dev);
    /* Optional: count consecutive whole blocks from blk, in one request
     * (write-back of a run; see bcache_set_run_buf): 0 or a negative errno. */
    int (*write_run)(void *dev, uint64_t blk, uint32_t count, const uint8_t *buf);
};

struct bcache_entry {
    void *dev;                /* 0: free */
    uint64_t blk;
    uint64_t stamp;           /* last use; smallest = least recently used */
    uint8_t *data;
    uint8_t dirty;
    uint64_t epoch;           /* when dirty: the epoch it was dirtied in */
};

struct bcache_stats { uint64_t hits, misses, writebacks, write_errors, read_errors, runs; };

struct bcache {
    struct bcache_entry *e;
    uint32_t n, block_size;
    uint64_t clock;
    uint64_t epoch;           /* the current epoch (bcache_barrier) */
    const struct bcache_ops *ops;
    struct bcache_stats st;
    uint8_t *run_buf;         /* run_max blocks, or 0: every block written alone */
    uint32_t run_max;
};

/* entries[n] and data (n * block_size bytes) belong to the caller. */
void bcache_init(struct bcache *c, struct bcache_entry *entries, uint32_t n, uint8_t *data, uint32_t block_size,
                 const struct bcache_ops *ops);
/* Write-back in runs: a dirty block goes out together with the dirty
 * blocks of the same device and epoch next to it (up to max blocks,
 * gathered into buf, max * block_size bytes of the caller's), in one
 * ops->write_run. Order is kept: a run holds one epoch. */
void bcache_set_run_buf(struct bcache *c, uint8_t *buf, uint32_t max);
/* len bytes at off inside block blk (off + len <= block_size): 0, or a
 * negative errno from the device (nothing cached for a failed read; for a
 * write, nothing changes). A write of a whole block needs no read. */
int bcache_read(struct bcache *c, void *dev, uint64_t blk, uint32_t off, void *buf, uint32_t len);
int bcache_write(struct bcache *c, void *dev, uint64_t blk, uint32_t off, const void *buf, uint32_t len);
/* Writes back every dirty block of dev (0: of every device), per device in
 * epoch order, block order inside an epoch: 0, or -EIO when any write-back
 * failed (those blocks and the later epochs of their device stay dirty;
 * the other devices are still written). */
int bcache_sync(struct bcache *c, void *dev);
/* Everything written to the cache from now on reaches each device after
 * everything written before. */
void bcache_barrier(struct bcache *c);
/* 1 if (dev, blk) is in the cache (a caller reading around the cache must
 * take those blocks from it). */
int bcache_cached(const struct bcache *c, void *dev, uint64_t blk);
/* Entries in use and dirty, for statistics and tests. */
uint32_t bcache_count(const struct bcache *c, uint32_t *dirty);

#endif
