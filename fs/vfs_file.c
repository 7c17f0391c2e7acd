/* A file of the VFS as an open-file description. It names its path and an
 * offset (RAMFS has no inodes to pin): a file removed or renamed while open
 * makes later reads and writes fail with -ENOENT. Work per call is bounded:
 * 512-byte chunks with a reschedule point between them. */
#include "fs/file.h"
#include "fs/fd.h"
#include "fs/fs.h"
#include "kernel/proc.h"
#include "mm/usercopy.h"
#include "lib/string.h"
#include "secos/errno.h"
#include "secos/syscall.h"

static long vfs_file_read(struct file *f, uint64_t buf, uint64_t len) {
    if (len == 0) return 0;
    if (!user_range_valid(buf, len, 1)) return -EFAULT;
    char kbuf[512];
    uint64_t done = 0;
    while (done < len) {
        uint64_t n = len - done < sizeof kbuf ? len - done : sizeof kbuf;
        long got = vfs_read(f->path, f->off, kbuf, n);
        if (got < 0) return done ? (long)done : got;
        if (got == 0) break;
        if (copy_to_user(buf + done, kbuf, (uint64_t)got)) return done ? (long)done : -EFAULT;
        f->off += (uint64_t)got;
        done += (uint64_t)got;
        if ((uint64_t)got < n) break;
        sched_resched_point();
    }
    return (long)done;
}

static long vfs_file_write(struct file *f, uint64_t buf, uint64_t len) {
    if (len == 0) return 0;
    if (!user_range_valid(buf, len, 0)) return -EFAULT;
    if (f->flags & O_APPEND) {
        struct vfs_stat st;
        long r = vfs_lookup(f->path, &st);
        if (r < 0) return r;
        f->off = st.size;
    }
    char kbuf[512];
    uint64_t done = 0;
    while (done < len) {
        uint64_t n = len - done < sizeof kbuf ? len - done : sizeof kbuf;
        if (copy_from_user(kbuf, buf + done, n)) return done ? (long)done : -EFAULT;
        long put = vfs_write(f->path, f->off, kbuf, n);
        if (put < 0) return done ? (long)done : put;
        f->off += (uint64_t)put;
        done += (uint64_t)put;
        sched_resched_point();
    }
    return (long)done;
}

static long vfs_file_lseek(struct file *f, int64_t off, int whence) {
    int64_t base;
    switch (whence) {
    case SEEK_SET: base = 0; break;
    case SEEK_CUR: base = (int64_t)f->off; break;
    case SEEK_END: {
        struct vfs_stat st;
        long r = vfs_lookup(f->path, &st);
        if (r < 0) return r;
        base = (int64_t)st.size;
        break;
    }
    default: return -EINVAL;
    }
    if ((off > 0 && base > INT64_MAX - off) || base + off < 0) return -EINVAL;
    f->off = (uint64_t)(base + off);
    return (long)f->off;
}

static const struct file_ops vfs_file_ops = {
    .read = vfs_file_read, .write = vfs_file_write, .lseek = vfs_file_lseek,
};

struct file *vfs_file_open(const char *path, int flags) {
    struct file *f = file_alloc(&vfs_file_ops, flags);
    if (f) strlcpy(f->path, path, sizeof f->path);
    return f;
}

/* For private file mappings (kernel/umem.c): the bytes of a descriptor's
 * regular file at off, without moving its offset. */
long vfs_file_read_at(uint64_t fd, uint64_t off, void *buf, uint64_t len) {
    struct file *f = fd_get(fd);
    if (!f) return -EBADF;
    if (f->ops != &vfs_file_ops || (f->flags & 3) == O_WRONLY) return -EACCES;
    if (!len) return 0;
    return vfs_read(f->path, off, buf, len);
}
