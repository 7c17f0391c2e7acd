/* The Linux x86-64 binary layouts of the file calls, filled from the VFS's
 * own structures: struct stat (144 bytes), linux_dirent64, struct statfs.
 * Pure (no kernel state), so the layouts are checked on the host
 * (tests/unit/test_linux_abi.c). */
#ifndef FS_LINUX_ABI_H
#define FS_LINUX_ABI_H
#include <stddef.h>
#include <stdint.h>
#include "fs/vfs.h"

struct linux_stat {
    uint64_t st_dev;
    uint64_t st_ino;
    uint64_t st_nlink;
    uint32_t st_mode;
    uint32_t st_uid;
    uint32_t st_gid;
    uint32_t pad0;
    uint64_t st_rdev;
    int64_t st_size;
    int64_t st_blksize;
    int64_t st_blocks;      /* 512-byte units */
    uint64_t st_atime_sec, st_atime_nsec;
    uint64_t st_mtime_sec, st_mtime_nsec;
    uint64_t st_ctime_sec, st_ctime_nsec;
    int64_t unused[3];
};
_Static_assert(sizeof(struct linux_stat) == 144, "Linux x86-64 struct stat is 144 bytes");
_Static_assert(offsetof(struct linux_stat, st_size) == 48, "st_size at 48");
_Static_assert(offsetof(struct linux_stat, st_mtime_sec) == 88, "st_mtime at 88");

#define LINUX_S_IFMT  0170000
#define LINUX_S_IFSOCK 0140000
#define LINUX_S_IFLNK 0120000
#define LINUX_S_IFREG 0100000
#define LINUX_S_IFDIR 0040000
#define LINUX_S_IFCHR 0020000

#define LINUX_DT_CHR 2
#define LINUX_DT_DIR 4
#define LINUX_DT_REG 8
#define LINUX_DT_LNK 10

/* d_ino, d_off, d_reclen, d_type, then the NUL-terminated name; d_reclen is
 * a multiple of 8. */
#define LINUX_DIRENT64_HDR 19

struct linux_statfs {
    int64_t f_type, f_bsize;
    uint64_t f_blocks, f_bfree, f_bavail, f_files, f_ffree;
    int32_t f_fsid[2];
    int64_t f_namelen, f_frsize, f_flags;
    int64_t f_spare[4];
};
_Static_assert(sizeof(struct linux_statfs) == 120, "Linux x86-64 struct statfs is 120 bytes");

/* st from the VFS's stat of a node on device dev. */
void linux_stat_from_vfs(struct linux_stat *out, const struct vfs_stat *st, uint64_t dev);
/* The d_type of a VFS type. */
uint8_t linux_dtype(enum vfs_type t);
/* The record length of an entry named name (8-aligned). */
size_t linux_dirent64_reclen(size_t namelen);
/* Packs one entry into buf (cap bytes): its record length, or 0 if it does
 * not fit (nothing written then). */
size_t linux_dirent64_pack(void *buf, size_t cap, uint64_t ino, int64_t off, uint8_t type, const char *name);

/* getdents64's loop: packs entries src(ctx, *index, &d), *index, *index+1,
 * ... into buf (cap bytes) until one does not fit or src says -ENOENT (the
 * end); each entry's d_off is the index after it, and *index moves past
 * every entry packed, so the next call resumes there. Returns the bytes
 * packed (0 at the end), -EINVAL if not even the first entry fits, or src's
 * error if the first entry fails (a later failure ends the batch early). */
typedef int (*linux_dirent_source)(void *ctx, uint64_t index, struct vfs_dirent *d);
long linux_getdents_fill(void *buf, size_t cap, uint64_t *index, linux_dirent_source src, void *ctx);

#endif
