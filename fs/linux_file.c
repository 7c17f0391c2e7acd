/* Linux-personality calls on descriptors: open/openat, positional and
 * vectored I/O, ioctl, fcntl, dup3, sendfile, truncate, sync, umask. Each
 * goes through the description's ops (fs/file.h); every user pointer through
 * mm/usercopy.h. include/secos/linux_syscall.h lists them. */
#include "kernel/syscall.h"
#include "kernel/proc.h"
#include "fs/fd.h"
#include "fs/file.h"
#include "fs/fs.h"
#include "fs/mount.h"
#include "fs/linux_fs.h"
#include "mm/usercopy.h"
#include "lib/string.h"
#include "secos/errno.h"
#include "secos/syscall.h"

/* Flags open(2) takes; anything else (O_SYNC, O_NOATIME, O_PATH...) is
 * accepted and ignored, as Linux ignores what it does not know. */
#define OPEN_KEPT (O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_NONBLOCK | O_DIRECTORY | O_CLOEXEC)

static long do_openat(int64_t dirfd, uint64_t upath, uint64_t flags, uint64_t mode) {
    char path[VFS_PATH_MAX + 1];
    long r = fs_user_path_at(dirfd, upath, path, 0);
    if (r < 0) return r;
    int f = (int)(flags & OPEN_KEPT);
    if (r == 1) f |= O_DIRECTORY;   /* "name/" must be a directory */
    /* /proc/self/exe and friends: open what the link names (O_NOFOLLOW: -ELOOP). */
    char target[VFS_PATH_MAX + 1];
    r = fs_follow_link(path, target);
    if (r < 0 && r != -ENOENT) return r;
    if (r == 1) {
        if (flags & O_NOFOLLOW) return -ELOOP;
        strlcpy(path, target, sizeof path);
    }
    return fs_open(path, f, (uint32_t)mode & 07777 & ~current->umask);
}

long linux_open(SYSARGS) {
    UNUSED_ARGS();
    return do_openat(AT_FDCWD, a0, a1, a2);
}

long linux_openat(SYSARGS) {
    UNUSED_ARGS();
    return do_openat((int)a0, a1, a2, a3);
}

long linux_creat(SYSARGS) {
    UNUSED_ARGS();
    return do_openat(AT_FDCWD, a0, O_WRONLY | O_CREAT | O_TRUNC, a1);
}

/* --- positional and vectored I/O ---------------------------------------------- */

static struct file *readable(uint64_t fd) {
    struct file *f = fd_get(fd);
    return f && (f->flags & O_ACCMODE) != O_WRONLY && f->ops->read ? f : 0;
}

static struct file *writable(uint64_t fd) {
    struct file *f = fd_get(fd);
    return f && (f->flags & O_ACCMODE) != O_RDONLY && f->ops->write ? f : 0;
}

static long positional(uint64_t fd, uint64_t buf, uint64_t len, uint64_t off, int write) {
    struct file *f = write ? writable(fd) : readable(fd);
    if (!f) return -EBADF;
    if (!f->ops->lseek) return -ESPIPE;
    if ((int64_t)off < 0) return -EINVAL;
    /* The description's offset is not moved; O_APPEND still appends (Linux). */
    return write ? f->ops->write(f, buf, len, &off) : f->ops->read(f, buf, len, &off);
}

long linux_pread64(SYSARGS) {
    UNUSED_ARGS();
    return positional(a0, a1, a2, a3, 0);
}

long linux_pwrite64(SYSARGS) {
    UNUSED_ARGS();
    return positional(a0, a1, a2, a3, 1);
}

struct linux_iovec { uint64_t base, len; };
#define IOV_MAX 1024

/* Stops at the first short or failed transfer, as Linux does for a regular
 * file or the console; an error after some bytes returns the bytes. */
static long vectored(uint64_t fd, uint64_t iov, uint64_t cnt, int write) {
    struct file *f = write ? writable(fd) : readable(fd);
    if (!f) return -EBADF;
    if (cnt > IOV_MAX) return -EINVAL;
    long done = 0;
    for (uint64_t i = 0; i < cnt; i++) {
        struct linux_iovec v;
        if (copy_from_user(&v, iov + i * sizeof v, sizeof v)) return done ? done : -EFAULT;
        if ((int64_t)v.len < 0) return done ? done : -EINVAL;
        if (!v.len) continue;
        long r = write ? f->ops->write(f, v.base, v.len, &f->off) : f->ops->read(f, v.base, v.len, &f->off);
        if (r < 0) return done ? done : r;
        done += r;
        if ((uint64_t)r < v.len) break;
    }
    return done;
}

long linux_readv(SYSARGS) {
    UNUSED_ARGS();
    return vectored(a0, a1, a2, 0);
}

long linux_writev(SYSARGS) {
    UNUSED_ARGS();
    return vectored(a0, a1, a2, 1);
}

/* --- control ---------------------------------------------------------------------- */

#define LINUX_FIONCLEX 0x5450
#define LINUX_FIOCLEX  0x5451

/* Descriptor-level requests here; the rest is the file's (-ENOTTY for all
 * that is not a tty, the console included until it becomes one). */
long linux_ioctl(SYSARGS) {
    UNUSED_ARGS();
    struct file *f = fd_get(a0);
    if (!f) return -EBADF;
    uint32_t req = (uint32_t)a1;
    if (req == LINUX_FIOCLEX || req == LINUX_FIONCLEX) {
        current->fd_flags[a0] = req == LINUX_FIOCLEX ? PROC_FD_CLOEXEC : 0;
        return 0;
    }
    return f->ops->ioctl ? f->ops->ioctl(f, req, a2) : -ENOTTY;
}

#define F_DUPFD 0
#define F_GETFD 1
#define F_SETFD 2
#define F_GETFL 3
#define F_SETFL 4
#define F_DUPFD_CLOEXEC 1030
#define FD_CLOEXEC 1

long linux_fcntl(SYSARGS) {
    UNUSED_ARGS();
    struct file *f = fd_get(a0);
    if (!f) return -EBADF;
    switch ((int)a1) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC: {
        if (a2 >= SECOS_FD_MAX) return -EINVAL;
        int fd = fd_install(current, (int)a2, f, (int)a1 == F_DUPFD_CLOEXEC);
        if (fd >= 0) file_get(f);
        return fd;
    }
    case F_GETFD:
        return current->fd_flags[a0] & PROC_FD_CLOEXEC ? FD_CLOEXEC : 0;
    case F_SETFD:
        current->fd_flags[a0] = (a2 & FD_CLOEXEC) ? PROC_FD_CLOEXEC : 0;
        return 0;
    case F_GETFL:
        return f->flags | O_LARGEFILE;
    case F_SETFL:
        f->flags = (f->flags & ~FILE_SETFL_MASK) | ((int)a2 & FILE_SETFL_MASK);
        return 0;
    default:
        return -EINVAL;
    }
}

long linux_dup3(SYSARGS) {
    UNUSED_ARGS();
    if (a2 & ~(uint64_t)O_CLOEXEC) return -EINVAL;
    struct file *f = fd_get(a0);
    if (!f || a1 >= SECOS_FD_MAX) return -EBADF;
    if (a0 == a1) return -EINVAL;
    struct file *old = current->files[a1];
    current->files[a1] = file_get(f);
    current->fd_flags[a1] = (a2 & O_CLOEXEC) ? PROC_FD_CLOEXEC : 0;
    if (old) file_put(old);
    return (long)a1;
}

/* sendfile(out, in, off *, count): from a file of the VFS to any descriptor
 * that takes kernel bytes (files, the console). With off, in's offset does
 * not move and *off is updated. Bounded: 512-byte chunks. */
long linux_sendfile(SYSARGS) {
    UNUSED_ARGS();
    struct file *out = writable(a0), *in = readable(a1);
    if (!out || !in) return -EBADF;
    if (!in->ino.node || !out->ops->kwrite) return -EINVAL;
    uint64_t pos = in->off;
    if (a2) {
        int64_t o;
        if (copy_from_user(&o, a2, sizeof o)) return -EFAULT;
        if (o < 0) return -EINVAL;
        pos = (uint64_t)o;
    }
    if ((int64_t)a3 < 0) return -EINVAL;
    char kbuf[512];
    uint64_t done = 0;
    while (done < a3) {
        uint64_t n = a3 - done < sizeof kbuf ? a3 - done : sizeof kbuf;
        long got = vfs_iread(&in->ino, pos, kbuf, n);
        if (got <= 0) {
            if (got < 0 && !done) return got;
            break;
        }
        long put = out->ops->kwrite(out, kbuf, (uint64_t)got, &out->off);
        if (put <= 0) {
            if (put < 0 && !done) return put;
            break;
        }
        pos += (uint64_t)put;
        done += (uint64_t)put;
        if (put < got) break;
        sched_resched_point();
    }
    if (a2) {
        int64_t o = (int64_t)pos;
        if (copy_to_user(a2, &o, sizeof o)) return -EFAULT;
    } else {
        in->off = pos;
    }
    return (long)done;
}

long linux_ftruncate(SYSARGS) {
    UNUSED_ARGS();
    struct file *f = fd_get(a0);
    if (!f) return -EBADF;
    if ((int64_t)a1 < 0 || (f->flags & O_ACCMODE) == O_RDONLY) return -EINVAL;
    struct vfs_stat st;
    if (!f->ops->truncate || !f->ops->stat || f->ops->stat(f, &st) || st.type != VFS_FILE) return -EINVAL;
    return f->ops->truncate(f, a1);
}

long linux_truncate(SYSARGS) {
    UNUSED_ARGS();
    char path[VFS_PATH_MAX + 1];
    long r = fs_user_path(a0, path);
    if (r < 0) return r;
    if ((int64_t)a1 < 0) return -EINVAL;
    struct vfs_inode ino;
    if ((r = vfs_iget(path, &ino)) != 0) return r;
    struct vfs_stat st;
    r = vfs_istat(&ino, &st);
    if (!r) r = st.type == VFS_DIR ? -EISDIR : st.type != VFS_FILE ? -EINVAL : vfs_itruncate(&ino, a1);
    vfs_iput(&ino);
    return r;
}

/* fsync/fdatasync: what the descriptor wrote is on the device when it
 * returns. The block cache is shared and a file does not know its mount, so
 * every mounted file system is synced (a superset, never too little); RAMFS
 * has nothing to write back. -EIO when a write-back failed. */
long linux_fsync(SYSARGS) {
    UNUSED_ARGS();
    if (!fd_get(a0)) return -EBADF;
    return fs_sync_all() < 0 ? -EIO : 0;
}

/* Disk file systems write back; RAMFS has nothing to. */
long linux_sync(SYSARGS) {
    UNUSED_ARGS();
    fs_sync_all();   /* sync(2) cannot fail */
    return 0;
}

long linux_umask(SYSARGS) {
    UNUSED_ARGS();
    long old = current->umask;
    current->umask = (uint32_t)a0 & 0777;
    return old;
}
