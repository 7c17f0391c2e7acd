/* Linux-personality calls that look things up: the stat family (the
 * 144-byte struct stat, fs/linux_abi.h), getdents64 and the working
 * directory; and link following for them and fs/linux_names.c. Relative
 * paths resolve against the working directory or a directory descriptor
 * (fs_user_path_at). */
#include "kernel/syscall.h"
#include "kernel/proc.h"
#include "fs/fd.h"
#include "fs/file.h"
#include "fs/fs.h"
#include "fs/path.h"
#include "fs/linux_abi.h"
#include "fs/linux_fs.h"
#include "mm/usercopy.h"
#include "lib/string.h"
#include "secos/errno.h"
#include "secos/syscall.h"

long fs_follow_link(const char *path, char target[VFS_PATH_MAX + 1]) {
    struct vfs_inode ino;
    long r = vfs_iget(path, &ino);
    if (r) return r;
    struct vfs_stat st;
    r = vfs_istat(&ino, &st);
    if (!r && st.type == VFS_LNK) {
        char raw[VFS_PATH_MAX + 1];
        long n = vfs_ireadlink(&ino, raw, VFS_PATH_MAX);
        r = n;
        if (n >= 0) {
            raw[n] = '\0';
            r = path_normalize("/", raw, target, VFS_PATH_MAX + 1);
            if (!r) r = 1;
        }
    }
    vfs_iput(&ino);
    return r;
}

long fs_stat_path(const char *path, int nofollow, int must_dir, struct vfs_stat *st) {
    char target[VFS_PATH_MAX + 1];
    if (!nofollow || must_dir) {
        long r = fs_follow_link(path, target);
        if (r < 0) return r;
        if (r == 1) path = target;
    }
    struct vfs_inode ino;
    long r = vfs_iget(path, &ino);
    if (r) return r;
    r = vfs_istat(&ino, st);
    vfs_iput(&ino);
    if (!r && must_dir && st->type != VFS_DIR) return -ENOTDIR;
    return r;
}

static long put_stat(uint64_t ubuf, const struct vfs_stat *st) {
    struct linux_stat ls;
    linux_stat_from_vfs(&ls, st, st->dev);
    return copy_to_user(ubuf, &ls, sizeof ls) ? -EFAULT : 0;
}

static long fd_stat(int64_t fd, struct vfs_stat *st) {
    struct file *f = fd >= 0 ? fd_get((uint64_t)fd) : 0;
    if (!f) return -EBADF;
    if (!f->ops->stat) return -EBADF;
    return f->ops->stat(f, st);
}

static long statat(int64_t dirfd, uint64_t upath, uint64_t ubuf, uint64_t flags) {
    if (flags & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | 0x800 /* AT_NO_AUTOMOUNT */)) return -EINVAL;
    char path[VFS_PATH_MAX + 1];
    long r = fs_user_path_at(dirfd, upath, path, flags & AT_EMPTY_PATH);
    if (r < 0) return r;
    struct vfs_stat st;
    if (!path[0]) {   /* AT_EMPTY_PATH and "": the descriptor itself (glibc's fstat) */
        if (dirfd == AT_FDCWD) r = fs_stat_path(current->cwd, 0, 0, &st);
        else r = fd_stat(dirfd, &st);
    } else {
        r = fs_stat_path(path, flags & AT_SYMLINK_NOFOLLOW, r == 1, &st);
    }
    return r < 0 ? r : put_stat(ubuf, &st);
}

long linux_stat(SYSARGS) {
    UNUSED_ARGS();
    return statat(AT_FDCWD, a0, a1, 0);
}

long linux_lstat(SYSARGS) {
    UNUSED_ARGS();
    return statat(AT_FDCWD, a0, a1, AT_SYMLINK_NOFOLLOW);
}

long linux_fstat(SYSARGS) {
    UNUSED_ARGS();
    struct vfs_stat st;
    long r = fd_stat((int64_t)a0 < 0 ? -1 : (int64_t)a0, &st);
    return r < 0 ? r : put_stat(a1, &st);
}

long linux_newfstatat(SYSARGS) {
    UNUSED_ARGS();
    return statat((int)a0, a1, a2, a3);
}

/* --- getdents64 ------------------------------------------------------------------ */

/* Entry index i of an open directory: 0 is ".", 1 "..", then its entries;
 * the description's offset is the next index, so a call resumes where the
 * last one stopped (and lseek(fd, 0, SEEK_SET) rewinds). */
static int dir_entry(void *ctx, uint64_t i, struct vfs_dirent *d) {
    struct file *f = ctx;
    if (i < 2) {
        struct vfs_stat st;
        int r;
        if (i == 0) {
            r = f->ops->stat(f, &st);
        } else {
            char parent[VFS_PATH_MAX + 1];
            const char *name;
            if (strcmp(f->path, "/") == 0 || path_split(f->path, parent, sizeof parent, &name)) strlcpy(parent, "/", sizeof parent);
            r = vfs_lookup(parent, &st);
        }
        strlcpy(d->name, i == 0 ? "." : "..", sizeof d->name);
        d->type = VFS_DIR;
        d->ino = r ? 0 : st.ino;
        return 0;
    }
    if (i - 2 > UINT32_MAX) return -ENOENT;
    return f->ops->readdir(f, (uint32_t)(i - 2), d);
}

long linux_getdents64(SYSARGS) {
    UNUSED_ARGS();
    struct file *f = fd_get(a0);
    if (!f) return -EBADF;
    struct vfs_stat st;
    if (!f->ops->readdir || !f->ops->stat || f->ops->stat(f, &st) || st.type != VFS_DIR) return -ENOTDIR;
    if (!user_range_valid(a1, a2, 1)) return -EFAULT;
    /* Through a kernel buffer of whole entries; the offset moves only past
     * what reached the caller. */
    uint8_t kbuf[512];
    uint64_t used = 0;
    while (used < a2) {
        uint64_t index = f->off;
        long n = linux_getdents_fill(kbuf, a2 - used < sizeof kbuf ? a2 - used : sizeof kbuf, &index, dir_entry, f);
        if (n < 0) {
            if (used) break;   /* -EINVAL: the next entry needs more than what is left */
            return n;
        }
        if (n == 0) break;
        if (copy_to_user(a1 + used, kbuf, (uint64_t)n)) return used ? (long)used : -EFAULT;
        used += (uint64_t)n;
        f->off = index;
    }
    return (long)used;
}

/* --- the working directory ---------------------------------------------------- */

long linux_getcwd(SYSARGS) {
    UNUSED_ARGS();
    uint64_t len = strlen(current->cwd) + 1;
    if (a1 < len) return -ERANGE;
    return copy_to_user(a0, current->cwd, len) ? -EFAULT : (long)len;
}

static long set_cwd(const char *path) {
    struct vfs_stat st;
    long r = fs_stat_path(path, 0, 0, &st);
    if (r < 0) return r;
    if (st.type != VFS_DIR) return -ENOTDIR;
    strlcpy(current->cwd, path, sizeof current->cwd);
    return 0;
}

long linux_chdir(SYSARGS) {
    UNUSED_ARGS();
    char path[VFS_PATH_MAX + 1];
    long r = fs_user_path(a0, path);
    return r < 0 ? r : set_cwd(path);
}

long linux_fchdir(SYSARGS) {
    UNUSED_ARGS();
    struct file *f = fd_get(a0);
    if (!f) return -EBADF;
    if (!f->path[0]) return -ENOTDIR;
    return set_cwd(f->path);
}

