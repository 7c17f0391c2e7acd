/* fs/linux_abi.c: the 144-byte struct stat and linux_dirent64 exactly as
 * Linux x86-64 lays them out (offsets from the kernel's asm/stat.h and
 * fs/readdir.c), checked byte by byte. */
#include "tests/unit/host_rename.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fs/linux_abi.h"
#include "lib/string.h"
#include "secos/errno.h"
#include <stdio.h>

static uint64_t u64_at(const void *p, size_t off) {
    uint64_t v;
    memcpy(&v, (const uint8_t *)p + off, 8);
    return v;
}

static uint32_t u32_at(const void *p, size_t off) {
    uint32_t v;
    memcpy(&v, (const uint8_t *)p + off, 4);
    return v;
}

static void test_stat_layout(void **state) {
    (void)state;
    struct vfs_stat st = { .type = VFS_FILE, .size = 1000, .ino = 42, .nlink = 1, .mode = 0644,
                           .atime = 111, .mtime = 222, .ctime = 333 };
    struct linux_stat ls;
    memset(&ls, 0xaa, sizeof ls);
    linux_stat_from_vfs(&ls, &st, 7);
    assert_int_equal(sizeof ls, 144);
    assert_int_equal(u64_at(&ls, 0), 7);             /* st_dev */
    assert_int_equal(u64_at(&ls, 8), 42);            /* st_ino */
    assert_int_equal(u64_at(&ls, 16), 1);            /* st_nlink (64-bit on x86-64) */
    assert_int_equal(u32_at(&ls, 24), 0100644);      /* st_mode */
    assert_int_equal(u32_at(&ls, 28), 0);            /* st_uid */
    assert_int_equal(u32_at(&ls, 32), 0);            /* st_gid */
    assert_int_equal(u64_at(&ls, 48), 1000);         /* st_size */
    assert_int_equal(u64_at(&ls, 56), 4096);         /* st_blksize */
    assert_int_equal(u64_at(&ls, 64), 2);            /* st_blocks: 512-byte units, rounded up */
    assert_int_equal(u64_at(&ls, 72), 111);          /* st_atim */
    assert_int_equal(u64_at(&ls, 88), 222);          /* st_mtim */
    assert_int_equal(u64_at(&ls, 104), 333);         /* st_ctim */
    for (size_t i = 120; i < 144; i++) assert_int_equal(((uint8_t *)&ls)[i], 0);   /* no stale bytes */
}

static void test_stat_types(void **state) {
    (void)state;
    struct linux_stat ls;
    struct vfs_stat d = { .type = VFS_DIR, .mode = 0755, .nlink = 2 };
    linux_stat_from_vfs(&ls, &d, 1);
    assert_int_equal(ls.st_mode & LINUX_S_IFMT, LINUX_S_IFDIR);
    struct vfs_stat c = { .type = VFS_CHR, .mode = 0666, .rdev = (1 << 8) | 3 };
    linux_stat_from_vfs(&ls, &c, 2);
    assert_int_equal(ls.st_mode, LINUX_S_IFCHR | 0666);
    assert_int_equal(ls.st_rdev, 0x103);
    assert_int_equal(ls.st_blocks, 0);
    struct vfs_stat l = { .type = VFS_LNK, .mode = 0777, .size = 9 };
    linux_stat_from_vfs(&ls, &l, 3);
    assert_int_equal(ls.st_mode, LINUX_S_IFLNK | 0777);
    assert_int_equal(ls.st_size, 9);
    assert_int_equal(linux_dtype(VFS_DIR), 4);
    assert_int_equal(linux_dtype(VFS_FILE), 8);
    assert_int_equal(linux_dtype(VFS_CHR), 2);
    assert_int_equal(linux_dtype(VFS_LNK), 10);
}

static void test_dirent_packing(void **state) {
    (void)state;
    uint8_t buf[64];
    memset(buf, 0xaa, sizeof buf);
    size_t n = linux_dirent64_pack(buf, sizeof buf, 5, 3, LINUX_DT_REG, "hello");
    assert_int_equal(n, 32);                          /* 19 + 5 + 1 = 25, aligned to 8 */
    assert_int_equal(u64_at(buf, 0), 5);              /* d_ino */
    assert_int_equal(u64_at(buf, 8), 3);              /* d_off */
    assert_int_equal(buf[16] | buf[17] << 8, 32);     /* d_reclen */
    assert_int_equal(buf[18], LINUX_DT_REG);
    assert_string_equal((char *)buf + 19, "hello");
    for (size_t i = 25; i < 32; i++) assert_int_equal(buf[i], 0);   /* padding zeroed */
    assert_int_equal(buf[32], 0xaa);                  /* nothing past the record */
    assert_int_equal(linux_dirent64_reclen(4), 24);   /* 19 + 4 + 1 = 24 exactly */
    assert_int_equal(linux_dirent64_reclen(5), 32);
    assert_int_equal(linux_dirent64_reclen(63), 88);
}

static void test_dirent_does_not_fit(void **state) {
    (void)state;
    uint8_t buf[40];
    memset(buf, 0xaa, sizeof buf);
    assert_int_equal(linux_dirent64_pack(buf, 31, 1, 1, LINUX_DT_DIR, "hello"), 0);
    for (size_t i = 0; i < sizeof buf; i++) assert_int_equal(buf[i], 0xaa);   /* untouched */
    assert_int_equal(linux_dirent64_pack(buf, 32, 1, 1, LINUX_DT_DIR, "hello"), 32);
}

/* A directory of n entries "e0".."e<n-1>" for linux_getdents_fill. */
struct fake_dir { int n, fail_at; };

static int fake_src(void *ctx, uint64_t index, struct vfs_dirent *d) {
    struct fake_dir *fd = ctx;
    if ((int)index == fd->fail_at) return -EIO;
    if ((int)index >= fd->n) return -ENOENT;
    snprintf(d->name, sizeof d->name, "e%d", (int)index);
    d->type = index % 2 ? VFS_DIR : VFS_FILE;
    d->ino = 100 + index;
    return 0;
}

/* Reads everything through buffers of cap bytes: every entry exactly once,
 * in order, d_off naming the next index. */
static int read_all(struct fake_dir *dir, size_t cap, int *calls) {
    uint8_t buf[256];
    uint64_t index = 0;
    int seen = 0;
    *calls = 0;
    for (;;) {
        long n = linux_getdents_fill(buf, cap, &index, fake_src, dir);
        assert_true(n >= 0);
        if (n == 0) return seen;
        (*calls)++;
        for (long pos = 0; pos < n;) {
            char want[16];
            snprintf(want, sizeof want, "e%d", seen);
            assert_string_equal((char *)buf + pos + 19, want);
            assert_int_equal(u64_at(buf + pos, 0), 100 + seen);
            assert_int_equal(u64_at(buf + pos, 8), seen + 1);
            seen++;
            pos += buf[pos + 16] | buf[pos + 17] << 8;
        }
    }
}

static void test_getdents_resumes(void **state) {
    (void)state;
    struct fake_dir dir = { 25, -1 };
    int calls;
    assert_int_equal(read_all(&dir, 256, &calls), 25);
    assert_int_equal(calls, 3);                                  /* 24-byte records, 10 a call */
    assert_int_equal(read_all(&dir, 24, &calls), 25);            /* one a call */
    assert_int_equal(calls, 25);
    assert_int_equal(read_all(&dir, 47, &calls), 25);            /* a record never splits */
    assert_int_equal(calls, 25);
    uint8_t buf[64];
    uint64_t index = 0;
    assert_int_equal(linux_getdents_fill(buf, 23, &index, fake_src, &dir), -EINVAL);   /* not even one */
    assert_int_equal(index, 0);
    index = 25;
    assert_int_equal(linux_getdents_fill(buf, sizeof buf, &index, fake_src, &dir), 0); /* at the end */
    struct fake_dir broken = { 10, 1 };
    index = 0;
    assert_int_equal(linux_getdents_fill(buf, sizeof buf, &index, fake_src, &broken), 24);  /* what came before */
    assert_int_equal(index, 1);
    assert_int_equal(linux_getdents_fill(buf, sizeof buf, &index, fake_src, &broken), -EIO);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stat_layout),
        cmocka_unit_test(test_stat_types),
        cmocka_unit_test(test_dirent_packing),
        cmocka_unit_test(test_dirent_does_not_fit),
        cmocka_unit_test(test_getdents_resumes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
