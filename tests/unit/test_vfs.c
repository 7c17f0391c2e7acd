/* fs/vfs.c + fs/walk.c: the mount table, longest-prefix dispatch over two
 * RAMFS instances (/ and /mnt), whole-file reads and the tree walk. */
#include "tests/unit/host_rename.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fs/fs.h"
#include "fs/ramfs.h"
#include "lib/string.h"
#include "mm/kheap.h"

/* --- heap shims (counting, as in test_ramfs.c) ------------------------------- */

static long live_blocks;

void *kmalloc(size_t size) {
    void *p = malloc(size ? size : 1);
    if (p) live_blocks++;
    return p;
}

void *kcalloc(size_t n, size_t size) {
    if (size && n > SIZE_MAX / size) return NULL;
    void *p = kmalloc(n * size);
    if (p) memset(p, 0, n * size);
    return p;
}

void kfree(void *p) {
    if (p) live_blocks--;
    free(p);
}

void *krealloc(void *p, size_t size) {
    if (!p) return kmalloc(size);
    if (size == 0) {
        kfree(p);
        return NULL;
    }
    return realloc(p, size);
}

/* --- fixtures ----------------------------------------------------------------------- */

static struct ramfs *root, *mnt;

static int setup(void **state) {
    (void)state;
    root = ramfs_create();
    mnt = ramfs_create();
    assert_non_null(root);
    assert_non_null(mnt);
    assert_int_equal(vfs_mount_root(&ramfs_ops, root), 0);
    assert_int_equal(vfs_mkdir("/mnt"), 0);
    assert_int_equal(vfs_mount("/mnt", &ramfs_ops, mnt), 0);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    const char *p;
    while (vfs_mount_info(1, &p, NULL) == 0) assert_int_equal(vfs_umount(p), 0);
    assert_int_equal(vfs_umount("/"), 0);
    assert_int_equal(vfs_mount_info(0, &p, NULL), -ENOENT);
    ramfs_destroy(root);
    ramfs_destroy(mnt);
    assert_int_equal(live_blocks, 0);
    return 0;
}

static int mk(const char *path, const char *text) { return vfs_create(path, 0, text, strlen(text)); }

static const char *cat(const char *path) {
    static char buf[512];
    long n = vfs_read_all(path, buf, sizeof buf - 1);
    assert_true(n >= 0);
    buf[n] = '\0';
    return buf;
}

static int ramfs_has(struct ramfs *fs, const char *path) {
    struct vfs_stat st;
    return ramfs_ops.lookup(fs, path, &st) == 0;
}

/* --- mounts -------------------------------------------------------------------------- */

static void test_mount_table(void **state) {
    (void)state;
    const char *p, *name;
    assert_int_equal(vfs_mount_info(0, &p, &name), 0);
    assert_string_equal(p, "/");
    assert_string_equal(name, "ramfs");
    assert_int_equal(vfs_mount_info(1, &p, &name), 0);
    assert_string_equal(p, "/mnt");
    assert_int_equal(vfs_mount_info(2, &p, &name), -ENOENT);
    assert_int_equal(vfs_mount_root(&ramfs_ops, mnt), -EBUSY);
    assert_int_equal(vfs_mount("/", &ramfs_ops, mnt), -EBUSY);
    assert_int_equal(vfs_mount("/mnt", &ramfs_ops, mnt), -EBUSY);
    assert_int_equal(vfs_mount("//mnt/.", &ramfs_ops, mnt), -EBUSY);    /* normalised first */
    assert_int_equal(vfs_mount("/nodir", &ramfs_ops, mnt), -ENOENT);    /* must exist ... */
    assert_int_equal(mk("/file", "x"), 0);
    assert_int_equal(vfs_mount("/file", &ramfs_ops, mnt), -ENOTDIR);    /* ... as a directory */
    assert_int_equal(vfs_mount("relative", &ramfs_ops, mnt), -EINVAL);
    assert_int_equal(vfs_mount("/mnt", NULL, mnt), -EINVAL);
    assert_int_equal(vfs_umount("/nodir"), -EINVAL);
    assert_int_equal(vfs_umount("/"), -EBUSY);                           /* /mnt is below it */
}

static void test_mount_table_is_bounded(void **state) {
    (void)state;
    char path[16];
    struct ramfs *extra = ramfs_create();
    int i;
    for (i = 0;; i++) {
        snprintf(path, sizeof path, "/m%d", i);
        assert_int_equal(vfs_mkdir(path), 0);
        int r = vfs_mount(path, &ramfs_ops, extra);
        if (r) {
            assert_int_equal(r, -ENOSPC);
            break;
        }
    }
    assert_int_equal(i, VFS_MAX_MOUNTS - 2);
    assert_int_equal(vfs_mount_info(VFS_MAX_MOUNTS - 1, NULL, NULL), 0);
    assert_int_equal(vfs_mount_info(VFS_MAX_MOUNTS, NULL, NULL), -ENOENT);
    /* Unmounting from the middle keeps the others in order. */
    assert_int_equal(vfs_umount("/m0"), 0);
    const char *p;
    assert_int_equal(vfs_mount_info(2, &p, NULL), 0);
    assert_string_equal(p, "/m1");
    while (vfs_mount_info(2, &p, NULL) == 0) assert_int_equal(vfs_umount(p), 0);
    ramfs_destroy(extra);
}

/* --- dispatch --------------------------------------------------------------------------- */

static void test_dispatch_two_mounts(void **state) {
    (void)state;
    assert_int_equal(mk("/a.txt", "on root"), 0);
    assert_int_equal(mk("/mnt/b.txt", "on mnt"), 0);
    assert_true(ramfs_has(root, "/a.txt"));
    assert_false(ramfs_has(mnt, "/a.txt"));
    assert_true(ramfs_has(mnt, "/b.txt"));             /* paths inside a mount are its own */
    assert_false(ramfs_has(root, "/mnt/b.txt"));
    assert_string_equal(cat("/a.txt"), "on root");
    assert_string_equal(cat("/mnt/b.txt"), "on mnt");
    /* The mount point itself is the mounted root. */
    struct vfs_stat st;
    assert_int_equal(vfs_lookup("/mnt", &st), 0);
    assert_int_equal(st.type, VFS_DIR);
    assert_int_equal(st.size, 1);
    struct vfs_dirent d;
    assert_int_equal(vfs_readdir("/mnt", 0, &d), 0);
    assert_string_equal(d.name, "b.txt");
    assert_int_equal(vfs_readdir("/mnt/", 1, &d), -ENOENT);
    /* Normalisation on the way in. */
    assert_string_equal(cat("//mnt/./x/../b.txt"), "on mnt");
    assert_int_equal(vfs_lookup("mnt/b.txt", &st), -EINVAL);  /* relative: callers resolve those */
}

static void test_longest_prefix(void **state) {
    (void)state;
    struct ramfs *deep = ramfs_create();
    assert_int_equal(vfs_mkdir("/mnt/sub"), 0);
    assert_int_equal(vfs_mount("/mnt/sub", &ramfs_ops, deep), 0);
    assert_int_equal(vfs_mkdir("/mntx"), 0);                 /* a prefix by string only */
    assert_int_equal(mk("/mnt/sub/f", "deep"), 0);
    assert_int_equal(mk("/mnt/g", "mnt"), 0);
    assert_int_equal(mk("/mntx/h", "root"), 0);
    assert_true(ramfs_has(deep, "/f"));
    assert_true(ramfs_has(mnt, "/g"));
    assert_true(ramfs_has(root, "/mntx/h"));
    assert_false(ramfs_has(mnt, "/sub/f"));
    assert_int_equal(vfs_umount("/mnt"), -EBUSY);            /* /mnt/sub is below it */
    assert_int_equal(vfs_umount("/mnt/sub"), 0);
    ramfs_destroy(deep);
}

static void test_operations_through_vfs(void **state) {
    (void)state;
    struct vfs_stat st;
    assert_int_equal(vfs_mkdir("/mnt/docs"), 0);
    assert_int_equal(mk("/mnt/docs/readme.txt", "HelloRAMFS"), 0);
    assert_int_equal(vfs_write("/mnt/docs/readme.txt", 5, "_World", 6), 6);
    assert_string_equal(cat("/mnt/docs/readme.txt"), "Hello_World");
    assert_int_equal(vfs_rename("/mnt/docs/readme.txt", "/mnt/docs/info.txt"), 0);
    assert_int_equal(vfs_truncate("/mnt/docs/info.txt", 5), 0);
    assert_string_equal(cat("/mnt/docs/info.txt"), "Hello");
    char buf[4];
    assert_int_equal(vfs_read("/mnt/docs/info.txt", 1, buf, 3), 3);
    assert_memory_equal(buf, "ell", 3);
    assert_int_equal(vfs_remove("/mnt/docs/info.txt"), 0);
    assert_int_equal(vfs_remove("/mnt/docs"), 0);
    assert_int_equal(vfs_lookup("/mnt/docs", &st), -ENOENT);
}

static void test_mount_points_are_protected(void **state) {
    (void)state;
    assert_int_equal(mk("/f", "x"), 0);
    assert_int_equal(vfs_rename("/f", "/mnt/f"), -EXDEV);     /* across filesystems */
    assert_int_equal(vfs_remove("/mnt"), -EBUSY);             /* a mount point */
    assert_int_equal(vfs_rename("/mnt", "/elsewhere"), -EBUSY);
    assert_int_equal(vfs_mkdir("/a"), 0);
    assert_int_equal(vfs_mkdir("/a/b"), 0);
    struct ramfs *inner = ramfs_create();
    assert_int_equal(vfs_mount("/a/b", &ramfs_ops, inner), 0);
    assert_int_equal(vfs_rename("/a", "/c"), -EBUSY);         /* would strand /a/b */
    assert_int_equal(vfs_remove("/"), -EBUSY);
    assert_int_equal(vfs_umount("/a/b"), 0);
    ramfs_destroy(inner);
    assert_int_equal(vfs_rename("/a", "/c"), 0);
}

static void test_read_all(void **state) {
    (void)state;
    char buf[8];
    assert_int_equal(mk("/f", "12345678"), 0);
    assert_int_equal(vfs_read_all("/f", buf, sizeof buf), 8);
    assert_memory_equal(buf, "12345678", 8);
    assert_int_equal(vfs_read_all("/f", buf, 7), -EFBIG);
    assert_int_equal(vfs_read_all("/mnt", buf, sizeof buf), -EISDIR);
    assert_int_equal(vfs_read_all("/nope", buf, sizeof buf), -ENOENT);
    assert_int_equal(vfs_create("/e", 0, NULL, 0), 0);
    assert_int_equal(vfs_read_all("/e", buf, 0), 0);
}

static void test_no_root_mounted(void **state) {
    (void)state;
    teardown(NULL);
    struct vfs_stat st;
    assert_int_equal(vfs_lookup("/", &st), -ENOENT);
    assert_int_equal(vfs_mkdir("/x"), -ENOENT);
    setup(NULL);
}

/* A filesystem without write operations is read-only through the VFS. */
static int ro_lookup(void *ctx, const char *path, struct vfs_stat *st) {
    (void)ctx; (void)path;
    st->type = VFS_DIR;
    st->size = 0;
    st->immutable = 1;
    return 0;
}
static const struct vfs_fs_ops ro_ops = { .name = "ro", .lookup = ro_lookup };

static void test_missing_operations(void **state) {
    (void)state;
    assert_int_equal(vfs_mkdir("/ro"), 0);
    assert_int_equal(vfs_mount("/ro", &ro_ops, NULL), 0);
    struct vfs_dirent d;
    assert_int_equal(vfs_create("/ro/x", 0, "x", 1), -EROFS);
    assert_int_equal(vfs_mkdir("/ro/x"), -EROFS);
    assert_int_equal(vfs_readdir("/ro", 0, &d), -EROFS);
    const char *name;
    assert_int_equal(vfs_mount_info(2, NULL, &name), 0);
    assert_string_equal(name, "ro");
    assert_int_equal(vfs_umount("/ro"), 0);
}

/* --- walk --------------------------------------------------------------------------------------- */

struct walk_log {
    char text[2048];
    int stop_at;   /* stop (return 7) at this visit, or -1 */
    int visits;
};

static int log_entry(const char *path, const struct vfs_dirent *d, uint32_t depth, const uint8_t *last, void *ctx) {
    struct walk_log *w = ctx;
    char line[VFS_PATH_MAX + 64];
    char flags[16] = "";
    for (uint32_t i = 0; i < depth && i < sizeof flags - 1; i++) flags[i] = last[i] ? 'L' : '-';
    flags[depth < sizeof flags ? depth : sizeof flags - 1] = '\0';
    snprintf(line, sizeof line, "%c %u %s %s\n", d->type == VFS_DIR ? 'D' : 'F', depth, flags, path);
    strcat(w->text, line);
    return w->visits++ == w->stop_at ? 7 : 0;
}

static void test_walk(void **state) {
    (void)state;
    assert_int_equal(vfs_mkdir("/docs"), 0);
    assert_int_equal(vfs_mkdir("/docs/sub"), 0);
    assert_int_equal(mk("/docs/sub/x", "x"), 0);
    assert_int_equal(mk("/docs/a", "a"), 0);
    assert_int_equal(mk("/z", "z"), 0);
    assert_int_equal(mk("/mnt/m", "m"), 0);
    struct walk_log w = { "", -1, 0 };
    assert_int_equal(vfs_walk("/", log_entry, &w), 0);
    assert_string_equal(w.text,
        "D 1 - /docs\n"
        "F 2 -- /docs/a\n"
        "D 2 -L /docs/sub\n"
        "F 3 -LL /docs/sub/x\n"
        "D 1 - /mnt\n"                 /* crosses into the mount */
        "F 2 -L /mnt/m\n"
        "F 1 L /z\n");
    struct walk_log sub = { "", -1, 0 };
    assert_int_equal(vfs_walk("/docs", log_entry, &sub), 0);
    assert_string_equal(sub.text, "F 1 - /docs/a\nD 1 L /docs/sub\nF 2 LL /docs/sub/x\n");
    struct walk_log stop = { "", 1, 0 };
    assert_int_equal(vfs_walk("/", log_entry, &stop), 7);
    assert_int_equal(stop.visits, 2);
    struct walk_log empty = { "", -1, 0 };
    assert_int_equal(vfs_mkdir("/empty"), 0);
    assert_int_equal(vfs_walk("/empty", log_entry, &empty), 0);
    assert_int_equal(empty.visits, 0);
    assert_int_equal(vfs_walk("/z", log_entry, &empty), -ENOTDIR);
    assert_int_equal(vfs_walk("/nope", log_entry, &empty), -ENOENT);
}

static int deepest(const char *path, const struct vfs_dirent *d, uint32_t depth, const uint8_t *last, void *ctx) {
    (void)d;
    uint32_t *max = ctx;
    assert_true(last[depth - 1]);                 /* every level has one entry */
    assert_int_equal(strlen(path), 2 + 2 * depth);
    if (depth > *max) *max = depth;
    return 0;
}

static void test_walk_deepest_tree(void **state) {
    (void)state;
    /* (VFS_PATH_MAX - 1) / 2 levels of "/d": as deep as a VFS path can go. */
    char path[VFS_PATH_MAX + 1] = "";
    for (int i = 0; i < (VFS_PATH_MAX - 1) / 2; i++) {
        strcat(path, "/d");
        assert_int_equal(vfs_mkdir(path), 0);
    }
    uint32_t max = 0;
    assert_int_equal(vfs_walk("/d", deepest, &max), 0);
    assert_int_equal(max, (VFS_PATH_MAX - 1) / 2 - 1);
}

static void test_strerror(void **state) {
    (void)state;
    assert_string_equal(vfs_strerror(-EPERM), "read-only (immutable)");
    assert_string_equal(vfs_strerror(-ENOENT), "no such file or directory");
    assert_string_equal(vfs_strerror(-ENOTEMPTY), "directory not empty");
    assert_string_equal(vfs_strerror(-ENOSPC), "no space left on the filesystem");
    assert_string_equal(vfs_strerror(-ENAMETOOLONG), "name too long (max 255 bytes a name, 1023 a path)");
    assert_string_equal(vfs_strerror(-EXDEV), "cannot move across filesystems");
    assert_string_equal(vfs_strerror(-9999), "unknown error");
}

int main(void) {
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_mount_table),
        T(test_mount_table_is_bounded),
        T(test_dispatch_two_mounts),
        T(test_longest_prefix),
        T(test_operations_through_vfs),
        T(test_mount_points_are_protected),
        T(test_read_all),
        T(test_no_root_mounted),
        T(test_missing_operations),
        T(test_walk),
        T(test_walk_deepest_tree),
        T(test_strerror),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
