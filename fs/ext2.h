/* ext2 as a mountable file-system type ("ext2"; a clean ext3 mounts as
 * ext2, read-only), read-write: see fs/ext2.c for the nodes, fs/ext2_core.h
 * for the on-disk rules. */
#ifndef FS_EXT2_H
#define FS_EXT2_H
#include "fs/mount.h"

/* Registers the type with fs/mount.c (boot, from fs_init). */
void ext2_register(void);

#endif
