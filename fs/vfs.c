/* The VFS: a bounded mount table and longest-prefix dispatch of absolute
 * paths to the filesystem mounted there. Every path is normalised again on
 * the way in, so a filesystem only ever sees clean paths of its own. */
#include "fs/fs.h"
#include "fs/path.h"
#include "lib/string.h"
#include "lib/strerror.h"
#include "mm/kheap.h"

struct mount {
    char point[VFS_PATH_MAX + 1];
    const struct vfs_fs_ops *ops;
    void *ctx;
};

static struct mount mounts[VFS_MAX_MOUNTS];   /* in mount order, no holes */
static uint32_t nmounts;

static struct mount *find_mount(const char *point) {
    for (uint32_t i = 0; i < nmounts; i++)
        if (strcmp(mounts[i].point, point) == 0) return &mounts[i];
    return 0;
}

/* Normalises path into norm and finds the mount serving it: the one whose
 * mount point is the longest prefix. *rel is the path inside that mount. */
static int resolve(const char *path, char norm[VFS_PATH_MAX + 1], struct mount **m, const char **rel) {
    if (!path || path[0] != '/') return -EINVAL;   /* callers normalise relative paths themselves */
    int r = path_normalize("/", path, norm, VFS_PATH_MAX + 1);
    if (r) return r;
    struct mount *best = 0;
    size_t best_len = 0;
    for (uint32_t i = 0; i < nmounts; i++) {
        size_t n = strlen(mounts[i].point);
        if (path_is_within(mounts[i].point, norm) && (!best || n > best_len)) {
            best = &mounts[i];
            best_len = n;
        }
    }
    if (!best) return -ENOENT;    /* nothing mounted at / yet */
    *m = best;
    *rel = best_len == 1 ? norm : (norm[best_len] ? norm + best_len : "/");
    return 0;
}

/* --- mounts ----------------------------------------------------------------- */

static int add_mount(const char *point, const struct vfs_fs_ops *ops, void *ctx) {
    if (nmounts == VFS_MAX_MOUNTS) return -ENOSPC;
    struct mount *m = &mounts[nmounts++];
    strlcpy(m->point, point, sizeof m->point);
    m->ops = ops;
    m->ctx = ctx;
    return 0;
}

int vfs_mount_root(const struct vfs_fs_ops *ops, void *ctx) {
    if (!ops || !ops->lookup) return -EINVAL;
    if (find_mount("/")) return -EBUSY;
    return add_mount("/", ops, ctx);
}

int vfs_mount(const char *mountpoint, const struct vfs_fs_ops *ops, void *ctx) {
    char norm[VFS_PATH_MAX + 1];
    if (!mountpoint || mountpoint[0] != '/' || !ops || !ops->lookup) return -EINVAL;
    int r = path_normalize("/", mountpoint, norm, sizeof norm);
    if (r) return r;
    if (strcmp(norm, "/") == 0) return vfs_mount_root(ops, ctx);
    if (find_mount(norm)) return -EBUSY;
    /* As in Unix, a mount covers an existing directory: the tree stays
     * walkable from / and readdir of the parent shows the mount point. */
    struct vfs_stat st;
    r = vfs_lookup(norm, &st);
    if (r) return r;
    if (st.type != VFS_DIR) return -ENOTDIR;
    return add_mount(norm, ops, ctx);
}

int vfs_umount(const char *mountpoint) {
    char norm[VFS_PATH_MAX + 1];
    if (!mountpoint || mountpoint[0] != '/') return -EINVAL;
    int r = path_normalize("/", mountpoint, norm, sizeof norm);
    if (r) return r;
    struct mount *m = find_mount(norm);
    if (!m) return -EINVAL;
    for (uint32_t i = 0; i < nmounts; i++)
        if (&mounts[i] != m && path_is_within(norm, mounts[i].point)) return -EBUSY;
    uint32_t idx = (uint32_t)(m - mounts);
    memmove(&mounts[idx], &mounts[idx + 1], (nmounts - idx - 1) * sizeof mounts[0]);
    nmounts--;
    return 0;
}

int vfs_mount_info(uint32_t index, const char **mountpoint, const char **fsname) {
    if (index >= nmounts) return -ENOENT;
    if (mountpoint) *mountpoint = mounts[index].point;
    if (fsname) *fsname = mounts[index].ops->name ? mounts[index].ops->name : "?";
    return 0;
}

/* --- dispatch ----------------------------------------------------------------- */

/* Resolves path into local variables m and rel, or returns the error;
 * an operation the filesystem lacks is a read-only one. */
#define RESOLVE(path, op)                                   \
    char norm_[VFS_PATH_MAX + 1];                           \
    struct mount *m;                                        \
    const char *rel;                                        \
    int r_ = resolve(path, norm_, &m, &rel);                \
    if (r_) return r_;                                      \
    if (!m->ops->op) return -EROFS

/* st_dev for a filesystem: its mount's place in the table, 1-based. */
static uint32_t dev_of(const void *ctx) {
    for (uint32_t i = 0; i < nmounts; i++)
        if (mounts[i].ctx == ctx) return i + 1;
    return 0;
}

int vfs_lookup(const char *path, struct vfs_stat *st) {
    memset(st, 0, sizeof *st);
    RESOLVE(path, lookup);
    int r = m->ops->lookup(m->ctx, rel, st);
    st->dev = dev_of(m->ctx);
    return r;
}

int vfs_readdir(const char *path, uint32_t index, struct vfs_dirent *out) {
    memset(out, 0, sizeof *out);
    RESOLVE(path, readdir);
    return m->ops->readdir(m->ctx, rel, index, out);
}

/* A filesystem with inodes only (/dev, /proc) is read through them. */
long vfs_read(const char *path, uint64_t off, void *buf, uint64_t len) {
    RESOLVE(path, lookup);
    if (m->ops->read) return m->ops->read(m->ctx, rel, off, buf, len);
    if (!m->ops->iget || !m->ops->iread) return -EINVAL;
    void *node;
    int r = m->ops->iget(m->ctx, rel, &node);
    if (r) return r;
    long n = m->ops->iread(m->ctx, node, off, buf, len);
    if (m->ops->iput) m->ops->iput(m->ctx, node);
    return n;
}

long vfs_write(const char *path, uint64_t off, const void *buf, uint64_t len) {
    RESOLVE(path, write);
    return m->ops->write(m->ctx, rel, off, buf, len);
}

int vfs_create(const char *path, int immutable, const void *data, uint64_t len) {
    RESOLVE(path, create);
    return m->ops->create(m->ctx, rel, immutable, data, len);
}

int vfs_truncate(const char *path, uint64_t size) {
    RESOLVE(path, truncate);
    return m->ops->truncate(m->ctx, rel, size);
}

int vfs_mkdir(const char *path) {
    RESOLVE(path, mkdir);
    return m->ops->mkdir(m->ctx, rel);
}

/* A mount point below path: removing or moving path would strand it. */
static int has_mount_below(const char *norm) {
    for (uint32_t i = 0; i < nmounts; i++)
        if (path_is_within(norm, mounts[i].point)) return 1;
    return 0;
}

int vfs_remove(const char *path) {
    RESOLVE(path, remove);
    if (has_mount_below(norm_)) return -EBUSY;
    return m->ops->remove(m->ctx, rel);
}

/* Both paths' normalised forms are on the heap: two VFS paths plus a
 * filesystem's own rename frame would be a deep chain on a 16 KiB stack. */
static int do_rename(const char *from, const char *to, int replace) {
    struct rename_paths { char from[VFS_PATH_MAX + 1], to[VFS_PATH_MAX + 1]; } *p = kmalloc(sizeof *p);
    if (!p) return -ENOMEM;
    struct mount *m, *tm;
    const char *rel, *to_rel;
    int r = resolve(from, p->from, &m, &rel);
    if (!r) r = resolve(to, p->to, &tm, &to_rel);
    if (r) goto out;
    r = -EROFS;
    if (replace ? !m->ops->rename_replace : !m->ops->rename) goto out;
    r = -EBUSY;
    if (has_mount_below(p->from)) goto out;
    r = -EXDEV;
    if (tm != m) goto out;
    /* Replacing a mount point (or what holds one) would strand it too. */
    r = -EBUSY;
    if (replace && strcmp(p->to, "/") != 0 && has_mount_below(p->to)) goto out;
    r = replace ? m->ops->rename_replace(m->ctx, rel, to_rel) : m->ops->rename(m->ctx, rel, to_rel);
out:
    kfree(p);
    return r;
}

int vfs_rename(const char *from, const char *to) { return do_rename(from, to, 0); }
int vfs_rename_replace(const char *from, const char *to) { return do_rename(from, to, 1); }

/* --- inodes ------------------------------------------------------------------- */

int vfs_iget(const char *path, struct vfs_inode *ino) {
    RESOLVE(path, iget);
    void *node;
    int r = m->ops->iget(m->ctx, rel, &node);
    if (r) return r;
    /* The ops and ctx, not the mount: the mount table moves on umount. */
    ino->ops = m->ops;
    ino->ctx = m->ctx;
    ino->node = node;
    return 0;
}

void vfs_iput(struct vfs_inode *ino) {
    if (!ino->node) return;
    if (ino->ops->iput) ino->ops->iput(ino->ctx, ino->node);
    ino->node = 0;
}

int vfs_istat(const struct vfs_inode *ino, struct vfs_stat *st) {
    memset(st, 0, sizeof *st);
    int r = ino->ops->istat ? ino->ops->istat(ino->ctx, ino->node, st) : -EINVAL;
    st->dev = dev_of(ino->ctx);
    return r;
}

long vfs_iread(const struct vfs_inode *ino, uint64_t off, void *buf, uint64_t len) {
    return ino->ops->iread ? ino->ops->iread(ino->ctx, ino->node, off, buf, len) : -EINVAL;
}

long vfs_iwrite(const struct vfs_inode *ino, uint64_t off, const void *buf, uint64_t len) {
    return ino->ops->iwrite ? ino->ops->iwrite(ino->ctx, ino->node, off, buf, len) : -EROFS;
}

int vfs_itruncate(const struct vfs_inode *ino, uint64_t size) {
    return ino->ops->itruncate ? ino->ops->itruncate(ino->ctx, ino->node, size) : -EROFS;
}

int vfs_ireaddir(const struct vfs_inode *ino, uint32_t index, struct vfs_dirent *out) {
    return ino->ops->ireaddir ? ino->ops->ireaddir(ino->ctx, ino->node, index, out) : -ENOTDIR;
}

int vfs_isetattr(const struct vfs_inode *ino, const struct vfs_setattr *a) {
    return ino->ops->isetattr ? ino->ops->isetattr(ino->ctx, ino->node, a) : -EROFS;
}

int vfs_ipeek(const struct vfs_inode *ino, const void **data, uint64_t *size) {
    return ino->ops->ipeek ? ino->ops->ipeek(ino->ctx, ino->node, data, size) : -EINVAL;
}

long vfs_ireadlink(const struct vfs_inode *ino, char *buf, uint64_t cap) {
    return ino->ops->ireadlink ? ino->ops->ireadlink(ino->ctx, ino->node, buf, cap) : -EINVAL;
}

long vfs_read_all(const char *path, void *buf, uint64_t cap) {
    struct vfs_stat st;
    int r = vfs_lookup(path, &st);
    if (r) return r;
    if (st.type != VFS_FILE) return -EISDIR;
    if (st.size > cap) return -EFBIG;
    uint64_t got = 0;
    while (got < st.size) {
        long n = vfs_read(path, got, (char *)buf + got, st.size - got);
        if (n < 0) return n;
        if (n == 0) break;   /* shrank meanwhile: return what is there */
        got += (uint64_t)n;
    }
    return (long)got;
}

#define STR_(x) #x
#define STR(x) STR_(x)

/* The VFS's own wording where it knows more than the number says. */
const char *vfs_strerror(int err) {
    switch (err) {
    case -EPERM: case EPERM: return "read-only (immutable)";
    case -EBUSY: case EBUSY: return "busy (root, mount point or working directory)";
    case -ENAMETOOLONG: case ENAMETOOLONG: return "name too long (max " STR(VFS_NAME_MAX) " bytes a name, " STR(VFS_PATH_MAX) " a path)";
    default: return secos_strerror(err);
    }
}
