/* fs/ramfs.c: every operation, every limit, immutability, rename rules and
 * byte accounting. kmalloc & co. are malloc shims here that count live
 * blocks and bytes (so a leak or a lost byte shows) and can be told to fail. */
#include "tests/unit/host_rename.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fs/ramfs.h"
#include "lib/string.h"
#include "mm/kheap.h"
#include "secos/errno.h"

/* --- heap shims ------------------------------------------------------------- */

static long live_blocks, live_bytes;
static int fail_in = -1;   /* >= 0: that many more allocations succeed, then one fails */

struct shim_hdr { size_t size; size_t pad; };

static int shim_fail(void) {
    if (fail_in < 0) return 0;
    return fail_in-- == 0;
}

void *kmalloc(size_t size) {
    if (shim_fail()) return NULL;
    struct shim_hdr *h = malloc(sizeof *h + size);
    if (!h) return NULL;
    h->size = size;
    live_blocks++;
    live_bytes += (long)size;
    return h + 1;
}

void *kcalloc(size_t n, size_t size) {
    if (size && n > SIZE_MAX / size) return NULL;
    void *p = kmalloc(n * size);
    if (p) memset(p, 0, n * size);
    return p;
}

void kfree(void *p) {
    if (!p) return;
    struct shim_hdr *h = (struct shim_hdr *)p - 1;
    live_blocks--;
    live_bytes -= (long)h->size;
    free(h);
}

void *krealloc(void *p, size_t size) {
    if (!p) return kmalloc(size);
    if (size == 0) {
        kfree(p);
        return NULL;
    }
    if (shim_fail()) return NULL;
    struct shim_hdr *h = (struct shim_hdr *)p - 1;
    size_t old = h->size;
    h = realloc(h, sizeof *h + size);
    if (!h) return NULL;
    h->size = size;
    live_bytes += (long)size - (long)old;
    return h + 1;
}

/* --- helpers ------------------------------------------------------------------ */

#define MiB (1024u * 1024u)
static struct ramfs *fs;
static long base_blocks, base_bytes;   /* the empty filesystem's own */

static int setup(void **state) {
    (void)state;
    fail_in = -1;
    fs = ramfs_create();
    assert_non_null(fs);
    base_blocks = live_blocks;
    base_bytes = live_bytes;
    return 0;
}

static int teardown(void **state) {
    (void)state;
    ramfs_destroy(fs);
    fs = NULL;
    assert_int_equal(live_blocks, 0);   /* destroy frees everything */
    assert_int_equal(live_bytes, 0);
    return 0;
}

static int mk(const char *path, const char *text) {
    return ramfs_ops.create(fs, path, 0, text, strlen(text));
}

static int mkdir_(const char *path) { return ramfs_ops.mkdir(fs, path); }

/* The whole file as a string (files in these tests are small). */
static const char *content(const char *path) {
    static char buf[4096];
    long n = ramfs_ops.read(fs, path, 0, buf, sizeof buf - 1);
    assert_true(n >= 0);
    buf[n] = '\0';
    return buf;
}

static struct vfs_stat stat_of(const char *path) {
    struct vfs_stat st;
    assert_int_equal(ramfs_ops.lookup(fs, path, &st), 0);
    return st;
}

static int exists(const char *path) {
    struct vfs_stat st;
    return ramfs_ops.lookup(fs, path, &st) == 0;
}

static struct ramfs_usage usage(void) {
    struct ramfs_usage u;
    ramfs_get_usage(fs, &u);
    return u;
}

static void long_name(char *out, size_t n) {
    out[0] = '/';
    memset(out + 1, 'n', n);
    out[n + 1] = '\0';
}

/* --- basic operations --------------------------------------------------------- */

static void test_empty(void **state) {
    (void)state;
    struct vfs_stat st = stat_of("/");
    assert_int_equal(st.type, VFS_DIR);
    assert_int_equal(st.size, 0);
    struct ramfs_usage u = usage();
    assert_int_equal(u.files, 0);
    assert_int_equal(u.dirs, 1);
    assert_int_equal(u.nodes, 1);
    assert_int_equal(u.free_nodes, RAMFS_MAX_NODES - 1);
    assert_int_equal(u.bytes, 0);
    assert_int_equal(u.free_bytes, RAMFS_MAX_TOTAL_BYTES);
    struct vfs_dirent d;
    assert_int_equal(ramfs_ops.readdir(fs, "/", 0, &d), -ENOENT);
    assert_string_equal(ramfs_ops.name, "ramfs");
}

static void test_create_read_lookup(void **state) {
    (void)state;
    assert_int_equal(mk("/hello", "Hello"), 0);
    struct vfs_stat st = stat_of("/hello");
    assert_int_equal(st.type, VFS_FILE);
    assert_int_equal(st.size, 5);
    assert_int_equal(st.immutable, 0);
    assert_string_equal(content("/hello"), "Hello");
    assert_int_equal(stat_of("//hello").size, 5);        /* repeated slashes are fine */
    char buf[8];
    assert_int_equal(ramfs_ops.read(fs, "/hello", 3, buf, 8), 2);
    assert_memory_equal(buf, "lo", 2);
    assert_int_equal(ramfs_ops.read(fs, "/hello", 5, buf, 8), 0);
    assert_int_equal(ramfs_ops.read(fs, "/hello", 99, buf, 8), 0);
    assert_int_equal(ramfs_ops.create(fs, "/empty", 0, NULL, 0), 0);
    assert_int_equal(stat_of("/empty").size, 0);
    assert_int_equal(ramfs_ops.read(fs, "/empty", 0, buf, 8), 0);
    assert_int_equal(mk("/hello", "again"), -EEXIST);
    assert_string_equal(content("/hello"), "Hello");
    assert_int_equal(mk("/missing/x", "x"), -ENOENT);
    assert_int_equal(mk("/hello/x", "x"), -ENOTDIR);
    assert_int_equal(ramfs_ops.lookup(fs, "/nope", &st), -ENOENT);
    assert_int_equal(ramfs_ops.lookup(fs, "/hello/x", &st), -ENOTDIR);
    assert_int_equal(mk("/", "x"), -EEXIST);
}

static void test_readdir_sorted(void **state) {
    (void)state;
    assert_int_equal(mk("/b", "22"), 0);
    assert_int_equal(mkdir_("/c"), 0);
    assert_int_equal(mk("/a", "1"), 0);
    assert_int_equal(mk("/c/z", ""), 0);
    struct vfs_dirent d;
    const char *want[] = { "a", "b", "c" };
    for (uint32_t i = 0; i < 3; i++) {
        assert_int_equal(ramfs_ops.readdir(fs, "/", i, &d), 0);
        assert_string_equal(d.name, want[i]);
    }
    assert_int_equal(ramfs_ops.readdir(fs, "/", 1, &d), 0);
    assert_int_equal(d.type, VFS_FILE);
    assert_int_equal(d.size, 2);
    assert_int_equal(ramfs_ops.readdir(fs, "/", 2, &d), 0);
    assert_int_equal(d.type, VFS_DIR);
    assert_int_equal(d.size, 1);                        /* entries */
    assert_int_equal(ramfs_ops.readdir(fs, "/", 3, &d), -ENOENT);
    assert_int_equal(ramfs_ops.readdir(fs, "/a", 0, &d), -ENOTDIR);
    assert_int_equal(ramfs_ops.readdir(fs, "/x", 0, &d), -ENOENT);
    assert_int_equal(stat_of("/").size, 3);
}

static void test_mkdir_nested(void **state) {
    (void)state;
    assert_int_equal(mkdir_("/a"), 0);
    assert_int_equal(mkdir_("/a/b"), 0);
    assert_int_equal(mkdir_("/a/b/c"), 0);
    assert_int_equal(mk("/a/b/c/f", "deep"), 0);
    assert_string_equal(content("/a/b/c/f"), "deep");
    assert_int_equal(mkdir_("/a/b"), -EEXIST);
    assert_int_equal(mkdir_("/x/y"), -ENOENT);
    assert_int_equal(mkdir_("/a/b/c/f/g"), -ENOTDIR);
    assert_int_equal(mkdir_("/"), -EEXIST);
    assert_int_equal(usage().dirs, 4);
    assert_int_equal(usage().files, 1);
}

static void test_bad_paths(void **state) {
    (void)state;
    struct vfs_stat st;
    assert_int_equal(mk("relative", "x"), -EINVAL);
    assert_int_equal(mk("/.", "x"), -EINVAL);
    assert_int_equal(mk("/..", "x"), -EINVAL);
    assert_int_equal(mkdir_("/a/../b"), -EINVAL);
    assert_int_equal(mk("/a\nb", "x"), -EINVAL);
    assert_int_equal(mk("/a\x1b", "x"), -EINVAL);
    assert_int_equal(ramfs_ops.create(fs, "/nodata", 0, NULL, 3), -EINVAL);
    assert_int_equal(ramfs_ops.lookup(fs, "", &st), -EINVAL);
    assert_int_equal(ramfs_ops.lookup(fs, NULL, &st), -EINVAL);
    assert_int_equal(usage().nodes, 1);
}

/* --- write, truncate ------------------------------------------------------------ */

static void test_write_overwrite_and_grow(void **state) {
    (void)state;
    assert_int_equal(mk("/f", "HelloRAMFS"), 0);
    assert_int_equal(ramfs_ops.write(fs, "/f", 5, "_World", 6), 6);
    assert_string_equal(content("/f"), "Hello_World");
    assert_int_equal(ramfs_ops.write(fs, "/f", 0, "J", 1), 1);
    assert_string_equal(content("/f"), "Jello_World");
    assert_int_equal(stat_of("/f").size, 11);
    assert_int_equal(ramfs_ops.write(fs, "/f", 100, "", 0), 0);   /* empty write: no change */
    assert_int_equal(stat_of("/f").size, 11);
    assert_int_equal(usage().bytes, 11);
    assert_int_equal(ramfs_ops.write(fs, "/nope", 0, "x", 1), -ENOENT);
    assert_int_equal(mkdir_("/d"), 0);
    assert_int_equal(ramfs_ops.write(fs, "/d", 0, "x", 1), -EISDIR);
    char buf[4];
    assert_int_equal(ramfs_ops.read(fs, "/d", 0, buf, 4), -EISDIR);
}

static void test_write_gap_is_zero_filled(void **state) {
    (void)state;
    assert_int_equal(mk("/g", "ab"), 0);
    assert_int_equal(ramfs_ops.write(fs, "/g", 6, "XY", 2), 2);
    unsigned char buf[16];
    assert_int_equal(ramfs_ops.read(fs, "/g", 0, buf, sizeof buf), 8);
    assert_memory_equal(buf, "ab\0\0\0\0XY", 8);
    assert_int_equal(usage().bytes, 8);
    /* Into an empty file too. */
    assert_int_equal(ramfs_ops.create(fs, "/e", 0, NULL, 0), 0);
    assert_int_equal(ramfs_ops.write(fs, "/e", 3, "z", 1), 1);
    assert_int_equal(ramfs_ops.read(fs, "/e", 0, buf, sizeof buf), 4);
    assert_memory_equal(buf, "\0\0\0z", 4);
}

static void test_truncate_both_ways(void **state) {
    (void)state;
    unsigned char buf[16];
    assert_int_equal(mk("/t", "Hello_World"), 0);
    assert_int_equal(ramfs_ops.truncate(fs, "/t", 5), 0);
    assert_string_equal(content("/t"), "Hello");
    assert_int_equal(usage().bytes, 5);
    assert_int_equal(ramfs_ops.truncate(fs, "/t", 8), 0);
    assert_int_equal(ramfs_ops.read(fs, "/t", 0, buf, sizeof buf), 8);
    assert_memory_equal(buf, "Hello\0\0\0", 8);             /* old bytes do not come back */
    assert_int_equal(usage().bytes, 8);
    assert_int_equal(ramfs_ops.truncate(fs, "/t", 8), 0);   /* same size */
    assert_int_equal(ramfs_ops.truncate(fs, "/t", 0), 0);
    assert_int_equal(stat_of("/t").size, 0);
    assert_int_equal(usage().bytes, 0);
    assert_int_equal(live_blocks - base_blocks, 1);          /* the node; its data is freed */
    assert_int_equal(ramfs_ops.truncate(fs, "/t", 3), 0);
    assert_int_equal(ramfs_ops.read(fs, "/t", 0, buf, sizeof buf), 3);
    assert_memory_equal(buf, "\0\0\0", 3);
    assert_int_equal(ramfs_ops.truncate(fs, "/nope", 1), -ENOENT);
    assert_int_equal(ramfs_ops.truncate(fs, "/", 1), -EISDIR);
}

/* --- remove ------------------------------------------------------------------------- */

static void test_remove(void **state) {
    (void)state;
    assert_int_equal(mkdir_("/d"), 0);
    assert_int_equal(mk("/d/f", "data"), 0);
    assert_int_equal(ramfs_ops.remove(fs, "/d"), -ENOTEMPTY);
    assert_int_equal(ramfs_ops.remove(fs, "/d/f"), 0);
    assert_false(exists("/d/f"));
    assert_int_equal(ramfs_ops.remove(fs, "/d/f"), -ENOENT);
    assert_int_equal(stat_of("/d").size, 0);
    assert_int_equal(ramfs_ops.remove(fs, "/d"), 0);
    assert_false(exists("/d"));
    assert_int_equal(ramfs_ops.remove(fs, "/"), -EBUSY);
    assert_int_equal(usage().nodes, 1);
}

/* --- immutability ----------------------------------------------------------------------- */

static void test_immutable_file(void **state) {
    (void)state;
    assert_int_equal(ramfs_ops.create(fs, "/VERSION", 1, "v1\n", 3), 0);
    assert_int_equal(stat_of("/VERSION").immutable, 1);
    assert_int_equal(ramfs_ops.write(fs, "/VERSION", 0, "X", 1), -EPERM);
    assert_int_equal(ramfs_ops.write(fs, "/VERSION", 3, "X", 1), -EPERM);
    assert_int_equal(ramfs_ops.truncate(fs, "/VERSION", 0), -EPERM);
    assert_int_equal(ramfs_ops.truncate(fs, "/VERSION", 10), -EPERM);
    assert_int_equal(ramfs_ops.remove(fs, "/VERSION"), -EPERM);
    assert_int_equal(ramfs_ops.rename(fs, "/VERSION", "/V2"), -EPERM);
    assert_int_equal(ramfs_ops.create(fs, "/VERSION", 0, "x", 1), -EEXIST);
    assert_string_equal(content("/VERSION"), "v1\n");
    struct vfs_dirent d;
    assert_int_equal(ramfs_ops.readdir(fs, "/", 0, &d), 0);
    assert_int_equal(d.immutable, 1);
    /* set_immutable works on a mutable file, for good. */
    assert_int_equal(mk("/m", "m"), 0);
    assert_int_equal(ramfs_set_immutable(fs, "/m"), 0);
    assert_int_equal(ramfs_ops.write(fs, "/m", 0, "X", 1), -EPERM);
    assert_int_equal(ramfs_set_immutable(fs, "/nope"), -ENOENT);
}

static void test_immutable_directory(void **state) {
    (void)state;
    assert_int_equal(mkdir_("/sys"), 0);
    assert_int_equal(mk("/sys/a", "a"), 0);
    assert_int_equal(mkdir_("/sys/sub"), 0);
    assert_int_equal(mkdir_("/other"), 0);
    assert_int_equal(ramfs_set_immutable(fs, "/sys"), 0);
    assert_int_equal(mk("/sys/new", "x"), -EPERM);
    assert_int_equal(mkdir_("/sys/newdir"), -EPERM);
    assert_int_equal(ramfs_ops.remove(fs, "/sys/a"), -EPERM);       /* removing from it */
    assert_int_equal(ramfs_ops.rename(fs, "/sys/a", "/a"), -EPERM); /* moving out of it */
    assert_int_equal(mk("/x", "x"), 0);
    assert_int_equal(ramfs_ops.rename(fs, "/x", "/sys/x"), -EPERM); /* moving into it */
    assert_int_equal(ramfs_ops.rename(fs, "/sys", "/sys2"), -EPERM);
    assert_int_equal(ramfs_ops.remove(fs, "/sys/sub"), -EPERM);
    /* The entries themselves stay mutable unless marked, but stay put. */
    assert_int_equal(ramfs_ops.write(fs, "/sys/a", 1, "b", 1), 1);
    assert_string_equal(content("/sys/a"), "ab");
    assert_int_equal(mk("/sys/sub/inner", "ok"), 0);                  /* not recursive */
}

/* A directory holding an immutable entry anywhere below stays where it is;
 * pinned directories (the boot tree) too, though they still take entries. */
static void test_pinned_directories(void **state) {
    (void)state;
    assert_int_equal(mkdir_("/bin"), 0);
    assert_int_equal(mkdir_("/bin/sub"), 0);
    assert_int_equal(ramfs_ops.create(fs, "/bin/sub/hello", 1, "ELF", 3), 0);
    assert_int_equal(ramfs_ops.rename(fs, "/bin", "/x"), -EPERM);
    assert_int_equal(ramfs_ops.rename(fs, "/bin/sub", "/sub"), -EPERM);
    assert_int_equal(ramfs_ops.remove(fs, "/bin/sub"), -EPERM);
    assert_int_equal(mk("/bin/new", "x"), 0);                         /* still takes entries */
    assert_int_equal(ramfs_ops.rename(fs, "/bin/new", "/new"), 0);    /* and mutable ones move */
    /* set_immutable pins the parents of an existing node as well. */
    assert_int_equal(mkdir_("/etc"), 0);
    assert_int_equal(mk("/etc/motd", "hi"), 0);
    assert_int_equal(ramfs_ops.rename(fs, "/etc", "/etc2"), 0);
    assert_int_equal(ramfs_set_immutable(fs, "/etc2/motd"), 0);
    assert_int_equal(ramfs_ops.rename(fs, "/etc2", "/etc"), -EPERM);
    /* pin_all_dirs: every directory there is now, an empty one too; not later ones. */
    assert_int_equal(mkdir_("/empty"), 0);
    ramfs_pin_all_dirs(fs);
    assert_int_equal(ramfs_ops.remove(fs, "/empty"), -EPERM);
    assert_int_equal(ramfs_ops.rename(fs, "/empty", "/e"), -EPERM);
    assert_int_equal(mkdir_("/later"), 0);
    assert_int_equal(ramfs_ops.remove(fs, "/later"), 0);
    assert_int_equal(ramfs_pin(fs, "/new"), 0);
    assert_int_equal(ramfs_ops.remove(fs, "/new"), -EPERM);
    assert_int_equal(ramfs_pin(fs, "/nope"), -ENOENT);
}

/* Per-owner quota: nodes and bytes charged to the creator, also when
 * someone else writes, and for as long as the nodes exist. */
static int q_owner;
static int q_current(void *ctx) { (void)ctx; return q_owner; }
static void q_limits(void *ctx, int owner, uint32_t *nodes, uint64_t *bytes) {
    (void)ctx;
    *nodes = owner == 7 ? 1 : 2;
    *bytes = 10;
}

static void test_quota_per_owner(void **state) {
    (void)state;
    static const struct ramfs_quota q = { q_current, q_limits, 0 };
    ramfs_set_quota(fs, &q);
    q_owner = 5;
    assert_int_equal(mk("/a", "12345"), 0);
    assert_int_equal(mkdir_("/d"), 0);
    assert_int_equal(mk("/b", ""), -ENOSPC);                 /* 2 nodes */
    assert_int_equal(ramfs_ops.write(fs, "/a", 5, "123456", 6), -ENOSPC); /* 11 bytes */
    assert_int_equal(ramfs_ops.write(fs, "/a", 5, "12345", 5), 5);
    q_owner = 6;                                             /* another owner: its own quota */
    assert_int_equal(mk("/c", ""), 0);
    assert_int_equal(ramfs_ops.write(fs, "/a", 10, "x", 1), -ENOSPC); /* charged to 5 */
    uint32_t nodes;
    uint64_t bytes;
    ramfs_owner_usage(fs, 5, &nodes, &bytes);
    assert_int_equal(nodes, 2);
    assert_int_equal(bytes, 10);
    q_owner = 7;
    assert_int_equal(mkdir_("/e"), 0);
    assert_int_equal(mkdir_("/f"), -ENOSPC);                 /* limits per owner */
    q_owner = 0;                                             /* not accounted */
    for (int i = 0; i < 5; i++) {
        char p[8] = "/k0";
        p[2] = (char)('0' + i);
        assert_int_equal(mk(p, "0123456789abc"), 0);
    }
    q_owner = 5;
    assert_int_equal(ramfs_ops.remove(fs, "/d"), 0);         /* a node back */
    assert_int_equal(mk("/b", ""), 0);
    ramfs_set_quota(fs, NULL);
}

/* --- rename -------------------------------------------------------------------------------- */

static void test_rename_file(void **state) {
    (void)state;
    assert_int_equal(mkdir_("/docs"), 0);
    assert_int_equal(mk("/docs/readme.txt", "Hello"), 0);
    assert_int_equal(ramfs_ops.rename(fs, "/docs/readme.txt", "/docs/info.txt"), 0);
    assert_false(exists("/docs/readme.txt"));
    assert_string_equal(content("/docs/info.txt"), "Hello");
    assert_int_equal(ramfs_ops.rename(fs, "/docs/info.txt", "/top.txt"), 0);
    assert_string_equal(content("/top.txt"), "Hello");
    assert_int_equal(stat_of("/docs").size, 0);
    assert_int_equal(stat_of("/").size, 2);
    assert_int_equal(ramfs_ops.rename(fs, "/nope", "/x"), -ENOENT);
    assert_int_equal(ramfs_ops.rename(fs, "/top.txt", "/nodir/x"), -ENOENT);
    assert_int_equal(ramfs_ops.rename(fs, "/top.txt", "/top.txt/x"), -ENOTDIR);
    assert_int_equal(ramfs_ops.rename(fs, "/", "/x"), -EBUSY);
    assert_int_equal(ramfs_ops.rename(fs, "/top.txt", "/"), -EEXIST);
    assert_int_equal(usage().bytes, 5);
}

static void test_rename_never_replaces(void **state) {
    (void)state;
    assert_int_equal(mk("/a", "A"), 0);
    assert_int_equal(mk("/b", "B"), 0);
    assert_int_equal(ramfs_ops.rename(fs, "/a", "/b"), -EEXIST);
    assert_int_equal(ramfs_ops.rename(fs, "/a", "/a"), -EEXIST);
    assert_string_equal(content("/a"), "A");
    assert_string_equal(content("/b"), "B");
}

static void test_rename_directory_moves_descendants(void **state) {
    (void)state;
    assert_int_equal(mkdir_("/docs"), 0);
    assert_int_equal(mkdir_("/docs/sub"), 0);
    assert_int_equal(mk("/docs/sub/deep.txt", "deep"), 0);
    assert_int_equal(mk("/docs/top.txt", "top"), 0);
    assert_int_equal(mkdir_("/archive"), 0);
    assert_int_equal(ramfs_ops.rename(fs, "/docs", "/archive/old"), 0);
    assert_false(exists("/docs"));
    assert_false(exists("/docs/sub/deep.txt"));
    assert_string_equal(content("/archive/old/sub/deep.txt"), "deep");
    assert_string_equal(content("/archive/old/top.txt"), "top");
    assert_int_equal(stat_of("/archive/old").size, 2);
    /* and the moved tree keeps working */
    assert_int_equal(mk("/archive/old/sub/new", "n"), 0);
    assert_int_equal(ramfs_ops.rename(fs, "/archive/old/sub", "/sub"), 0);
    assert_string_equal(content("/sub/new"), "n");
}

static void test_rename_cycles_refused(void **state) {
    (void)state;
    assert_int_equal(mkdir_("/docs"), 0);
    assert_int_equal(mkdir_("/docs/sub"), 0);
    assert_int_equal(mkdir_("/docs/sub/deeper"), 0);
    assert_int_equal(ramfs_ops.rename(fs, "/docs", "/docs/sub"), -EINVAL);   /* even onto an existing name */
    assert_int_equal(ramfs_ops.rename(fs, "/docs", "/docs/new"), -EINVAL);
    assert_int_equal(ramfs_ops.rename(fs, "/docs", "/docs/sub/deeper/x"), -EINVAL);
    assert_int_equal(ramfs_ops.rename(fs, "/docs/sub", "/docs/sub/deeper/x"), -EINVAL);
    assert_true(exists("/docs/sub/deeper"));
    /* a sibling whose name starts the same is not a descendant */
    assert_int_equal(mkdir_("/docs2"), 0);
    assert_int_equal(ramfs_ops.rename(fs, "/docs", "/docs2/docs"), 0);
    assert_true(exists("/docs2/docs/sub/deeper"));
}

static void test_rename_path_length(void **state) {
    (void)state;
    /* /d/<250>/<250>/<250> (755 bytes): moving it under a long name would
     * push the deepest path past VFS_PATH_MAX, so that rename is refused. */
    char path[VFS_PATH_MAX + 1], name[VFS_NAME_MAX + 2];
    strcpy(path, "/d");
    assert_int_equal(mkdir_(path), 0);
    for (int i = 0; i < 3; i++) {
        long_name(name, 250);
        strcat(path, name);
        assert_int_equal(mkdir_(path), 0);
    }
    assert_int_equal(strlen(path), 2 + 3 * 251);           /* 755 */
    long_name(name, VFS_NAME_MAX);
    char to[VFS_PATH_MAX + 1];
    snprintf(to, sizeof to, "%s", name);                   /* /nnn..(255): 256 + 753 = 1009: fits */
    assert_int_equal(ramfs_ops.rename(fs, "/d", to), 0);
    assert_int_equal(mkdir_("/e"), 0);
    assert_int_equal(mkdir_("/e/abcdefghijklmnopqrst"), 0);
    char to2[VFS_PATH_MAX + 64];
    snprintf(to2, sizeof to2, "/e/abcdefghijklmnopqrst%s", name);   /* 23 + 256 + 753 = 1032 */
    assert_int_equal(ramfs_ops.rename(fs, to, to2), -ENAMETOOLONG);
    assert_true(exists(to));
}

/* --- limits ------------------------------------------------------------------------------------- */

static void test_name_length_limit(void **state) {
    (void)state;
    char p63[VFS_NAME_MAX + 2], p64[VFS_NAME_MAX + 3];
    long_name(p63, VFS_NAME_MAX);
    long_name(p64, VFS_NAME_MAX + 1);
    assert_int_equal(mk(p63, "ok"), 0);
    assert_int_equal(mk(p64, "no"), -ENAMETOOLONG);
    assert_int_equal(mkdir_(p64), -ENAMETOOLONG);
    assert_int_equal(ramfs_ops.rename(fs, p63, p64), -ENAMETOOLONG);
    struct vfs_dirent d;
    assert_int_equal(ramfs_ops.readdir(fs, "/", 0, &d), 0);
    assert_string_equal(d.name, p63 + 1);
    assert_int_equal(usage().nodes, 2);
}

static void test_node_limit(void **state) {
    (void)state;
    char path[32];
    uint32_t made = 0;
    int r;
    for (;;) {
        snprintf(path, sizeof path, made % 2 ? "/f%u" : "/d%u", made);
        r = made % 2 ? mk(path, "x") : mkdir_(path);
        if (r) break;
        made++;
    }
    assert_int_equal(r, -ENOSPC);
    assert_int_equal(made, RAMFS_MAX_NODES - 1);            /* the root is a node too */
    assert_int_equal(usage().free_nodes, 0);
    assert_int_equal(mk("/more", "x"), -ENOSPC);
    assert_int_equal(mkdir_("/more"), -ENOSPC);
    assert_false(exists("/more"));
    assert_int_equal(ramfs_ops.remove(fs, "/f1"), 0);
    assert_int_equal(mk("/more", "x"), 0);
    assert_int_equal(mk("/more2", "x"), -ENOSPC);
}

static void test_file_size_limit(void **state) {
    (void)state;
    char *big = calloc(1, RAMFS_MAX_FILE_SIZE + 1);
    assert_non_null(big);
    assert_int_equal(ramfs_ops.create(fs, "/big", 0, big, RAMFS_MAX_FILE_SIZE + 1), -EFBIG);
    assert_false(exists("/big"));
    assert_int_equal(ramfs_ops.create(fs, "/big", 0, big, RAMFS_MAX_FILE_SIZE), 0);
    assert_int_equal(ramfs_ops.write(fs, "/big", RAMFS_MAX_FILE_SIZE, "x", 1), -EFBIG);
    assert_int_equal(ramfs_ops.write(fs, "/big", RAMFS_MAX_FILE_SIZE - 1, "xy", 2), -EFBIG);  /* never partial */
    assert_int_equal(ramfs_ops.write(fs, "/big", RAMFS_MAX_FILE_SIZE - 1, "x", 1), 1);
    assert_int_equal(ramfs_ops.truncate(fs, "/big", RAMFS_MAX_FILE_SIZE + 1), -EFBIG);
    assert_int_equal(stat_of("/big").size, RAMFS_MAX_FILE_SIZE);
    assert_int_equal(mk("/small", ""), 0);
    assert_int_equal(ramfs_ops.write(fs, "/small", UINT64_MAX, "x", 1), -EFBIG);     /* no wrap-around */
    assert_int_equal(ramfs_ops.write(fs, "/small", 1, big, UINT64_MAX), -EFBIG);
    assert_int_equal(ramfs_ops.truncate(fs, "/small", UINT64_MAX), -EFBIG);
    assert_int_equal(stat_of("/small").size, 0);
    free(big);
}

static void test_total_bytes_limit(void **state) {
    (void)state;
    char path[16];
    uint32_t files = RAMFS_MAX_TOTAL_BYTES / RAMFS_MAX_FILE_SIZE;
    for (uint32_t i = 0; i < files; i++) {
        snprintf(path, sizeof path, "/f%u", i);
        assert_int_equal(mk(path, ""), 0);
        assert_int_equal(ramfs_ops.truncate(fs, path, RAMFS_MAX_FILE_SIZE), 0);
    }
    assert_int_equal(usage().bytes, RAMFS_MAX_TOTAL_BYTES);
    assert_int_equal(usage().free_bytes, 0);
    assert_int_equal(mk("/one", "x"), -ENOSPC);
    assert_false(exists("/one"));
    assert_int_equal(mk("/empty", ""), 0);                      /* no bytes, still fine */
    assert_int_equal(ramfs_ops.write(fs, "/empty", 0, "x", 1), -ENOSPC);
    assert_int_equal(ramfs_ops.truncate(fs, "/empty", 1), -ENOSPC);
    assert_int_equal(stat_of("/empty").size, 0);
    /* Overwriting inside a file needs no new bytes. */
    assert_int_equal(ramfs_ops.write(fs, "/f0", 10, "abc", 3), 3);
    /* Freeing some makes room again, exactly. */
    assert_int_equal(ramfs_ops.truncate(fs, "/f0", RAMFS_MAX_FILE_SIZE - 2), 0);
    assert_int_equal(ramfs_ops.write(fs, "/empty", 0, "xyz", 3), -ENOSPC);
    assert_int_equal(ramfs_ops.write(fs, "/empty", 0, "xy", 2), 2);
    assert_int_equal(usage().free_bytes, 0);
}

/* --- accounting, memory ---------------------------------------------------------------------- */

static void test_accounting_back_to_zero(void **state) {
    (void)state;
    assert_int_equal(mkdir_("/a"), 0);
    assert_int_equal(mkdir_("/a/b"), 0);
    assert_int_equal(mk("/a/f1", "12345"), 0);
    assert_int_equal(mk("/a/b/f2", "1234567890"), 0);
    assert_int_equal(ramfs_ops.write(fs, "/a/b/f2", 100, "x", 1), 1);
    assert_int_equal(ramfs_ops.create(fs, "/imm", 1, "i", 1), 0);
    struct ramfs_usage u = usage();
    assert_int_equal(u.files, 3);
    assert_int_equal(u.dirs, 3);
    assert_int_equal(u.bytes, 5 + 101 + 1);
    /* File contents are held exactly: the heap holds bytes + node structs. */
    assert_true(live_bytes - base_bytes >= (long)u.bytes);
    assert_int_equal(ramfs_ops.remove(fs, "/a/b/f2"), 0);
    assert_int_equal(ramfs_ops.remove(fs, "/a/f1"), 0);
    assert_int_equal(ramfs_ops.remove(fs, "/a/b"), 0);
    assert_int_equal(ramfs_ops.remove(fs, "/a"), 0);
    u = usage();
    assert_int_equal(u.files, 1);
    assert_int_equal(u.dirs, 1);
    assert_int_equal(u.bytes, 1);
    assert_int_equal(live_blocks - base_blocks, 2);   /* /imm: node + its byte */
    /* A file's life gives back every block and byte it took. */
    long blocks = live_blocks, bytes = live_bytes;
    assert_int_equal(mk("/t", "temp"), 0);
    assert_int_equal(ramfs_ops.write(fs, "/t", 1000, "x", 1), 1);
    assert_int_equal(ramfs_ops.remove(fs, "/t"), 0);
    assert_int_equal(live_blocks, blocks);
    assert_int_equal(live_bytes, bytes);
}

static void test_out_of_memory_changes_nothing(void **state) {
    (void)state;
    long blocks = live_blocks, bytes = live_bytes;
    fail_in = 0;                                   /* the node allocation fails */
    assert_int_equal(mk("/f", "data"), -ENOMEM);
    fail_in = 1;                                   /* the data allocation fails */
    assert_int_equal(mk("/f", "data"), -ENOMEM);
    fail_in = 0;
    assert_int_equal(mkdir_("/d"), -ENOMEM);
    fail_in = -1;
    assert_false(exists("/f"));
    assert_false(exists("/d"));
    assert_int_equal(live_blocks, blocks);
    assert_int_equal(live_bytes, bytes);
    assert_int_equal(usage().nodes, 1);
    assert_int_equal(mk("/f", "data"), 0);
    fail_in = 0;                                   /* growing fails */
    assert_int_equal(ramfs_ops.write(fs, "/f", 2, "TA!", 3), -ENOMEM);
    fail_in = 0;
    assert_int_equal(ramfs_ops.truncate(fs, "/f", 100), -ENOMEM);
    fail_in = -1;
    assert_string_equal(content("/f"), "data");
    assert_int_equal(usage().bytes, 4);
    struct ramfs *none;
    fail_in = 0;
    none = ramfs_create();
    assert_null(none);
    fail_in = 1;
    none = ramfs_create();
    assert_null(none);
    fail_in = -1;
}

static void test_destroy_frees_deep_tree(void **state) {
    (void)state;
    /* teardown checks that every block is gone; build something worth it. */
    char path[VFS_PATH_MAX + 1] = "", file[VFS_PATH_MAX + 4];
    for (int i = 0; i < 100; i++) {
        strcat(path, "/x");
        assert_int_equal(mkdir_(path), 0);
        snprintf(file, sizeof file, "%s/f", path);
        assert_int_equal(ramfs_ops.create(fs, file, i % 2, "abc", 3), 0);
    }
    assert_int_equal(usage().nodes, 201);
}


/* --- inodes ------------------------------------------------------------------------ */

static uint64_t fake_now = 1000;
static uint64_t fake_clock(void) { return fake_now; }

/* ramfs_link: names sharing one block cost its bytes once; writing,
 * truncating or renaming over one name never changes another; the block
 * goes with the last name (the initrd's busybox applets). */
static void test_link_shares_and_unshares(void **state) {
    (void)state;
    long blocks = live_blocks, bytes = live_bytes;
    struct vfs_stat st;
    assert_int_equal(mk("/a", "hello"), 0);
    assert_int_equal(ramfs_link(fs, "/a", "/b"), 0);
    assert_int_equal(ramfs_link(fs, "/b", "/c"), 0);
    assert_int_equal(ramfs_link(fs, "/a", "/d"), 0);
    assert_int_equal(ramfs_link(fs, "/a", "/b"), -EEXIST);
    assert_int_equal(ramfs_link(fs, "/", "/e"), -EPERM);
    assert_int_equal(ramfs_link(fs, "/nope", "/e"), -ENOENT);
    assert_int_equal(usage().files, 4);
    assert_int_equal(usage().bytes, 5);                 /* one block */
    assert_int_equal(ramfs_ops.lookup(fs, "/c", &st), 0);
    assert_int_equal(st.nlink, 4);
    assert_string_equal(content("/c"), "hello");
    assert_int_equal(ramfs_ops.write(fs, "/b", 0, "J", 1), 1);   /* b gets its own copy */
    assert_string_equal(content("/b"), "Jello");
    assert_string_equal(content("/a"), "hello");
    assert_string_equal(content("/c"), "hello");
    assert_int_equal(usage().bytes, 10);
    assert_int_equal(ramfs_ops.lookup(fs, "/b", &st), 0);
    assert_int_equal(st.nlink, 1);
    assert_int_equal(ramfs_ops.lookup(fs, "/a", &st), 0);
    assert_int_equal(st.nlink, 3);
    assert_int_equal(ramfs_ops.truncate(fs, "/d", 2), 0);       /* so does d */
    assert_string_equal(content("/d"), "he");
    assert_string_equal(content("/c"), "hello");
    assert_int_equal(usage().bytes, 12);
    assert_int_equal(ramfs_ops.remove(fs, "/a"), 0);            /* the primary goes: c holds it */
    assert_string_equal(content("/c"), "hello");
    assert_int_equal(usage().bytes, 12);
    assert_int_equal(ramfs_ops.lookup(fs, "/c", &st), 0);
    assert_int_equal(st.nlink, 1);
    assert_int_equal(ramfs_link(fs, "/c", "/e"), 0);
    assert_int_equal(ramfs_ops.rename_replace(fs, "/b", "/e"), 0);  /* over a sharer */
    assert_string_equal(content("/e"), "Jello");
    assert_string_equal(content("/c"), "hello");
    assert_int_equal(usage().bytes, 12);
    assert_int_equal(ramfs_link(fs, "/c", "/f"), 0);
    assert_int_equal(ramfs_ops.remove(fs, "/c"), 0);
    assert_int_equal(ramfs_ops.remove(fs, "/f"), 0);            /* the last name frees the block */
    assert_int_equal(ramfs_ops.remove(fs, "/d"), 0);
    assert_int_equal(ramfs_ops.remove(fs, "/e"), 0);
    assert_int_equal(usage().files, 0);
    assert_int_equal(usage().bytes, 0);
    assert_int_equal(live_blocks, blocks);
    assert_int_equal(live_bytes, bytes);
    /* Shared names left for ramfs_destroy (teardown checks the heap). */
    assert_int_equal(mk("/g", "x"), 0);
    assert_int_equal(ramfs_link(fs, "/g", "/h"), 0);
}

/* A link of an immutable file (the initrd's applet names) is that file:
 * no name of it can be written, truncated or removed, and exec may lend
 * its bytes (ipeek) under every name. */
static void test_link_of_immutable_is_immutable(void **state) {
    (void)state;
    struct vfs_stat st;
    const void *data;
    uint64_t size;
    void *node;
    assert_int_equal(ramfs_ops.mkdir(fs, "/bin"), 0);
    assert_int_equal(ramfs_ops.create(fs, "/bin/busybox", 1, "ELF!", 4), 0);
    assert_int_equal(ramfs_link(fs, "/bin/busybox", "/bin/cat"), 0);
    assert_int_equal(ramfs_ops.lookup(fs, "/bin/cat", &st), 0);
    assert_true(st.immutable);
    assert_int_equal(ramfs_ops.write(fs, "/bin/cat", 0, "X", 1), -EPERM);
    assert_int_equal(ramfs_ops.truncate(fs, "/bin/cat", 0), -EPERM);
    assert_int_equal(ramfs_ops.remove(fs, "/bin/cat"), -EPERM);
    assert_int_equal(ramfs_ops.rename(fs, "/bin", "/sbin"), -EPERM);   /* its directory is pinned */
    assert_int_equal(ramfs_ops.iget(fs, "/bin/cat", &node), 0);
    assert_int_equal(ramfs_ops.ipeek(fs, node, &data, &size), 0);
    assert_int_equal(size, 4);
    assert_memory_equal(data, "ELF!", 4);
    ramfs_ops.iput(fs, node);
    assert_int_equal(mk("/plain", "abc"), 0);                          /* a mutable file: read it */
    assert_int_equal(ramfs_ops.iget(fs, "/plain", &node), 0);
    assert_int_equal(ramfs_ops.ipeek(fs, node, &data, &size), -EINVAL);
    ramfs_ops.iput(fs, node);
}

static void test_inode_unlink_while_open(void **state) {
    (void)state;
    long blocks = live_blocks, bytes = live_bytes;
    assert_int_equal(mk("/f", "hello"), 0);
    void *node;
    assert_int_equal(ramfs_ops.iget(fs, "/f", &node), 0);
    assert_int_equal(ramfs_ops.remove(fs, "/f"), 0);
    assert_false(exists("/f"));                       /* gone from the tree at once */
    assert_int_equal(usage().orphans, 1);
    assert_int_equal(usage().files, 1);               /* still counted: it still holds memory */
    char buf[16];
    assert_int_equal(ramfs_ops.iread(fs, node, 0, buf, sizeof buf), 5);
    assert_memory_equal(buf, "hello", 5);
    assert_int_equal(ramfs_ops.iwrite(fs, node, 5, "!", 1), 1);
    struct vfs_stat st;
    assert_int_equal(ramfs_ops.istat(fs, node, &st), 0);
    assert_int_equal(st.nlink, 0);
    assert_int_equal(st.size, 6);
    assert_int_equal(mk("/f", "new"), 0);             /* the name is free again */
    assert_string_equal(content("/f"), "new");
    assert_int_equal(ramfs_ops.remove(fs, "/f"), 0);
    ramfs_ops.iput(fs, node);                          /* the last reference frees it */
    assert_int_equal(usage().orphans, 0);
    assert_int_equal(usage().files, 0);
    assert_int_equal(usage().bytes, 0);
    assert_int_equal(live_blocks, blocks);
    assert_int_equal(live_bytes, bytes);
}

static void test_inode_refcount_without_unlink(void **state) {
    (void)state;
    assert_int_equal(mk("/f", "x"), 0);
    void *a, *b;
    assert_int_equal(ramfs_ops.iget(fs, "/f", &a), 0);
    assert_int_equal(ramfs_ops.iget(fs, "/f", &b), 0);
    assert_ptr_equal(a, b);                            /* one inode, two references */
    ramfs_ops.iput(fs, a);
    ramfs_ops.iput(fs, b);
    assert_true(exists("/f"));                         /* still linked: not freed */
    assert_int_equal(ramfs_ops.iget(fs, "/missing", &a), -ENOENT);
    assert_int_equal(ramfs_ops.iget(fs, "/f/x", &a), -ENOTDIR);
}

static void test_inode_follows_rename(void **state) {
    (void)state;
    assert_int_equal(mkdir_("/d"), 0);
    assert_int_equal(mk("/d/f", "abc"), 0);
    void *node;
    assert_int_equal(ramfs_ops.iget(fs, "/d/f", &node), 0);
    assert_int_equal(ramfs_ops.rename(fs, "/d/f", "/g"), 0);
    assert_int_equal(ramfs_ops.iwrite(fs, node, 3, "d", 1), 1);
    assert_string_equal(content("/g"), "abcd");
    ramfs_ops.iput(fs, node);
}

static void test_rename_replace(void **state) {
    (void)state;
    long blocks = live_blocks;
    assert_int_equal(mk("/a", "new"), 0);
    assert_int_equal(mk("/b", "old"), 0);
    void *old;
    assert_int_equal(ramfs_ops.iget(fs, "/b", &old), 0);
    assert_int_equal(ramfs_ops.rename(fs, "/a", "/b"), -EEXIST);     /* SECoS's rename never replaces */
    assert_int_equal(ramfs_ops.rename_replace(fs, "/a", "/b"), 0);   /* rename(2) does */
    assert_false(exists("/a"));
    assert_string_equal(content("/b"), "new");
    char buf[8];
    assert_int_equal(ramfs_ops.iread(fs, old, 0, buf, sizeof buf), 3);   /* the holder keeps the old one */
    assert_memory_equal(buf, "old", 3);
    ramfs_ops.iput(fs, old);
    assert_int_equal(ramfs_ops.rename_replace(fs, "/b", "/b"), 0);   /* onto itself: nothing */
    assert_int_equal(mkdir_("/d"), 0);
    assert_int_equal(mkdir_("/e"), 0);
    assert_int_equal(mk("/e/x", "1"), 0);
    assert_int_equal(ramfs_ops.rename_replace(fs, "/b", "/d"), -EISDIR);
    assert_int_equal(ramfs_ops.rename_replace(fs, "/d", "/b"), -ENOTDIR);
    assert_int_equal(ramfs_ops.rename_replace(fs, "/d", "/e"), -ENOTEMPTY);
    assert_int_equal(ramfs_ops.remove(fs, "/e/x"), 0);
    assert_int_equal(ramfs_ops.rename_replace(fs, "/d", "/e"), 0);   /* an empty directory is replaced */
    assert_false(exists("/d"));
    assert_int_equal(ramfs_ops.remove(fs, "/e"), 0);
    assert_int_equal(ramfs_ops.remove(fs, "/b"), 0);
    assert_int_equal(usage().files + usage().dirs, 1);
    assert_int_equal(live_blocks, blocks);
}

/* A file unlinked while open still holds its bytes: they stay charged to
 * its owner until the last reference goes, so unlinking cannot be used to
 * go past the quota. */
static void test_quota_counts_orphans(void **state) {
    (void)state;
    static const struct ramfs_quota q = { q_current, q_limits, 0 };
    ramfs_set_quota(fs, &q);
    q_owner = 5;
    assert_int_equal(mk("/a", "1234567890"), 0);             /* 10 of the 10 bytes */
    void *node;
    assert_int_equal(ramfs_ops.iget(fs, "/a", &node), 0);
    assert_int_equal(ramfs_ops.remove(fs, "/a"), 0);
    assert_int_equal(mk("/b", "x"), -ENOSPC);                 /* the orphan's bytes still count */
    assert_int_equal(ramfs_ops.iwrite(fs, node, 10, "y", 1), -ENOSPC);
    uint32_t nodes;
    uint64_t bytes;
    ramfs_owner_usage(fs, 5, &nodes, &bytes);
    assert_int_equal(nodes, 1);
    assert_int_equal(bytes, 10);
    ramfs_ops.iput(fs, node);
    assert_int_equal(mk("/b", "x"), 0);                       /* freed: back in the quota */
    ramfs_set_quota(fs, NULL);
}

static void test_destroy_frees_orphans(void **state) {
    (void)state;
    assert_int_equal(mk("/a", "held"), 0);
    void *node;
    assert_int_equal(ramfs_ops.iget(fs, "/a", &node), 0);
    assert_int_equal(ramfs_ops.remove(fs, "/a"), 0);
    /* teardown destroys the filesystem with the orphan still there: no leak */
}

static void test_stat_fields_and_times(void **state) {
    (void)state;
    ramfs_set_clock(fs, fake_clock);
    fake_now = 1000;
    assert_int_equal(mkdir_("/d"), 0);
    assert_int_equal(mkdir_("/d/s"), 0);
    fake_now = 2000;
    assert_int_equal(mk("/d/f", "x"), 0);
    struct vfs_stat d = stat_of("/d"), s = stat_of("/d/s"), f = stat_of("/d/f");
    assert_int_equal(d.nlink, 3);                      /* ".", its entry, s's ".." */
    assert_int_equal(f.nlink, 1);
    assert_int_equal(d.mode, 0755);
    assert_int_equal(f.mode, 0644);
    assert_true(d.ino && s.ino && f.ino && d.ino != s.ino && s.ino != f.ino);
    assert_int_equal(stat_of("/").ino, 1);
    assert_int_equal(f.mtime, 2000);
    assert_int_equal(d.mtime, 2000);                   /* a new entry moves the directory's mtime */
    assert_int_equal(s.mtime, 1000);
    fake_now = 3000;
    assert_int_equal(ramfs_ops.write(fs, "/d/f", 1, "y", 1), 1);
    assert_int_equal(stat_of("/d/f").mtime, 3000);
    void *node;
    assert_int_equal(ramfs_ops.iget(fs, "/d/f", &node), 0);
    struct vfs_setattr a = { .set_mode = 1, .mode = 0600, .set_atime = 1, .atime = 5, .set_mtime = 1, .mtime = 6 };
    assert_int_equal(ramfs_ops.isetattr(fs, node, &a), 0);
    ramfs_ops.iput(fs, node);
    f = stat_of("/d/f");
    assert_int_equal(f.mode, 0600);
    assert_int_equal(f.atime, 5);
    assert_int_equal(f.mtime, 6);
    struct vfs_dirent e;
    assert_int_equal(ramfs_ops.readdir(fs, "/d", 0, &e), 0);
    assert_int_equal(e.ino, f.ino);                    /* readdir names the inode */
}

int main(void) {
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_empty),
        T(test_create_read_lookup),
        T(test_readdir_sorted),
        T(test_mkdir_nested),
        T(test_bad_paths),
        T(test_write_overwrite_and_grow),
        T(test_write_gap_is_zero_filled),
        T(test_truncate_both_ways),
        T(test_remove),
        T(test_immutable_file),
        T(test_immutable_directory),
        T(test_pinned_directories),
        T(test_quota_per_owner),
        T(test_rename_file),
        T(test_rename_never_replaces),
        T(test_rename_directory_moves_descendants),
        T(test_rename_cycles_refused),
        T(test_rename_path_length),
        T(test_name_length_limit),
        T(test_node_limit),
        T(test_file_size_limit),
        T(test_total_bytes_limit),
        T(test_accounting_back_to_zero),
        T(test_out_of_memory_changes_nothing),
        T(test_destroy_frees_deep_tree),
        T(test_link_shares_and_unshares),
        T(test_link_of_immutable_is_immutable),
        T(test_inode_unlink_while_open),
        T(test_inode_refcount_without_unlink),
        T(test_inode_follows_rename),
        T(test_rename_replace),
        T(test_stat_fields_and_times),
        T(test_quota_counts_orphans),
        T(test_destroy_frees_orphans),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
