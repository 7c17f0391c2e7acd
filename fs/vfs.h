/* The VFS: one tree of absolute paths, served by mounted filesystems (RAMFS
 * at / for now; FAT32/ext2 later plug in through struct vfs_fs_ops without
 * touching callers). Paths given to vfs_* must be absolute; callers that
 * accept relative paths normalise them first with path_normalize()
 * (fs/path.h) against their working directory. Every function returns 0 (or
 * a byte count) on success and a negative errno on failure. */
#ifndef FS_VFS_H
#define FS_VFS_H
#include <stdint.h>

#define VFS_NAME_MAX 63   /* bytes in one path component */
#define VFS_PATH_MAX 255  /* bytes in a whole path */

enum vfs_type { VFS_FILE = 1, VFS_DIR = 2 };

struct vfs_stat {
    enum vfs_type type;
    uint64_t size;       /* bytes (files); number of entries (directories) */
    int immutable;
};

struct vfs_dirent {
    char name[VFS_NAME_MAX + 1];
    enum vfs_type type;
    uint64_t size;
    int immutable;
};

/* What a filesystem provides. Paths passed here are relative to the mount
 * point, normalised, starting with '/'. */
struct vfs_fs_ops {
    const char *name;
    int (*lookup)(void *ctx, const char *path, struct vfs_stat *st);
    int (*readdir)(void *ctx, const char *path, uint32_t index, struct vfs_dirent *out); /* -ENOENT past the end */
    long (*read)(void *ctx, const char *path, uint64_t off, void *buf, uint64_t len);
    long (*write)(void *ctx, const char *path, uint64_t off, const void *buf, uint64_t len);
    int (*create)(void *ctx, const char *path, int immutable, const void *data, uint64_t len);
    int (*truncate)(void *ctx, const char *path, uint64_t size);
    int (*remove)(void *ctx, const char *path);   /* a file, or an empty directory */
    int (*rename)(void *ctx, const char *from, const char *to);
    int (*mkdir)(void *ctx, const char *path);
};

int vfs_mount(const char *mountpoint, const struct vfs_fs_ops *ops, void *ctx);
int vfs_mount_root(const struct vfs_fs_ops *ops, void *ctx);
/* i-th mount (0..): returns 0 and fills, -ENOENT past the end. */
int vfs_mount_info(uint32_t index, const char **mountpoint, const char **fsname);

int vfs_lookup(const char *path, struct vfs_stat *st);
int vfs_readdir(const char *path, uint32_t index, struct vfs_dirent *out);
long vfs_read(const char *path, uint64_t off, void *buf, uint64_t len);
/* Whole file into buf; -EFBIG if it does not fit in cap. Returns its size. */
long vfs_read_all(const char *path, void *buf, uint64_t cap);
long vfs_write(const char *path, uint64_t off, const void *buf, uint64_t len); /* grows the file */
int vfs_create(const char *path, int immutable, const void *data, uint64_t len);
int vfs_truncate(const char *path, uint64_t size);
int vfs_remove(const char *path);
int vfs_rename(const char *from, const char *to);
int vfs_mkdir(const char *path);

/* Boot: mounts RAMFS at / and creates the boot files (VERSION, sys/...). */
void fs_init(void);
/* Boot, later: unpacks the initrd modules (if any) into the tree. */
void fs_late_init(void);

#endif
