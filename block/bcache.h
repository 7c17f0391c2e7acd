/* The kernel's block cache: one bcache_core pool (BCACHE_BLOCKS blocks of
 * BCACHE_BLOCK bytes, allocated at first use and kept) shared by every
 * whole disk, keyed by disk and disk-relative block, so a partition and its
 * disk always see the same bytes. One sleep lock serialises it (drivers
 * sleep while a request is on the device). */
#ifndef BLOCK_BCACHE_H
#define BLOCK_BCACHE_H
#include <stdint.h>
#include "block/blockdev.h"
#include "block/bcache_core.h"

#define BCACHE_BLOCK  4096u
#define BCACHE_BLOCKS 256u

/* len bytes at byte off of the whole disk (range checked by the caller):
 * 0 or a negative errno. Reads of whole blocks that are not cached go to
 * the device directly (and are not cached). */
int bcache_io(struct blockdev *disk, uint64_t off, void *buf, uint64_t len, int write);
/* Writes back disk's dirty blocks (0: every disk's): 0 or -EIO. */
int bcache_flush_dirty(struct blockdev *disk);
/* Writes after this reach each disk after the writes before it
 * (bcache_core.h: epochs): 0 or -ENOMEM (no cache, nothing is cached). */
int bcache_order_barrier(void);
struct bcache_info { struct bcache_stats st; uint32_t used, dirty, capacity, block; uint64_t direct_reads; };
void bcache_info(struct bcache_info *out);

#endif
