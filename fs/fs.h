/* The filesystem layer beyond the fixed contract in fs/vfs.h: mount
 * management, error text, a tree walker, and what the shell side keeps
 * (working directory, scripts). */
#ifndef FS_FS_H
#define FS_FS_H
#include <stdint.h>
#include "fs/vfs.h"
#include "secos/errno.h"

/* Not (yet) in include/secos/errno.h; Linux's value, so a later addition
 * there agrees with this one. vfs_rename returns it across filesystems. */
#ifndef EXDEV
#define EXDEV 18
#endif

#define VFS_MAX_MOUNTS 8

/* Detaches a filesystem. -EINVAL if mountpoint is not one, -EBUSY while
 * another mount lies below it. The filesystem itself is not destroyed. */
int vfs_umount(const char *mountpoint);

/* A short lower-case reason for a negative errno, for messages such as
 * "rfdel: /VERSION: read-only (immutable)". */
const char *vfs_strerror(int err);

/* Pre-order walk below dir (dir itself not visited), entries in readdir
 * order. For each: fn(path, entry, depth, last, ctx) where depth is 1 for
 * dir's own entries and last[i] (i < depth) says whether the entry on the
 * way down at depth i+1 is the last one of its directory (what a tree
 * drawing needs). A non-zero return from fn stops the walk and is returned;
 * otherwise 0 or a negative errno. fn must not add or remove entries of
 * the tree being walked (entries are re-read by index). Iterative, with one
 * path buffer, so it is safe on a small kernel stack however deep the tree. */
typedef int (*vfs_walk_fn)(const char *path, const struct vfs_dirent *d, uint32_t depth,
                           const uint8_t *last, void *ctx);
int vfs_walk(const char *dir, vfs_walk_fn fn, void *ctx);

/* --- kernel side (fs_init.c) --------------------------------------------- */
struct ramfs;
struct ramfs *fs_root_ramfs(void);   /* the RAMFS mounted at /; NULL before fs_init */
/* After the initrd, before /init.rc runs: /init.rc immutable, every boot
 * directory pinned (fs/boot_seal.c). */
void fs_seal_boot_tree(void);
/* The wall clock files are stamped with (seconds since the epoch). */
uint64_t fs_now(void);
/* RAMFS nodes and bytes charged to the creating process (fs/fs_quota.c). */
void fs_quota_install(void);

#endif
