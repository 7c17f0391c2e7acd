/* fs/fat_core.c + fs/fat_dir.c against images made in the test by mkfs.fat
 * and mtools (dosfstools, mtools: tools/deps.sh), and what the core writes
 * checked by fsck.fat -n and read back by mtools. */
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

#include "fs/fat_core.h"
#include "secos/errno.h"

struct img {
    uint8_t *p;
    size_t n;
};

static char dir[64];
static struct img m;

static unsigned long reads;   /* device reads, for the seek-mark test */

static long rd(void *dev, uint64_t off, void *buf, uint64_t len) {
    struct img *i = dev;
    reads++;
    assert_true(off <= i->n && len <= i->n - off);
    memcpy(buf, i->p + off, len);
    return (long)len;
}

static long wr(void *dev, uint64_t off, const void *buf, uint64_t len) {
    struct img *i = dev;
    assert_true(off <= i->n && len <= i->n - off);
    memcpy(i->p + off, buf, len);
    return (long)len;
}

static int run(const char *fmt, ...) {
    char cmd[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    return system(cmd);
}

static int have_tools(void) { return run("command -v mkfs.fat >/dev/null && command -v mcopy >/dev/null") == 0; }

/* mkfs.fat -F fat, size KiB, then the shell commands in setup ($I is the image). */
static void make(int fat, int kib, const char *setup) {
    free(m.p);
    assert_int_equal(run("cd %s && rm -f i.img && mkfs.fat -C -F %d -s 1 i.img %d >/dev/null && export I=%s/i.img "
                         "MTOOLS_SKIP_CHECK=1 LC_ALL=C.UTF-8 && %s",
                         dir, fat, kib, dir, setup ? setup : "true"),
                     0);
    char path[128];
    snprintf(path, sizeof path, "%s/i.img", dir);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    m.n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    m.p = malloc(m.n);
    assert_int_equal(fread(m.p, 1, m.n, f), m.n);
    fclose(f);
}

static void save(void) {
    char path[128];
    snprintf(path, sizeof path, "%s/i.img", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(m.p, 1, m.n, f), m.n);
    fclose(f);
}

static struct fat_io io(void) {
    struct fat_io i = { rd, wr, &m, 0, 0 };
    i.size = m.n;
    return i;
}

static int open_vol(struct fat_vol *v) {
    struct fat_io i = io();
    return fat_vol_open(v, &i, 0);
}

static int setup(void **state) {
    (void)state;
    if (!have_tools()) return 0;
    strcpy(dir, "/tmp/secos-fat-XXXXXX");
    assert_non_null(mkdtemp(dir));
    return 0;
}

static int teardown(void **state) {
    (void)state;
    if (dir[0]) run("rm -rf %s", dir);
    free(m.p);
    m.p = 0;
    return 0;
}

#define NEED_TOOLS() do { if (!have_tools()) { skip(); } } while (0)

static struct fat_vol v;

static void test_types_and_bpb_checks(void **state) {
    (void)state;
    NEED_TOOLS();
    const int types[3][2] = { { 12, 2048 }, { 16, 16384 }, { 32, 40000 } };
    for (int t = 0; t < 3; t++) {
        make(types[t][0], types[t][1], 0);
        assert_int_equal(open_vol(&v), 0);
        assert_int_equal(v.type, types[t][0]);
        assert_true(v.free_count > 0 && v.free_count <= v.clusters);
        struct fat_io i = io();
        assert_int_equal(fat_probe(&i), 1);
    }
    /* Each field broken on its own is refused. */
    struct { int off; uint8_t val; } bad[] = {
        { 510, 0 }, { 12, 0 }, { 12, 0x03 }, { 13, 0 }, { 13, 3 }, { 14, 0 }, { 17, 1 }, { 16, 0 }, { 16, 9 },
        { 36, 0 }, { 37, 0 }, { 32, 0xff }, { 35, 0xff }, { 44, 0 }, { 47, 0x7f }, { 0, 0 },
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        uint8_t keep = m.p[bad[k].off], keep2 = m.p[bad[k].off + 1];
        m.p[bad[k].off] = bad[k].val;
        if (bad[k].off == 36) m.p[37] = 0, m.p[38] = 0, m.p[39] = 0;   /* FAT size 0 */
        if (open_vol(&v) != -EINVAL) fail_msg("field at %d = %#x was accepted", bad[k].off, bad[k].val);
        m.p[bad[k].off] = keep;
        m.p[bad[k].off + 1] = keep2;
        make(32, 40000, 0);
    }
    /* Truncated: the boot sector claims more than the device has. */
    m.n /= 2;
    assert_int_equal(open_vol(&v), -EINVAL);
    m.n = 100;
    assert_int_equal(open_vol(&v), -EIO);
}

static void test_fat12_packing_and_chains(void **state) {
    (void)state;
    NEED_TOOLS();
    make(12, 2048, 0);
    assert_int_equal(open_vol(&v), 0);
    /* Neighbouring 12-bit entries share a byte: setting one leaves the other. */
    assert_int_equal(fat_set(&v, 10, 0xabc), 0);
    assert_int_equal(fat_set(&v, 11, 0x123), 0);
    assert_int_equal(fat_set(&v, 12, 0xfff), 0);
    uint32_t a, b, c;
    assert_int_equal(fat_get(&v, 10, &a), 0);
    assert_int_equal(fat_get(&v, 11, &b), 0);
    assert_int_equal(fat_get(&v, 12, &c), 0);
    assert_int_equal(a, 0xabc);
    assert_int_equal(b, 0x123);
    assert_int_equal(c, 0xfff);
    /* Both FAT copies agree. */
    assert_memory_equal(m.p + v.fat_off, m.p + v.fat_off + v.fat_bytes, v.fat_bytes);
    /* Out-of-range cluster numbers are refused, not read. */
    assert_int_equal(fat_get(&v, 0, &a), -EIO);
    assert_int_equal(fat_get(&v, v.clusters + 2, &a), -EIO);
    /* A cycle 20 -> 21 -> 20 and a link to a free cluster are errors, bounded. */
    assert_int_equal(fat_set(&v, 20, 21), 0);
    assert_int_equal(fat_set(&v, 21, 20), 0);
    assert_int_equal(fat_chain_len(&v, 20), -EIO);
    assert_int_equal(fat_set(&v, 30, 31), 0);
    assert_int_equal(fat_chain_len(&v, 30), -EIO);   /* 31 is free */
    assert_int_equal(fat_set(&v, 31, 0xfff), 0);
    assert_int_equal(fat_chain_len(&v, 30), 2);
    uint32_t before = v.free_count;
    assert_int_equal(fat_chain_free(&v, 30), 0);
    assert_int_equal(v.free_count, before + 2);
}

static void test_names(void **state) {
    (void)state;
    uint8_t sfn[11];
    assert_int_equal(fat_short_basis("README.TXT", sfn), 1);
    assert_memory_equal(sfn, "README  TXT", 11);
    assert_int_equal(fat_short_basis("hello.txt", sfn), 2);
    assert_memory_equal(sfn, "HELLO   TXT", 11);
    assert_int_equal(fat_short_basis("a long name.html", sfn), 0);
    assert_memory_equal(sfn, "ALONGNAMHTM", 11);
    assert_int_equal(fat_short_basis(".profile", sfn), 0);
    assert_memory_equal(sfn, "PROFILE    ", 11);
    assert_int_equal(fat_short_basis("na\xc3\xafve+x", sfn), 0);
    assert_memory_equal(sfn, "NA_VE_X    ", 11);
    /* The checksum of fatgen103 (rotate right, add). */
    uint8_t s = 0;
    const uint8_t *n = (const uint8_t *)"HELLO   TXT";
    for (int i = 0; i < 11; i++) s = (uint8_t)(((s & 1) ? 0x80 : 0) + (s >> 1) + n[i]);
    assert_int_equal(fat_lfn_checksum(n), s);
    /* UTF-8 <-> UTF-16: BMP, a surrogate pair, and what is refused. */
    uint16_t u[FAT_LFN_MAX];
    char back[FAT_NAME_MAX + 1];
    int k = fat_name_to_utf16("\xc3\xa9\xe2\x9c\x93\xf0\x9f\x98\x80", u);
    assert_int_equal(k, 4);
    assert_int_equal(u[0], 0xe9);
    assert_int_equal(u[1], 0x2713);
    assert_int_equal(u[2], 0xd83d);
    assert_int_equal(u[3], 0xde00);
    assert_int_equal(fat_utf16_to_name(u, k, back, sizeof back), 9);
    assert_string_equal(back, "\xc3\xa9\xe2\x9c\x93\xf0\x9f\x98\x80");
    assert_int_equal(fat_name_to_utf16("\xc0\xaf", u), -EINVAL);       /* overlong */
    assert_int_equal(fat_name_to_utf16("\xed\xa0\x80", u), -EINVAL);   /* a surrogate */
    assert_int_equal(fat_name_to_utf16("a:b", u), -EINVAL);
    assert_int_equal(fat_name_to_utf16("a\x1b", u), -EINVAL);
    char longest[257];
    memset(longest, 'x', 256);
    longest[256] = 0;
    assert_int_equal(fat_name_to_utf16(longest, u), -ENAMETOOLONG);
    longest[255] = 0;
    assert_int_equal(fat_name_to_utf16(longest, u), 255);
    uint16_t lone = 0xdc00;
    assert_int_equal(fat_utf16_to_name(&lone, 1, back, sizeof back), -EINVAL);
    /* Time stamps: 2-second steps, clamped to 1980..2107. */
    uint16_t d, t;
    fat_time_pack(1764645000, &d, &t);   /* 2025-12-02 03:10:00 UTC */
    assert_int_equal(fat_time_unpack(d, t), 1764645000);
    fat_time_pack(0, &d, &t);
    assert_int_equal(fat_time_unpack(d, t), 315532800);
}

static void test_reads_what_mtools_wrote(void **state) {
    (void)state;
    NEED_TOOLS();
    make(32, 40000, "printf 'hello world\\n' > $I.a && mmd -i $I ::/sub && "
                    "mcopy -i $I $I.a '::/sub/A Long Name With Spaces.txt' && mcopy -i $I $I.a ::/SHORT.TXT");
    assert_int_equal(open_vol(&v), 0);
    struct fat_entry e, f;
    assert_int_equal(fat_dir_find(&v, fat_root(&v), "sub", &e), 0);
    assert_true(e.attr & FAT_ATTR_DIR);
    assert_int_equal(fat_dir_find(&v, e.cluster, "a long name with SPACES.txt", &f), 0);   /* case-insensitive */
    assert_string_equal(f.name, "A Long Name With Spaces.txt");
    char buf[64];
    assert_int_equal(fat_file_read(&v, f.cluster, f.size, 0, buf, sizeof buf), 12);
    assert_memory_equal(buf, "hello world\n", 12);
    assert_int_equal(fat_dir_find(&v, fat_root(&v), "short.txt", &f), 0);
    assert_int_equal(fat_dir_find(&v, fat_root(&v), "nope", &f), -ENOENT);
    /* A size beyond the chain reads as -EIO. */
    f.size = 10 * v.cluster_size;
    assert_int_equal(fat_file_read(&v, f.cluster, f.size, 2 * v.cluster_size, buf, 8), -EIO);
}

static void test_writes_pass_fsck(void **state) {
    (void)state;
    NEED_TOOLS();
    for (int fat = 12; fat <= 32; fat += fat == 12 ? 4 : 16) {
        make(fat, fat == 12 ? 2048 : fat == 16 ? 16384 : 40000, 0);
        assert_int_equal(open_vol(&v), 0);
        uint32_t root = fat_root(&v), free0 = v.free_count;
        struct fat_entry e, g;
        static uint8_t data[70000];
        for (size_t i = 0; i < sizeof data; i++) data[i] = (uint8_t)(i * 7);
        /* Ten names with one basis: ~1 .. ~10 tails, all distinct. */
        for (int i = 0; i < 10; i++) {
            char name[64];
            snprintf(name, sizeof name, "a long name number %d.data", i);
            assert_int_equal(fat_dir_add(&v, root, name, FAT_ATTR_ARCH, 0, 0, 0x5a21, 0, &e), 0);
            assert_int_equal(fat_file_write(&v, &e.cluster, &e.size, 0, data, 1000u * (unsigned)i + 1), 1000 * i + 1);
            assert_int_equal(fat_entry_store(&v, &e), 0);
        }
        assert_int_equal(fat_dir_add(&v, root, "A LONG NAME NUMBER 3.DATA", 0, 0, 0, 0, 0, &e), -EEXIST);
        assert_int_equal(fat_dir_add(&v, root, "bad|name", 0, 0, 0, 0, 0, &e), -EINVAL);
        assert_int_equal(fat_dir_add(&v, root, "dot.", 0, 0, 0, 0, 0, &e), -EINVAL);
        /* A big file, a gap, a truncate, a directory with a file in it. */
        assert_int_equal(fat_dir_add(&v, root, "big", FAT_ATTR_ARCH, 0, 0, 0x5a21, 0, &e), 0);
        assert_int_equal(fat_file_write(&v, &e.cluster, &e.size, 5000, data, sizeof data), (long)sizeof data);
        assert_int_equal(e.size, 5000 + sizeof data);
        assert_int_equal(fat_file_truncate(&v, &e.cluster, &e.size, 3000), 0);
        assert_int_equal(fat_entry_store(&v, &e), 0);
        uint32_t d;
        assert_int_equal(fat_dir_create(&v, root, 0x5a21, 0, &d), 0);
        assert_int_equal(fat_dir_add(&v, root, "Sub Dir", FAT_ATTR_DIR, d, 0, 0x5a21, 0, &g), 0);
        assert_int_equal(fat_dir_empty(&v, d), 1);
        for (int i = 0; i < 40; i++) {   /* grows the directory past one cluster */
            char name[32];
            snprintf(name, sizeof name, "inner file %02d", i);
            assert_int_equal(fat_dir_add(&v, d, name, FAT_ATTR_ARCH, 0, 0, 0x5a21, 0, &e), 0);
        }
        assert_int_equal(fat_dir_empty(&v, d), 0);
        assert_int_equal(fat_dir_find(&v, d, "inner file 07", &e), 0);
        assert_int_equal(fat_dir_remove(&v, &e), 0);
        assert_int_equal(fat_dir_find(&v, d, "inner file 07", &e), -ENOENT);
        /* Remove one long-named file and give its clusters back. */
        assert_int_equal(fat_dir_find(&v, root, "a long name number 9.data", &e), 0);
        assert_int_equal(fat_dir_remove(&v, &e), 0);
        assert_int_equal(fat_chain_free(&v, e.cluster), 0);
        assert_true(v.free_count < free0);
        assert_int_equal(fat_vol_sync(&v), 0);
        save();
        assert_int_equal(run("fsck.fat -n %s/i.img >%s/fsck.log 2>&1 || (cat %s/fsck.log; false)", dir, dir, dir), 0);
        assert_int_equal(run("cd %s && MTOOLS_SKIP_CHECK=1 mcopy -n -i i.img '::/a long name number 4.data' got && "
                             "test $(stat -c %%s got) = 4001 && MTOOLS_SKIP_CHECK=1 mdir -i i.img '::/Sub Dir' >/dev/null",
                             dir),
                         0);
        /* The volume's free count matches a fresh count. */
        uint32_t counted = v.free_count;
        assert_int_equal(open_vol(&v), 0);
        assert_int_equal(v.free_count, counted);
    }
}

static void pattern(uint8_t *p, size_t n, uint64_t at, unsigned seed) {
    for (size_t i = 0; i < n; i++) p[i] = (uint8_t)((at + i) * 131 / 7 + seed);
}

/* Checks big's bytes [0, size) in 4001-byte steps against pattern(seed). */
static void check_file(uint32_t cluster, uint32_t size, unsigned seed) {
    static uint8_t got[4001], want[4001];
    for (uint64_t at = 0; at < size; at += sizeof got) {
        size_t n = size - at < sizeof got ? (size_t)(size - at) : sizeof got;
        assert_int_equal(fat_file_read(&v, cluster, size, at, got, n), (long)n);
        pattern(want, n, at, seed);
        assert_memory_equal(got, want, n);
    }
}

/* Seek marks (struct fat_vol): a second lookup deep in a long chain costs a
 * stride, not the chain; and after the chain is cut and its clusters go to
 * another file, no mark leads a read into the other file's data. */
static void test_seek_marks(void **state) {
    (void)state;
    NEED_TOOLS();
    make(32, 40000, 0);   /* 512-byte clusters: a 4 MiB file is 8192 of them, 64 windows of FAT */
    assert_int_equal(open_vol(&v), 0);
    uint32_t root = fat_root(&v);
    struct fat_entry big, other;
    static uint8_t buf[65536];
    assert_int_equal(fat_dir_add(&v, root, "big", FAT_ATTR_ARCH, 0, 0, 0x5a21, 0, &big), 0);
    for (uint64_t at = 0; at < 4u << 20; at += sizeof buf) {
        pattern(buf, sizeof buf, at, 1);
        assert_int_equal(fat_file_write(&v, &big.cluster, &big.size, at, buf, sizeof buf), (long)sizeof buf);
    }
    uint8_t last[512];
    assert_int_equal(fat_file_read(&v, big.cluster, big.size, big.size - 512, last, 512), 512);
    reads = 0;
    assert_int_equal(fat_file_read(&v, big.cluster, big.size, big.size - 512, last, 512), 512);
    assert_true(reads <= 4);   /* one or two FAT windows and the data; the whole chain was 64 windows */
    reads = 0;
    assert_int_equal(fat_file_read(&v, big.cluster, big.size, 1234567, last, 512), 512);
    assert_true(reads <= 5);
    /* Cut, hand the freed clusters to another file, grow big with new bytes. */
    assert_int_equal(fat_file_truncate(&v, &big.cluster, &big.size, 100000), 0);
    assert_int_equal(fat_dir_add(&v, root, "other", FAT_ATTR_ARCH, 0, 0, 0x5a21, 0, &other), 0);
    for (uint64_t at = 0; at < 1u << 20; at += sizeof buf) {
        pattern(buf, sizeof buf, at, 2);
        assert_int_equal(fat_file_write(&v, &other.cluster, &other.size, at, buf, sizeof buf), (long)sizeof buf);
    }
    for (uint64_t at = 100000; at < 3u << 20; at += sizeof buf) {
        pattern(buf, sizeof buf, at, 1);
        assert_int_equal(fat_file_write(&v, &big.cluster, &big.size, at, buf, sizeof buf), (long)sizeof buf);
    }
    check_file(big.cluster, big.size, 1);
    check_file(other.cluster, other.size, 2);
    check_file(big.cluster, big.size, 1);
    assert_int_equal(fat_entry_store(&v, &big), 0);
    assert_int_equal(fat_entry_store(&v, &other), 0);
    assert_int_equal(fat_vol_sync(&v), 0);
    save();
    assert_int_equal(run("fsck.fat -n %s/i.img >%s/fsck.log 2>&1 || (cat %s/fsck.log; false)", dir, dir, dir), 0);
}

static void test_read_only(void **state) {
    (void)state;
    NEED_TOOLS();
    make(16, 16384, 0);
    struct fat_io i = io();
    assert_int_equal(fat_vol_open(&v, &i, 1), 0);
    struct fat_entry e;
    uint32_t c;
    assert_int_equal(fat_dir_add(&v, fat_root(&v), "x", 0, 0, 0, 0, 0, &e), -EROFS);
    assert_int_equal(fat_alloc(&v, 0, &c), -EROFS);
    assert_int_equal(fat_set(&v, 5, 0), -EROFS);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_types_and_bpb_checks),
        cmocka_unit_test(test_fat12_packing_and_chains),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_reads_what_mtools_wrote),
        cmocka_unit_test(test_writes_pass_fsck),
        cmocka_unit_test(test_seek_marks),
        cmocka_unit_test(test_read_only),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
