/* Per-process descriptor tables, open, and SECoS's file system calls. A
 * descriptor points at a refcounted open-file description (fs/file.h): dup,
 * dup2 and fork share one, close drops a reference. Every process starts
 * with the console behind 0-2; SECOS_FD_MAX descriptors at most, all closed
 * when it ends. Every user pointer goes through the user-copy routines. */
#include "fs/fd.h"
#include "fs/file.h"
#include "fs/devfs.h"
#include "kernel/proc.h"
#include "kernel/syscall.h"
#include "fs/fs.h"
#include "fs/path.h"
#include "mm/usercopy.h"
#include "lib/string.h"
#include "secos/errno.h"
#include "secos/syscall.h"

_Static_assert(PROC_CWD_MAX >= VFS_PATH_MAX + 1, "proc->cwd holds a VFS path");

/* A descriptor argument: the full 64-bit value is checked, so that a value
 * that only truncates to a descriptor (close(0x100000003)) is none. */
static int fd_index(uint64_t a) { return a < SECOS_FD_MAX ? (int)a : -1; }

struct file *fd_get(uint64_t fd) {
    int i = fd_index(fd);
    return i < 0 ? 0 : current->files[i];
}

int fd_install(struct proc *p, int from, struct file *f, int cloexec) {
    for (int i = from < 0 ? 0 : from; i < SECOS_FD_MAX; i++) {
        if (p->files[i]) continue;
        p->files[i] = f;
        p->fd_flags[i] = cloexec ? PROC_FD_CLOEXEC : 0;
        return i;
    }
    return -EMFILE;
}

static void fd_drop(struct proc *p, int i) {
    struct file *f = p->files[i];
    p->files[i] = 0;
    p->fd_flags[i] = 0;
    if (f) file_put(f);
}

int fd_close(uint64_t fd) {
    int i = fd_index(fd);
    if (i < 0 || !current->files[i]) return -EBADF;
    fd_drop(current, i);
    return 0;
}

void files_setup(struct proc *p) {
    p->files[STDIN_FD] = file_get(&console_file);
    p->files[STDOUT_FD] = file_get(&console_file);
    p->files[STDERR_FD] = file_get(&console_file);
    /* A spawned program starts in its spawner's working directory (the
     * console's, for `run`), as a Unix child does. */
    strlcpy(p->cwd, current && current != p && current->cwd[0] ? current->cwd : "/", sizeof p->cwd);
    p->umask = 022;
}

int files_open_count(const struct proc *p) {
    int n = 0;
    for (int i = 0; i < SECOS_FD_MAX; i++) n += p->files[i] && !file_is_console(p->files[i]);
    return n;
}

/* The open descriptors of p in order: most of the table is empty. */
static int next_open(const struct proc *p, int i) {
    return (int)scan_nonzero64(p->files, (size_t)i, SECOS_FD_MAX);
}

void files_release(struct proc *p) {
    for (int i = next_open(p, 0); i < SECOS_FD_MAX; i = next_open(p, i + 1)) fd_drop(p, i);
}

void fd_close_on_exec(struct proc *p) {
    for (int i = next_open(p, 0); i < SECOS_FD_MAX; i = next_open(p, i + 1))
        if (p->fd_flags[i] & PROC_FD_CLOEXEC) fd_drop(p, i);
}

/* The child's table is all zero (proc_alloc): only open entries are set. */
void fd_table_copy(struct proc *child, struct proc *parent) {
    for (int i = next_open(parent, 0); i < SECOS_FD_MAX; i = next_open(parent, i + 1)) {
        child->files[i] = file_get(parent->files[i]);
        child->fd_flags[i] = parent->fd_flags[i];
    }
    strlcpy(child->cwd, parent->cwd, sizeof child->cwd);
    child->umask = parent->umask;
}

/* --- paths and open ----------------------------------------------------------- */

long fs_user_path_at(int64_t dirfd, uint64_t upath, char out[VFS_PATH_MAX + 1], int empty_ok) {
    char raw[VFS_PATH_MAX + 1];
    long n = strncpy_from_user(raw, upath, sizeof raw);
    if (n < 0) return n;
    if (n == 0) {
        if (!empty_ok) return -ENOENT;
        out[0] = '\0';
        return 0;
    }
    const char *base = current->cwd[0] ? current->cwd : "/";
    if (raw[0] != '/' && dirfd != AT_FDCWD) {
        struct file *d = dirfd >= 0 ? fd_get((uint64_t)dirfd) : 0;
        if (!d) return -EBADF;
        struct vfs_stat st;
        if (!d->ops->stat || d->ops->stat(d, &st) || st.type != VFS_DIR || !d->path[0]) return -ENOTDIR;
        base = d->path;
    }
    long r = path_normalize(base, raw, out, VFS_PATH_MAX + 1);
    return r < 0 ? r : raw[n - 1] == '/';
}

long fs_open(const char *path, int flags, uint32_t mode) {
    int acc = flags & O_ACCMODE;
    if (acc == 3) return -EINVAL;
    int writing = acc != O_RDONLY;
    int room = 0;   /* checked first, so a full table creates no file */
    for (int i = 0; i < SECOS_FD_MAX && !room; i++) room = !current->files[i];
    if (!room) return -EMFILE;
    struct vfs_stat st;
    long r = vfs_lookup(path, &st);
    if (r == 0 && (flags & O_CREAT) && (flags & O_EXCL)) return -EEXIST;
    int created = 0;
    if (r == -ENOENT && (flags & O_CREAT)) {
        if (flags & O_DIRECTORY) return -EINVAL;
        r = vfs_create(path, 0, 0, 0);
        if (r == 0) {
            created = 1;
            r = vfs_lookup(path, &st);
        }
    }
    if (r < 0) return r;
    if ((flags & O_DIRECTORY) && st.type != VFS_DIR) return -ENOTDIR;
    if (st.type == VFS_DIR && (writing || (flags & O_TRUNC))) return -EISDIR;
    if (writing && st.immutable) return -EPERM;
    int err = 0;
    if (st.type == VFS_CHR) { /* a registered device (a terminal) opens as its own description */
        struct file *dev = devfs_open_chr(st.rdev, flags & ~(O_CLOEXEC | O_CREAT | O_EXCL | O_TRUNC), &err);
        if (err) return err;
        if (dev) {
            int fd = fd_install(current, 0, dev, flags & O_CLOEXEC);
            if (fd < 0) file_put(dev);
            return fd;
        }
    }
    struct file *f = vfs_file_open(path, flags & ~(O_CLOEXEC | O_CREAT | O_EXCL | O_TRUNC), &err);
    if (!f) return err;
    if (writing && !f->ino.ops->iwrite) {   /* /proc: nothing there takes writes */
        file_put(f);
        return -EROFS;
    }
    if (created && (mode & 07777) != 0644) {
        struct vfs_setattr a = { .set_mode = 1, .mode = mode & 07777 };
        vfs_isetattr(&f->ino, &a);
    }
    /* Truncate through the inode, after it is held: the node truncated is
     * the node opened. Regular files only (O_TRUNC on /dev/null is fine). */
    if ((flags & O_TRUNC) && writing && st.type == VFS_FILE) {
        r = vfs_itruncate(&f->ino, 0);
        if (r < 0) {
            file_put(f);
            return r;
        }
    }
    int fd = fd_install(current, 0, f, flags & O_CLOEXEC);
    if (fd < 0) file_put(f);
    return fd;
}

/* --- SECoS's calls ----------------------------------------------------------- */

long sys_open(SYSARGS) {
    UNUSED_ARGS();
    char path[VFS_PATH_MAX + 1];
    long r = fs_user_path(a0, path);
    if (r < 0) return r;
    int flags = (int)a1;
    if ((uint64_t)flags != a1 || (flags & ~(O_RDONLY | O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND)))
        return -EINVAL;
    return fs_open(path, flags, 0644);
}

long sys_close(SYSARGS) {
    UNUSED_ARGS();
    return fd_close(a0);
}

long sys_dup(SYSARGS) {
    UNUSED_ARGS();
    struct file *f = fd_get(a0);
    if (!f) return -EBADF;
    int fd = fd_install(current, 0, f, 0);
    if (fd >= 0) file_get(f);
    return fd;
}

long sys_dup2(SYSARGS) {
    UNUSED_ARGS();
    struct file *f = fd_get(a0);
    int to = fd_index(a1);
    if (!f || to < 0) return -EBADF;
    if ((uint64_t)to == a0) return to; /* dup2(fd, fd): nothing to do */
    fd_drop(current, to);
    current->files[to] = file_get(f);
    return to;
}

long sys_lseek(SYSARGS) {
    UNUSED_ARGS();
    struct file *f = fd_get(a0);
    if (!f) return -EBADF;
    if (!f->ops->lseek) return -ESPIPE;
    return f->ops->lseek(f, (int64_t)a1, (int)a2);
}

/* One entry per call; ramfs finds it by walking at most RAMFS_MAX_NODES
 * siblings, so the work is bounded whatever index the caller passes. */
long sys_readdir(SYSARGS) {
    UNUSED_ARGS();
    char path[VFS_PATH_MAX + 1];
    long r = fs_user_path(a0, path);
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
    long r = fs_user_path(a0, path);
    return r < 0 ? r : vfs_mkdir(path);
}

long sys_unlink(SYSARGS) {
    UNUSED_ARGS();
    char path[VFS_PATH_MAX + 1];
    long r = fs_user_path(a0, path);
    return r < 0 ? r : vfs_remove(path);
}

long sys_rename(SYSARGS) {
    UNUSED_ARGS();
    char from[VFS_PATH_MAX + 1], to[VFS_PATH_MAX + 1];
    long r = fs_user_path(a0, from);
    if (r < 0) return r;
    r = fs_user_path(a1, to);
    return r < 0 ? r : vfs_rename(from, to);
}
