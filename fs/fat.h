/* FAT12/16/32 as a mountable file-system type ("vfat", "msdos"): see
 * fs/fat.c for the nodes, fs/fat_core.h for the on-disk rules. */
#ifndef FS_FAT_H
#define FS_FAT_H
#include "fs/mount.h"

/* Registers the types with fs/mount.c (boot, from fs_init). */
void fat_register(void);

#endif
