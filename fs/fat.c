/* FAT behind struct vfs_fs_ops: paths resolved component by component
 * through fs/fat_core, nodes for open files. All checking of the on-disk
 * structures is fat_core's and fat_dir's; this file keeps the nodes.
 *
 * Nodes: one per directory entry that is referenced (iget), found again by
 * its place (directory cluster, slot), so two opens of a file share its
 * size and first cluster. A node removed (or replaced by rename) while
 * referenced becomes an orphan: its entry is gone from the disk, its
 * clusters stay allocated until the last iput frees them, as on Unix. The
 * volume is busy (no unmount) while any node exists.
 *
 * Locking: a disk driver may sleep the caller inside blk_read/blk_write, and
 * another process may then enter the same volume; every operation takes the
 * volume's lock (the ops table below holds locked wrappers of the
 * functions, which call each other unlocked). */
#include "fs/fat.h"
#include "fs/fat_core.h"
#include "fs/fs.h"
#include "fs/vol_lock.h"
#include "fs/path.h"
#include "block/blockdev.h"
#include "kernel/proc.h"
#include "mm/kheap.h"
#include "lib/string.h"
#include "secos/errno.h"

#define MSDOS_SUPER_MAGIC 0x4d44

struct fat_node {
    struct fat_entry e;      /* root: only e.cluster (the root's) is used */
    int root;
    int refs;
    int orphan;
    struct fat_node *next;
};

struct fatfs {
    struct vol_lock lock;    /* one operation at a time (fs/vol_lock.h) */
    struct fat_vol vol;
    struct blockdev *dev;
    struct fat_node *nodes;  /* every referenced node */
    uint32_t nnodes;
};

static long io_read(void *dev, uint64_t off, void *buf, uint64_t len) { return blk_read(dev, off, buf, len); }
static long io_write(void *dev, uint64_t off, const void *buf, uint64_t len) { return blk_write(dev, off, buf, len); }

static void stamp(uint16_t *date, uint16_t *time) { fat_time_pack(fs_now(), date, time); }

/* --- paths ------------------------------------------------------------------------ */

/* The entry at path (relative to the mount, normalised). *is_root for "/". */
static int resolve(struct fatfs *fs, const char *path, struct fat_entry *e, int *is_root) {
    *is_root = 0;
    uint32_t dir = fat_root(&fs->vol);
    const char *p = path;
    while (*p == '/') p++;
    if (!*p) {
        *is_root = 1;
        return 0;
    }
    char name[VFS_NAME_MAX + 1];
    for (;;) {
        size_t n = 0;
        while (p[n] && p[n] != '/') n++;
        if (n > VFS_NAME_MAX) return -ENAMETOOLONG;
        memcpy(name, p, n);
        name[n] = 0;
        int r = fat_dir_find(&fs->vol, dir, name, e);
        if (r) return r;
        p += n;
        while (*p == '/') p++;
        if (!*p) return 0;
        if (!(e->attr & FAT_ATTR_DIR)) return -ENOTDIR;
        if (e->cluster < 2) return -EIO;   /* a subdirectory cannot start at the root's cluster 0 */
        dir = e->cluster;
    }
}

/* The directory that holds path's last component, and that component. */
static int resolve_parent(struct fatfs *fs, const char *path, uint32_t *dir, const char **name) {
    char parent[VFS_PATH_MAX + 1];
    if (strcmp(path, "/") == 0) return -EEXIST;   /* the mount's root always exists */
    int r = path_split(path, parent, sizeof parent, name);
    if (r) return r;
    struct fat_entry e;
    int root;
    if ((r = resolve(fs, parent, &e, &root)) != 0) return r;
    if (root) {
        *dir = fat_root(&fs->vol);
        return 0;
    }
    if (!(e.attr & FAT_ATTR_DIR)) return -ENOTDIR;
    if (e.cluster < 2) return -EIO;
    *dir = e.cluster;
    return 0;
}

static struct fat_node *node_find(struct fatfs *fs, uint32_t dir, uint32_t slot) {
    for (struct fat_node *n = fs->nodes; n; n = n->next)
        if (!n->root && !n->orphan && n->e.dir == dir && n->e.slot == slot) return n;
    return 0;
}

static struct fat_node *root_node(struct fatfs *fs) {
    for (struct fat_node *n = fs->nodes; n; n = n->next)
        if (n->root) return n;
    return 0;
}

/* --- inodes ------------------------------------------------------------------------- */

/* A file's chain must end (no cycle, no bad link) and cover its size;
 * checked when the file is opened, so a corrupt one is -EIO up front. */
static int chain_ok(struct fatfs *fs, const struct fat_entry *e) {
    if (e->attr & FAT_ATTR_DIR) return fat_chain_len(&fs->vol, e->cluster) < 0 ? -EIO : 0;
    long n = fat_chain_len(&fs->vol, e->cluster);
    if (n < 0) return -EIO;
    return (uint64_t)n * fs->vol.cluster_size < e->size ? -EIO : 0;
}

static int node_get(struct fatfs *fs, const char *path, void **out, int check) {
    struct fat_entry e;
    int root;
    int r = resolve(fs, path, &e, &root);
    if (r) return r;
    struct fat_node *n = root ? root_node(fs) : node_find(fs, e.dir, e.slot);
    if (!n) {
        if (!root && (e.attr & FAT_ATTR_DIR) && e.cluster < 2) return -EIO;
        if (!root && check && (r = chain_ok(fs, &e)) != 0) return r;
        n = kcalloc(1, sizeof *n);
        if (!n) return -ENOMEM;
        n->root = root;
        if (root) {
            n->e.attr = FAT_ATTR_DIR;
            n->e.cluster = fat_root(&fs->vol);
        } else {
            n->e = e;
        }
        n->next = fs->nodes;
        fs->nodes = n;
        fs->nnodes++;
    }
    n->refs++;
    *out = n;
    return 0;
}

static int fat_iget(void *ctx, const char *path, void **out) { return node_get(ctx, path, out, 1); }

/* The path calls' temporary nodes: no chain walk for a stat. */
static int tmp_get(void *ctx, const char *path, void **out) { return node_get(ctx, path, out, 0); }

static void fat_iput(void *ctx, void *node) {
    struct fatfs *fs = ctx;
    struct fat_node *n = node;
    if (--n->refs > 0) return;
    struct fat_node **pp = &fs->nodes;
    while (*pp != n) pp = &(*pp)->next;
    *pp = n->next;
    fs->nnodes--;
    if (n->orphan) fat_chain_free(&fs->vol, n->e.cluster);   /* an error leaves lost clusters, nothing worse */
    kfree(n);
}

static int fat_istat(void *ctx, void *node, struct vfs_stat *st) {
    (void)ctx;
    struct fat_node *n = node;
    int dir = n->e.attr & FAT_ATTR_DIR;
    st->type = dir ? VFS_DIR : VFS_FILE;
    st->size = dir ? 0 : n->e.size;
    st->ino = n->root ? 1 : ((uint64_t)n->e.dir << 16 | n->e.slot) + 2;
    st->nlink = n->orphan ? 0 : 1;
    st->mode = dir ? 0755 : (n->e.attr & FAT_ATTR_RO) ? 0444 : 0644;
    if (!n->root) {
        st->mtime = fat_time_unpack(n->e.wdate, n->e.wtime);
        st->atime = fat_time_unpack(n->e.adate, 0);
        st->ctime = fat_time_unpack(n->e.cdate, n->e.ctime);
    }
    return 0;
}

static long fat_iread(void *ctx, void *node, uint64_t off, void *buf, uint64_t len) {
    struct fatfs *fs = ctx;
    struct fat_node *n = node;
    if (n->e.attr & FAT_ATTR_DIR) return -EISDIR;
    return fat_file_read(&fs->vol, n->e.cluster, n->e.size, off, buf, len);
}

/* Writes a changed node's entry back (an orphan has none). */
static int store(struct fatfs *fs, struct fat_node *n) {
    return n->orphan || n->root ? 0 : fat_entry_store(&fs->vol, &n->e);
}

static int may_change(struct fatfs *fs, struct fat_node *n) {
    if (fs->vol.ro) return -EROFS;
    if (n->e.attr & FAT_ATTR_DIR) return -EISDIR;
    if (n->e.attr & FAT_ATTR_RO) return -EPERM;
    return 0;
}

static long fat_iwrite(void *ctx, void *node, uint64_t off, const void *buf, uint64_t len) {
    struct fatfs *fs = ctx;
    struct fat_node *n = node;
    int r = may_change(fs, n);
    if (r) return r;
    if (len == 0) return 0;
    long w = fat_file_write(&fs->vol, &n->e.cluster, &n->e.size, off, buf, len);
    stamp(&n->e.wdate, &n->e.wtime);
    n->e.attr |= FAT_ATTR_ARCH;
    r = store(fs, n);   /* also after a partial write: the chain has grown */
    return w < 0 ? w : r ? r : w;
}

static int fat_itruncate(void *ctx, void *node, uint64_t size) {
    struct fatfs *fs = ctx;
    struct fat_node *n = node;
    int r = may_change(fs, n);
    if (r) return r;
    stamp(&n->e.wdate, &n->e.wtime);
    if (n->root) return -EISDIR;
    return fat_entry_truncate(&fs->vol, &n->e, size, !n->orphan);
}

static int dir_cluster(const struct fat_node *n) { return (int)n->e.cluster; }

static int fat_ireaddir(void *ctx, void *node, uint32_t index, struct vfs_dirent *out) {
    struct fatfs *fs = ctx;
    struct fat_node *n = node;
    if (!(n->e.attr & FAT_ATTR_DIR)) return -ENOTDIR;
    if (n->orphan) return -ENOENT;
    struct fat_entry e;
    uint32_t slot = 0;
    for (uint32_t i = 0;; i++) {
        int r = fat_dir_read(&fs->vol, (uint32_t)dir_cluster(n), &slot, &e);
        if (r) return r;
        if (i == index) break;
    }
    strlcpy(out->name, e.name, sizeof out->name);
    out->type = e.attr & FAT_ATTR_DIR ? VFS_DIR : VFS_FILE;
    out->size = e.attr & FAT_ATTR_DIR ? 0 : e.size;
    out->ino = ((uint64_t)e.dir << 16 | e.slot) + 2;
    return 0;
}

static int fat_isetattr(void *ctx, void *node, const struct vfs_setattr *a) {
    struct fatfs *fs = ctx;
    struct fat_node *n = node;
    if (fs->vol.ro) return -EROFS;
    if (n->root) return 0;
    if (a->set_mode && !(n->e.attr & FAT_ATTR_DIR)) {
        if (a->mode & 0222) n->e.attr &= (uint8_t)~FAT_ATTR_RO;
        else n->e.attr |= FAT_ATTR_RO;
    }
    uint16_t t;
    if (a->set_mtime) fat_time_pack(a->mtime, &n->e.wdate, &n->e.wtime);
    if (a->set_atime) fat_time_pack(a->atime, &n->e.adate, &t);
    return store(fs, n);
}

/* --- path calls (through a temporary node) --------------------------------------- */

static int fat_lookup(void *ctx, const char *path, struct vfs_stat *st) {
    void *n;
    int r = tmp_get(ctx, path, &n);
    if (r) return r;
    fat_istat(ctx, n, st);
    fat_iput(ctx, n);
    return 0;
}

static int fat_readdir(void *ctx, const char *path, uint32_t index, struct vfs_dirent *out) {
    void *n;
    int r = tmp_get(ctx, path, &n);
    if (r) return r;
    r = fat_ireaddir(ctx, n, index, out);
    fat_iput(ctx, n);
    return r;
}

static long fat_read(void *ctx, const char *path, uint64_t off, void *buf, uint64_t len) {
    void *n;
    long r = fat_iget(ctx, path, &n);
    if (r) return r;
    r = fat_iread(ctx, n, off, buf, len);
    fat_iput(ctx, n);
    return r;
}

static long fat_write(void *ctx, const char *path, uint64_t off, const void *buf, uint64_t len) {
    void *n;
    long r = fat_iget(ctx, path, &n);
    if (r) return r;
    r = fat_iwrite(ctx, n, off, buf, len);
    fat_iput(ctx, n);
    return r;
}

static int fat_truncate(void *ctx, const char *path, uint64_t size) {
    void *n;
    int r = fat_iget(ctx, path, &n);
    if (r) return r;
    r = fat_itruncate(ctx, n, size);
    fat_iput(ctx, n);
    return r;
}

static int fat_create(void *ctx, const char *path, int immutable, const void *data, uint64_t len) {
    struct fatfs *fs = ctx;
    if (fs->vol.ro) return -EROFS;
    uint32_t dir;
    const char *name;
    int r = resolve_parent(fs, path, &dir, &name);
    if (r) return r;
    struct fat_entry e;
    uint16_t d, t;
    stamp(&d, &t);
    if ((r = fat_dir_add(&fs->vol, dir, name, FAT_ATTR_ARCH, 0, 0, d, t, &e)) != 0) return r;
    if (len) {
        long w = fat_file_write(&fs->vol, &e.cluster, &e.size, 0, data, len);
        int s = fat_entry_store(&fs->vol, &e);
        if (w < 0) return (int)w;
        if (s) return s;
    }
    if (immutable) {
        e.attr |= FAT_ATTR_RO;
        return fat_entry_store(&fs->vol, &e);
    }
    return 0;
}

static int fat_mkdir(void *ctx, const char *path) {
    struct fatfs *fs = ctx;
    if (fs->vol.ro) return -EROFS;
    uint32_t dir;
    const char *name;
    int r = resolve_parent(fs, path, &dir, &name);
    if (r) return r;
    struct fat_entry e;
    if (fat_dir_find(&fs->vol, dir, name, &e) == 0) return -EEXIST;
    uint16_t d, t;
    stamp(&d, &t);
    uint32_t c;
    if ((r = fat_dir_create(&fs->vol, dir, d, t, &c)) != 0) return r;
    if ((r = fat_dir_add(&fs->vol, dir, name, FAT_ATTR_DIR, c, 0, d, t, &e)) != 0) fat_chain_free(&fs->vol, c);
    return r;
}

/* Takes e out of its directory; an open node of it becomes an orphan. */
static int detach(struct fatfs *fs, const struct fat_entry *e) {
    int r = fat_dir_remove(&fs->vol, e);
    if (r) return r;
    struct fat_node *n = node_find(fs, e->dir, e->slot);
    if (n) {
        n->orphan = 1;
        return 0;
    }
    return fat_chain_free(&fs->vol, e->cluster);
}

static int fat_remove(void *ctx, const char *path) {
    struct fatfs *fs = ctx;
    if (fs->vol.ro) return -EROFS;
    struct fat_entry e;
    int root;
    int r = resolve(fs, path, &e, &root);
    if (r) return r;
    if (root) return -EBUSY;
    if (e.attr & FAT_ATTR_DIR) {
        if (e.cluster < 2) return -EIO;
        r = fat_dir_empty(&fs->vol, e.cluster);
        if (r < 0) return r;
        if (!r) return -ENOTEMPTY;
    }
    if (e.attr & FAT_ATTR_RO) return -EPERM;
    return detach(fs, &e);
}

static int do_rename(struct fatfs *fs, const char *from, const char *to, int replace) {
    if (fs->vol.ro) return -EROFS;
    struct fat_entry src, old;
    int root;
    int r = resolve(fs, from, &src, &root);
    if (r) return r;
    if (root) return -EBUSY;
    if (path_is_within(from, to)) return strcmp(from, to) == 0 ? (replace ? 0 : -EEXIST) : -EINVAL;
    uint32_t dir;
    const char *name;
    if ((r = resolve_parent(fs, to, &dir, &name)) != 0) return r;
    int isdir = src.attr & FAT_ATTR_DIR;
    r = fat_dir_find(&fs->vol, dir, name, &old);
    if (r == 0) {
        if (old.dir == src.dir && old.slot == src.slot) return replace ? 0 : -EEXIST;   /* the same entry */
        if (!replace) return -EEXIST;
        if (isdir && !(old.attr & FAT_ATTR_DIR)) return -ENOTDIR;
        if (!isdir && (old.attr & FAT_ATTR_DIR)) return -EISDIR;
        if (old.attr & FAT_ATTR_DIR) {
            int empty = fat_dir_empty(&fs->vol, old.cluster);
            if (empty < 0) return empty;
            if (!empty) return -ENOTEMPTY;
        }
        if ((r = detach(fs, &old)) != 0) return r;
    } else if (r != -ENOENT) {
        return r;
    }
    struct fat_entry ne;   /* power-cut order: fat_dir_move */
    if ((r = fat_dir_move(&fs->vol, &src, dir, name, &ne)) != 0) return r;
    struct fat_node *n = node_find(fs, src.dir, src.slot);
    if (n) {
        n->e.dir = ne.dir;
        n->e.slot = ne.slot;
        n->e.first_slot = ne.first_slot;
        memcpy(n->e.sfn, ne.sfn, sizeof ne.sfn);
        strlcpy(n->e.name, ne.name, sizeof n->e.name);
    }
    if (isdir && src.dir != dir) return fat_dir_set_parent(&fs->vol, src.cluster, dir);
    return 0;
}

static int fat_rename(void *ctx, const char *from, const char *to) { return do_rename(ctx, from, to, 0); }
static int fat_rename_replace(void *ctx, const char *from, const char *to) { return do_rename(ctx, from, to, 1); }

static int fat_statfs(void *ctx, struct vfs_statfs *out) {
    struct fatfs *fs = ctx;
    out->magic = MSDOS_SUPER_MAGIC;
    out->bsize = fs->vol.cluster_size;
    out->blocks = fs->vol.clusters;
    out->bfree = fs->vol.free_count;
    out->files = out->ffree = 0;
    return 0;
}

/* --- the volume lock ---------------------------------------------------------------- */

#define LOCKED(ret, name, params, args) VOL_LOCKED(((struct fatfs *)ctx)->lock, ret, name, params, args)

LOCKED(int, fat_lookup, (void *ctx, const char *p, struct vfs_stat *st), (ctx, p, st))
LOCKED(int, fat_readdir, (void *ctx, const char *p, uint32_t i, struct vfs_dirent *o), (ctx, p, i, o))
LOCKED(long, fat_read, (void *ctx, const char *p, uint64_t off, void *b, uint64_t n), (ctx, p, off, b, n))
LOCKED(long, fat_write, (void *ctx, const char *p, uint64_t off, const void *b, uint64_t n), (ctx, p, off, b, n))
LOCKED(int, fat_create, (void *ctx, const char *p, int imm, const void *d, uint64_t n), (ctx, p, imm, d, n))
LOCKED(int, fat_truncate, (void *ctx, const char *p, uint64_t size), (ctx, p, size))
LOCKED(int, fat_remove, (void *ctx, const char *p), (ctx, p))
LOCKED(int, fat_rename, (void *ctx, const char *a, const char *b), (ctx, a, b))
LOCKED(int, fat_mkdir, (void *ctx, const char *p), (ctx, p))
LOCKED(int, fat_rename_replace, (void *ctx, const char *a, const char *b), (ctx, a, b))
LOCKED(int, fat_iget, (void *ctx, const char *p, void **n), (ctx, p, n))
LOCKED(int, fat_istat, (void *ctx, void *n, struct vfs_stat *st), (ctx, n, st))
LOCKED(long, fat_iread, (void *ctx, void *n, uint64_t off, void *b, uint64_t len), (ctx, n, off, b, len))
LOCKED(long, fat_iwrite, (void *ctx, void *n, uint64_t off, const void *b, uint64_t len), (ctx, n, off, b, len))
LOCKED(int, fat_itruncate, (void *ctx, void *n, uint64_t size), (ctx, n, size))
LOCKED(int, fat_ireaddir, (void *ctx, void *n, uint32_t i, struct vfs_dirent *o), (ctx, n, i, o))
LOCKED(int, fat_isetattr, (void *ctx, void *n, const struct vfs_setattr *a), (ctx, n, a))
LOCKED(int, fat_statfs, (void *ctx, struct vfs_statfs *o), (ctx, o))

static void L_fat_iput(void *ctx, void *n) {
    vol_lock(&((struct fatfs *)ctx)->lock);
    fat_iput(ctx, n);
    vol_unlock(&((struct fatfs *)ctx)->lock);
}

static const struct vfs_fs_ops fat_ops = {
    .name = "vfat",
    .lookup = L_fat_lookup,
    .readdir = L_fat_readdir,
    .read = L_fat_read,
    .write = L_fat_write,
    .create = L_fat_create,
    .truncate = L_fat_truncate,
    .remove = L_fat_remove,
    .rename = L_fat_rename,
    .mkdir = L_fat_mkdir,
    .rename_replace = L_fat_rename_replace,
    .iget = L_fat_iget,
    .iput = L_fat_iput,
    .istat = L_fat_istat,
    .iread = L_fat_iread,
    .iwrite = L_fat_iwrite,
    .itruncate = L_fat_itruncate,
    .ireaddir = L_fat_ireaddir,
    .isetattr = L_fat_isetattr,
    .statfs = L_fat_statfs,
};

/* --- the file-system type --------------------------------------------------------- */

static int io_barrier(void *dev) { return blk_barrier(dev); }

static void io_of(struct blockdev *dev, struct fat_io *io) {
    io->read = io_read;
    io->write = io_write;
    io->barrier = io_barrier;
    io->dev = dev;
    io->size = blk_size(dev);
}

static int fat_type_probe(struct blockdev *dev) {
    struct fat_io io;
    io_of(dev, &io);
    return fat_probe(&io);
}

static int fat_type_mount(struct blockdev *dev, int flags, const struct vfs_fs_ops **ops, void **ctx) {
    struct fatfs *fs = kcalloc(1, sizeof *fs);
    if (!fs) return -ENOMEM;
    struct fat_io io;
    io_of(dev, &io);
    int r = fat_vol_open(&fs->vol, &io, (flags & FS_MOUNT_RDONLY) || dev->readonly);
    if (r) {
        kfree(fs);
        return r;
    }
    fs->dev = dev;
    *ops = &fat_ops;
    *ctx = fs;
    return 0;
}

static int fat_type_sync(void *ctx) {
    struct fatfs *fs = ctx;
    vol_lock(&fs->lock);
    int r = fat_vol_sync(&fs->vol);
    vol_unlock(&fs->lock);
    int s = fs->vol.ro ? 0 : blk_sync(fs->dev);
    return r ? r : s;
}

static int fat_type_busy(void *ctx) {
    struct fatfs *fs = ctx;
    return fs->nnodes != 0 || fs->lock.busy;
}

static void fat_type_unmount(void *ctx) { kfree(ctx); }

static int fat_type_usage(void *ctx, struct vfs_statfs *out) { return L_fat_statfs(ctx, out); }

static const struct fs_type vfat_type = {
    .name = "vfat",
    .probe = fat_type_probe,
    .mount = fat_type_mount,
    .sync = fat_type_sync,
    .busy = fat_type_busy,
    .unmount = fat_type_unmount,
    .usage = fat_type_usage,
};

static const struct fs_type msdos_type = {
    .name = "msdos",
    .probe = 0,   /* "auto" picks vfat */
    .mount = fat_type_mount,
    .sync = fat_type_sync,
    .busy = fat_type_busy,
    .unmount = fat_type_unmount,
    .usage = fat_type_usage,
};

void fat_register(void) {
    fs_type_register(&vfat_type);
    fs_type_register(&msdos_type);
}
