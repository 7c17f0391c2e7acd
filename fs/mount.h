/* Mounting disk file systems: a registry of file-system types, mounts by
 * block-device name, read-only mounts, unmount with busy checks, sync, and
 * the clean unmount of everything at power-off.
 *
 * Who may mount: the kernel console, the boot command line (mount=), and a
 * SECoS program whose manifest carries MANIFEST_FLAG_MOUNT. A Linux
 * program (no manifest) gets -EPERM from mount(2) and umount2(2): fail
 * closed. */
#ifndef FS_MOUNT_H
#define FS_MOUNT_H
#include <stdint.h>
#include "fs/vfs.h"

struct blockdev;

#define FS_MOUNT_RDONLY 1u   /* Linux's MS_RDONLY: every change is -EROFS */

/* A file-system type. probe: 1 if dev holds one (may be 0: never picked by
 * "auto"); mount: a context for dev, and the ops serving it; sync: write
 * back everything; busy: 1 while a node is referenced (open files), which
 * refuses the unmount; unmount: frees the context (after a sync, never
 * while busy); usage: space for df; readonly: the type never writes, so
 * every mount of it is listed read-only whatever the flags said. */
struct fs_type {
    const char *name;
    int readonly;
    int (*probe)(struct blockdev *dev);
    int (*mount)(struct blockdev *dev, int flags, const struct vfs_fs_ops **ops, void **ctx);
    int (*sync)(void *ctx);
    int (*busy)(void *ctx);
    void (*unmount)(void *ctx);
    int (*usage)(void *ctx, struct vfs_statfs *out);
    /* May be 0: a mounted volume that decided itself not to write (its
     * features, its state) says so, and the mount is listed ro. */
    int (*is_readonly)(void *ctx);
};

#define FS_TYPES_MAX 8

/* 0, -EEXIST (name taken), -ENOSPC. */
int fs_type_register(const struct fs_type *t);

/* Mounts device dev ("ram0" or "/dev/ram0") on directory dir with type
 * ("vfat", "msdos", "exfat", "ext2", "auto" or 0 = probe every type): 0, or -ENODEV (no such
 * device or no type recognises it), -EBUSY (device or directory already
 * mounted), -ENOTDIR, -ENOENT, -EINVAL (a bad image), -EIO. */
int fs_mount(const char *dev, const char *dir, const char *type, unsigned flags);
/* Syncs and unmounts the file system on dir: -EINVAL if none is mounted
 * there, -EBUSY while a file on it is open, a process's working directory
 * lies on it, or another mount lies below it. */
int fs_umount(const char *dir);
/* Writes back every mounted file system: 0 or the first error. */
int fs_sync_all(void);
/* Syncs and unmounts every disk file system that is not busy, deepest
 * first; prints one line per mount that stays. For power-off and reboot. */
void fs_unmount_all(void);

/* The i-th disk mount: 0 and its fields, -ENOENT past the end. */
struct fs_mount_info {
    const char *dev, *dir, *type;
    unsigned flags;
    struct vfs_statfs usage;
};
int fs_mount_at(uint32_t index, struct fs_mount_info *out);

/* The console's working directory counts as "in use" too: the console (a
 * layer above) registers where it is. */
void fs_mount_set_cwd_hook(const char *(*cwd)(void));

/* Boot: every `mount=<dev>:<dir>[:<type>[:ro]]` option of the command line,
 * validated, mounted in order; one line each. */
void fs_mount_cmdline(const char *cmdline);
/* One option's value parsed (pure; exported for the tests): 0 or -EINVAL. */
int fs_mount_parse_opt(const char *val, char *dev, uint32_t devcap, char *dir, uint32_t dircap, char *type,
                       uint32_t typecap, unsigned *flags);

#endif
