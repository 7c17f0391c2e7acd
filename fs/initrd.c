/* Unpacking the initrd boot module(s) into the VFS (see fs/initrd.h). All
 * checking of the archive is fs/cpio.c's; this file only walks the checked
 * entries and creates them. */
#include "fs/initrd.h"
#include "fs/cpio.h"
#include "fs/vfs.h"
#include "fs/fs.h"
#include "fs/ramfs.h"
#include "mm/kheap.h"
#include "boot/boot_info.h"
#include "block/ramdisk.h"
#include "lib/console_out.h"
#include "mm/physmap.h"
#include "mm/pmm.h"
#include "lib/string.h"
#include "secos/errno.h"

struct counts {
    uint32_t files, dirs, skipped;
    uint64_t bytes;
};

/* A directory at path: 1 if created, 0 if one was already there. */
static int ensure_dir(const char *path) {
    struct vfs_stat st;
    int r = vfs_mkdir(path);
    if (r == 0) return 1;
    if (r == -EEXIST && (vfs_lookup(path, &st) != 0 || st.type != VFS_DIR)) return -EEXIST; /* a file */
    return r == -EEXIST ? 0 : r;
}

/* Archives made by `cpio` list parents first, hand-made ones need not:
 * create whatever is missing on the way to path's last component. */
static int ensure_parents(char *path, struct counts *c) {
    for (char *p = path + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        int r = ensure_dir(path);
        *p = '/';
        if (r < 0) return r;
        c->dirs += (uint32_t)r;
    }
    return 0;
}

/* A file the kernel made mutable at boot (fs_init's default /init.rc) is a
 * default the initrd may replace; immutable ones (/VERSION, /sys/...) are
 * the kernel's own and stay: -EEXIST. */
static int create_file(const char *path, const struct cpio_entry *e) {
    struct vfs_stat st;
    int r = vfs_create(path, 1, e->data, e->size);
    if (r != -EEXIST || vfs_lookup(path, &st) != 0 || st.type != VFS_FILE || st.immutable) return r;
    kprintf("[initrd] replacing %s\n", path);
    r = vfs_remove(path);
    return r ? r : vfs_create(path, 1, e->data, e->size);
}

/* A hard link in the archive (newc: one entry per name, same inode
 * number, data only in the last one): the data, found in a first pass, and
 * the first name created, which the others then share through ramfs_link
 * (one copy of the bytes, however many names). */
struct link_group {
    uint32_t ino;
    const uint8_t *data;
    uint64_t size;
    char *first;   /* kmalloc'd path, NULL until the first name is created */
};

struct groups {
    struct link_group *g;
    uint32_t n;
};

static struct link_group *group_of(const struct groups *gs, uint32_t ino) {
    for (uint32_t i = 0; i < gs->n; i++)
        if (gs->g[i].ino == ino) return &gs->g[i];
    return 0;
}

/* First pass: one group per inode number of a hard-linked file that has
 * data. Stops quietly at a bad entry: the second pass reports it. */
static int collect_groups(const void *data, uint64_t size, struct groups *gs) {
    struct cpio_iter it;
    struct cpio_entry e;
    uint32_t cap = 0;
    gs->g = 0;
    gs->n = 0;
    cpio_iter_init(&it, data, size);
    while (cpio_next(&it, &e) == CPIO_ENTRY) {
        if (e.type != CPIO_FILE || e.nlink < 2 || !e.size || group_of(gs, e.ino)) continue;
        if (gs->n == cap) {
            cap = cap ? 2 * cap : 4;
            struct link_group *g = krealloc(gs->g, cap * sizeof *g);
            if (!g) return -ENOMEM;
            gs->g = g;
        }
        gs->g[gs->n++] = (struct link_group){ e.ino, e.data, e.size, 0 };
    }
    return 0;
}

static void free_groups(struct groups *gs) {
    for (uint32_t i = 0; i < gs->n; i++) kfree(gs->g[i].first);
    kfree(gs->g);
}

/* A hard-linked name: the group's first name gets the data, the others
 * share it. A group without data (all names empty) is plain empty files. */
static int create_linked(const char *path, const struct cpio_entry *e, struct groups *gs,
                         struct counts *c) {
    struct link_group *g = group_of(gs, e->ino);
    if (!g) return create_file(path, e);
    if (g->first) return ramfs_link(fs_root_ramfs(), g->first, path);
    struct cpio_entry whole = *e;
    whole.data = g->data;
    whole.size = g->size;
    int r = create_file(path, &whole);
    if (r) return r;
    size_t n = strlen(path) + 1;
    g->first = kmalloc(n);
    if (!g->first) return -ENOMEM;
    memcpy(g->first, path, n);
    c->bytes += g->size;
    return 0;
}

static int create_entry(const struct cpio_entry *e, char *path, struct counts *c, struct groups *gs) {
    int r = ensure_parents(path, c);
    if (r) return r;
    if (e->type == CPIO_DIR) {
        r = ensure_dir(path);
        if (r >= 0) c->dirs++; /* an archive directory counts even if it was there */
        return r < 0 ? r : 0;
    }
    if (e->nlink > 1) {
        r = create_linked(path, e, gs, c);
        c->files += r == 0;
        return r;
    }
    r = create_file(path, e);
    if (r == 0) {
        c->files++;
        c->bytes += e->size;
    }
    return r;
}

int initrd_unpack(const void *data, uint64_t size) {
    struct cpio_iter it;
    struct cpio_entry e;
    struct counts c = { 0, 0, 0, 0 };
    char path[CPIO_NAME_MAX + 2]; /* "/" + name + NUL */
    struct groups gs;
    int r;

    if (collect_groups(data, size, &gs)) {
        kprintf("[initrd] error: no memory for the hard-link table\n");
        free_groups(&gs);
        return -ENOMEM;
    }
    cpio_iter_init(&it, data, size);
    while ((r = cpio_next(&it, &e)) > 0) {
        if (r == CPIO_UNSUPPORTED) {
            kprintf("[initrd] skipping %pE: %s (mode %o)\n", e.name, cpio_strerror(r), e.mode);
            c.skipped++;
            continue;
        }
        path[0] = '/';
        memcpy(path + 1, e.name, strlen(e.name) + 1);
        int v = create_entry(&e, path, &c, &gs);
        if (v) {
            kprintf("[initrd] error: cannot create %pE: %s (%d) at entry %u\n", path, vfs_strerror(v), v,
                    e.index);
            r = v;
            break;
        }
    }
    free_groups(&gs);
    if (r < 0 && it.state < 0) /* the archive is bad (not the VFS) */
        kprintf("[initrd] error: %s at entry %u (offset %#lx)\n", cpio_strerror(r), it.index, it.off);
    if (r < 0) {
        kprintf("[initrd] kept %u files, %u dirs, %lu bytes unpacked before the error\n", c.files,
                c.dirs, c.bytes);
        return r;
    }
    kprintf("[initrd] %u files, %u dirs, %lu bytes unpacked", c.files, c.dirs, c.bytes);
    if (c.skipped) kprintf(" (%u unsupported entries skipped)", c.skipped);
    kprintf("\n");
    return 0;
}

/* By name: "initrd" (our UEFI loader, GRUB's `module2 ... initrd`) or
 * "<path>.cpio" (QEMU -initrd passes the file name); only the first word
 * counts. By content too, since boot_info keeps only 63 bytes of a name and
 * a long -initrd path loses its ".cpio": a module that starts with the newc
 * magic is an initrd whatever it is called. */
static int is_initrd(const struct boot_module *m) {
    const char *name = m->name;
    size_t n = 0;
    while (name[n] && name[n] != ' ') n++;
    if (n == 6 && memcmp(name, "initrd", 6) == 0) return 1;
    if (n >= 5 && memcmp(name + n - 5, ".cpio", 5) == 0) return 1;
    return m->end - m->start >= 6 && memcmp(phys_to_virt(m->start), "070701", 6) == 0;
}

static void release(uint32_t i) {
    uint64_t frames = pmm_release_module(i);
    kprintf("[initrd] boot module %u: %lu KiB returned to the allocator\n", i, frames * 4);
}

void initrd_unpack_all(void) {
    uint32_t found = 0;
    for (uint32_t i = 0; i < boot_info.module_count; i++) {
        const struct boot_module *m = &boot_info.modules[i];
        if (ramdisk_is_module(m)) continue;   /* a RAM disk keeps its frames (block/ramdisk.c) */
        if (!is_initrd(m)) {
            kprintf("[initrd] ignoring boot module \"%pE\": not named initrd or *.cpio, no cpio magic\n",
                    m->name);
            release(i);
            continue;
        }
        found++;
        kprintf("[initrd] module \"%pE\" at phys %#lx, %lu bytes\n", m->name, m->start, m->end - m->start);
        /* RAMFS copies every file, so nothing points into the archive once
         * it is unpacked: its frames go back to the allocator. */
        initrd_unpack(phys_to_virt(m->start), m->end - m->start);
        release(i);
    }
    if (!found) kprintf("[initrd] no initrd module\n");
}
