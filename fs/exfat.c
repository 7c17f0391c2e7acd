/* exFAT behind struct vfs_fs_ops, read-only: paths resolved by the pure
 * core (fs/exfat_core.h, which checks everything read from the disk),
 * nodes for open files and directories. Every change (write, create,
 * truncate, mkdir, remove, rename, setattr) is -EROFS: the ops table leaves
 * those entries empty, and the VFS and fs_open answer -EROFS for them
 * (isetattr says it itself);
 * every mount is listed read-only (struct fs_type.readonly).
 *
 * Nodes: one per referenced entry (iget), found again by its inode number,
 * so two opens share one node and its read cursors. A node's object was
 * checked (exfat_entry_check: its clusters cover its DataLength, no cycle)
 * before the first read through it. The volume is busy (no unmount) while
 * a node exists. Names whose UTF-8 form exceeds VFS_NAME_MAX bytes (a
 * 255-unit name outside ASCII can take 765) cannot be a path component, so
 * listings leave them out.
 *
 * Locking: a disk driver may sleep the caller inside blk_read, and another
 * process may then enter the same volume; every operation takes the
 * volume's lock (the ops table holds locked wrappers). */
#include "fs/exfat.h"
#include "fs/exfat_core.h"
#include "fs/fs.h"
#include "fs/vol_lock.h"
#include "block/blockdev.h"
#include "kernel/proc.h"
#include "lib/console_out.h"
#include "mm/kheap.h"
#include "lib/string.h"
#include "secos/errno.h"

#define EXFAT_SUPER_MAGIC 0x2011bab0   /* Linux's f_type for exFAT */

struct exfat_node {
    uint64_t ino;
    int root;
    int refs;
    int checked;                 /* exfat_entry_check passed (the root: at mount) */
    uint16_t attr;
    struct exfat_obj obj;
    uint64_t ctime, mtime, atime;
    struct exfat_cursor rc;      /* where the last read's cluster lookup ended */
    /* readdir by index: the next index and where its set starts, so a
     * listing in order is one pass. */
    uint32_t rd_index;
    uint64_t rd_pos;
    struct exfat_cursor dc;
    struct exfat_node *next;
};

struct exfatfs {
    struct vol_lock lock;        /* one operation at a time (fs/vol_lock.h) */
    struct blockdev *dev;
    struct exfat_node *nodes;    /* every referenced node */
    uint32_t nnodes;
    struct exfat_entry e;        /* scratch for one operation (under the lock; 1.4 KiB off the stack) */
    struct exfat_vol vol;        /* last: it holds the 128 KiB up-case table */
};

static long io_read(void *dev, uint64_t off, void *buf, uint64_t len) { return blk_read(dev, off, buf, len); }

/* --- inodes --------------------------------------------------------------------------- */

static struct exfat_node *node_find(struct exfatfs *fs, uint64_t ino) {
    for (struct exfat_node *n = fs->nodes; n; n = n->next)
        if (n->ino == ino) return n;
    return 0;
}

static int node_get(struct exfatfs *fs, const char *path, void **out, int check) {
    struct exfat_entry *e = &fs->e;
    int root;
    int r = exfat_resolve(&fs->vol, path, e, &root);
    if (r) return r;
    uint64_t ino = root ? 1 : e->ino;
    struct exfat_node *n = node_find(fs, ino);
    if (!n) {
        n = kcalloc(1, sizeof *n);
        if (!n) return -ENOMEM;
        n->ino = ino;
        n->root = root;
        if (root) {
            n->attr = EXFAT_ATTR_DIR;
            n->obj = fs->vol.root;
            n->checked = 1;
        } else {
            n->attr = e->attr;
            n->obj = e->obj;
            n->ctime = e->ctime;
            n->mtime = e->mtime;
            n->atime = e->atime;
        }
        n->next = fs->nodes;
        fs->nodes = n;
        fs->nnodes++;
    }
    n->refs++;
    if (check && !n->checked) {
        if ((r = exfat_entry_check(&fs->vol, e)) != 0) {
            n->refs--;
            if (n->refs == 0) {
                fs->nodes = n->next;   /* just added at the head: nothing else ran in between */
                fs->nnodes--;
                kfree(n);
            }
            return r;
        }
        n->checked = 1;
    }
    *out = n;
    return 0;
}

static int ex_iget(void *ctx, const char *path, void **out) { return node_get(ctx, path, out, 1); }

/* The path calls' temporary nodes: a stat walks no chain. */
static int tmp_get(void *ctx, const char *path, void **out) { return node_get(ctx, path, out, 0); }

static void ex_iput(void *ctx, void *node) {
    struct exfatfs *fs = ctx;
    struct exfat_node *n = node;
    if (--n->refs > 0) return;
    struct exfat_node **pp = &fs->nodes;
    while (*pp != n) pp = &(*pp)->next;
    *pp = n->next;
    fs->nnodes--;
    kfree(n);
}

static int ex_istat(void *ctx, void *node, struct vfs_stat *st) {
    (void)ctx;
    struct exfat_node *n = node;
    int dir = n->attr & EXFAT_ATTR_DIR;
    st->type = dir ? VFS_DIR : VFS_FILE;
    st->size = dir ? 0 : n->obj.size;
    st->ino = n->ino;
    st->nlink = 1;
    st->mode = dir ? 0555 : 0444;   /* nothing on the volume can be written */
    st->mtime = n->mtime;
    st->atime = n->atime;
    st->ctime = n->ctime;           /* exFAT records creation, not change: the nearest thing */
    return 0;
}

/* A node reached by a path call without the check (readdir through a
 * path): checked before its clusters are read. */
static int ensure_checked(struct exfatfs *fs, struct exfat_node *n) {
    if (n->checked) return 0;
    struct exfat_entry *e = &fs->e;
    e->attr = n->attr;
    e->obj = n->obj;
    int r = exfat_entry_check(&fs->vol, e);
    if (r == 0) n->checked = 1;
    return r;
}

static long ex_iread(void *ctx, void *node, uint64_t off, void *buf, uint64_t len) {
    struct exfatfs *fs = ctx;
    struct exfat_node *n = node;
    if (n->attr & EXFAT_ATTR_DIR) return -EISDIR;
    int r = ensure_checked(fs, n);
    if (r) return r;
    return exfat_obj_read(&fs->vol, &n->obj, &n->rc, off, buf, len);
}

static int ex_ireaddir(void *ctx, void *node, uint32_t index, struct vfs_dirent *out) {
    struct exfatfs *fs = ctx;
    struct exfat_node *n = node;
    if (!(n->attr & EXFAT_ATTR_DIR)) return -ENOTDIR;
    int r = ensure_checked(fs, n);
    if (r) return r;
    if (index < n->rd_index || n->rd_index == 0) {   /* start over */
        n->rd_index = 0;
        n->rd_pos = 0;
        n->dc.clus = 0;
    }
    struct exfat_entry *e = &fs->e;
    for (;;) {
        uint64_t pos = n->rd_pos;
        r = exfat_dir_next(&fs->vol, &n->obj, &n->dc, &pos, e);
        if (r) return r;
        n->rd_pos = pos;
        if (strlen(e->name) > VFS_NAME_MAX) continue;   /* no path can name it */
        if (n->rd_index++ == index) break;
    }
    strlcpy(out->name, e->name, sizeof out->name);
    int dir = e->attr & EXFAT_ATTR_DIR;
    out->type = dir ? VFS_DIR : VFS_FILE;
    out->size = dir ? 0 : e->obj.size;
    out->immutable = 0;
    out->ino = e->ino;
    return 0;
}

/* --- path calls (through a temporary node) ----------------------------------------- */

static int ex_lookup(void *ctx, const char *path, struct vfs_stat *st) {
    void *n;
    int r = tmp_get(ctx, path, &n);
    if (r) return r;
    ex_istat(ctx, n, st);
    ex_iput(ctx, n);
    return 0;
}

static int ex_readdir(void *ctx, const char *path, uint32_t index, struct vfs_dirent *out) {
    void *n;
    int r = tmp_get(ctx, path, &n);
    if (r) return r;
    r = ex_ireaddir(ctx, n, index, out);
    ex_iput(ctx, n);
    return r;
}

static long ex_read(void *ctx, const char *path, uint64_t off, void *buf, uint64_t len) {
    void *n;
    long r = ex_iget(ctx, path, &n);
    if (r) return r;
    r = ex_iread(ctx, n, off, buf, len);
    ex_iput(ctx, n);
    return r;
}

static int ex_statfs(void *ctx, struct vfs_statfs *out) {
    struct exfatfs *fs = ctx;
    out->magic = EXFAT_SUPER_MAGIC;
    out->bsize = exfat_cluster_size(&fs->vol);
    out->blocks = fs->vol.clusters;
    out->bfree = fs->vol.free_clusters;   /* counted in the bitmap at mount; nothing changes it */
    out->files = out->ffree = 0;
    return 0;
}

/* --- the volume lock ------------------------------------------------------------------- */

#define LOCKED(ret, name, params, args) VOL_LOCKED(((struct exfatfs *)ctx)->lock, ret, name, params, args)

LOCKED(int, ex_lookup, (void *ctx, const char *p, struct vfs_stat *st), (ctx, p, st))
LOCKED(int, ex_readdir, (void *ctx, const char *p, uint32_t i, struct vfs_dirent *o), (ctx, p, i, o))
LOCKED(long, ex_read, (void *ctx, const char *p, uint64_t off, void *b, uint64_t n), (ctx, p, off, b, n))
LOCKED(int, ex_iget, (void *ctx, const char *p, void **n), (ctx, p, n))
LOCKED(int, ex_istat, (void *ctx, void *n, struct vfs_stat *st), (ctx, n, st))
LOCKED(long, ex_iread, (void *ctx, void *n, uint64_t off, void *b, uint64_t len), (ctx, n, off, b, len))
LOCKED(int, ex_ireaddir, (void *ctx, void *n, uint32_t i, struct vfs_dirent *o), (ctx, n, i, o))
LOCKED(int, ex_statfs, (void *ctx, struct vfs_statfs *o), (ctx, o))

static void L_ex_iput(void *ctx, void *n) {
    vol_lock(&((struct exfatfs *)ctx)->lock);
    ex_iput(ctx, n);
    vol_unlock(&((struct exfatfs *)ctx)->lock);
}

/* Attributes are kept on the volume but never changed: chmod and utimensat
 * through a path get -EROFS (fs/linux_names.c), as on a read-only Linux mount. */
static int ex_isetattr(void *ctx, void *node, const struct vfs_setattr *a) {
    (void)ctx, (void)node, (void)a;
    return -EROFS;
}

/* No write, create, truncate, remove, rename, mkdir, iwrite or itruncate:
 * the VFS answers -EROFS for each. */
static const struct vfs_fs_ops exfat_ops = {
    .name = "exfat",
    .lookup = L_ex_lookup,
    .readdir = L_ex_readdir,
    .read = L_ex_read,
    .iget = L_ex_iget,
    .iput = L_ex_iput,
    .istat = L_ex_istat,
    .iread = L_ex_iread,
    .ireaddir = L_ex_ireaddir,
    .isetattr = ex_isetattr,
    .statfs = L_ex_statfs,
};

/* --- the file-system type ------------------------------------------------------------ */

static void io_of(struct blockdev *dev, struct exfat_io *io) {
    io->read = io_read;
    io->dev = dev;
    io->size = blk_size(dev);
}

static int exfat_type_probe(struct blockdev *dev) {
    struct exfat_io io;
    io_of(dev, &io);
    return exfat_probe(&io);
}

static int exfat_type_mount(struct blockdev *dev, int flags, const struct vfs_fs_ops **ops, void **ctx) {
    (void)flags;   /* always read-only */
    struct exfatfs *fs = kcalloc(1, sizeof *fs);
    if (!fs) return -ENOMEM;
    struct exfat_io io;
    io_of(dev, &io);
    int r = exfat_vol_open(&fs->vol, &io);
    if (r) {
        kprintf("[exfat] %s: refused: %s\n", dev->name, fs->vol.why ? fs->vol.why : "device error");
        kfree(fs);
        return r;
    }
    fs->dev = dev;
    *ops = &exfat_ops;
    *ctx = fs;
    return 0;
}

static int exfat_type_sync(void *ctx) {
    (void)ctx;
    return 0;   /* nothing is ever written */
}

static int exfat_type_busy(void *ctx) {
    struct exfatfs *fs = ctx;
    return fs->nnodes != 0 || fs->lock.busy;
}

static void exfat_type_unmount(void *ctx) { kfree(ctx); }

static int exfat_type_usage(void *ctx, struct vfs_statfs *out) { return L_ex_statfs(ctx, out); }

static const struct fs_type exfat_type = {
    .name = "exfat",
    .readonly = 1,
    .probe = exfat_type_probe,
    .mount = exfat_type_mount,
    .sync = exfat_type_sync,
    .busy = exfat_type_busy,
    .unmount = exfat_type_unmount,
    .usage = exfat_type_usage,
};

void exfat_register(void) { fs_type_register(&exfat_type); }
