/* What the Linux-personality file calls (fs/linux_file.c, linux_path.c,
 * linux_names.c) and the program source (fs/exec.c) share inside fs/. */
#ifndef FS_LINUX_FS_H
#define FS_LINUX_FS_H
#include "fs/vfs.h"

/* If path (absolute, normalised) names a link (/proc/<pid>/exe), its target,
 * normalised, into target and 1; 0 if it is no link; a negative errno if it
 * does not exist. One level: SECoS's only links point at files. */
long fs_follow_link(const char *path, char target[VFS_PATH_MAX + 1]);

/* The stat of path (absolute, normalised), following one link unless
 * nofollow; must_dir: the path ended in '/' (-ENOTDIR unless a directory). */
long fs_stat_path(const char *path, int nofollow, int must_dir, struct vfs_stat *st);

#endif
