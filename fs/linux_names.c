/* Linux-personality calls that change names and attributes: mkdir, rmdir,
 * unlink, rename and their *at forms, access, readlink, the chmod/chown
 * family (single user: ownership is always root's), utimensat, statfs.
 * Relative paths resolve against the working directory or a directory
 * descriptor (fs_user_path_at). */
#include "kernel/syscall.h"
#include "kernel/proc.h"
#include "fs/fd.h"
#include "fs/file.h"
#include "fs/fs.h"
#include "fs/mount.h"
#include "fs/path.h"
#include "fs/ramfs.h"
#include "fs/linux_abi.h"
#include "fs/linux_fs.h"
#include "mm/kheap.h"
#include "mm/usercopy.h"
#include "lib/string.h"
#include "secos/errno.h"
#include "secos/syscall.h"

/* --- names --------------------------------------------------------------------- */

/* The last component of a user path is "." or "..": rmdir refuses it. */
static int ends_in_dot(uint64_t upath) {
    char raw[VFS_PATH_MAX + 1];
    if (strncpy_from_user(raw, upath, sizeof raw) < 0) return 0;
    size_t n = strlen(raw);
    while (n > 1 && raw[n - 1] == '/') n--;
    raw[n] = '\0';
    const char *b = path_basename(raw);
    return strcmp(b, ".") == 0 || strcmp(b, "..") == 0;
}

static long mkdirat(int64_t dirfd, uint64_t upath, uint64_t mode) {
    char path[VFS_PATH_MAX + 1];
    long r = fs_user_path_at(dirfd, upath, path, 0);
    if (r < 0) return r;
    if ((r = vfs_mkdir(path)) != 0) return r;
    uint32_t m = (uint32_t)mode & 07777 & ~current->umask;
    if (m != 0755) {
        struct vfs_inode ino;
        if (vfs_iget(path, &ino) == 0) {
            struct vfs_setattr a = { .set_mode = 1, .mode = m };
            vfs_isetattr(&ino, &a);
            vfs_iput(&ino);
        }
    }
    return 0;
}

long linux_mkdir(SYSARGS) {
    UNUSED_ARGS();
    return mkdirat(AT_FDCWD, a0, a1);
}

long linux_mkdirat(SYSARGS) {
    UNUSED_ARGS();
    return mkdirat((int)a0, a1, a2);
}

static long removeat(int64_t dirfd, uint64_t upath, int dir) {
    char path[VFS_PATH_MAX + 1];
    long r = fs_user_path_at(dirfd, upath, path, 0);
    if (r < 0) return r;
    int slash = r == 1;
    if (dir && ends_in_dot(upath)) return -EINVAL;
    struct vfs_stat st;
    if ((r = vfs_lookup(path, &st)) != 0) return r;
    if (dir && st.type != VFS_DIR) return -ENOTDIR;
    if (!dir && st.type == VFS_DIR) return -EISDIR;
    if (!dir && slash) return -ENOTDIR;
    if (strcmp(path, "/") == 0) return -EBUSY;
    return vfs_remove(path);
}

long linux_rmdir(SYSARGS) {
    UNUSED_ARGS();
    return removeat(AT_FDCWD, a0, 1);
}

long linux_unlink(SYSARGS) {
    UNUSED_ARGS();
    return removeat(AT_FDCWD, a0, 0);
}

long linux_unlinkat(SYSARGS) {
    UNUSED_ARGS();
    if (a2 & ~(uint64_t)AT_REMOVEDIR) return -EINVAL;
    return removeat((int)a0, a1, (a2 & AT_REMOVEDIR) != 0);
}

#define RENAME_NOREPLACE 1

static long renameat2(int64_t olddir, uint64_t oldp, int64_t newdir, uint64_t newp, uint64_t flags) {
    if (flags & ~(uint64_t)RENAME_NOREPLACE) return -EINVAL;
    /* Two paths on the heap: the VFS and the filesystem below add frames of their own. */
    struct { char from[VFS_PATH_MAX + 1], to[VFS_PATH_MAX + 1]; } *p = kmalloc(sizeof *p);
    if (!p) return -ENOMEM;
    long r = fs_user_path_at(olddir, oldp, p->from, 0);
    if (r >= 0) r = fs_user_path_at(newdir, newp, p->to, 0);
    if (r >= 0) {
        if (strcmp(p->from, "/") == 0 || strcmp(p->to, "/") == 0) r = -EBUSY;
        else r = flags & RENAME_NOREPLACE ? vfs_rename(p->from, p->to) : vfs_rename_replace(p->from, p->to);
    }
    kfree(p);
    return r;
}

long linux_rename(SYSARGS) {
    UNUSED_ARGS();
    return renameat2(AT_FDCWD, a0, AT_FDCWD, a1, 0);
}

long linux_renameat(SYSARGS) {
    UNUSED_ARGS();
    return renameat2((int)a0, a1, (int)a2, a3, 0);
}

long linux_renameat2(SYSARGS) {
    UNUSED_ARGS();
    return renameat2((int)a0, a1, (int)a2, a3, a4);
}

/* --- access, links, attributes ----------------------------------------------- */

#define X_OK 1
#define W_OK 2

/* Single user, root: what exists may be read and written (unless
 * immutable), and executed if any x bit is set or it is a directory. */
static long accessat(int64_t dirfd, uint64_t upath, uint64_t mode, uint64_t flags) {
    if (mode & ~7ULL) return -EINVAL;
    if (flags & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | 0x200 /* AT_EACCESS */)) return -EINVAL;
    char path[VFS_PATH_MAX + 1];
    long r = fs_user_path_at(dirfd, upath, path, 0);
    if (r < 0) return r;
    struct vfs_stat st;
    if ((r = fs_stat_path(path, flags & AT_SYMLINK_NOFOLLOW, r == 1, &st)) != 0) return r;
    if ((mode & W_OK) && st.immutable) return -EPERM;
    if ((mode & X_OK) && st.type != VFS_DIR && !(st.mode & 0111)) return -EACCES;
    return 0;
}

long linux_access(SYSARGS) {
    UNUSED_ARGS();
    return accessat(AT_FDCWD, a0, a1, 0);
}

long linux_faccessat(SYSARGS) {
    UNUSED_ARGS();
    return accessat((int)a0, a1, a2, 0);
}

long linux_faccessat2(SYSARGS) {
    UNUSED_ARGS();
    return accessat((int)a0, a1, a2, a3);
}

static long readlinkat(int64_t dirfd, uint64_t upath, uint64_t ubuf, uint64_t size) {
    char path[VFS_PATH_MAX + 1];
    long r = fs_user_path_at(dirfd, upath, path, 0);
    if (r < 0) return r;
    if ((int64_t)size <= 0) return -EINVAL;
    struct vfs_inode ino;
    if ((r = vfs_iget(path, &ino)) != 0) return r;
    char target[VFS_PATH_MAX + 1];
    r = vfs_ireadlink(&ino, target, sizeof target);   /* -EINVAL: not a link */
    vfs_iput(&ino);
    if (r < 0) return r;
    uint64_t len = (uint64_t)r < size ? (uint64_t)r : size;   /* no NUL, silently cut */
    return copy_to_user(ubuf, target, len) ? -EFAULT : (long)len;
}

long linux_readlink(SYSARGS) {
    UNUSED_ARGS();
    return readlinkat(AT_FDCWD, a0, a1, a2);
}

long linux_readlinkat(SYSARGS) {
    UNUSED_ARGS();
    return readlinkat((int)a0, a1, a2, a3);
}

/* Applies a to what path (or, if empty_ok and the path is "", descriptor
 * dirfd) names. A filesystem that keeps no attributes (/dev, /proc: no
 * isetattr) takes the change as done (0): with one user there is nobody to
 * refuse, while a missing name is still -ENOENT. One that keeps them but
 * refuses the change (a read-only mount, exFAT) says -EROFS through a path;
 * through a descriptor the two cannot be told apart, and both give 0. */
static long setattr_at(int64_t dirfd, uint64_t upath, const struct vfs_setattr *a, int empty_ok, int nofollow) {
    char path[VFS_PATH_MAX + 1];
    long r;
    if (!upath && empty_ok) {
        path[0] = '\0';
    } else {
        r = fs_user_path_at(dirfd, upath, path, empty_ok);
        if (r < 0) return r;
    }
    if (!path[0]) {
        struct file *f = dirfd >= 0 ? fd_get((uint64_t)dirfd) : 0;
        if (!f) return -EBADF;
        if (!f->ops->setattr) return 0;
        r = f->ops->setattr(f, a);
        return r == -EROFS ? 0 : r;
    }
    char target[VFS_PATH_MAX + 1];
    if (!nofollow) {
        r = fs_follow_link(path, target);
        if (r < 0) return r;
        if (r == 1) strlcpy(path, target, sizeof path);
    }
    struct vfs_inode ino;
    if ((r = vfs_iget(path, &ino)) != 0) return r;
    int keeps = ino.ops->isetattr != 0;
    r = vfs_isetattr(&ino, a);
    vfs_iput(&ino);
    return r == -EROFS && !keeps ? 0 : r;
}

long linux_chmod(SYSARGS) {
    UNUSED_ARGS();
    struct vfs_setattr a = { .set_mode = 1, .mode = (uint32_t)a1 & 07777 };
    return setattr_at(AT_FDCWD, a0, &a, 0, 0);
}

long linux_fchmod(SYSARGS) {
    UNUSED_ARGS();
    struct vfs_setattr a = { .set_mode = 1, .mode = (uint32_t)a1 & 07777 };
    if ((int64_t)a0 < 0) return -EBADF;
    return setattr_at((int64_t)a0, 0, &a, 1, 0);
}

long linux_fchmodat(SYSARGS) {
    UNUSED_ARGS();
    struct vfs_setattr a = { .set_mode = 1, .mode = (uint32_t)a2 & 07777 };
    return setattr_at((int)a0, a1, &a, 0, 0);
}

/* Ownership is root's and stays so: the call checks that the file exists. */
static long chown_at(int64_t dirfd, uint64_t upath, int nofollow) {
    char path[VFS_PATH_MAX + 1];
    long r = fs_user_path_at(dirfd, upath, path, 0);
    if (r < 0) return r;
    struct vfs_stat st;
    return fs_stat_path(path, nofollow, r == 1, &st);
}

long linux_chown(SYSARGS) {
    UNUSED_ARGS();
    return chown_at(AT_FDCWD, a0, 0);
}

long linux_lchown(SYSARGS) {
    UNUSED_ARGS();
    return chown_at(AT_FDCWD, a0, 1);
}

long linux_fchown(SYSARGS) {
    UNUSED_ARGS();
    return fd_get(a0) ? 0 : -EBADF;
}

long linux_fchownat(SYSARGS) {
    UNUSED_ARGS();
    if (a4 & AT_EMPTY_PATH) {
        char path[VFS_PATH_MAX + 1];
        long r = fs_user_path_at((int)a0, a1, path, 1);
        if (r < 0) return r;
        if (!path[0]) return (int)a0 == AT_FDCWD || fd_get((uint64_t)(int)a0) ? 0 : -EBADF;
    }
    return chown_at((int)a0, a1, (a4 & AT_SYMLINK_NOFOLLOW) != 0);
}

struct linux_timespec { int64_t sec, nsec; };
#define UTIME_NOW  ((1L << 30) - 1)
#define UTIME_OMIT ((1L << 30) - 2)

/* utimensat(dirfd, path, times[2], flags); path NULL: dirfd itself
 * (futimens). times NULL: both now. */
long linux_utimensat(SYSARGS) {
    UNUSED_ARGS();
    if (a3 & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -EINVAL;
    struct linux_timespec t[2] = { { 0, UTIME_NOW }, { 0, UTIME_NOW } };
    if (a2 && copy_from_user(t, a2, sizeof t)) return -EFAULT;
    struct vfs_setattr a = { 0 };
    uint64_t now = fs_now();
    for (int i = 0; i < 2; i++) {
        if (t[i].nsec == UTIME_OMIT) continue;
        if (t[i].nsec != UTIME_NOW && (t[i].nsec < 0 || t[i].nsec > 999999999)) return -EINVAL;
        uint64_t v = t[i].nsec == UTIME_NOW ? now : (uint64_t)(t[i].sec < 0 ? 0 : t[i].sec);
        if (i == 0) { a.set_atime = 1; a.atime = v; }
        else { a.set_mtime = 1; a.mtime = v; }
    }
    if (!a.set_atime && !a.set_mtime) return 0;
    return setattr_at((int)a0, a1, &a, !a1 || (a3 & AT_EMPTY_PATH), (a3 & AT_SYMLINK_NOFOLLOW) != 0);
}

/* --- statfs -------------------------------------------------------------------------- */

#define TMPFS_MAGIC      0x01021994
#define PROC_SUPER_MAGIC 0x9fa0

static long put_statfs(uint64_t ubuf, const struct vfs_inode *ino) {
    struct linux_statfs s;
    memset(&s, 0, sizeof s);
    s.f_bsize = s.f_frsize = 4096;
    s.f_namelen = VFS_NAME_MAX;
    struct vfs_statfs fsst;
    memset(&fsst, 0, sizeof fsst);
    if (ino->ops == &ramfs_ops) {
        struct ramfs_usage u;
        ramfs_get_usage(ino->ctx, &u);
        s.f_type = TMPFS_MAGIC;
        s.f_blocks = RAMFS_MAX_TOTAL_BYTES / 4096;
        s.f_bfree = s.f_bavail = u.free_bytes / 4096;
        s.f_files = RAMFS_MAX_NODES;
        s.f_ffree = u.free_nodes;
    } else if (ino->ops->statfs && ino->ops->statfs(ino->ctx, &fsst) == 0) {
        /* A disk file system: its own numbers (busybox df prints them). */
        s.f_type = (int64_t)fsst.magic;
        s.f_bsize = s.f_frsize = (int64_t)fsst.bsize;
        s.f_blocks = fsst.blocks;
        s.f_bfree = s.f_bavail = fsst.bfree;
        s.f_files = fsst.files;
        s.f_ffree = fsst.ffree;
    } else {
        s.f_type = strcmp(ino->ops->name, "proc") == 0 ? PROC_SUPER_MAGIC : TMPFS_MAGIC;
    }
    return copy_to_user(ubuf, &s, sizeof s) ? -EFAULT : 0;
}

long linux_statfs(SYSARGS) {
    UNUSED_ARGS();
    char path[VFS_PATH_MAX + 1];
    long r = fs_user_path(a0, path);
    if (r < 0) return r;
    struct vfs_inode ino;
    if ((r = vfs_iget(path, &ino)) != 0) return r;
    r = put_statfs(a1, &ino);
    vfs_iput(&ino);
    return r;
}

long linux_fstatfs(SYSARGS) {
    UNUSED_ARGS();
    struct file *f = fd_get(a0);
    if (!f) return -EBADF;
    if (!f->ino.node) {   /* the console: a tty-like device */
        struct linux_statfs s;
        memset(&s, 0, sizeof s);
        s.f_type = 0x1cd1;   /* DEVPTS_SUPER_MAGIC */
        s.f_bsize = 4096;
        return copy_to_user(a1, &s, sizeof s) ? -EFAULT : 0;
    }
    return put_statfs(a1, &f->ino);
}

/* --- mount, umount2 ----------------------------------------------------------------- */

#define MS_RDONLY 1
#define MNT_FORCE 1
#define MNT_DETACH 2
#define UMOUNT_NOFOLLOW 8

/* Only a SECoS program whose manifest asks for it (MANIFEST_FLAG_MOUNT);
 * a Linux program has no manifest and is refused: fail closed. */
static int may_mount(void) {
    return current->has_manifest && current->abi == PROC_ABI_SECOS &&
           (current->manifest.flags & MANIFEST_FLAG_MOUNT);
}

long linux_mount(SYSARGS) {
    UNUSED_ARGS();
    if (!may_mount()) return -EPERM;
    if (a3 & ~(uint64_t)MS_RDONLY) return -EINVAL;   /* remount, bind, move ... are not offered */
    char src[32], type[16], *dir = kmalloc(VFS_PATH_MAX + 1);
    if (!dir) return -ENOMEM;
    long r = strncpy_from_user(src, a0, sizeof src);
    if (r >= 0 && a2) r = strncpy_from_user(type, a2, sizeof type);
    else if (r >= 0) strlcpy(type, "auto", sizeof type);
    if (r >= 0) r = fs_user_path(a1, dir);
    if (r >= 0) r = fs_mount(src, dir, type, a3 & MS_RDONLY ? FS_MOUNT_RDONLY : 0);
    kfree(dir);
    return r == -ERANGE ? -ENAMETOOLONG : r;
}

long linux_umount2(SYSARGS) {
    UNUSED_ARGS();
    if (!may_mount()) return -EPERM;
    if (a1 & ~(uint64_t)UMOUNT_NOFOLLOW) return -EINVAL;   /* no forced or lazy unmount */
    char *dir = kmalloc(VFS_PATH_MAX + 1);
    if (!dir) return -ENOMEM;
    long r = fs_user_path(a0, dir);
    if (r >= 0) r = fs_umount(dir);
    kfree(dir);
    return r;
}
