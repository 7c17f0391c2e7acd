/* /dev (fs/devfs.c) and /proc (fs/procfs.c): small filesystems mounted at
 * boot on directories of the root RAMFS. */
#ifndef FS_DEVFS_H
#define FS_DEVFS_H

int devfs_mount(const char *at);
int procfs_mount(const char *at);

#endif
