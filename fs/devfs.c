/* /dev: a fixed set of character devices as a small filesystem. Nodes are
 * static (nothing to allocate, nothing to leak): null, zero, full, urandom
 * (and random, the same: the kernel pool never blocks once seeded), and the
 * devices higher layers register at boot (the terminals: tty, console),
 * which open as their own descriptions. Numbers are Linux's (mem major 1,
 * tty major 5), so tools that check st_rdev agree. */
#include "fs/fs.h"
#include "fs/devfs.h"
#include "fs/file.h"
#include "arch/x86_64/entropy.h"
#include "lib/string.h"
#include "secos/errno.h"

enum dev_kind { DEV_ROOT, DEV_NULL, DEV_ZERO, DEV_FULL, DEV_URANDOM, DEV_REGISTERED };

struct devnode {
    const char *name;
    enum dev_kind kind;
    uint32_t minor;
};

static const struct devnode root = { "", DEV_ROOT, 0 };
static const struct devnode devs[] = {
    { "full", DEV_FULL, 7 },
    { "null", DEV_NULL, 3 },
    { "random", DEV_URANDOM, 8 },
    { "urandom", DEV_URANDOM, 9 },
    { "zero", DEV_ZERO, 5 },
};
#define NFIXED (sizeof devs / sizeof devs[0])

/* Registered during boot only (before any process runs), never removed. */
static struct devnode extra_nodes[DEVFS_MAX_REGISTERED];
static const struct devfs_chr *extra[DEVFS_MAX_REGISTERED];
static unsigned nextra;
#define NDEVS (NFIXED + nextra)

static const struct devnode *node_at(unsigned i) { return i < NFIXED ? &devs[i] : &extra_nodes[i - NFIXED]; }

int devfs_register_chr(const struct devfs_chr *d) {
    if (nextra == DEVFS_MAX_REGISTERED) return -ENOSPC;
    extra_nodes[nextra] = (struct devnode){ d->name, DEV_REGISTERED, nextra };
    extra[nextra++] = d;
    return 0;
}

struct file *devfs_open_chr(uint32_t rdev, int flags, int *err) {
    *err = 0;
    for (unsigned i = 0; i < nextra; i++)
        if (extra[i]->rdev == rdev) return extra[i]->open(flags, err);
    return 0;
}

static const struct devnode *find(const char *path) {
    if (strcmp(path, "/") == 0) return &root;
    for (unsigned i = 0; i < NDEVS; i++)
        if (path[0] == '/' && strcmp(path + 1, node_at(i)->name) == 0) return node_at(i);
    return 0;
}

static uint64_t ino_of(const struct devnode *n) {
    return n->kind == DEV_REGISTERED ? 2 + NFIXED + n->minor : 2 + (uint64_t)(n - devs);
}

static void fill(const struct devnode *n, struct vfs_stat *st) {
    memset(st, 0, sizeof *st);
    if (n->kind == DEV_ROOT) {
        st->type = VFS_DIR;
        st->size = NDEVS;
        st->mode = 0755;
        st->nlink = 2;
        st->ino = 1;
    } else if (n->kind == DEV_REGISTERED) {
        st->type = VFS_CHR;
        st->mode = extra[n->minor]->mode;
        st->nlink = 1;
        st->ino = ino_of(n);
        st->rdev = extra[n->minor]->rdev;
    } else {
        st->type = VFS_CHR;
        st->mode = 0666;
        st->nlink = 1;
        st->ino = ino_of(n);
        st->rdev = (1u << 8) | n->minor;
    }
    st->atime = st->mtime = st->ctime = fs_now();
}

static int dev_lookup(void *ctx, const char *path, struct vfs_stat *st) {
    (void)ctx;
    const struct devnode *n = find(path);
    if (!n) return -ENOENT;
    fill(n, st);
    return 0;
}

static int dev_ireaddir(void *ctx, void *node, uint32_t index, struct vfs_dirent *out) {
    (void)ctx;
    if (((const struct devnode *)node)->kind != DEV_ROOT) return -ENOTDIR;
    if (index >= NDEVS) return -ENOENT;
    memset(out, 0, sizeof *out);
    strlcpy(out->name, node_at(index)->name, sizeof out->name);
    out->type = VFS_CHR;
    out->ino = ino_of(node_at(index));
    return 0;
}

static int dev_readdir(void *ctx, const char *path, uint32_t index, struct vfs_dirent *out) {
    const struct devnode *n = find(path);
    return n ? dev_ireaddir(ctx, (void *)n, index, out) : -ENOENT;
}

static int dev_iget(void *ctx, const char *path, void **node) {
    (void)ctx;
    const struct devnode *n = find(path);
    if (!n) return -ENOENT;
    *node = (void *)n;
    return 0;
}

static int dev_istat(void *ctx, void *node, struct vfs_stat *st) {
    (void)ctx;
    fill(node, st);
    return 0;
}

static long dev_iread(void *ctx, void *node, uint64_t off, void *buf, uint64_t len) {
    (void)ctx; (void)off;
    switch (((const struct devnode *)node)->kind) {
    case DEV_ROOT: return -EISDIR;
    case DEV_NULL: return 0;
    case DEV_ZERO:
    case DEV_FULL: memset(buf, 0, len); return (long)len;
    case DEV_URANDOM:
        entropy_bytes(buf, len); /* random and urandom alike: the pool never blocks */
        return (long)len;
    case DEV_REGISTERED: return -ENXIO;   /* opened through devfs_open_chr, never through the node */
    }
    return -EINVAL;
}

static long dev_iwrite(void *ctx, void *node, uint64_t off, const void *buf, uint64_t len) {
    (void)ctx; (void)off; (void)buf;
    switch (((const struct devnode *)node)->kind) {
    case DEV_ROOT: return -EISDIR;
    case DEV_FULL: return -ENOSPC;
    case DEV_REGISTERED: return -ENXIO;
    default: return (long)len;   /* discarded (urandom: SECoS's pool takes no user input) */
    }
}

/* O_TRUNC and ftruncate on a device do nothing, as on Linux. */
static int dev_itruncate(void *ctx, void *node, uint64_t size) {
    (void)ctx; (void)size;
    return ((const struct devnode *)node)->kind == DEV_ROOT ? -EISDIR : 0;
}

static const struct vfs_fs_ops devfs_ops = {
    .name = "devfs",
    .lookup = dev_lookup,
    .readdir = dev_readdir,
    .iget = dev_iget,
    .istat = dev_istat,
    .iread = dev_iread,
    .iwrite = dev_iwrite,
    .itruncate = dev_itruncate,
    .ireaddir = dev_ireaddir,
};

int devfs_mount(const char *at) { return vfs_mount(at, &devfs_ops, 0); }
