/* Disk mounts: the file-system type registry and the table of what is
 * mounted from which device (the VFS's own table, fs/vfs.c, only knows
 * mount points and ops). The rules are in fs/mount.h. */
#include "fs/mount.h"
#include "fs/fs.h"
#include "fs/path.h"
#include "block/blockdev.h"
#include "kernel/proc.h"
#include "lib/console_out.h"
#include "lib/string.h"
#include "mm/kheap.h"
#include "secos/errno.h"

static const struct fs_type *types[FS_TYPES_MAX];
static uint32_t ntypes;

struct disk_mount {
    struct blockdev *dev;
    const struct fs_type *type;
    char dir[VFS_PATH_MAX + 1];
    unsigned flags;
    void *ctx;
};

static struct disk_mount *mounts[VFS_MAX_MOUNTS];   /* in mount order, no holes */
static uint32_t nmounts;
static const char *(*console_cwd)(void);

int fs_type_register(const struct fs_type *t) {
    if (!t || !t->name || !t->mount) return -EINVAL;
    for (uint32_t i = 0; i < ntypes; i++)
        if (strcmp(types[i]->name, t->name) == 0) return -EEXIST;
    if (ntypes == FS_TYPES_MAX) return -ENOSPC;
    types[ntypes++] = t;
    return 0;
}

void fs_mount_set_cwd_hook(const char *(*cwd)(void)) { console_cwd = cwd; }

static const struct fs_type *type_named(const char *name) {
    for (uint32_t i = 0; i < ntypes; i++)
        if (strcmp(types[i]->name, name) == 0) return types[i];
    return 0;
}

/* "ram0" or "/dev/ram0". */
static struct blockdev *device_named(const char *name) {
    if (strncmp(name, "/dev/", 5) == 0) name += 5;
    return blockdev_find(name);
}

int fs_mount(const char *devname, const char *dir, const char *typename, unsigned flags) {
    if (!devname || !dir || (flags & ~FS_MOUNT_RDONLY)) return -EINVAL;
    struct blockdev *dev = device_named(devname);
    if (!dev) return -ENODEV;
    for (uint32_t i = 0; i < nmounts; i++)
        if (mounts[i]->dev == dev) return -EBUSY;   /* one mount per device: two would corrupt it */
    const struct fs_type *t = 0;
    if (typename && *typename && strcmp(typename, "auto") != 0) {
        t = type_named(typename);
        if (!t) return -ENODEV;
    } else {
        for (uint32_t i = 0; i < ntypes && !t; i++)
            if (types[i]->probe && types[i]->probe(dev)) t = types[i];
        if (!t) return -ENODEV;
    }
    if (nmounts == VFS_MAX_MOUNTS) return -ENOSPC;
    struct disk_mount *m = kcalloc(1, sizeof *m);
    if (!m) return -ENOMEM;
    int r = path_normalize("/", dir, m->dir, sizeof m->dir);
    if (r) goto fail;
    const struct vfs_fs_ops *ops;
    if ((r = t->mount(dev, (int)flags, &ops, &m->ctx)) != 0) goto fail;
    if ((r = vfs_mount(m->dir, ops, m->ctx)) != 0) {
        t->unmount(m->ctx);
        goto fail;
    }
    m->dev = dev;
    m->type = t;
    m->flags = flags | (dev->readonly || t->readonly ? FS_MOUNT_RDONLY : 0);
    if (t->is_readonly && t->is_readonly(m->ctx)) m->flags |= FS_MOUNT_RDONLY;
    mounts[nmounts++] = m;
    return 0;
fail:
    kfree(m);
    return r;
}

static struct disk_mount *mount_on(const char *norm, uint32_t *index) {
    for (uint32_t i = 0; i < nmounts; i++)
        if (strcmp(mounts[i]->dir, norm) == 0) {
            *index = i;
            return mounts[i];
        }
    return 0;
}

/* A process (or the console) whose working directory lies on dir. */
static int cwd_inside(const char *dir) {
    for (int i = 0; i < proc_slots_high; i++)
        if (proc_table[i].state != PROC_UNUSED && path_is_within(dir, proc_table[i].cwd)) return 1;
    const char *c = console_cwd ? console_cwd() : 0;
    return c && path_is_within(dir, c);
}

static int unmount_at(uint32_t i) {
    struct disk_mount *m = mounts[i];
    if (cwd_inside(m->dir)) return -EBUSY;
    if (m->type->busy && m->type->busy(m->ctx)) return -EBUSY;
    int r = m->type->sync ? m->type->sync(m->ctx) : 0;
    if (r) return r;
    if ((r = vfs_umount(m->dir)) != 0) return r;   /* -EBUSY: a mount lies below */
    m->type->unmount(m->ctx);
    kfree(m);
    memmove(&mounts[i], &mounts[i + 1], (nmounts - i - 1) * sizeof mounts[0]);
    nmounts--;
    return 0;
}

int fs_umount(const char *dir) {
    char norm[VFS_PATH_MAX + 1];
    if (!dir) return -EINVAL;
    int r = path_normalize("/", dir, norm, sizeof norm);
    if (r) return r;
    uint32_t i;
    if (!mount_on(norm, &i)) return -EINVAL;
    return unmount_at(i);
}

int fs_sync_all(void) {
    int first = 0;
    for (uint32_t i = 0; i < nmounts; i++) {
        int r = mounts[i]->type->sync ? mounts[i]->type->sync(mounts[i]->ctx) : 0;
        if (r && !first) first = r;
    }
    return first;
}

void fs_unmount_all(void) {
    /* Last mounted first: a mount below another was mounted after it.
     * Removing entry i moves only the entries after it, already visited. */
    for (uint32_t i = nmounts; i-- > 0;) {
        struct disk_mount *m = mounts[i];
        int r = unmount_at(i);
        if (r == 0) continue;
        int s = m->type->sync ? m->type->sync(m->ctx) : 0;   /* busy: at least write it back */
        kprintf("[mount] %s on %s stays mounted (%s); %s\n", m->dev->name, m->dir, vfs_strerror(r),
                s ? "sync failed" : "synced");
    }
}

int fs_mount_at(uint32_t index, struct fs_mount_info *out) {
    if (index >= nmounts) return -ENOENT;
    struct disk_mount *m = mounts[index];
    out->dev = m->dev->name;
    out->dir = m->dir;
    out->type = m->type->name;
    out->flags = m->flags;
    memset(&out->usage, 0, sizeof out->usage);
    if (m->type->usage) m->type->usage(m->ctx, &out->usage);
    return 0;
}

/* --- mount= on the command line ---------------------------------------------------- */

/* Copies s[0..n) into out (cap bytes): 0, or -EINVAL if empty or too long. */
static int field(const char *s, size_t n, char *out, uint32_t cap) {
    if (n == 0 || n >= cap) return -EINVAL;
    memcpy(out, s, n);
    out[n] = 0;
    return 0;
}

int fs_mount_parse_opt(const char *val, char *dev, uint32_t devcap, char *dir, uint32_t dircap, char *type,
                       uint32_t typecap, unsigned *flags) {
    const char *parts[4];
    size_t lens[4];
    int n = 0;
    const char *p = val;
    for (;;) {
        const char *c = strchr(p, ':');
        if (n == 4) return -EINVAL;
        parts[n] = p;
        lens[n] = c ? (size_t)(c - p) : strlen(p);
        n++;
        if (!c) break;
        p = c + 1;
    }
    if (n < 2) return -EINVAL;
    *flags = 0;
    if (field(parts[0], lens[0], dev, devcap) || field(parts[1], lens[1], dir, dircap) || dir[0] != '/') return -EINVAL;
    for (const char *q = dev; *q; q++)
        if ((unsigned char)*q <= ' ' || *q == 0x7f) return -EINVAL;
    if (n >= 3) {
        if (lens[2] == 0) strlcpy(type, "auto", typecap);
        else if (field(parts[2], lens[2], type, typecap)) return -EINVAL;
    } else {
        strlcpy(type, "auto", typecap);
    }
    if (n == 4) {
        if (lens[3] == 2 && memcmp(parts[3], "ro", 2) == 0) *flags = FS_MOUNT_RDONLY;
        else if (!(lens[3] == 2 && memcmp(parts[3], "rw", 2) == 0)) return -EINVAL;
    }
    return 0;
}

void fs_mount_cmdline(const char *cmdline) {
    const char *p = cmdline;
    while (p && *p) {
        while (*p == ' ') p++;
        const char *end = p;
        while (*end && *end != ' ') end++;
        if (end - p > 6 && memcmp(p, "mount=", 6) == 0) {
            char opt[160], dev[32], dir[VFS_PATH_MAX + 1], type[16];
            unsigned flags;
            size_t n = (size_t)(end - p - 6);
            int r = -EINVAL;
            if (n < sizeof opt) {
                memcpy(opt, p + 6, n);
                opt[n] = 0;
                r = fs_mount_parse_opt(opt, dev, sizeof dev, dir, sizeof dir, type, sizeof type, &flags);
                if (r == 0 && !device_named(dev)) r = -ENODEV;
                struct vfs_stat st;
                if (r == 0 && vfs_lookup(dir, &st) == -ENOENT) r = vfs_mkdir(dir);   /* the mount point, if missing */
                if (r == 0) r = fs_mount(dev, dir, type, flags);
                if (r == 0) kprintf("[mount] %s on %s (%s%s)\n", dev, dir, type, flags & FS_MOUNT_RDONLY ? ", ro" : "");
            }
            if (r) kprintf("[mount] error: %.*s: %s\n", (int)(end - p), p, vfs_strerror(r));
        }
        p = end;
    }
}
