/* exFAT as a mountable file-system type ("exfat"), read-only: see fs/exfat.c
 * for the nodes, fs/exfat_core.h for the on-disk rules. */
#ifndef FS_EXFAT_H
#define FS_EXFAT_H
#include "fs/mount.h"

/* Registers the type with fs/mount.c (boot, from fs_init). */
void exfat_register(void);

#endif
