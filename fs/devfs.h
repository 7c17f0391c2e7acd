/* /dev (fs/devfs.c) and /proc (fs/procfs.c): small filesystems mounted at
 * boot on directories of the root RAMFS. */
#ifndef FS_DEVFS_H
#define FS_DEVFS_H

#include <stdint.h>

struct file;

int devfs_mount(const char *at);

/* A character device of a higher layer (the terminals), as a /dev node:
 * its name, number (st_rdev), mode, and how it opens: a new description
 * (flags as open(2) got them) or 0 with a negative errno in *err. */
struct devfs_chr {
    const char *name;
    uint32_t rdev;
    uint32_t mode;
    struct file *(*open)(int flags, int *err);
};
#define DEVFS_MAX_REGISTERED 12  /* the terminals, the NICs (NETDEV_MAX) and /dev/netsrv */
/* At boot, before any process runs; d must outlive the kernel. 0 or -ENOSPC. */
int devfs_register_chr(const struct devfs_chr *d);
/* open(2) of a character device: the registered device's description, or 0
 * (*err 0: no registered device has that number, open it as a node). */
struct file *devfs_open_chr(uint32_t rdev, int flags, int *err);
int procfs_mount(const char *at);

#endif
