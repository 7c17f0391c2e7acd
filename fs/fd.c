/* File descriptors and the file system calls. A descriptor names a path and
 * an offset (RAMFS has no inodes to pin); a file removed or renamed while
 * open makes later reads and writes fail with -ENOENT. Descriptors 0-2 are
 * the console; 3..SECOS_FD_MAX-1 are files, closed when the process ends.
 * Every user pointer goes through the user-copy routines. */
#include "fs/fd.h"
#include "kernel/proc.h"
#include "kernel/syscall.h"
#include "fs/fs.h"
#include "fs/path.h"
#include "mm/kheap.h"
#include "mm/usercopy.h"
#include "lib/string.h"
#include "secos/errno.h"
#include "secos/syscall.h"

struct file {
    char path[VFS_PATH_MAX + 1];
    uint64_t off;
    int flags;
};


/* Copies a user path and makes it absolute (processes work from "/"). */
static long user_path(uint64_t upath, char *out) {
    char raw[VFS_PATH_MAX + 1];
    long n = strncpy_from_user(raw, upath, sizeof raw);
    if (n < 0) return n;
    return path_normalize("/", raw, out, VFS_PATH_MAX + 1);
}

static struct file *fd_get(int fd) {
    /* callers pass (int)a0; a value that does not fit is never a descriptor */
    if (fd < 3 || fd >= SECOS_FD_MAX) return 0;
    return current->files[fd];
}

int files_open_count(const struct proc *p) {
    int n = 0;
    for (int i = 3; i < SECOS_FD_MAX; i++) n += p->files[i] != 0;
    return n;
}

void files_release(struct proc *p) {
    for (int i = 3; i < SECOS_FD_MAX; i++) {
        kfree(p->files[i]);
        p->files[i] = 0;
    }
}

long sys_open(SYSARGS) {
    UNUSED_ARGS();
    char path[VFS_PATH_MAX + 1];
    long r = user_path(a0, path);
    if (r < 0) return r;
    int flags = (int)a1;
    if (flags & ~(O_RDONLY | O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND)) return -EINVAL;
    int fd = -1;
    for (int i = 3; i < SECOS_FD_MAX; i++)
        if (!current->files[i]) { fd = i; break; }
    if (fd < 0) return -EMFILE;
    struct vfs_stat st;
    r = vfs_lookup(path, &st);
    if (r == -ENOENT && (flags & O_CREAT)) {
        r = vfs_create(path, 0, 0, 0);
        if (r == 0) r = vfs_lookup(path, &st);
    }
    if (r < 0) return r;
    int writing = (flags & 3) != O_RDONLY;
    if (st.type == VFS_DIR && writing) return -EISDIR;
    if (writing && st.immutable) return -EPERM;
    if ((flags & O_TRUNC) && writing) {
        r = vfs_truncate(path, 0);
        if (r < 0) return r;
    }
    struct file *f = kmalloc(sizeof *f);
    if (!f) return -ENOMEM;
    strlcpy(f->path, path, sizeof f->path);
    f->off = 0;
    f->flags = flags;
    current->files[fd] = f;
    return fd;
}

long sys_close(SYSARGS) {
    UNUSED_ARGS();
    /* The descriptor is an int: checking (int)a0 but indexing with the full
     * 64-bit a0 once let close(0x100000003) write far outside the table. */
    if (a0 > INT32_MAX) return -EBADF;
    int fd = (int)a0;
    struct file *f = fd_get(fd);
    if (!f) return -EBADF;
    kfree(f);
    current->files[fd] = 0;
    return 0;
}

/* Called by sys_read/sys_write for descriptors other than the console. */
long fd_read(int fd, uint64_t buf, uint64_t len) {
    struct file *f = fd_get(fd);
    if (!f) return -EBADF;
    if ((f->flags & 3) == O_WRONLY) return -EBADF;
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

long fd_write(int fd, uint64_t buf, uint64_t len) {
    struct file *f = fd_get(fd);
    if (!f) return -EBADF;
    if ((f->flags & 3) == O_RDONLY) return -EBADF;
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

long sys_lseek(SYSARGS) {
    UNUSED_ARGS();
    struct file *f = fd_get((int)a0);
    if (!f) return -EBADF;
    int64_t off = (int64_t)a1, base;
    switch ((int)a2) {
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

/* One entry per call; ramfs finds it by walking at most RAMFS_MAX_NODES
 * siblings, so the work is bounded whatever index the caller passes. */
long sys_readdir(SYSARGS) {
    UNUSED_ARGS();
    char path[VFS_PATH_MAX + 1];
    long r = user_path(a0, path);
    if (r < 0) return r;
    if (a3 < sizeof(struct secos_dirent)) return -EINVAL;
    if (!user_range_valid(a2, sizeof(struct secos_dirent), 1)) return -EFAULT;
    if (a1 > UINT32_MAX) return -ENOENT;
    struct vfs_dirent d;
    r = vfs_readdir(path, (uint32_t)a1, &d);
    if (r < 0) return r;
    struct secos_dirent out;
    memset(&out, 0, sizeof out);
    strlcpy(out.name, d.name, sizeof out.name);
    out.type = d.type == VFS_DIR ? SECOS_DT_DIR : SECOS_DT_FILE;
    out.immutable = (uint32_t)d.immutable;
    out.size = d.size;
    return copy_to_user(a2, &out, sizeof out);
}

long sys_mkdir(SYSARGS) {
    UNUSED_ARGS();
    char path[VFS_PATH_MAX + 1];
    long r = user_path(a0, path);
    return r < 0 ? r : vfs_mkdir(path);
}

long sys_unlink(SYSARGS) {
    UNUSED_ARGS();
    char path[VFS_PATH_MAX + 1];
    long r = user_path(a0, path);
    return r < 0 ? r : vfs_remove(path);
}

long sys_rename(SYSARGS) {
    UNUSED_ARGS();
    char from[VFS_PATH_MAX + 1], to[VFS_PATH_MAX + 1];
    long r = user_path(a0, from);
    if (r < 0) return r;
    r = user_path(a1, to);
    return r < 0 ? r : vfs_rename(from, to);
}
