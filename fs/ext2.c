/* ext2 behind struct vfs_fs_ops, read-only: paths resolved by the pure
 * core (fs/ext2_core.h, which checks everything read from the disk),
 * nodes for open files, directories and symbolic links. Every change is
 * -EROFS: the ops table leaves those entries empty, and the VFS and
 * fs_open answer -EROFS for them (isetattr says it itself); every mount is
 * listed read-only (struct fs_type.readonly).
 *
 * Nodes: one per referenced inode (iget), found again by its number, so
 * two opens share one node. The volume is busy (no unmount) while a node
 * exists.
 *
 * Locking: a disk driver may sleep the caller inside blk_read, and another
 * process may then enter the same volume; every operation takes the
 * volume's lock (the ops table holds locked wrappers). */
#include "fs/ext2.h"
#include "fs/ext2_core.h"
#include "fs/fs.h"
#include "fs/vol_lock.h"
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
    struct ext2_node *next;
};

struct ext2fs {
    struct vol_lock lock;        /* one operation at a time (fs/vol_lock.h) */
    struct blockdev *dev;
    struct ext2_node *nodes;     /* every referenced node */
    uint32_t nnodes;
    struct ext2_inode scratch;   /* one operation's resolved inode (under the lock) */
    struct ext2_dirent de;
    struct ext2_vol vol;         /* holds a directory block */
};

static long io_read(void *dev, uint64_t off, void *buf, uint64_t len) { return blk_read(dev, off, buf, len); }

/* --- inodes --------------------------------------------------------------------------- */

static int node_get(void *ctx, const char *path, void **out) {
    struct ext2fs *fs = ctx;
    int r = ext2_resolve(&fs->vol, path, &fs->scratch);
    if (r) return r;
    struct ext2_node *n = fs->nodes;
    while (n && n->in.ino != fs->scratch.ino) n = n->next;
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
    }
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

static int e2_statfs(void *ctx, struct vfs_statfs *out) {
    struct ext2fs *fs = ctx;
    out->magic = EXT2_SUPER_MAGIC;
    out->bsize = fs->vol.block_size;
    out->blocks = fs->vol.blocks_count;
    out->bfree = fs->vol.free_blocks;   /* the superblock's count; nothing changes it on a read-only mount */
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

static void L_e2_iput(void *ctx, void *n) {
    vol_lock(&((struct ext2fs *)ctx)->lock);
    e2_iput(ctx, n);
    vol_unlock(&((struct ext2fs *)ctx)->lock);
}

/* Attributes are never changed on a read-only volume: -EROFS, as on a
 * read-only Linux mount. */
static int e2_isetattr(void *ctx, void *node, const struct vfs_setattr *a) {
    (void)ctx, (void)node, (void)a;
    return -EROFS;
}

static const struct vfs_fs_ops ext2_ops = {
    .name = "ext2",
    .lookup = L_e2_lookup,
    .readdir = L_e2_readdir,
    .read = L_e2_read,
    .iget = L_e2_iget,
    .iput = L_e2_iput,
    .istat = L_e2_istat,
    .iread = L_e2_iread,
    .ireaddir = L_e2_ireaddir,
    .isetattr = e2_isetattr,
    .ireadlink = L_e2_ireadlink,
    .statfs = L_e2_statfs,
};

/* --- the file-system type ------------------------------------------------------------ */

static void io_of(struct blockdev *dev, struct ext2_io *io) {
    io->read = io_read;
    io->dev = dev;
    io->size = blk_size(dev);
}

static int ext2_type_probe(struct blockdev *dev) {
    struct ext2_io io;
    io_of(dev, &io);
    return ext2_probe(&io);
}

static int ext2_type_mount(struct blockdev *dev, int flags, const struct vfs_fs_ops **ops, void **ctx) {
    (void)flags;   /* always read-only */
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
    if (fs->vol.readonly) kprintf("ext2: %s: %s\n", dev->name, fs->vol.why);
    if (fs->vol.journal) kprintf("ext2: %s: a clean ext3 volume, mounted as ext2 (the journal is not used)\n", dev->name);
    fs->dev = dev;
    *ops = &ext2_ops;
    *ctx = fs;
    return 0;
}

static int ext2_type_sync(void *ctx) {
    (void)ctx;
    return 0;   /* nothing is ever written */
}

static int ext2_type_busy(void *ctx) {
    struct ext2fs *fs = ctx;
    return fs->nnodes != 0 || fs->lock.busy;
}

static void ext2_type_unmount(void *ctx) { kfree(ctx); }

static int ext2_type_usage(void *ctx, struct vfs_statfs *out) { return L_e2_statfs(ctx, out); }

static const struct fs_type ext2_type = {
    .name = "ext2",
    .readonly = 1,
    .probe = ext2_type_probe,
    .mount = ext2_type_mount,
    .sync = ext2_type_sync,
    .busy = ext2_type_busy,
    .unmount = ext2_type_unmount,
    .usage = ext2_type_usage,
};

void ext2_register(void) { fs_type_register(&ext2_type); }
