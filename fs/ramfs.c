/* RAMFS; the rules (limits, errors, immutability) are in ramfs.h. */
#include "fs/ramfs.h"
#include "lib/string.h"
#include "mm/kheap.h"
#include "secos/errno.h"

struct ramfs_node {
    struct ramfs_node *parent;
    struct ramfs_node *children;   /* directories: first entry, sorted by name */
    struct ramfs_node *next;       /* next entry of the parent */
    uint8_t *data;                 /* files: size bytes; NULL while empty */
    /* Files made with ramfs_link share one read-only data block: twin rings
     * them (NULL when the block is this node's alone), and exactly one node
     * of a ring is `primary`, the one whose size fs->bytes and the owner
     * quota count. The block is freed with the last node of the ring; a
     * write or a size change first gives the node its own copy (unshare). */
    struct ramfs_node *twin;
    int primary;
    uint64_t size;                 /* files: bytes; directories: entries */
    enum vfs_type type;
    int immutable;
    int pinned;                    /* may not be renamed or removed (see ramfs.h) */
    int owner;                     /* who is charged for it (ramfs_set_quota), 0 = nobody */
    int refs;                      /* inode references (open files); see ramfs_iput */
    int orphan;                    /* removed from the tree while referenced: freed on the last iput */
    uint64_t ino;                  /* unique for the filesystem's lifetime, the root is 1 */
    uint32_t mode;                 /* permission bits only (07777); kept, not enforced */
    uint64_t atime, mtime, ctime;  /* seconds since the epoch (ramfs_set_clock) */
    char name[VFS_NAME_MAX + 1];
};

struct ramfs {
    struct ramfs_node *root;
    uint32_t files, dirs;
    uint64_t bytes;
    const struct ramfs_quota *quota; /* NULL: no per-owner accounting */
    uint64_t (*clock)(void);         /* seconds since the epoch; NULL: 0 */
    uint64_t next_ino;
    uint32_t orphans;                /* removed nodes still referenced (counted in files/bytes) */
    struct ramfs_node *orphan_list;  /* those nodes, linked through next */
};

static uint64_t now(const struct ramfs *fs) { return fs->clock ? fs->clock() : 0; }

/* --- paths ------------------------------------------------------------------ */

/* Next component of *p into name; 1 = got one, 0 = end of path, <0 = bad
 * name. Names are checked here too (not only in path_normalize) because
 * ramfs_ops may be called by code that never normalised its paths. */
static int next_name(const char **p, char name[VFS_NAME_MAX + 1]) {
    const char *s = *p;
    while (*s == '/') s++;
    if (!*s) return 0;
    size_t n = 0;
    for (; s[n] && s[n] != '/'; n++) {
        unsigned char c = (unsigned char)s[n];
        if (c < 0x20 || c == 0x7f) return -EINVAL;
    }
    if (n > VFS_NAME_MAX) return -ENAMETOOLONG;
    if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.')) return -EINVAL;
    memcpy(name, s, n);
    name[n] = '\0';
    *p = s + n;
    return 1;
}

static struct ramfs_node *child(const struct ramfs_node *dir, const char *name) {
    for (struct ramfs_node *c = dir->children; c; c = c->next)
        if (strcmp(c->name, name) == 0) return c;
    return 0;
}

/* Walks path from the root. With want_parent, stops one short: *out is the
 * directory that holds (or would hold) the last name, copied into last. */
static int walk(struct ramfs *fs, const char *path, int want_parent, struct ramfs_node **out,
                char last[VFS_NAME_MAX + 1]) {
    if (!path || path[0] != '/') return -EINVAL;
    struct ramfs_node *n = fs->root;
    char name[VFS_NAME_MAX + 1];
    const char *p = path;
    int r = next_name(&p, name);
    if (r < 0) return r;
    if (r == 0) {
        if (want_parent) return -EEXIST;   /* "/" always exists and has no parent */
        *out = n;
        return 0;
    }
    for (;;) {
        char nxt[VFS_NAME_MAX + 1];
        const char *q = p;
        int more = next_name(&q, nxt);
        if (more < 0) return more;
        if (n->type != VFS_DIR) return -ENOTDIR;
        if (!more && want_parent) {
            memcpy(last, name, sizeof name);
            *out = n;
            return 0;
        }
        struct ramfs_node *c = child(n, name);
        if (!c) return -ENOENT;
        if (!more) {
            *out = c;
            return 0;
        }
        n = c;
        memcpy(name, nxt, sizeof name);
        p = q;
    }
}

static int find(struct ramfs *fs, const char *path, struct ramfs_node **out) {
    return walk(fs, path, 0, out, 0);
}

/* --- tree edits --------------------------------------------------------------- */

/* An immutable node's directories must stay where they are: renaming or
 * removing any of them would move the immutable entry (or let a planted
 * directory take its path). Pins never come off, like immutability. */
static void pin_ancestors(struct ramfs_node *n) {
    for (struct ramfs_node *a = n->parent; a; a = a->parent) a->pinned = 1;
}

static void link_into(struct ramfs_node *dir, struct ramfs_node *n) {
    struct ramfs_node **pp = &dir->children;
    while (*pp && strcmp((*pp)->name, n->name) < 0) pp = &(*pp)->next;
    n->next = *pp;
    *pp = n;
    n->parent = dir;
    dir->size++;
}

static void unlink_from_parent(struct ramfs_node *n) {
    struct ramfs_node **pp = &n->parent->children;
    while (*pp != n) pp = &(*pp)->next;
    *pp = n->next;
    n->parent->size--;
    n->parent = 0;
    n->next = 0;
}

/* Length of n's path ("/a/b" is 4); the root counts 0 here. */
static size_t path_len(const struct ramfs_node *n) {
    size_t len = 0;
    for (; n->parent; n = n->parent) len += 1 + strlen(n->name);
    return len;
}

/* The longest "/x/y..." below top, relative to top. Iterative (parent
 * links), so a deep tree cannot overflow a kernel stack. */
static size_t deepest_below(const struct ramfs_node *top) {
    const struct ramfs_node *n = top;
    size_t cur = 0, best = 0;
    for (;;) {
        if (n->children) {
            n = n->children;
        } else {
            while (n != top && !n->next) {
                cur -= 1 + strlen(n->name);
                n = n->parent;
            }
            if (n == top) return best;
            cur -= 1 + strlen(n->name);
            n = n->next;
        }
        cur += 1 + strlen(n->name);
        if (cur > best) best = cur;
    }
}

static uint32_t nodes_used(const struct ramfs *fs) { return fs->files + fs->dirs; }

/* --- per-owner quota -------------------------------------------------------------- */

/* The bytes a node holds in the accounting: a shared block counts once. */
static uint64_t charged_size(const struct ramfs_node *n) {
    if (n->type != VFS_FILE) return 0;
    return !n->twin || n->primary ? n->size : 0;
}

/* Nodes and bytes charged to owner: a walk over at most RAMFS_MAX_NODES
 * nodes, so nothing is kept that could drift from the tree. */
static void owner_usage(const struct ramfs *fs, int owner, uint32_t *nodes, uint64_t *bytes) {
    *nodes = 0;
    *bytes = 0;
    const struct ramfs_node *n = fs->root;
    while (n) {
        if (n->owner == owner) {
            (*nodes)++;
            *bytes += charged_size(n);
        }
        if (n->children) { n = n->children; continue; }
        while (n && !n->next) n = n->parent;
        if (n) n = n->next;
    }    /* Orphans too: a file unlinked but held open still holds its bytes,
     * so unlinking cannot be a way round the quota. */
    for (const struct ramfs_node *o = fs->orphan_list; o; o = o->next) {
        if (o->owner != owner) continue;
        (*nodes)++;
        *bytes += charged_size(o);
    }
}

/* The owner a new node is charged to (0 = nobody), or a negative errno if
 * that owner has no node left in its quota. */
static int charge_node(struct ramfs *fs) {
    if (!fs->quota) return 0;
    int owner = fs->quota->current(fs->quota->ctx);
    if (owner <= 0) return 0;
    uint32_t max_nodes, nodes;
    uint64_t max_bytes, bytes;
    fs->quota->limits(fs->quota->ctx, owner, &max_nodes, &max_bytes);
    owner_usage(fs, owner, &nodes, &bytes);
    return nodes >= max_nodes ? -ENOSPC : owner;
}

/* 0 if n's owner may be charged `more` bytes. */
static int charge_bytes(struct ramfs *fs, const struct ramfs_node *n, uint64_t more) {
    if (!fs->quota || n->owner <= 0) return 0;
    uint32_t max_nodes, nodes;
    uint64_t max_bytes, bytes;
    fs->quota->limits(fs->quota->ctx, n->owner, &max_nodes, &max_bytes);
    owner_usage(fs, n->owner, &nodes, &bytes);
    return bytes > max_bytes || more > max_bytes - bytes ? -ENOSPC : 0;
}

/* Everything create and mkdir check before allocating anything. */
static int can_add(struct ramfs *fs, const char *path, struct ramfs_node **dir,
                   char name[VFS_NAME_MAX + 1]) {
    int r = walk(fs, path, 1, dir, name);
    if (r) return r;
    if (child(*dir, name)) return -EEXIST;
    if ((*dir)->immutable) return -EPERM;
    if (nodes_used(fs) >= RAMFS_MAX_NODES) return -ENOSPC;
    return 0;
}

static struct ramfs_node *new_node(struct ramfs *fs, enum vfs_type type, const char *name) {
    struct ramfs_node *n = kcalloc(1, sizeof *n);
    if (!n) return 0;
    n->type = type;
    n->ino = ++fs->next_ino;
    n->mode = type == VFS_DIR ? 0755 : 0644;
    n->atime = n->mtime = n->ctime = now(fs);
    strlcpy(n->name, name, sizeof n->name);
    return n;
}

/* A directory's entries changed: its mtime and ctime move, as on Unix. */
static void touch_dir(struct ramfs *fs, struct ramfs_node *dir) { dir->mtime = dir->ctime = now(fs); }

static void fill_stat(const struct ramfs_node *n, struct vfs_stat *st) {
    st->type = n->type;
    st->size = n->size;
    st->immutable = n->immutable;
    st->ino = n->ino;
    st->mode = n->mode;
    /* A directory: its own "." and the parent's entry, plus each child's "..". */
    if (n->type == VFS_DIR) {
        uint32_t subdirs = 0;
        for (const struct ramfs_node *c = n->children; c; c = c->next) subdirs += c->type == VFS_DIR;
        st->nlink = 2 + subdirs;
    } else if (n->orphan) {
        st->nlink = 0;
    } else {
        uint32_t k = 1;   /* the names sharing n's data, n's own included */
        for (const struct ramfs_node *t = n->twin; t && t != n; t = t->twin) k += !t->orphan;
        st->nlink = k;
    }
    st->atime = n->atime;
    st->mtime = n->mtime;
    st->ctime = n->ctime;
}

/* --- vfs_fs_ops --------------------------------------------------------------- */

static int ramfs_lookup(void *ctx, const char *path, struct vfs_stat *st) {
    struct ramfs_node *n;
    int r = find(ctx, path, &n);
    if (r) return r;
    fill_stat(n, st);
    return 0;
}

/* Node-level operations: what both the path calls and the inode calls use. */
static int node_readdir(const struct ramfs_node *n, uint32_t index, struct vfs_dirent *out) {
    if (n->type != VFS_DIR) return -ENOTDIR;
    struct ramfs_node *c = n->children;
    while (c && index--) c = c->next;
    if (!c) return -ENOENT;
    memcpy(out->name, c->name, sizeof out->name);
    out->type = c->type;
    out->size = c->size;
    out->immutable = c->immutable;
    out->ino = c->ino;
    return 0;
}

static long node_read(struct ramfs *fs, struct ramfs_node *n, uint64_t off, void *buf, uint64_t len) {
    if (n->type != VFS_FILE) return -EISDIR;
    n->atime = now(fs);
    if (off >= n->size) return 0;
    uint64_t avail = n->size - off;
    if (len > avail) len = avail;
    memcpy(buf, n->data + off, len);
    return (long)len;
}

static int ramfs_readdir(void *ctx, const char *path, uint32_t index, struct vfs_dirent *out) {
    struct ramfs_node *n;
    int r = find(ctx, path, &n);
    return r ? r : node_readdir(n, index, out);
}

static long ramfs_read(void *ctx, const char *path, uint64_t off, void *buf, uint64_t len) {
    struct ramfs_node *n;
    int r = find(ctx, path, &n);
    return r ? r : node_read(ctx, n, off, buf, len);
}

/* Takes n out of its twin ring, handing `primary` on; the block stays
 * with the others. */
static void leave_ring(struct ramfs_node *n) {
    struct ramfs_node *prev = n->twin;
    while (prev->twin != n) prev = prev->twin;
    prev->twin = n->twin;
    if (n->primary) prev->primary = 1;
    if (prev->twin == prev) { /* prev is alone now */
        prev->twin = 0;
        prev->primary = 0;
    }
    n->twin = 0;
    n->primary = 0;
}

/* Gives a node that shares its block (ramfs_link) a private copy, charged
 * like a growth from 0 to its size, before anything changes the contents. */
static int unshare(struct ramfs *fs, struct ramfs_node *n) {
    if (!n->twin) return 0;
    uint64_t len = n->size;
    if (len > RAMFS_MAX_TOTAL_BYTES - fs->bytes) return -ENOSPC;
    if (!n->primary && charge_bytes(fs, n, len)) return -ENOSPC;
    uint8_t *d = 0;
    if (len) {
        d = kmalloc(len);
        if (!d) return -ENOMEM;
        memcpy(d, n->data, len);
    }
    leave_ring(n);
    n->data = d;
    fs->bytes += len;
    return 0;
}

/* Sets a file's size to new_size (zero-filling growth) after checking every
 * limit; on failure nothing has changed. */
static int resize(struct ramfs *fs, struct ramfs_node *n, uint64_t new_size) {
    if (new_size > RAMFS_MAX_FILE_SIZE) return -EFBIG;
    if (new_size == n->size) return 0;
    int u = unshare(fs, n);
    if (u) return u;
    if (new_size > n->size && new_size - n->size > RAMFS_MAX_TOTAL_BYTES - fs->bytes) return -ENOSPC;
    if (new_size > n->size && charge_bytes(fs, n, new_size - n->size)) return -ENOSPC;
    if (new_size == 0) {
        kfree(n->data);
        n->data = 0;
    } else {
        uint8_t *d = krealloc(n->data, new_size);
        if (!d) {
            if (new_size > n->size) return -ENOMEM;
            d = n->data;   /* a failed shrink leaves the old, larger block: still valid */
        }
        n->data = d;
        if (new_size > n->size) memset(d + n->size, 0, new_size - n->size);
    }
    fs->bytes = fs->bytes - n->size + new_size;
    n->size = new_size;
    return 0;
}

static long node_write(struct ramfs *fs, struct ramfs_node *n, uint64_t off, const void *buf, uint64_t len) {
    if (n->type != VFS_FILE) return -EISDIR;
    if (n->immutable) return -EPERM;
    if (len == 0) return 0;
    if (off > RAMFS_MAX_FILE_SIZE || len > RAMFS_MAX_FILE_SIZE - off) return -EFBIG; /* no overflow */
    int r = unshare(fs, n);
    if (r) return r;
    if (off + len > n->size) {
        r = resize(fs, n, off + len);
        if (r) return r;
    }
    memcpy(n->data + off, buf, len);
    n->mtime = n->ctime = now(fs);
    return (long)len;
}

static int node_truncate(struct ramfs *fs, struct ramfs_node *n, uint64_t size) {
    if (n->type != VFS_FILE) return -EISDIR;
    if (n->immutable) return -EPERM;
    int r = resize(fs, n, size);
    if (!r) n->mtime = n->ctime = now(fs);
    return r;
}

static long ramfs_write(void *ctx, const char *path, uint64_t off, const void *buf, uint64_t len) {
    struct ramfs_node *n;
    int r = find(ctx, path, &n);
    return r ? r : node_write(ctx, n, off, buf, len);
}

static int ramfs_create_file(void *ctx, const char *path, int immutable, const void *data, uint64_t len) {
    struct ramfs *fs = ctx;
    struct ramfs_node *dir;
    char name[VFS_NAME_MAX + 1];
    int r = can_add(fs, path, &dir, name);
    if (r) return r;
    if (len && !data) return -EINVAL;
    if (len > RAMFS_MAX_FILE_SIZE) return -EFBIG;
    if (len > RAMFS_MAX_TOTAL_BYTES - fs->bytes) return -ENOSPC;
    int owner = charge_node(fs);
    if (owner < 0) return owner;
    struct ramfs_node *n = new_node(fs, VFS_FILE, name);
    if (!n) return -ENOMEM;
    n->owner = owner;
    if (len && charge_bytes(fs, n, len)) {
        kfree(n);
        return -ENOSPC;
    }
    if (len) {
        n->data = kmalloc(len);
        if (!n->data) {
            kfree(n);
            return -ENOMEM;
        }
        memcpy(n->data, data, len);
        n->size = len;
    }
    n->immutable = !!immutable;
    link_into(dir, n);
    touch_dir(fs, dir);
    if (n->immutable) pin_ancestors(n);
    fs->files++;
    fs->bytes += len;
    return 0;
}

int ramfs_link(struct ramfs *fs, const char *from, const char *to) {
    struct ramfs_node *src, *dir;
    char name[VFS_NAME_MAX + 1];
    int r = find(fs, from, &src);
    if (r) return r;
    if (src->type != VFS_FILE) return -EPERM;   /* as link(2) on a directory */
    r = can_add(fs, to, &dir, name);
    if (r) return r;
    int owner = charge_node(fs);
    if (owner < 0) return owner;
    struct ramfs_node *n = new_node(fs, VFS_FILE, name);
    if (!n) return -ENOMEM;
    n->owner = owner;
    n->mode = src->mode;
    n->data = src->data;
    n->size = src->size;
    if (!src->twin) {
        src->twin = src;
        src->primary = 1;
    }
    n->twin = src->twin;
    src->twin = n;
    link_into(dir, n);
    /* A link is the same file: an immutable one (the initrd's) stays
     * immutable under every name, and pins its new place like the first. */
    n->immutable = src->immutable;
    if (n->immutable) pin_ancestors(n);
    touch_dir(fs, dir);
    fs->files++;
    return 0;
}

static int ramfs_truncate(void *ctx, const char *path, uint64_t size) {
    struct ramfs_node *n;
    int r = find(ctx, path, &n);
    return r ? r : node_truncate(ctx, n, size);
}

static void free_node(struct ramfs *fs, struct ramfs_node *n) {
    if (n->twin) {
        leave_ring(n);   /* the block, and its count in fs->bytes, live on with the others */
    } else {
        if (n->type == VFS_FILE) fs->bytes -= n->size;
        kfree(n->data);
    }
    if (n->type == VFS_FILE) fs->files--;
    else fs->dirs--;
    kfree(n);
}

/* Takes n out of the tree. A node somebody still holds (an open file) stays
 * allocated and counted, as an orphan, until the last ramfs_iput: its data
 * stays readable and writable through the holders, as on Unix. */
static void detach(struct ramfs *fs, struct ramfs_node *n) {
    struct ramfs_node *dir = n->parent;
    unlink_from_parent(n);
    touch_dir(fs, dir);
    if (n->refs > 0) {
        n->orphan = 1;
        n->ctime = now(fs);
        n->next = fs->orphan_list;
        fs->orphan_list = n;
        fs->orphans++;
    } else {
        free_node(fs, n);
    }
}

/* Whether n may leave its directory (remove, or be replaced by a rename). */
static int may_detach(const struct ramfs *fs, const struct ramfs_node *n) {
    if (n == fs->root) return -EBUSY;
    if (n->immutable || n->pinned || n->parent->immutable) return -EPERM;
    if (n->type == VFS_DIR && n->children) return -ENOTEMPTY;
    return 0;
}

static int ramfs_remove(void *ctx, const char *path) {
    struct ramfs *fs = ctx;
    struct ramfs_node *n;
    int r = find(fs, path, &n);
    if (r) return r;
    if ((r = may_detach(fs, n)) != 0) return r;
    detach(fs, n);
    return 0;
}

/* replace = 0: an existing target is -EEXIST (SECoS's SYS_rename, the
 * console). replace = 1: POSIX rename(2): an existing target of a compatible
 * type (a file for a file, an empty directory for a directory) is replaced,
 * and a holder of the old target keeps reading it (detach). */
static int do_rename(struct ramfs *fs, const char *from, const char *to, int replace) {
    struct ramfs_node *n, *dir;
    char name[VFS_NAME_MAX + 1];
    int r = find(fs, from, &n);
    if (r) return r;
    if (n == fs->root) return -EBUSY;
    r = walk(fs, to, 1, &dir, name);
    if (r) return r;
    /* A directory moved under itself would be cut off from the root. */
    for (struct ramfs_node *a = dir; a; a = a->parent)
        if (a == n) return -EINVAL;
    if (n->immutable || n->pinned || n->parent->immutable || dir->immutable) return -EPERM;
    struct ramfs_node *old = child(dir, name);
    if (old && !replace) return -EEXIST;
    if (old == n) return 0;   /* rename(2) onto itself: nothing happens */
    if (old) {
        if (n->type == VFS_DIR && old->type != VFS_DIR) return -ENOTDIR;
        if (n->type != VFS_DIR && old->type == VFS_DIR) return -EISDIR;
        if ((r = may_detach(fs, old)) != 0) return r;
    }
    /* Every path below the moved node must stay nameable. */
    if (path_len(dir) + 1 + strlen(name) + deepest_below(n) > VFS_PATH_MAX) return -ENAMETOOLONG;
    if (old) detach(fs, old);
    touch_dir(fs, n->parent);
    unlink_from_parent(n);
    strlcpy(n->name, name, sizeof n->name);
    link_into(dir, n);
    touch_dir(fs, dir);
    n->ctime = now(fs);
    return 0;
}

static int ramfs_rename(void *ctx, const char *from, const char *to) { return do_rename(ctx, from, to, 0); }
static int ramfs_rename_replace(void *ctx, const char *from, const char *to) { return do_rename(ctx, from, to, 1); }

static int ramfs_mkdir(void *ctx, const char *path) {
    struct ramfs *fs = ctx;
    struct ramfs_node *dir;
    char name[VFS_NAME_MAX + 1];
    int r = can_add(fs, path, &dir, name);
    if (r) return r;
    int owner = charge_node(fs);
    if (owner < 0) return owner;
    struct ramfs_node *n = new_node(fs, VFS_DIR, name);
    if (!n) return -ENOMEM;
    n->owner = owner;
    link_into(dir, n);
    touch_dir(fs, dir);
    fs->dirs++;
    return 0;
}

/* --- inodes --------------------------------------------------------------------- */

static int ramfs_iget(void *ctx, const char *path, void **node) {
    struct ramfs_node *n;
    int r = find(ctx, path, &n);
    if (r) return r;
    n->refs++;
    *node = n;
    return 0;
}

static void ramfs_iput(void *ctx, void *node) {
    struct ramfs *fs = ctx;
    struct ramfs_node *n = node;
    if (--n->refs > 0 || !n->orphan) return;
    struct ramfs_node **pp = &fs->orphan_list;
    while (*pp != n) pp = &(*pp)->next;
    *pp = n->next;
    fs->orphans--;
    free_node(fs, n);
}

static int ramfs_istat(void *ctx, void *node, struct vfs_stat *st) {
    (void)ctx;
    fill_stat(node, st);
    return 0;
}

static long ramfs_iread(void *ctx, void *node, uint64_t off, void *buf, uint64_t len) {
    return node_read(ctx, node, off, buf, len);
}

/* An immutable file is never written, truncated, renamed or removed, so its
 * block stays as it is for as long as the file system exists. */
static int ramfs_ipeek(void *ctx, void *node, const void **data, uint64_t *size) {
    (void)ctx;
    const struct ramfs_node *n = node;
    if (n->type != VFS_FILE || !n->immutable || !n->data) return -EINVAL;
    *data = n->data;
    *size = n->size;
    return 0;
}

static long ramfs_iwrite(void *ctx, void *node, uint64_t off, const void *buf, uint64_t len) {
    return node_write(ctx, node, off, buf, len);
}

static int ramfs_itruncate(void *ctx, void *node, uint64_t size) { return node_truncate(ctx, node, size); }

/* An orphaned directory has no entries left (only empty ones are removed). */
static int ramfs_ireaddir(void *ctx, void *node, uint32_t index, struct vfs_dirent *out) {
    (void)ctx;
    return node_readdir(node, index, out);
}

static int ramfs_isetattr(void *ctx, void *node, const struct vfs_setattr *a) {
    struct ramfs_node *n = node;
    if (n->immutable) return -EPERM;
    if (a->set_mode) n->mode = a->mode & 07777;
    if (a->set_atime) n->atime = a->atime;
    if (a->set_mtime) n->mtime = a->mtime;
    n->ctime = now(ctx);
    return 0;
}

const struct vfs_fs_ops ramfs_ops = {
    .name = "ramfs",
    .lookup = ramfs_lookup,
    .readdir = ramfs_readdir,
    .read = ramfs_read,
    .write = ramfs_write,
    .create = ramfs_create_file,
    .truncate = ramfs_truncate,
    .remove = ramfs_remove,
    .rename = ramfs_rename,
    .mkdir = ramfs_mkdir,
    .rename_replace = ramfs_rename_replace,
    .iget = ramfs_iget,
    .iput = ramfs_iput,
    .istat = ramfs_istat,
    .iread = ramfs_iread,
    .ipeek = ramfs_ipeek,
    .iwrite = ramfs_iwrite,
    .itruncate = ramfs_itruncate,
    .ireaddir = ramfs_ireaddir,
    .isetattr = ramfs_isetattr,
};

/* --- the filesystem as a whole ------------------------------------------------ */

struct ramfs *ramfs_create(void) {
    struct ramfs *fs = kcalloc(1, sizeof *fs);
    if (!fs) return 0;
    fs->root = new_node(fs, VFS_DIR, "");
    if (!fs->root) {
        kfree(fs);
        return 0;
    }
    fs->dirs = 1;
    return fs;
}

void ramfs_destroy(struct ramfs *fs) {
    if (!fs) return;
    /* Iterative (deepest first), so a deep tree cannot overflow a kernel stack. */
    struct ramfs_node *n = fs->root;
    while (n) {
        if (n->children) {
            n = n->children;
            continue;
        }
        struct ramfs_node *up = n->parent;
        if (up) unlink_from_parent(n);
        free_node(fs, n);
        n = up;
    }
    while (fs->orphan_list) {   /* holders must be gone (ramfs.h) */
        struct ramfs_node *o = fs->orphan_list;
        fs->orphan_list = o->next;
        free_node(fs, o);
    }
    kfree(fs);
}

int ramfs_set_immutable(struct ramfs *fs, const char *path) {
    struct ramfs_node *n;
    int r = find(fs, path, &n);
    if (r) return r;
    n->immutable = 1;
    pin_ancestors(n);
    return 0;
}

int ramfs_pin(struct ramfs *fs, const char *path) {
    struct ramfs_node *n;
    int r = find(fs, path, &n);
    if (r) return r;
    n->pinned = 1;
    pin_ancestors(n);
    return 0;
}

void ramfs_pin_all_dirs(struct ramfs *fs) {
    /* Iterative, like ramfs_destroy. */
    struct ramfs_node *n = fs->root;
    while (n) {
        if (n->type == VFS_DIR) n->pinned = 1;
        if (n->children) { n = n->children; continue; }
        while (n && !n->next) n = n->parent;
        if (n) n = n->next;
    }
}

void ramfs_set_quota(struct ramfs *fs, const struct ramfs_quota *q) { fs->quota = q; }

void ramfs_set_clock(struct ramfs *fs, uint64_t (*clock)(void)) { fs->clock = clock; }

void ramfs_owner_usage(const struct ramfs *fs, int owner, uint32_t *nodes, uint64_t *bytes) {
    owner_usage(fs, owner, nodes, bytes);
}

void ramfs_get_usage(const struct ramfs *fs, struct ramfs_usage *u) {
    u->files = fs->files;
    u->dirs = fs->dirs;
    u->nodes = nodes_used(fs);
    u->free_nodes = RAMFS_MAX_NODES - u->nodes;
    u->bytes = fs->bytes;
    u->free_bytes = RAMFS_MAX_TOTAL_BYTES - fs->bytes;
    u->orphans = fs->orphans;
}
