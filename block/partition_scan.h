/* Reads a whole disk's partition table (block/part.h) and registers each
 * partition as its own struct blockdev: "vda1", ... ("ram0p1" when the
 * disk's name ends in a digit), parent = the disk, start = its first
 * sector. A refused table registers nothing and prints why. */
#ifndef BLOCK_PARTITION_SCAN_H
#define BLOCK_PARTITION_SCAN_H
#include "block/blockdev.h"

/* Partitions registered (0: none or no table), or a negative errno. */
int partition_scan(struct blockdev *disk);

#endif
