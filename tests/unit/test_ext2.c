/* fs/ext2_core.c, ext2_map.c, ext2_dir.c against images made by mke2fs -d
 * (e2fsprogs) in the test from a tree written here, at 1, 2 and 4 KiB
 * blocks and revision 0 and 1, with hostile fields written into them with
 * debugfs or by hand: every file reads back byte for byte, every hostile
 * image is refused (or the damaged part gives -EIO). */
#include "tests/unit/host_rename.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "fs/ext2_core.h"
#include "secos/errno.h"

struct img {
    uint8_t *p;
    size_t n;
};

static char dir[64];
static struct img m;
static struct ext2_vol V;

static long rd(void *dev, uint64_t off, void *buf, uint64_t len) {
    struct img *i = dev;
    assert_true(off <= i->n && len <= i->n - off);   /* the core checks before it asks */
    memcpy(buf, i->p + off, len);
    return (long)len;
}

static int vopen(void) {
    struct ext2_io i = { rd, &m, m.n, 0, 0 };
    return ext2_vol_open(&V, &i);
}

static int run(const char *fmt, ...) {
    char cmd[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    return system(cmd);
}

static uint8_t *slurp(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *p = malloc(*n ? *n : 1);
    assert_int_equal(fread(p, 1, *n, f), *n);
    fclose(f);
    return p;
}

static void load(void) {
    char path[128];
    free(m.p);
    snprintf(path, sizeof path, "%s/e.img", dir);
    m.p = slurp(path, &m.n);
}

static void save(void) {
    char path[128];
    snprintf(path, sizeof path, "%s/e.img", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(m.p, 1, m.n, f), m.n);
    fclose(f);
}

#define NAME255 \
    "n123456789n123456789n123456789n123456789n123456789n123456789n123456789n123456789n123456789n123456789" \
    "n123456789n123456789n123456789n123456789n123456789n123456789n123456789n123456789n123456789n123456789" \
    "n123456789n123456789n123456789n123456789n123456789n1234"
#define DEEP "d1/d2/d3/d4/d5/d6/d7/d8/d9/d10/d11/d12/d13/d14/d15/d16/d17/d18/d19/d20"
#define SLOW_TARGET \
    "a-target-longer-than-sixty-bytes/so-it-needs-a-data-block/of-its-own/and-is-not-a-fast-link.txt"

/* The host tree every image is made from (once). */
static void make_tree(void) {
    assert_int_equal(run("cd %s && rm -rf t && mkdir -p t/many t/" DEEP " && echo hello ext2 > t/hello.txt"
                         " && head -c 13631488 /dev/urandom > t/big.bin && echo deep > t/" DEEP "/bottom.txt"
                         " && echo long > t/" NAME255 " && ln -s hello.txt t/fast && ln -s " SLOW_TARGET " t/slow"
                         " && truncate -s 5000000 t/sparse && echo tail >> t/sparse"
                         " && for i in $(seq 1 200); do echo file $i > t/many/f$i.txt; done",
                         dir),
                     0);
}

/* mke2fs on a fresh image of mib MiB from the tree, with opts; loaded. */
static void mkfs(int mib, const char *opts) {
    assert_int_equal(run("cd %s && rm -f e.img && mke2fs -q -F %s -d t e.img %dM >/dev/null 2>&1", dir, opts, mib), 0);
    load();
}

static void expect_file(const char *vpath, const char *hpath) {
    char path[512];
    size_t n;
    snprintf(path, sizeof path, "%s/t/%s", dir, hpath);
    uint8_t *want = slurp(path, &n);
    struct ext2_inode in;
    assert_int_equal(ext2_resolve(&V, vpath, &in), 0);
    assert_true(ext2_is_reg(&in));
    assert_int_equal(in.size, n);
    uint8_t *got = malloc(n + 1);
    /* odd-sized reads: the block edges */
    uint64_t off = 0;
    while (off < n) {
        long r = ext2_file_read(&V, &in, off, got + off, 4093 < n - off ? 4093 : n - off);
        assert_true(r > 0);
        off += (uint64_t)r;
    }
    assert_int_equal(ext2_file_read(&V, &in, n, got, 1), 0);
    assert_memory_equal(got, want, n);
    free(got);
    free(want);
}

static void expect_tree(void) {
    expect_file("/hello.txt", "hello.txt");
    expect_file("big.bin", "big.bin");
    expect_file("/sparse", "sparse");
    expect_file("/" DEEP "/bottom.txt", DEEP "/bottom.txt");
    expect_file("/" NAME255, NAME255);
    expect_file("/many/f137.txt", "many/f137.txt");
    /* 200 entries listed, "." and ".." left out */
    struct ext2_inode d;
    struct ext2_dirent e;
    assert_int_equal(ext2_resolve(&V, "/many", &d), 0);
    uint64_t pos = 0;
    int n = 0;
    while (ext2_dir_next(&V, &d, &pos, &e) == 0) {
        assert_true(e.name[0] == 'f');
        n++;
    }
    assert_int_equal(n, 200);
    /* symbolic links, fast and with a block */
    char buf[256];
    struct ext2_inode l;
    assert_int_equal(ext2_resolve(&V, "/fast", &l), 0);
    assert_true(ext2_is_lnk(&l));
    assert_int_equal(ext2_readlink(&V, &l, buf, sizeof buf), 9);
    assert_memory_equal(buf, "hello.txt", 9);
    assert_int_equal(ext2_resolve(&V, "/slow", &l), 0);
    assert_int_equal(ext2_readlink(&V, &l, buf, sizeof buf), (long)strlen(SLOW_TARGET));
    assert_memory_equal(buf, SLOW_TARGET, strlen(SLOW_TARGET));
    /* misses */
    assert_int_equal(ext2_resolve(&V, "/nope", &d), -ENOENT);
    assert_int_equal(ext2_resolve(&V, "/hello.txt/x", &d), -ENOTDIR);
    assert_int_equal(ext2_resolve(&V, "/" NAME255 "x", &d), -ENAMETOOLONG);
    assert_int_equal(ext2_resolve(&V, "/", &d), 0);
    assert_int_equal(d.ino, EXT2_ROOT_INO);
}

static int setup(void **state) {
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/ext2-unit-XXXXXX");
    assert_non_null(mkdtemp(dir));
    make_tree();
    return 0;
}

static int teardown(void **state) {
    (void)state;
    run("rm -rf %s", dir);
    free(m.p);
    m.p = 0;
    return 0;
}

static void test_1k_blocks(void **state) {
    (void)state;
    mkfs(40, "-t ext2 -b 1024 -L one-k");
    assert_int_equal(vopen(), 0);
    assert_int_equal(V.block_size, 1024);
    assert_int_equal(V.first_data_block, 1);
    assert_string_equal(V.label, "one-k");
    assert_false(V.readonly);
    expect_tree();
}

static void test_2k_blocks(void **state) {
    (void)state;
    mkfs(40, "-t ext2 -b 2048");
    assert_int_equal(vopen(), 0);
    assert_int_equal(V.block_size, 2048);
    expect_tree();
}

static void test_4k_blocks(void **state) {
    (void)state;
    mkfs(48, "-t ext2 -b 4096");
    assert_int_equal(vopen(), 0);
    assert_int_equal(V.block_size, 4096);
    assert_int_equal(V.first_data_block, 0);
    expect_tree();
}

static void test_revision0(void **state) {
    (void)state;
    mkfs(40, "-t ext2 -r 0 -b 1024");
    assert_int_equal(vopen(), 0);
    assert_int_equal(V.rev, 0);
    assert_int_equal(V.inode_size, 128);
    expect_file("/hello.txt", "hello.txt");
    expect_file("/big.bin", "big.bin");   /* under 4 GiB: revision 0 needs no large_file */
}

static void test_clean_ext3(void **state) {
    (void)state;
    mkfs(40, "-t ext3 -b 1024");
    assert_int_equal(vopen(), 0);
    assert_true(V.journal);
    expect_file("/hello.txt", "hello.txt");
}

static void test_ext4_refused(void **state) {
    (void)state;
    mkfs(40, "-t ext4");
    assert_int_equal(vopen(), -EINVAL);
    assert_string_equal(V.why, "unsupported feature 'extent'");
    mkfs(40, "-t ext2 -O flex_bg");
    assert_int_equal(vopen(), -EINVAL);
    assert_string_equal(V.why, "unsupported feature 'flex_bg'");
    assert_string_equal(ext2_incompat_refusal(0x80000000u), "unsupported feature (an unknown INCOMPAT bit)");
    assert_null(ext2_incompat_refusal(EXT2_INCOMPAT_FILETYPE));
}

static void put32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}
static uint32_t le32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }

/* Superblock fields one at a time: each refused with its own words. */
static void test_superblock_hostile(void **state) {
    (void)state;
    mkfs(40, "-t ext2 -b 1024");
    uint8_t *sb = m.p + 1024;
    uint8_t save_sb[1024];
    memcpy(save_sb, sb, sizeof save_sb);
    assert_int_equal(vopen(), 0);
    struct { uint32_t off, width, val; const char *why; } cases[] = {
        { 56, 2, 0xEF54, "bad superblock magic" },
        { 76, 4, 2, "unknown revision" },
        { 24, 4, 3, "block size above 4 KiB" },
        { 88, 2, 4096, "bad inode size" },
        { 88, 2, 200, "bad inode size" },
        { 88, 2, 64, "bad inode size" },
        { 32, 4, 0, "bad blocks per group" },
        { 32, 4, 8193, "bad blocks per group" },
        { 40, 4, 0, "bad inodes per group" },
        { 4, 4, 1u << 30, "volume larger than its device (truncated?)" },
        { 0, 4, 12345, "inode count does not match the groups" },
        { 20, 4, 0, "bad first data block" },
        { 12, 4, 0xffffffffu, "free counts exceed the volume" },
        { 96, 4, 0x40 | 2, "unsupported feature 'extent'" },
        { 96, 4, 0x4 | 2, "unsupported feature 'needs_recovery' (the journal must be replayed first)" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memcpy(sb, save_sb, sizeof save_sb);
        if (cases[i].width == 2) sb[cases[i].off] = (uint8_t)cases[i].val, sb[cases[i].off + 1] = (uint8_t)(cases[i].val >> 8);
        else put32(sb + cases[i].off, cases[i].val);
        assert_int_equal(vopen(), -EINVAL);
        assert_string_equal(V.why, cases[i].why);
    }
    /* an unknown RO_COMPAT bit: readable, not writable */
    memcpy(sb, save_sb, sizeof save_sb);
    put32(sb + 100, le32(sb + 100) | 0x8000);
    assert_int_equal(vopen(), 0);
    assert_true(V.readonly);
    /* truncated and tiny devices */
    memcpy(sb, save_sb, sizeof save_sb);
    size_t full = m.n;
    m.n = full / 2;
    assert_int_equal(vopen(), -EINVAL);
    assert_string_equal(V.why, "volume larger than its device (truncated?)");
    m.n = 1500;
    assert_int_equal(vopen(), -EINVAL);
    m.n = full;
    /* a group descriptor pointing outside its group */
    uint8_t *gd = m.p + 2048;
    uint32_t t = le32(gd + 8);
    put32(gd + 8, 7999);
    assert_int_equal(vopen(), -EINVAL);
    assert_string_equal(V.why, "an inode table outside its group");
    put32(gd + 8, t);
    put32(gd, 0);
    assert_int_equal(vopen(), -EINVAL);
    assert_string_equal(V.why, "a block bitmap outside its group");
}

/* A file block out of range and an indirect pointer out of range: -EIO on
 * read, the rest of the volume reads on. */
static void test_block_out_of_range(void **state) {
    (void)state;
    mkfs(40, "-t ext2 -b 1024");
    assert_int_equal(run("cd %s && debugfs -w -R 'sif /hello.txt block[0] 99999999' e.img >/dev/null 2>&1"
                         " && debugfs -w -R 'sif /big.bin block[IND] 4000000000' e.img >/dev/null 2>&1"
                         " && debugfs -w -R 'sif /sparse size 0xffffffffffff' e.img >/dev/null 2>&1",
                         dir),
                     0);
    load();
    assert_int_equal(vopen(), 0);
    struct ext2_inode in;
    char buf[64];
    assert_int_equal(ext2_resolve(&V, "/hello.txt", &in), 0);
    assert_int_equal(ext2_file_read(&V, &in, 0, buf, sizeof buf), -EIO);
    assert_int_equal(ext2_resolve(&V, "/big.bin", &in), 0);
    assert_int_equal(ext2_file_read(&V, &in, 0, buf, sizeof buf), (long)sizeof buf);   /* direct blocks fine */
    assert_int_equal(ext2_file_read(&V, &in, 12 * 1024, buf, sizeof buf), -EIO);
    assert_int_equal(ext2_resolve(&V, "/sparse", &in), -EIO);   /* bigger than any map */
    expect_file("/many/f1.txt", "many/f1.txt");
}

/* A directory that holds its own ancestor: the walk through it is -EIO. */
static void test_directory_loop(void **state) {
    (void)state;
    mkfs(40, "-t ext2 -b 1024");
    assert_int_equal(run("cd %s && debugfs -w -R 'ln / /d1/d2/up' e.img >/dev/null 2>&1", dir), 0);
    load();
    assert_int_equal(vopen(), 0);
    struct ext2_inode in;
    assert_int_equal(ext2_resolve(&V, "/d1/d2/up", &in), -EIO);
    assert_int_equal(ext2_resolve(&V, "/d1/d2/up/hello.txt", &in), -EIO);
    assert_int_equal(ext2_resolve(&V, "/d1/d2/d3", &in), 0);
}

/* Raw entries: every length rule. */
static void test_dirent_rules(void **state) {
    (void)state;
    uint8_t b[1024] = { 0 };
    struct ext2_dirent e;
    uint32_t rl;
    put32(b, 12);
    b[4] = 16, b[5] = 0, b[6] = 3, b[7] = 1;
    memcpy(b + 8, "abc", 3);
    assert_int_equal(ext2_dirent_parse(b, 1024, 0, 1, 100, &e, &rl), 0);
    assert_int_equal(rl, 16);
    assert_string_equal(e.name, "abc");
    assert_int_equal(e.type, 1);
    b[4] = 4;   /* below the header */
    assert_int_equal(ext2_dirent_parse(b, 1024, 0, 1, 100, &e, &rl), -EIO);
    b[4] = 10;  /* off the 4-byte grid */
    assert_int_equal(ext2_dirent_parse(b, 1024, 0, 1, 100, &e, &rl), -EIO);
    b[4] = 8;   /* too short for the name */
    assert_int_equal(ext2_dirent_parse(b, 1024, 0, 1, 100, &e, &rl), -EIO);
    b[4] = 0, b[5] = 8;   /* past the block */
    assert_int_equal(ext2_dirent_parse(b, 1024, 0, 1, 100, &e, &rl), -EIO);
    b[4] = 16, b[5] = 0;
    assert_int_equal(ext2_dirent_parse(b, 1024, 0, 1, 11, &e, &rl), -EIO);   /* inode past the count */
    b[9] = '/';
    assert_int_equal(ext2_dirent_parse(b, 1024, 0, 1, 100, &e, &rl), -EIO);
    b[9] = 0;
    assert_int_equal(ext2_dirent_parse(b, 1024, 0, 1, 100, &e, &rl), -EIO);
    b[9] = 'b';
    b[6] = 0;   /* an empty name */
    assert_int_equal(ext2_dirent_parse(b, 1024, 0, 1, 100, &e, &rl), -EIO);
    put32(b, 0);   /* unused: only the record length matters */
    assert_int_equal(ext2_dirent_parse(b, 1024, 0, 1, 100, &e, &rl), 0);
    assert_int_equal(e.ino, 0);
    assert_int_equal(ext2_dirent_parse(b, 1024, 1020, 1, 100, &e, &rl), -EIO);   /* no room for a header */
    assert_int_equal(ext2_dirent_parse(b, 1024, 2, 1, 100, &e, &rl), -EIO);
}

/* A corrupted directory block in the image: the listing stops with -EIO. */
static void test_corrupt_directory(void **state) {
    (void)state;
    mkfs(40, "-t ext2 -b 1024");
    assert_int_equal(vopen(), 0);
    struct ext2_inode d;
    assert_int_equal(ext2_resolve(&V, "/many", &d), 0);
    uint8_t *blk = m.p + (uint64_t)d.block[0] * 1024;
    blk[12 + 4] = 0xff, blk[12 + 5] = 0xff;   /* ".."'s record length: far past the block */
    V.dir_blk = 0;
    uint64_t pos = 0;
    struct ext2_dirent e;
    assert_int_equal(ext2_dir_next(&V, &d, &pos, &e), -EIO);
    assert_int_equal(ext2_dir_find(&V, &d, "f1.txt", &e), -EIO);
    /* a directory whose size is not a whole number of blocks */
    struct ext2_inode in;
    assert_int_equal(run("cd %s && debugfs -w -R 'sif /d1 size 1000' e.img >/dev/null 2>&1", dir), 0);
    load();
    assert_int_equal(vopen(), 0);
    assert_int_equal(ext2_resolve(&V, "/d1", &in), -EIO);
    /* an inode marked as extent-mapped on a volume without extents */
    assert_int_equal(run("cd %s && debugfs -w -R 'sif /hello.txt flags 0x80000' e.img >/dev/null 2>&1", dir), 0);
    load();
    assert_int_equal(vopen(), 0);
    assert_int_equal(ext2_resolve(&V, "/hello.txt", &in), -EIO);
    save();
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_1k_blocks),
        cmocka_unit_test(test_2k_blocks),
        cmocka_unit_test(test_4k_blocks),
        cmocka_unit_test(test_revision0),
        cmocka_unit_test(test_clean_ext3),
        cmocka_unit_test(test_ext4_refused),
        cmocka_unit_test(test_superblock_hostile),
        cmocka_unit_test(test_block_out_of_range),
        cmocka_unit_test(test_directory_loop),
        cmocka_unit_test(test_dirent_rules),
        cmocka_unit_test(test_corrupt_directory),
    };
    if (system("command -v mke2fs >/dev/null && command -v debugfs >/dev/null") != 0) {
        printf("test_ext2: mke2fs or debugfs missing (e2fsprogs: tools/deps.sh)\n");
        return 1;
    }
    return cmocka_run_group_tests(tests, setup, teardown);
}
