/* The VFS: one tree of absolute paths, served by mounted filesystems (RAMFS
 * at / for now; FAT32/ext2 later plug in through struct vfs_fs_ops without
 * touching callers). Paths given to vfs_* must be absolute; callers that
 * accept relative paths normalise them first with path_normalize()
 * (fs/path.h) against their working directory. Every function returns 0 (or
 * a byte count) on success and a negative errno on failure. */
#ifndef FS_VFS_H
#define FS_VFS_H
#include <stdint.h>

#define VFS_NAME_MAX 255   /* bytes in one path component (a FAT long name: 255 UTF-16 units, ASCII) */
#define VFS_PATH_MAX 1023  /* bytes in a whole path */

/* VFS_CHR: a character device (/dev/null); the VFS treats it as a file
 * whose reads and writes the filesystem defines. */
enum vfs_type { VFS_FILE = 1, VFS_DIR = 2, VFS_CHR = 3, VFS_LNK = 4, VFS_SOCK = 5 /* an open socket's fstat only */ };

struct vfs_stat {
    enum vfs_type type;
    uint64_t size;       /* bytes (files); number of entries (directories) */
    int immutable;
    uint64_t ino;        /* unique within the filesystem; 0 if it has none */
    uint32_t nlink;      /* 0: removed but still open */
    uint32_t mode;       /* permission bits (07777), kept but not enforced */
    uint64_t atime, mtime, ctime;  /* seconds since the epoch */
    uint32_t rdev;       /* VFS_CHR: Linux's (major << 8) | minor */
    uint32_t dev;        /* set by the VFS: which mount (1 = the first) */
};

struct vfs_dirent {
    char name[VFS_NAME_MAX + 1];
    enum vfs_type type;
    uint64_t size;
    int immutable;
    uint64_t ino;
};

/* What isetattr changes: only the fields whose set_ flag is on. */
struct vfs_setattr {
    int set_mode, set_atime, set_mtime;
    uint32_t mode;
    uint64_t atime, mtime;
};

/* A filesystem's space, for statfs(2) and df. */
struct vfs_statfs {
    uint64_t magic;                /* Linux's f_type for this kind of filesystem */
    uint64_t bsize;                /* bytes per block */
    uint64_t blocks, bfree;        /* in bsize blocks */
    uint64_t files, ffree;         /* nodes; 0 if the filesystem has no such limit */
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
    /* POSIX rename(2): replaces a compatible target (see ramfs.h). */
    int (*rename_replace)(void *ctx, const char *from, const char *to);

    /* Inodes. iget takes a reference on the node at path (an opaque pointer
     * that stays valid until the matching iput, even if the node is removed
     * or renamed meanwhile); the i* calls work on such a node. iget is
     * required of a filesystem that can be opened; the rest may be 0 (the
     * VFS then answers -EROFS for a change, -EINVAL for a read). */
    int (*iget)(void *ctx, const char *path, void **node);
    void (*iput)(void *ctx, void *node);
    int (*istat)(void *ctx, void *node, struct vfs_stat *st);
    long (*iread)(void *ctx, void *node, uint64_t off, void *buf, uint64_t len);
    long (*iwrite)(void *ctx, void *node, uint64_t off, const void *buf, uint64_t len);
    int (*itruncate)(void *ctx, void *node, uint64_t size);
    int (*ireaddir)(void *ctx, void *node, uint32_t index, struct vfs_dirent *out);
    int (*isetattr)(void *ctx, void *node, const struct vfs_setattr *a);
    /* A file whose bytes never change nor go away (an immutable RAMFS
     * file): a pointer to all of them, valid for the life of the file
     * system, so exec can load it without a copy. 0 or -EINVAL (anything
     * else: read it). */
    int (*ipeek)(void *ctx, void *node, const void **data, uint64_t *size);
    /* VFS_LNK nodes: the target into buf (no NUL); its length. */
    long (*ireadlink)(void *ctx, void *node, char *buf, uint64_t cap);
    /* Space and nodes (may be 0: statfs then reports what it knows). */
    int (*statfs)(void *ctx, struct vfs_statfs *out);
};

/* A referenced node and the filesystem serving it. */
struct vfs_inode {
    const struct vfs_fs_ops *ops;
    void *ctx;
    void *node;
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
int vfs_rename_replace(const char *from, const char *to);

/* Inodes (see struct vfs_fs_ops). vfs_iget fills *ino with a reference that
 * vfs_iput drops; the others return what the filesystem does. */
int vfs_iget(const char *path, struct vfs_inode *ino);
void vfs_iput(struct vfs_inode *ino);
int vfs_istat(const struct vfs_inode *ino, struct vfs_stat *st);
long vfs_iread(const struct vfs_inode *ino, uint64_t off, void *buf, uint64_t len);
long vfs_iwrite(const struct vfs_inode *ino, uint64_t off, const void *buf, uint64_t len);
int vfs_itruncate(const struct vfs_inode *ino, uint64_t size);
int vfs_ireaddir(const struct vfs_inode *ino, uint32_t index, struct vfs_dirent *out);
int vfs_isetattr(const struct vfs_inode *ino, const struct vfs_setattr *a);
long vfs_ireadlink(const struct vfs_inode *ino, char *buf, uint64_t cap);
int vfs_ipeek(const struct vfs_inode *ino, const void **data, uint64_t *size); /* -EINVAL: read it instead */

/* Boot: mounts RAMFS at / and creates the boot files (VERSION, sys/...). */
void fs_init(void);
/* Boot, later: unpacks the initrd modules (if any) into the tree. */
void fs_late_init(void);

#endif
