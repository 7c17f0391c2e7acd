/* Power cuts during ext2 writes: the ext2 core runs a seeded sequence of
 * file operations (create and write in pieces, append, truncate, unlink,
 * rename over a file, mkdir, rmdir, a directory moved to another parent,
 * sync) on a mke2fs image through the real block-cache core
 * (block/bcache_core.c, a tiny pool so blocks are evicted all the time),
 * with the barriers the kernel has. Every block the cache writes to the
 * "disk" is recorded; then the disk is rebuilt write by write from the
 * image, and after every write (a cut there) e2fsck -fn judges it: no block
 * owned twice, no block in use that the bitmap calls free, no entry naming
 * a free inode, no illegal block, nothing corrupt. What a cut may leave
 * (lost blocks and inodes, link counts, sizes and i_blocks to correct, a
 * stale "..") is counted, not failed. Files synced before the cut and not
 * touched after it read back whole through debugfs. The same sequence
 * without barriers (the cache's own order) breaks the rules at some cut, so
 * the check is known to see what the barriers prevent. */
#include "tests/unit/host_rename.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "block/bcache_core.h"
#include "fs/ext2_core.h"
#include "lib/string.h"
#include "secos/errno.h"

#define BS 1024
#define NENT 12
#define NKEEP 2

static uint8_t *disk, *base;
static size_t disk_n;
struct logged { uint64_t blk; uint8_t data[BS]; };
static struct logged *wlog;
static size_t nlog, caplog;
static int barriers_on;
static char dir[64];

static struct bcache cache;
static struct bcache_entry ent[NENT];
static uint8_t pool[NENT * BS];
static int devtag;

static int c_read(void *dev, uint64_t blk, uint8_t *buf) {
    (void)dev;
    if ((blk + 1) * BS > disk_n) return -EIO;
    memcpy(buf, disk + blk * BS, BS);
    return 0;
}

static int c_write(void *dev, uint64_t blk, const uint8_t *buf) {
    (void)dev;
    if ((blk + 1) * BS > disk_n) return -EIO;
    memcpy(disk + blk * BS, buf, BS);
    if (nlog == caplog) {
        caplog = caplog ? caplog * 2 : 1024;
        wlog = realloc(wlog, caplog * sizeof *wlog);
        assert_non_null(wlog);
    }
    wlog[nlog].blk = blk;
    memcpy(wlog[nlog].data, buf, BS);
    nlog++;
    return 0;
}
/* Write-back runs as the kernel's cache has them: block by block on the
 * log, so a cut may fall inside a run. */
static int c_write_run(void *dev, uint64_t blk, uint32_t count, const uint8_t *buf) {
    for (uint32_t i = 0; i < count; i++) {
        int r = c_write(dev, blk + i, buf + (uint64_t)i * BS);
        if (r) return r;
    }
    return 0;
}
static const struct bcache_ops cops = { c_read, c_write, 0, c_write_run };
static uint8_t run_buf[8 * BS];

static long io_rw(uint64_t off, void *buf, uint64_t len, int write) {
    uint8_t *p = buf;
    for (uint64_t done = 0; done < len;) {
        uint64_t blk = (off + done) / BS;
        uint32_t in = (uint32_t)((off + done) % BS);
        uint32_t n = BS - in < len - done ? BS - in : (uint32_t)(len - done);
        int r = write ? bcache_write(&cache, &devtag, blk, in, p + done, n)
                      : bcache_read(&cache, &devtag, blk, in, p + done, n);
        if (r) return r;
        done += n;
    }
    return (long)len;
}
static long io_read(void *dev, uint64_t off, void *buf, uint64_t len) { (void)dev; return io_rw(off, buf, len, 0); }
static long io_write(void *dev, uint64_t off, const void *buf, uint64_t len) {
    (void)dev;
    return io_rw(off, (void *)buf, len, 1);
}
static int io_barrier(void *dev) {
    (void)dev;
    if (barriers_on) bcache_barrier(&cache);
    return 0;
}

/* --- the sequence ------------------------------------------------------------------------ */

static struct ext2_vol v;
static uint64_t rng;
static uint32_t rnd(uint32_t n) {
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rng >> 33) % n;
}
static uint8_t data[40000];
static const uint32_t keep_size[NKEEP] = { 700, 30000 };
static size_t synced_at;
struct file { char name[24]; int dir; int live; };
static struct file files[24];

static void sync_all(void) {
    assert_int_equal(ext2_super_write(&v, 0), 0);
    assert_int_equal(bcache_sync(&cache, &devtag), 0);
}

static void resolve(const char *path, struct ext2_inode *n) { assert_int_equal(ext2_resolve(&v, path, n), 0); }

/* Writes like the kernel's VFS: in pieces. */
static void write_pieces(const char *path, uint64_t off, const uint8_t *p, uint32_t len) {
    struct ext2_inode n;
    resolve(path, &n);
    for (uint32_t done = 0; done < len;) {
        uint32_t k = len - done < 5000 ? len - done : 5000;
        assert_int_equal(ext2_file_write(&v, &n, off + done, p + done, k), (long)k);
        done += k;
    }
}

static const char *dir_name(int d) { return d == 0 ? "" : d == 1 ? "/a" : "/b"; }

static void run_sequence(uint64_t seed) {
    rng = seed;
    memset(files, 0, sizeof files);
    struct ext2_inode root, a, b, n, victim;
    resolve("/", &root);
    for (int i = 0; i < NKEEP; i++) {
        char name[16];
        snprintf(name, sizeof name, "keep%d", i);
        assert_int_equal(ext2_create(&v, &root, name, 0644, &n), 0);
        char path[24];
        snprintf(path, sizeof path, "/%s", name);
        write_pieces(path, 0, data + 100 * i, keep_size[i]);
    }
    sync_all();
    synced_at = nlog;
    resolve("/", &root);
    assert_int_equal(ext2_mkdir(&v, &root, "a", 0755, &a), 0);
    resolve("/", &root);
    assert_int_equal(ext2_mkdir(&v, &root, "b", 0755, &b), 0);
    for (int op = 0; op < 70; op++) {
        struct file *f = &files[rnd(24)];
        uint32_t kind = rnd(12);
        struct ext2_inode d, d2;
        char path[48], to[48];
        if (!f->live) {
            f->dir = (int)rnd(3);
            snprintf(f->name, sizeof f->name, "file%d", op);
            resolve(f->dir ? dir_name(f->dir) : "/", &d);
            assert_int_equal(ext2_create(&v, &d, f->name, 0644, &n), 0);
            f->live = 1;
            snprintf(path, sizeof path, "%s/%s", dir_name(f->dir), f->name);
            write_pieces(path, 0, data + rnd(1000), rnd(20000));
            continue;
        }
        snprintf(path, sizeof path, "%s/%s", dir_name(f->dir), f->name);
        resolve(f->dir ? dir_name(f->dir) : "/", &d);
        if (kind < 3) {
            resolve(path, &n);
            write_pieces(path, n.size, data + rnd(1000), 1 + rnd(12000));
        } else if (kind < 5) {
            resolve(path, &n);
            assert_int_equal(ext2_truncate(&v, &n, rnd(3) ? rnd((uint32_t)n.size + 1) : n.size + rnd(3000)), 0);
        } else if (kind < 7) {
            assert_int_equal(ext2_unlink(&v, &d, f->name, &victim), 0);
            assert_int_equal(ext2_inode_release(&v, &victim), 0);
            f->live = 0;
        } else if (kind < 9) {   /* a new name elsewhere, or over another live file */
            struct file *g = &files[rnd(24)];
            int nd = (int)rnd(3);
            char nn[24];
            if (g != f && g->live) nd = g->dir, snprintf(nn, sizeof nn, "%s", g->name);
            else snprintf(nn, sizeof nn, "moved%d", op);
            resolve(nd ? dir_name(nd) : "/", &d2);
            if (d2.ino == d.ino) d2 = d;
            snprintf(to, sizeof to, "%s", nn);
            assert_int_equal(ext2_rename(&v, &d, f->name, &d2, to, 1, &victim), 0);
            if (victim.ino && victim.links == 0) assert_int_equal(ext2_inode_release(&v, &victim), 0);
            if (g != f && g->live && g->dir == nd && strcmp(g->name, nn) == 0) g->live = 0;
            f->dir = nd;
            snprintf(f->name, sizeof f->name, "%s", nn);
        } else if (kind < 11) {   /* a directory made in a, moved to b, removed */
            resolve("/a", &a);
            if (ext2_mkdir(&v, &a, "sub", 0755, &n) != 0) continue;
            resolve("/a", &a);
            resolve("/b", &b);
            assert_int_equal(ext2_rename(&v, &a, "sub", &b, "sub", 1, &victim), 0);
            if (victim.ino) assert_int_equal(ext2_inode_release(&v, &victim), 0);
            if (rnd(2)) {
                resolve("/b", &b);
                assert_int_equal(ext2_rmdir(&v, &b, "sub", &victim), 0);
                assert_int_equal(ext2_inode_release(&v, &victim), 0);
            }
        } else {
            sync_all();
        }
    }
    assert_int_equal(ext2_vol_close(&v), 0);
    assert_int_equal(bcache_sync(&cache, &devtag), 0);
}

/* --- the judge ------------------------------------------------------------------------------ */

/* Problems a cut must never leave, as e2fsck words them. */
static const char *const forbidden[] = {
    "ultiply-claimed", "has illegal block", "Illegal block", "deleted/unused inode", "orrupt", "bad block",
    "has an invalid extended attribute", "Superblock", "Group descriptors look bad",
};

/* 1 if e2fsck's report on the image breaks a rule (why in *why). */
static int judge(const char *img, char *why, size_t cap) {
    char cmd[256];
    snprintf(cmd, sizeof cmd, "e2fsck -fn %s 2>&1", img);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char line[512];
    int bad = 0;
    while (fgets(line, sizeof line, p)) {
        for (size_t i = 0; i < sizeof forbidden / sizeof forbidden[0] && !bad; i++)
            if (strstr(line, forbidden[i])) bad = 1;
        /* "+N" in a bitmap difference: in use, but the bitmap calls it free */
        if (!bad && strstr(line, "bitmap differences:") && strchr(line, '+')) bad = 1;
        if (bad && !why[0]) snprintf(why, cap, "%s", line);
    }
    pclose(p);
    return bad;
}

static int keep_intact(const char *img) {
    for (int i = 0; i < NKEEP; i++) {
        char cmd[256];
        snprintf(cmd, sizeof cmd, "debugfs -R 'cat /keep%d' %s 2>/dev/null", i, img);
        FILE *p = popen(cmd, "r");
        static uint8_t got[sizeof data];
        size_t n = fread(got, 1, sizeof got, p);
        pclose(p);
        if (n != keep_size[i] || memcmp(got, data + 100 * i, n) != 0) return 0;
    }
    return 1;
}

/* Rebuilds the disk write by write (every step-th cut): the broken cuts
 * (with first_only, 1 at the first). */
static int replay(const char *label, size_t step, int first_only) {
    uint8_t *img = malloc(disk_n);
    memcpy(img, base, disk_n);
    char path[128];
    snprintf(path, sizeof path, "%s/cut.img", dir);
    int broken = 0;
    size_t judged = 0;
    for (size_t i = 0; i <= nlog; i++) {
        if (i) memcpy(img + wlog[i - 1].blk * BS, wlog[i - 1].data, BS);
        if (i % step && i != nlog) continue;
        FILE *f = fopen(path, "wb");
        assert_int_equal(fwrite(img, 1, disk_n, f), disk_n);
        fclose(f);
        char why[512] = "";
        int bad = judge(path, why, sizeof why);
        if (!bad && i >= synced_at && !keep_intact(path)) bad = 1, snprintf(why, sizeof why, "a synced file is not intact");
        judged++;
        if (bad) {
            if (!broken) printf("    %s: first broken cut after write %zu of %zu: %s", label, i, nlog, why);
            broken++;
            if (first_only) break;
        }
    }
    printf("    %s: %zu writes, %zu cuts judged, %d broken\n", label, nlog, judged, broken);
    free(img);
    return broken;
}

static int cuts(int with_barriers, uint64_t seed, size_t step, int first_only) {
    char cmd[512], path[128];
    snprintf(path, sizeof path, "%s/i.img", dir);
    snprintf(cmd, sizeof cmd, "rm -f %s && mke2fs -q -F -t ext2 -b 1024 -N 64 %s 1536 >/dev/null 2>&1", path, path);
    assert_int_equal(system(cmd), 0);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    disk_n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    free(disk);
    free(base);
    disk = malloc(disk_n);
    base = malloc(disk_n);
    assert_int_equal(fread(base, 1, disk_n, f), disk_n);
    fclose(f);
    memcpy(disk, base, disk_n);
    nlog = 0;
    barriers_on = with_barriers;
    bcache_init(&cache, ent, NENT, pool, BS, &cops);
    bcache_set_run_buf(&cache, run_buf, 8);
    struct ext2_io io = { io_read, &devtag, disk_n, io_write, io_barrier };
    assert_int_equal(ext2_vol_open(&v, &io), 0);
    v.now = 1700000000;
    assert_int_equal(ext2_vol_begin_write(&v), 0);
    for (size_t i = 0; i < sizeof data; i++) data[i] = (uint8_t)(i * 7 + i / 251);
    run_sequence(seed);
    char label[48];
    snprintf(label, sizeof label, "ext2 %s barriers, seed %u", with_barriers ? "with" : "without", (unsigned)seed);
    return replay(label, step, first_only);
}

static void test_every_cut_consistent(void **state) {
    (void)state;
    assert_int_equal(cuts(1, 1, 1, 0), 0);
    assert_int_equal(cuts(1, 2, 3, 0), 0);   /* every third cut: the time make check has */
}

static void test_without_barriers_some_cut_breaks(void **state) {
    (void)state;
    int broken = 0;
    for (uint64_t seed = 1; seed <= 2 && !broken; seed++) broken += cuts(0, seed, 1, 1);
    assert_true(broken > 0);
}

static int setup(void **state) {
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/ext2cut.XXXXXX");
    assert_non_null(mkdtemp(dir));
    return 0;
}

static int teardown(void **state) {
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    (void)system(cmd);
    free(disk);
    free(base);
    free(wlog);
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_cut_consistent),
        cmocka_unit_test(test_without_barriers_some_cut_breaks),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
