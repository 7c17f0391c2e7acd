/* ext2 behind struct vfs_fs_ops: paths resolved by the pure core
 * (fs/ext2_core.h, which checks everything read from the disk and orders
 * every change for a power cut), nodes for open files, directories and
 * symbolic links. Read-write unless mounted ro, the device is read-only, or
 * the volume says it must not be written (an unknown RO_COMPAT feature, an
 * ext3 journal, not cleanly unmounted): then every change is -EROFS and
 * the mount is listed ro.
 *
 * Nodes: one per referenced inode (iget), found again by its number, so
 * two opens share one node; the core tells us of every inode it writes
 * (on_changed), so a node is never stale. An inode whose last name goes
 * while a node holds it keeps its blocks until the last iput releases it,
 * as on Unix. The volume is busy (no unmount) while a node exists.
 *
 * Locking: a disk driver may sleep the caller inside blk_read, and another
 * process may then enter the same volume; every operation takes the
 * volume's lock (the ops table holds locked wrappers). */
#include "fs/ext2.h"
#include "fs/ext2_core.h"
#include "fs/fs.h"
#include "fs/vol_lock.h"
#include "fs/path.h"
#include "block/blockdev.h"
#include "lib/console_out.h"
#include "mm/kheap.h"
#include "lib/string.h"
#include "secos/errno.h"

#define EXT2_SUPER_MAGIC 0xEF53   /* Linux's f_type for ext2/3/4 */

struct ext2_node {
    struct ext2_inode in;
    int refs;
    /* readdir by index: the next index and where its entry starts, so a
     * listing in order is one pass. */
    uint32_t rd_index;
    uint64_t rd_pos;
    uint32_t rd_gen;   /* the volume's dir_gen when rd_pos was found: after a change, revalidated */
    struct ext2_node *next;
};

struct ext2fs {
    struct vol_lock lock;        /* one operation at a time (fs/vol_lock.h) */
    struct blockdev *dev;
    struct ext2_node *nodes;     /* every referenced node */
    uint32_t nnodes;
    struct ext2_inode scratch;   /* one operation's resolved inode (under the lock) */
    struct ext2_inode dir_a, dir_b, child, victim;   /* a changing operation's inodes */
    char pbuf[VFS_PATH_MAX + 1];
    struct ext2_dirent de;
    struct ext2_vol vol;         /* holds a directory block */
};

static long io_read(void *dev, uint64_t off, void *buf, uint64_t len) { return blk_read(dev, off, buf, len); }
static long io_write(void *dev, uint64_t off, const void *buf, uint64_t len) { return blk_write(dev, off, buf, len); }
static int io_barrier(void *dev) { return blk_barrier(dev); }

static struct ext2_node *node_of(struct ext2fs *fs, uint32_t ino) {
    struct ext2_node *n = fs->nodes;
    while (n && n->in.ino != ino) n = n->next;
    return n;
}

/* The core wrote an inode: a node of it follows. */
static void on_changed(void *ctx, const struct ext2_inode *in) {
    struct ext2_node *n = node_of(ctx, in->ino);
    if (n && &n->in != in) n->in = *in;
}

/* Before a change: -EROFS unless writable; the time stamped on it. */
static int begin(struct ext2fs *fs) {
    if (!fs->vol.rw) return -EROFS;
    fs->vol.now = (uint32_t)fs_now();
    return 0;
}

/* An inode whose link count reached 0: released now, or by the last iput
 * of a node that holds it. */
static int settle(struct ext2fs *fs, struct ext2_inode *victim) {
    if (!victim->ino || victim->links) return 0;
    if (node_of(fs, victim->ino)) return 0;
    return ext2_inode_release(&fs->vol, victim);
}

/* path's directory (resolved into *dir) and last component (*name, in
 * fs->pbuf): 0, -EBUSY for the volume's root, or the error resolving. */
static int resolve_parent(struct ext2fs *fs, const char *path, struct ext2_inode *dir, const char **name) {
    size_t n = strlen(path);
    if (n > VFS_PATH_MAX) return -ENAMETOOLONG;
    memcpy(fs->pbuf, path, n + 1);
    while (n > 0 && fs->pbuf[n - 1] == '/') fs->pbuf[--n] = 0;
    char *slash = fs->pbuf + n;
    while (slash > fs->pbuf && slash[-1] != '/') slash--;
    if (!*slash) return -EBUSY;   /* the volume's root */
    *name = slash;
    if (slash > fs->pbuf) slash[-1] = 0;
    int r = ext2_resolve(&fs->vol, fs->pbuf, dir);
    if (r) return r;
    return ext2_is_dir(dir) ? 0 : -ENOTDIR;
}

/* --- inodes --------------------------------------------------------------------------- */

static int node_get(void *ctx, const char *path, void **out) {
    struct ext2fs *fs = ctx;
    int r = ext2_resolve(&fs->vol, path, &fs->scratch);
    if (r) return r;
    struct ext2_node *n = node_of(fs, fs->scratch.ino);
    if (!n) {
        n = kcalloc(1, sizeof *n);
        if (!n) return -ENOMEM;
        n->in = fs->scratch;
        n->next = fs->nodes;
        fs->nodes = n;
        fs->nnodes++;
    }
    n->refs++;
    *out = n;
    return 0;
}

static int e2_iget(void *ctx, const char *path, void **out) { return node_get(ctx, path, out); }

static void e2_iput(void *ctx, void *node) {
    struct ext2fs *fs = ctx;
    struct ext2_node *n = node;
    if (--n->refs > 0) return;
    struct ext2_node **pp = &fs->nodes;
    while (*pp != n) pp = &(*pp)->next;
    *pp = n->next;
    fs->nnodes--;
    if (n->in.links == 0 && fs->vol.rw) {   /* its last name went while it was open */
        fs->vol.now = (uint32_t)fs_now();
        int r = ext2_inode_release(&fs->vol, &n->in);
        if (r) kprintf("ext2: %s: inode %u not released (%d): e2fsck will reclaim it\n", fs->dev->name,
                       (unsigned)n->in.ino, r);
    }
    kfree(n);
}

static int e2_istat(void *ctx, void *node, struct vfs_stat *st) {
    (void)ctx;
    const struct ext2_inode *in = &((struct ext2_node *)node)->in;
    st->type = ext2_is_dir(in) ? VFS_DIR : ext2_is_lnk(in) ? VFS_LNK : VFS_FILE;
    st->size = ext2_is_dir(in) ? 0 : in->size;
    st->ino = in->ino;
    st->nlink = in->links;
    st->mode = in->mode & 07777;
    st->mtime = in->mtime;
    st->atime = in->atime;
    st->ctime = in->ctime;
    return 0;
}

static long e2_iread(void *ctx, void *node, uint64_t off, void *buf, uint64_t len) {
    struct ext2fs *fs = ctx;
    const struct ext2_inode *in = &((struct ext2_node *)node)->in;
    if (ext2_is_dir(in)) return -EISDIR;
    if (!ext2_is_reg(in)) return -EINVAL;   /* devices, FIFOs, sockets and links are not read as data */
    return ext2_file_read(&fs->vol, in, off, buf, len);
}

static long e2_ireadlink(void *ctx, void *node, char *buf, uint64_t cap) {
    struct ext2fs *fs = ctx;
    return ext2_readlink(&fs->vol, &((struct ext2_node *)node)->in, buf, cap);
}

static int e2_ireaddir(void *ctx, void *node, uint32_t index, struct vfs_dirent *out) {
    struct ext2fs *fs = ctx;
    struct ext2_node *n = node;
    if (!ext2_is_dir(&n->in)) return -ENOTDIR;
    if (index < n->rd_index || n->rd_index == 0) {   /* start over */
        n->rd_index = 0;
        n->rd_pos = 0;
    } else if (n->rd_gen != fs->vol.dir_gen) {   /* changed since: the saved place may be a removed entry */
        int r = ext2_dir_revalidate(&fs->vol, &n->in, &n->rd_pos);
        if (r) return r;
    }
    n->rd_gen = fs->vol.dir_gen;
    struct ext2_dirent *e = &fs->de;
    for (;;) {
        int r = ext2_dir_next(&fs->vol, &n->in, &n->rd_pos, e);
        if (r) return r;
        if (n->rd_index++ == index) break;
    }
    strlcpy(out->name, e->name, sizeof out->name);
    /* The type from the entry when the volume records it, else from the inode. */
    int type = e->type;
    if (!type) {
        struct ext2_inode *in = &fs->scratch;
        int r = ext2_inode_read(&fs->vol, e->ino, in);
        if (r) return r == -EINVAL ? -EIO : r;
        type = ext2_is_dir(in) ? 2 : ext2_is_lnk(in) ? 7 : 1;
        out->size = ext2_is_dir(in) ? 0 : in->size;
    } else {
        out->size = 0;
    }
    out->type = type == 2 ? VFS_DIR : type == 7 ? VFS_LNK : VFS_FILE;
    out->immutable = 0;
    out->ino = e->ino;
    return 0;
}

static long e2_iwrite(void *ctx, void *node, uint64_t off, const void *buf, uint64_t len) {
    struct ext2fs *fs = ctx;
    struct ext2_inode *in = &((struct ext2_node *)node)->in;
    int r = begin(fs);
    if (r) return r;
    if (ext2_is_dir(in)) return -EISDIR;
    if (!ext2_is_reg(in)) return -EINVAL;
    return ext2_file_write(&fs->vol, in, off, buf, len);
}

static int e2_itruncate(void *ctx, void *node, uint64_t size) {
    struct ext2fs *fs = ctx;
    struct ext2_inode *in = &((struct ext2_node *)node)->in;
    int r = begin(fs);
    if (r) return r;
    if (ext2_is_dir(in)) return -EISDIR;
    if (!ext2_is_reg(in)) return -EINVAL;
    return ext2_truncate(&fs->vol, in, size);
}

static int e2_isetattr(void *ctx, void *node, const struct vfs_setattr *a) {
    struct ext2fs *fs = ctx;
    struct ext2_inode *in = &((struct ext2_node *)node)->in;
    int r = begin(fs);
    if (r) return r;
    if (a->set_mode) in->mode = (uint16_t)((in->mode & EXT2_S_IFMT) | (a->mode & 07777));
    if (a->set_atime) in->atime = (uint32_t)a->atime;
    if (a->set_mtime) in->mtime = (uint32_t)a->mtime;
    in->ctime = fs->vol.now;
    return ext2_inode_write(&fs->vol, in, 0);
}

/* --- path calls (through a temporary node) ----------------------------------------- */

static int e2_lookup(void *ctx, const char *path, struct vfs_stat *st) {
    void *n;
    int r = node_get(ctx, path, &n);
    if (r) return r;
    e2_istat(ctx, n, st);
    e2_iput(ctx, n);
    return 0;
}

static int e2_readdir(void *ctx, const char *path, uint32_t index, struct vfs_dirent *out) {
    void *n;
    int r = node_get(ctx, path, &n);
    if (r) return r;
    r = e2_ireaddir(ctx, n, index, out);
    e2_iput(ctx, n);
    return r;
}

static long e2_read(void *ctx, const char *path, uint64_t off, void *buf, uint64_t len) {
    void *n;
    long r = node_get(ctx, path, &n);
    if (r) return r;
    r = e2_iread(ctx, n, off, buf, len);
    e2_iput(ctx, n);
    return r;
}

static long e2_write(void *ctx, const char *path, uint64_t off, const void *buf, uint64_t len) {
    void *n;
    long r = node_get(ctx, path, &n);
    if (r) return r;
    r = e2_iwrite(ctx, n, off, buf, len);
    e2_iput(ctx, n);
    return r;
}

static int e2_truncate(void *ctx, const char *path, uint64_t size) {
    void *n;
    int r = node_get(ctx, path, &n);
    if (r) return r;
    r = e2_itruncate(ctx, n, size);
    e2_iput(ctx, n);
    return r;
}

static int e2_create(void *ctx, const char *path, int immutable, const void *data, uint64_t len) {
    struct ext2fs *fs = ctx;
    const char *name;
    int r = begin(fs);
    if (r || (r = resolve_parent(fs, path, &fs->dir_a, &name)) != 0) return r == -EBUSY ? -EEXIST : r;
    if ((r = ext2_create(&fs->vol, &fs->dir_a, name, immutable ? 0444 : 0644, &fs->child)) != 0) return r;
    if (len) {
        long w = ext2_file_write(&fs->vol, &fs->child, 0, data, len);
        if (w < 0) return (int)w;
        if ((uint64_t)w != len) return -ENOSPC;
    }
    return 0;
}

static int e2_mkdir(void *ctx, const char *path) {
    struct ext2fs *fs = ctx;
    const char *name;
    int r = begin(fs);
    if (r || (r = resolve_parent(fs, path, &fs->dir_a, &name)) != 0) return r == -EBUSY ? -EEXIST : r;   /* the root */
    return ext2_mkdir(&fs->vol, &fs->dir_a, name, 0755, &fs->child);
}

static int e2_remove(void *ctx, const char *path) {
    struct ext2fs *fs = ctx;
    const char *name;
    int r = begin(fs);
    if (r || (r = resolve_parent(fs, path, &fs->dir_a, &name)) != 0) return r;
    fs->victim.ino = 0;
    r = ext2_unlink(&fs->vol, &fs->dir_a, name, &fs->victim);
    if (r == -EISDIR) r = ext2_rmdir(&fs->vol, &fs->dir_a, name, &fs->victim);
    if (r) return r;
    return settle(fs, &fs->victim);
}

static int do_rename(struct ext2fs *fs, const char *from, const char *to, int replace) {
    const char *fname, *tname;
    int r = begin(fs);
    if (r) return r;
    if (path_is_within(from, to)) return strcmp(from, to) == 0 ? (replace ? 0 : -EEXIST) : -EINVAL;
    if ((r = resolve_parent(fs, from, &fs->dir_a, &fname)) != 0) return r;
    /* fname lives in pbuf, which the second resolve reuses: keep a copy */
    char fcopy[EXT2_NAME_MAX + 1];
    if (strlcpy(fcopy, fname, sizeof fcopy) >= sizeof fcopy) return -ENAMETOOLONG;
    if ((r = resolve_parent(fs, to, &fs->dir_b, &tname)) != 0) return r;
    r = ext2_rename(&fs->vol, &fs->dir_a, fcopy, &fs->dir_b, tname, replace, &fs->victim);
    if (r) return r;
    return settle(fs, &fs->victim);
}

static int e2_rename(void *ctx, const char *from, const char *to) { return do_rename(ctx, from, to, 0); }
static int e2_rename_replace(void *ctx, const char *from, const char *to) { return do_rename(ctx, from, to, 1); }

static int e2_statfs(void *ctx, struct vfs_statfs *out) {
    struct ext2fs *fs = ctx;
    out->magic = EXT2_SUPER_MAGIC;
    out->bsize = fs->vol.block_size;
    out->blocks = fs->vol.blocks_count;
    out->bfree = fs->vol.free_blocks;   /* kept current by the allocator */
    out->files = fs->vol.inodes_count;
    out->ffree = fs->vol.free_inodes;
    return 0;
}

/* --- the volume lock ------------------------------------------------------------------- */

#define LOCKED(ret, name, params, args) VOL_LOCKED(((struct ext2fs *)ctx)->lock, ret, name, params, args)

LOCKED(int, e2_lookup, (void *ctx, const char *p, struct vfs_stat *st), (ctx, p, st))
LOCKED(int, e2_readdir, (void *ctx, const char *p, uint32_t i, struct vfs_dirent *o), (ctx, p, i, o))
LOCKED(long, e2_read, (void *ctx, const char *p, uint64_t off, void *b, uint64_t n), (ctx, p, off, b, n))
LOCKED(int, e2_iget, (void *ctx, const char *p, void **n), (ctx, p, n))
LOCKED(int, e2_istat, (void *ctx, void *n, struct vfs_stat *st), (ctx, n, st))
LOCKED(long, e2_iread, (void *ctx, void *n, uint64_t off, void *b, uint64_t len), (ctx, n, off, b, len))
LOCKED(long, e2_ireadlink, (void *ctx, void *n, char *b, uint64_t cap), (ctx, n, b, cap))
LOCKED(int, e2_ireaddir, (void *ctx, void *n, uint32_t i, struct vfs_dirent *o), (ctx, n, i, o))
LOCKED(int, e2_statfs, (void *ctx, struct vfs_statfs *o), (ctx, o))
LOCKED(long, e2_write, (void *ctx, const char *p, uint64_t off, const void *b, uint64_t n), (ctx, p, off, b, n))
LOCKED(int, e2_create, (void *ctx, const char *p, int imm, const void *d, uint64_t n), (ctx, p, imm, d, n))
LOCKED(int, e2_truncate, (void *ctx, const char *p, uint64_t size), (ctx, p, size))
LOCKED(int, e2_remove, (void *ctx, const char *p), (ctx, p))
LOCKED(int, e2_rename, (void *ctx, const char *a, const char *b), (ctx, a, b))
LOCKED(int, e2_mkdir, (void *ctx, const char *p), (ctx, p))
LOCKED(int, e2_rename_replace, (void *ctx, const char *a, const char *b), (ctx, a, b))
LOCKED(long, e2_iwrite, (void *ctx, void *n, uint64_t off, const void *b, uint64_t len), (ctx, n, off, b, len))
LOCKED(int, e2_itruncate, (void *ctx, void *n, uint64_t size), (ctx, n, size))
LOCKED(int, e2_isetattr, (void *ctx, void *n, const struct vfs_setattr *a), (ctx, n, a))

static void L_e2_iput(void *ctx, void *n) {
    vol_lock(&((struct ext2fs *)ctx)->lock);
    e2_iput(ctx, n);
    vol_unlock(&((struct ext2fs *)ctx)->lock);
}

static const struct vfs_fs_ops ext2_ops = {
    .name = "ext2",
    .lookup = L_e2_lookup,
    .readdir = L_e2_readdir,
    .read = L_e2_read,
    .write = L_e2_write,
    .create = L_e2_create,
    .truncate = L_e2_truncate,
    .remove = L_e2_remove,
    .rename = L_e2_rename,
    .mkdir = L_e2_mkdir,
    .rename_replace = L_e2_rename_replace,
    .iget = L_e2_iget,
    .iput = L_e2_iput,
    .istat = L_e2_istat,
    .iread = L_e2_iread,
    .iwrite = L_e2_iwrite,
    .itruncate = L_e2_itruncate,
    .ireaddir = L_e2_ireaddir,
    .isetattr = L_e2_isetattr,
    .ireadlink = L_e2_ireadlink,
    .statfs = L_e2_statfs,
};

/* --- the file-system type ------------------------------------------------------------ */

static void io_of(struct blockdev *dev, struct ext2_io *io) {
    io->read = io_read;
    io->write = dev->readonly ? 0 : io_write;
    io->barrier = io_barrier;
    io->dev = dev;
    io->size = blk_size(dev);
}

static int ext2_type_probe(struct blockdev *dev) {
    struct ext2_io io;
    io_of(dev, &io);
    return ext2_probe(&io);
}

static int ext2_type_mount(struct blockdev *dev, int flags, const struct vfs_fs_ops **ops, void **ctx) {
    struct ext2fs *fs = kcalloc(1, sizeof *fs);
    if (!fs) return -ENOMEM;
    struct ext2_io io;
    io_of(dev, &io);
    int r = ext2_vol_open(&fs->vol, &io);
    if (r) {
        kprintf("ext2: %s: refusing to mount: %s\n", dev->name, fs->vol.why ? fs->vol.why : "device error");
        kfree(fs);
        return r;
    }
    if (fs->vol.journal) kprintf("ext2: %s: a clean ext3 volume, mounted as ext2 (read-only: the journal is not kept)\n", dev->name);
    fs->vol.changed = on_changed;
    fs->vol.changed_ctx = fs;
    fs->vol.now = (uint32_t)fs_now();
    if (!(flags & FS_MOUNT_RDONLY) && !dev->readonly) {
        fs->vol.why = 0;
        if (fs->vol.readonly || (r = ext2_vol_begin_write(&fs->vol)) == -EROFS)
            kprintf("ext2: %s: %s\n", dev->name, fs->vol.why ? fs->vol.why : "read-only");
        else if (r) {
            kprintf("ext2: %s: refusing to mount: device error marking it in use\n", dev->name);
            kfree(fs);
            return r;
        }
    }
    fs->dev = dev;
    *ops = &ext2_ops;
    *ctx = fs;
    return 0;
}

static int ext2_type_sync(void *ctx) {
    struct ext2fs *fs = ctx;
    if (!fs->vol.rw) return 0;
    vol_lock(&fs->lock);
    fs->vol.now = (uint32_t)fs_now();
    int r = ext2_super_write(&fs->vol, 0);   /* the counts; still in use, so not clean */
    vol_unlock(&fs->lock);
    int s = blk_sync(fs->dev);
    return r ? r : s;
}

static int ext2_type_busy(void *ctx) {
    struct ext2fs *fs = ctx;
    return fs->nnodes != 0 || fs->lock.busy;
}

/* Unmount (after sync; nothing is busy): the reserved blocks given back,
 * the volume marked clean, all of it on the disk. */
static void ext2_type_unmount(void *ctx) {
    struct ext2fs *fs = ctx;
    if (fs->vol.rw) {
        fs->vol.now = (uint32_t)fs_now();
        int r = ext2_vol_close(&fs->vol);
        int s = blk_sync(fs->dev);
        if (r || s) kprintf("ext2: %s: unmount could not write everything back (%d): run e2fsck\n", fs->dev->name, r ? r : s);
    }
    kfree(ctx);
}

static int ext2_type_is_readonly(void *ctx) { return !((struct ext2fs *)ctx)->vol.rw; }

static int ext2_type_usage(void *ctx, struct vfs_statfs *out) { return L_e2_statfs(ctx, out); }

static const struct fs_type ext2_type = {
    .name = "ext2",
    .probe = ext2_type_probe,
    .mount = ext2_type_mount,
    .sync = ext2_type_sync,
    .busy = ext2_type_busy,
    .unmount = ext2_type_unmount,
    .usage = ext2_type_usage,
    .is_readonly = ext2_type_is_readonly,
};

void ext2_register(void) { fs_type_register(&ext2_type); }
