/* Linux binary layouts from VFS structures; see linux_abi.h. */
#include "fs/linux_abi.h"
#include "lib/string.h"
#include "secos/errno.h"

uint8_t linux_dtype(enum vfs_type t) {
    switch (t) {
    case VFS_DIR: return LINUX_DT_DIR;
    case VFS_CHR: return LINUX_DT_CHR;
    case VFS_LNK: return LINUX_DT_LNK;
    default: return LINUX_DT_REG;
    }
}

static uint32_t type_bits(enum vfs_type t) {
    switch (t) {
    case VFS_DIR: return LINUX_S_IFDIR;
    case VFS_CHR: return LINUX_S_IFCHR;
    case VFS_LNK: return LINUX_S_IFLNK;
    case VFS_SOCK: return LINUX_S_IFSOCK;
    default: return LINUX_S_IFREG;
    }
}

void linux_stat_from_vfs(struct linux_stat *out, const struct vfs_stat *st, uint64_t dev) {
    memset(out, 0, sizeof *out);
    out->st_dev = dev;
    out->st_ino = st->ino;
    out->st_nlink = st->nlink;
    out->st_mode = type_bits(st->type) | (st->mode & 07777);
    out->st_rdev = st->rdev;
    out->st_size = st->type == VFS_DIR ? 4096 : (int64_t)st->size;
    out->st_blksize = 4096;
    out->st_blocks = st->type == VFS_FILE ? (int64_t)((st->size + 511) / 512) : 0;
    out->st_atime_sec = st->atime;
    out->st_mtime_sec = st->mtime;
    out->st_ctime_sec = st->ctime;
}

size_t linux_dirent64_reclen(size_t namelen) { return (LINUX_DIRENT64_HDR + namelen + 1 + 7) & ~(size_t)7; }

size_t linux_dirent64_pack(void *buf, size_t cap, uint64_t ino, int64_t off, uint8_t type, const char *name) {
    size_t n = strlen(name), len = linux_dirent64_reclen(n);
    if (len > cap) return 0;
    uint8_t *p = buf;
    uint16_t reclen = (uint16_t)len;
    memset(p, 0, len);   /* the padding too: no kernel bytes reach the caller */
    memcpy(p, &ino, 8);
    memcpy(p + 8, &off, 8);
    memcpy(p + 16, &reclen, 2);
    p[18] = type;
    memcpy(p + LINUX_DIRENT64_HDR, name, n);
    return len;
}

long linux_getdents_fill(void *buf, size_t cap, uint64_t *index, linux_dirent_source src, void *ctx) {
    size_t used = 0;
    for (;;) {
        struct vfs_dirent d;
        memset(&d, 0, sizeof d);
        int r = src(ctx, *index, &d);
        if (r == -ENOENT) break;
        if (r) return used ? (long)used : r;
        size_t n = linux_dirent64_pack((uint8_t *)buf + used, cap - used, d.ino, (int64_t)(*index + 1),
                                       linux_dtype(d.type), d.name);
        if (!n) {
            if (!used) return -EINVAL;
            break;
        }
        used += n;
        (*index)++;
    }
    return (long)used;
}
