/* A node of the VFS (file, directory, device, /proc entry) as an open-file
 * description. It holds a reference on the inode (vfs_iget), not a path: a
 * file removed or renamed while open keeps its data for its holders until
 * the last close. Work per call is bounded: chunks of at most BIG_CHUNK
 * bytes with a reschedule point between them. The chunk is large because a
 * disk file system pays per call (a FAT chain walk, a directory-entry
 * store, a write barrier): 512-byte calls made a 1 MiB write 2048 of them.
 * A user buffer that faults part-way still moves up to the fault, in
 * SMALL_CHUNK steps, as before. */
#include "fs/file.h"
#include "fs/fd.h"
#include "fs/fs.h"
#include "kernel/proc.h"
#include "mm/usercopy.h"
#include "mm/kheap.h"
#include "lib/string.h"
#include "secos/errno.h"
#include "secos/syscall.h"

#define SMALL_CHUNK 512u
#define MID_CHUNK   (64u * 1024)
#define BIG_CHUNK   (512u * 1024)   /* the block layer's longest request (block/bcache.c) */

/* A bounce buffer for len bytes: from the heap for a long transfer, as
 * large as the transfer up to BIG_CHUNK (MID_CHUNK when the heap has no
 * room for that), else (or when the heap is short) the caller's small one. */
static char *bounce(uint64_t len, char *small, uint64_t *size) {
    if (len > SMALL_CHUNK) {
        uint64_t want = len < BIG_CHUNK ? (len + 4095) & ~4095ull : BIG_CHUNK;
        char *big = kmalloc(want);
        if (!big && want > MID_CHUNK) big = kmalloc(want = MID_CHUNK);
        if (big) { *size = want; return big; }
    }
    *size = SMALL_CHUNK;
    return small;
}

static void bounce_put(char *b, char *small) { if (b != small) kfree(b); }

/* Copies n bytes to the user in SMALL_CHUNK steps: how many went before a fault. */
static uint64_t copy_out_prefix(uint64_t ubuf, const char *k, uint64_t n) {
    uint64_t done = 0;
    while (done < n) {
        uint64_t m = n - done < SMALL_CHUNK ? n - done : SMALL_CHUNK;
        if (copy_to_user(ubuf + done, k + done, m)) break;
        done += m;
    }
    return done;
}

/* Copies up to n bytes from the user in SMALL_CHUNK steps: how many before a fault. */
static uint64_t copy_in_prefix(char *k, uint64_t ubuf, uint64_t n) {
    uint64_t done = 0;
    while (done < n) {
        uint64_t m = n - done < SMALL_CHUNK ? n - done : SMALL_CHUNK;
        if (copy_from_user(k + done, ubuf + done, m)) break;
        done += m;
    }
    return done;
}

static long vfs_file_read(struct file *f, uint64_t buf, uint64_t len, uint64_t *off) {
    if (len == 0) return 0;
    if (!user_range_valid(buf, len, 1)) return -EFAULT;
    char small[SMALL_CHUNK];
    uint64_t cap;
    char *kbuf = bounce(len, small, &cap);
    uint64_t done = 0;
    long r = 0;
    while (done < len) {
        uint64_t n = len - done < cap ? len - done : cap;
        long got = vfs_iread(&f->ino, *off, kbuf, n);
        if (got < 0) { r = got; break; }
        if (got == 0) break;
        if (copy_to_user(buf + done, kbuf, (uint64_t)got)) {
            /* What fits before the fault is delivered; the rest stays unread. */
            uint64_t ok = copy_out_prefix(buf + done, kbuf, (uint64_t)got);
            *off += ok;
            done += ok;
            r = -EFAULT;
            break;
        }
        *off += (uint64_t)got;
        done += (uint64_t)got;
        if ((uint64_t)got < n) break;
        sched_resched_point();
    }
    bounce_put(kbuf, small);
    return done ? (long)done : r;
}

static long vfs_file_write(struct file *f, uint64_t buf, uint64_t len, uint64_t *off) {
    if (len == 0) return 0;
    if (!user_range_valid(buf, len, 0)) return -EFAULT;
    if (f->flags & O_APPEND) {
        struct vfs_stat st;
        long r = vfs_istat(&f->ino, &st);
        if (r < 0) return r;
        if (st.type == VFS_FILE) *off = st.size;
    }
    char small[SMALL_CHUNK];
    uint64_t cap;
    char *kbuf = bounce(len, small, &cap);
    uint64_t done = 0;
    long r = 0;
    while (done < len) {
        uint64_t n = len - done < cap ? len - done : cap;
        int fault = 0;
        if (copy_from_user(kbuf, buf + done, n)) {
            /* Write what could be read before the fault, then stop. */
            n = copy_in_prefix(kbuf, buf + done, n);
            fault = 1;
            r = -EFAULT;
            if (n == 0) break;
        }
        long put = vfs_iwrite(&f->ino, *off, kbuf, n);
        if (put < 0) { r = put; break; }
        *off += (uint64_t)put;
        done += (uint64_t)put;
        if ((uint64_t)put < n || fault) break;
        sched_resched_point();
    }
    bounce_put(kbuf, small);
    return done ? (long)done : r;
}

static long vfs_file_kwrite(struct file *f, const void *buf, uint64_t len, uint64_t *off) {
    if (f->flags & O_APPEND) {
        struct vfs_stat st;
        long r = vfs_istat(&f->ino, &st);
        if (r < 0) return r;
        if (st.type == VFS_FILE) *off = st.size;
    }
    long put = vfs_iwrite(&f->ino, *off, buf, len);
    if (put > 0) *off += (uint64_t)put;
    return put;
}

/* Directories seek by entry index (what getdents64 reports as d_off). */
static long vfs_file_lseek(struct file *f, int64_t off, int whence) {
    int64_t base;
    switch (whence) {
    case SEEK_SET: base = 0; break;
    case SEEK_CUR: base = (int64_t)f->off; break;
    case SEEK_END: {
        struct vfs_stat st;
        long r = vfs_istat(&f->ino, &st);
        if (r < 0) return r;
        base = st.type == VFS_CHR ? 0 : (int64_t)st.size;
        break;
    }
    default: return -EINVAL;
    }
    if ((off > 0 && base > INT64_MAX - off) || base + off < 0) return -EINVAL;
    f->off = (uint64_t)(base + off);
    return (long)f->off;
}

static int vfs_file_stat(struct file *f, struct vfs_stat *st) { return vfs_istat(&f->ino, st); }

static int vfs_file_readdir(struct file *f, uint32_t index, struct vfs_dirent *out) {
    memset(out, 0, sizeof *out);
    return vfs_ireaddir(&f->ino, index, out);
}

static int vfs_file_truncate(struct file *f, uint64_t size) { return vfs_itruncate(&f->ino, size); }

static int vfs_file_setattr(struct file *f, const struct vfs_setattr *a) { return vfs_isetattr(&f->ino, a); }

static void vfs_file_release(struct file *f) { vfs_iput(&f->ino); }

static const struct file_ops vfs_file_ops = {
    .read = vfs_file_read,
    .write = vfs_file_write,
    .kwrite = vfs_file_kwrite,
    .lseek = vfs_file_lseek,
    .stat = vfs_file_stat,
    .readdir = vfs_file_readdir,
    .truncate = vfs_file_truncate,
    .setattr = vfs_file_setattr,
    .release = vfs_file_release,
};

struct file *vfs_file_open(const char *path, int flags, int *err) {
    struct vfs_inode ino;
    int r = vfs_iget(path, &ino);
    if (r) {
        *err = r;
        return 0;
    }
    struct file *f = file_alloc(&vfs_file_ops, flags);
    if (!f) {
        vfs_iput(&ino);
        *err = -ENOMEM;
        return 0;
    }
    f->ino = ino;
    strlcpy(f->path, path, sizeof f->path);
    return f;
}

/* For private file mappings (kernel/umem.c): the bytes of a descriptor's
 * regular file at off, without moving its offset. */
long vfs_file_read_at(uint64_t fd, uint64_t off, void *buf, uint64_t len) {
    struct file *f = fd_get(fd);
    if (!f) return -EBADF;
    if (f->ops != &vfs_file_ops || (f->flags & 3) == O_WRONLY) return -EACCES;
    if (!len) return 0;
    return vfs_iread(&f->ino, off, buf, len); /* the node: the file may have been renamed or unlinked */
}
