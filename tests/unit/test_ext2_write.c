/* Writing ext2 (fs/ext2_alloc.c, ext2_grow.c, ext2_dirw.c, ext2_ops.c) on
 * images made by mke2fs, judged by e2fsprogs: a seeded sequence of 700
 * random operations (create, append, overwrite, truncate down and up,
 * rename within and across directories, over an existing file, delete,
 * mkdir, rmdir, directory renames) runs against a model, at 1, 2 and 4 KiB
 * blocks, revision 0 and 1; every file reads back equal to the model
 * through the core, `e2fsck -fn` finds nothing to fix, and debugfs's
 * rdump gives back exactly the model's tree. Large files cross the single
 * and double indirect maps and are cut at every level; the volume filled
 * to the last block gives ENOSPC and loses nothing; a read-only open and
 * an unclean volume refuse to write. */
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
static unsigned barriers;

static long rd(void *dev, uint64_t off, void *buf, uint64_t len) {
    struct img *i = dev;
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

static int bar(void *dev) {
    (void)dev;
    barriers++;
    return 0;
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
    if (!f) return 0;
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *p = malloc(*n ? *n : 1);
    assert_int_equal(fread(p, 1, *n, f), *n);
    fclose(f);
    return p;
}

static void save(void) {
    char path[128];
    snprintf(path, sizeof path, "%s/e.img", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(m.p, 1, m.n, f), m.n);
    fclose(f);
}

/* An empty volume of mib MiB made by mke2fs with opts, loaded. */
static void mkfs_load(int mib, const char *opts) {
    char path[128];
    assert_int_equal(run("cd %s && rm -rf e.img out && mke2fs -q -F %s e.img %dM >/dev/null 2>&1", dir, opts, mib), 0);
    snprintf(path, sizeof path, "%s/e.img", dir);
    free(m.p);
    m.p = slurp(path, &m.n);
    assert_non_null(m.p);
}

/* ... and opened for writing. */
static void mkfs_open(int mib, const char *opts) {
    mkfs_load(mib, opts);
    struct ext2_io io = { rd, &m, m.n, wr, bar };
    assert_int_equal(ext2_vol_open(&V, &io), 0);
    V.now = 1700000000;
    assert_int_equal(ext2_vol_begin_write(&V), 0);
}

/* Closes the volume, saves it; e2fsck -fn must be silent. */
static void close_and_fsck(void) {
    assert_int_equal(ext2_vol_close(&V), 0);
    save();
    int r = run("cd %s && e2fsck -fn e.img > fsck.txt 2>&1", dir);
    if (r) run("cat %s/fsck.txt", dir);
    assert_int_equal(r, 0);
}

/* --- the model ------------------------------------------------------------------------ */

#define NFILES 48
#define NDIRS 8
#define MAXF (600u << 10)

struct mfile {
    char path[96];
    uint8_t *data;
    size_t len;
    int live;
};

static struct mfile mf[NFILES];
static char mdirs[NDIRS][64];
static int mdir_live[NDIRS];
static uint64_t seed;

static uint32_t rnd(void) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(seed >> 33);
}

/* Resolves the directory part of path and returns the last component. */
static const char *parent_of(const char *path, struct ext2_inode *d) {
    static char buf[128];
    snprintf(buf, sizeof buf, "%s", path);
    char *s = strrchr(buf, '/');
    *s = 0;
    assert_int_equal(ext2_resolve(&V, buf, d), 0);
    return path + (s - buf) + 1;
}

static void fill(uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++) p[i] = (uint8_t)rnd();
}

static void check_file(const struct mfile *f) {
    struct ext2_inode in;
    assert_int_equal(ext2_resolve(&V, f->path, &in), 0);
    assert_int_equal(in.size, f->len);
    uint8_t *got = malloc(f->len + 1);
    assert_int_equal(ext2_file_read(&V, &in, 0, got, f->len), (long)f->len);
    assert_memory_equal(got, f->data, f->len);
    free(got);
}

static int live_dirs(int *out) {
    int n = 0;
    for (int i = 0; i < NDIRS; i++)
        if (mdir_live[i]) out[n++] = i;
    return n;
}

static void op_random(void) {
    struct ext2_inode d, n, d2, victim;
    uint32_t k = rnd() % 100;
    struct mfile *f = &mf[rnd() % NFILES];
    int ld[NDIRS], nld = live_dirs(ld);
    if (k < 20 && !f->live) {   /* create, with some data */
        static unsigned serial;
        snprintf(f->path, sizeof f->path, "%s/file%u", mdirs[ld[rnd() % nld]], serial++);
        const char *name = parent_of(f->path, &d);
        assert_int_equal(ext2_create(&V, &d, name, 0644, &n), 0);
        f->len = rnd() % 3 ? rnd() % 5000 : rnd() % 300000;
        f->data = realloc(f->data, f->len + 1);
        fill(f->data, f->len);
        assert_int_equal(ext2_file_write(&V, &n, 0, f->data, f->len), (long)f->len);
        f->live = 1;
    } else if (k < 45 && f->live) {   /* write: append, or overwrite somewhere (past the end: a hole) */
        size_t off = rnd() % 2 ? f->len : rnd() % (f->len + 20000), len = rnd() % 3 ? rnd() % 9000 : rnd() % 200000;
        if (off + len > MAXF) return;
        assert_int_equal(ext2_resolve(&V, f->path, &n), 0);
        if (off + len > f->len) {
            f->data = realloc(f->data, off + len);
            memset(f->data + f->len, 0, off + len - f->len);
            if (off > f->len) memset(f->data + f->len, 0, off - f->len);
        }
        fill(f->data + off, len);
        assert_int_equal(ext2_file_write(&V, &n, off, f->data + off, len), (long)len);
        if (off + len > f->len) f->len = off + len;
    } else if (k < 58 && f->live) {   /* truncate, mostly down */
        size_t to = rnd() % 4 ? rnd() % (f->len + 1) : f->len + rnd() % 50000;
        assert_int_equal(ext2_resolve(&V, f->path, &n), 0);
        assert_int_equal(ext2_truncate(&V, &n, to), 0);
        if (to > f->len) {
            f->data = realloc(f->data, to);
            memset(f->data + f->len, 0, to - f->len);
        }
        f->len = to;
    } else if (k < 70 && f->live) {   /* rename: a new name, or over another live file */
        struct mfile *g = &mf[rnd() % NFILES];
        char to[96];
        if (g != f && g->live) snprintf(to, sizeof to, "%s", g->path);
        else snprintf(to, sizeof to, "%s/r%u", mdirs[ld[rnd() % nld]], rnd() % 1000);
        for (int i = 0; i < NFILES; i++)   /* a name the model has for another file that is not g: skip */
            if (mf[i].live && &mf[i] != g && &mf[i] != f && strcmp(mf[i].path, to) == 0) return;
        const char *fname = parent_of(f->path, &d);
        char fn[96];
        snprintf(fn, sizeof fn, "%s", fname);
        const char *tname = parent_of(to, &d2);
        if (d2.ino == d.ino) d2 = d;
        assert_int_equal(ext2_rename(&V, &d, fn, &d2, tname, 1, &victim), 0);
        if (victim.ino && victim.links == 0) assert_int_equal(ext2_inode_release(&V, &victim), 0);
        if (g != f && g->live && strcmp(g->path, to) == 0) g->live = 0;
        snprintf(f->path, sizeof f->path, "%s", to);
    } else if (k < 82 && f->live) {   /* delete */
        const char *name = parent_of(f->path, &d);
        assert_int_equal(ext2_unlink(&V, &d, name, &victim), 0);
        assert_int_equal(victim.links, 0);
        assert_int_equal(ext2_inode_release(&V, &victim), 0);
        f->live = 0;
    } else if (k < 90) {   /* mkdir: a free model slot, under a live directory */
        for (int i = 1; i < NDIRS; i++) {
            if (mdir_live[i]) continue;
            char under[48];
            snprintf(under, sizeof under, "%.40s", mdirs[ld[rnd() % nld]]);
            if (strlen(under) > 40) return;
            snprintf(mdirs[i], sizeof mdirs[i], "%s/d%u", under, rnd() % 100);
            for (int j = 0; j < NDIRS; j++)
                if (mdir_live[j] && strcmp(mdirs[j], mdirs[i]) == 0) return;
            for (int j = 0; j < NFILES; j++)
                if (mf[j].live && strcmp(mf[j].path, mdirs[i]) == 0) return;
            const char *name = parent_of(mdirs[i], &d);
            assert_int_equal(ext2_mkdir(&V, &d, name, 0755, &n), 0);
            mdir_live[i] = 1;
            return;
        }
    } else {   /* rmdir an empty directory (a full one: ENOTEMPTY) */
        int i = ld[rnd() % nld];
        if (i == 0) return;
        int used = 0;
        for (int j = 0; j < NFILES; j++) used |= mf[j].live && strncmp(mf[j].path, mdirs[i], strlen(mdirs[i])) == 0 &&
                                                  mf[j].path[strlen(mdirs[i])] == '/';
        for (int j = 0; j < NDIRS; j++) used |= j != i && mdir_live[j] && strncmp(mdirs[j], mdirs[i], strlen(mdirs[i])) == 0 &&
                                                 mdirs[j][strlen(mdirs[i])] == '/';
        const char *name = parent_of(mdirs[i], &d);
        int r = ext2_rmdir(&V, &d, name, &victim);
        if (used) {
            assert_int_equal(r, -ENOTEMPTY);
            return;
        }
        assert_int_equal(r, 0);
        assert_int_equal(ext2_inode_release(&V, &victim), 0);
        mdir_live[i] = 0;
    }
}

/* rdump /w from the image: exactly the model's live files, byte for byte. */
static void expect_debugfs_tree(void) {
    assert_int_equal(run("cd %s && mkdir out && debugfs -R 'rdump /w out' e.img >/dev/null 2>&1", dir), 0);
    int nlive = 0;
    for (int i = 0; i < NFILES; i++) {
        if (!mf[i].live) continue;
        nlive++;
        char path[256];
        snprintf(path, sizeof path, "%s/out%s", dir, mf[i].path);
        size_t n;
        uint8_t *got = slurp(path, &n);
        assert_non_null(got);
        assert_int_equal(n, mf[i].len);
        assert_memory_equal(got, mf[i].data, n);
        free(got);
    }
    char cmd[256];
    snprintf(cmd, sizeof cmd, "find %s/out -type f | wc -l", dir);
    FILE *p = popen(cmd, "r");
    int count = -1;
    assert_int_equal(fscanf(p, "%d", &count), 1);
    pclose(p);
    assert_int_equal(count, nlive);
}

static void churn(int mib, const char *opts, uint64_t s, int ops) {
    mkfs_open(mib, opts);
    seed = s;
    memset(mdir_live, 0, sizeof mdir_live);
    for (int i = 0; i < NFILES; i++) mf[i].live = 0;
    struct ext2_inode root, w;
    assert_int_equal(ext2_resolve(&V, "/", &root), 0);
    assert_int_equal(ext2_mkdir(&V, &root, "w", 0755, &w), 0);
    snprintf(mdirs[0], sizeof mdirs[0], "/w");
    mdir_live[0] = 1;
    uint32_t free0 = V.free_blocks;
    for (int i = 0; i < ops; i++) op_random();
    for (int i = 0; i < NFILES; i++)
        if (mf[i].live) check_file(&mf[i]);
    assert_true(V.free_blocks < free0 || ops == 0);
    close_and_fsck();
    expect_debugfs_tree();
}

static void test_churn_1k(void **state) {
    (void)state;
    churn(24, "-t ext2 -b 1024", 11, 700);
}

static void test_churn_2k(void **state) {
    (void)state;
    churn(24, "-t ext2 -b 2048 -I 128", 22, 700);
}

static void test_churn_4k(void **state) {
    (void)state;
    churn(48, "-t ext2 -b 4096", 33, 700);
}

static void test_churn_rev0(void **state) {
    (void)state;
    churn(24, "-t ext2 -r 0 -b 1024", 44, 500);
}

/* One file through the double indirect map at 1 KiB blocks (and into the
 * triple at 1 KiB it would take 64 MiB), cut at every level. */
static void test_big_file_cuts(void **state) {
    (void)state;
    mkfs_open(32, "-t ext2 -b 1024");
    struct ext2_inode root, n;
    assert_int_equal(ext2_resolve(&V, "/", &root), 0);
    assert_int_equal(ext2_create(&V, &root, "big", 0644, &n), 0);
    size_t len = 3u << 20;
    uint8_t *data = malloc(len);
    seed = 5;
    fill(data, len);
    uint32_t free0 = V.free_blocks;
    for (size_t off = 0; off < len; off += 65536) assert_int_equal(ext2_file_write(&V, &n, off, data + off, 65536), 65536);
    /* 3072 data blocks, 1 single, 1 double + 11 under it */
    assert_int_equal(free0 - V.free_blocks - (V.pool_len - V.pool_next), 3072 + 1 + 1 + 11);
    size_t cuts[] = { 2u << 20, 300u << 10, 268u << 10, (267u << 10) + 5, 100u << 10, 12u << 10, 5000, 0 };
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        assert_int_equal(ext2_truncate(&V, &n, cuts[i]), 0);
        struct ext2_inode again;
        assert_int_equal(ext2_resolve(&V, "/big", &again), 0);
        assert_int_equal(again.size, cuts[i]);
        uint8_t *got = malloc(cuts[i] + 1);
        assert_int_equal(ext2_file_read(&V, &again, 0, got, cuts[i]), (long)cuts[i]);
        assert_memory_equal(got, data, cuts[i]);
        free(got);
    }
    assert_int_equal(n.blocks512, 0);
    /* grown again past a cut: the old bytes are gone, the hole reads zeros */
    memset(data, 0, len);
    assert_int_equal(ext2_truncate(&V, &n, 70000), 0);
    assert_int_equal(ext2_file_write(&V, &n, 70000, "x", 1), 1);
    uint8_t *got = malloc(70001);
    assert_int_equal(ext2_file_read(&V, &n, 0, got, 70001), 70001);
    assert_memory_equal(got, data, 70000);
    free(got);
    free(data);
    close_and_fsck();
}


/* Filled to the end: ENOSPC, a short count, nothing lost or leaked. */
static void test_fill_to_enospc(void **state) {
    (void)state;
    mkfs_open(4, "-t ext2 -b 1024");
    struct ext2_inode root, n;
    assert_int_equal(ext2_resolve(&V, "/", &root), 0);
    assert_int_equal(ext2_create(&V, &root, "fill", 0644, &n), 0);
    static uint8_t chunk[65536];
    memset(chunk, 0x5a, sizeof chunk);
    uint64_t total = 0;
    long r;
    while ((r = ext2_file_write(&V, &n, total, chunk, sizeof chunk)) == (long)sizeof chunk) total += (uint64_t)r;
    assert_true(r == -ENOSPC || (r > 0 && r < (long)sizeof chunk));
    if (r > 0) total += (uint64_t)r;
    assert_int_equal(ext2_file_write(&V, &n, total, chunk, sizeof chunk), -ENOSPC);
    assert_int_equal(n.size, total);
    /* the directory can still not grow, a create fails cleanly or succeeds */
    struct ext2_inode m2;
    for (int i = 0; i < 200; i++) {
        char name[32];
        snprintf(name, sizeof name, "f%03d-with-a-longer-name", i);
        int c = ext2_create(&V, &root, name, 0644, &m2);
        assert_true(c == 0 || c == -ENOSPC);
    }
    close_and_fsck();
    /* freed again: every block back */
    struct ext2_io io = { rd, &m, m.n, wr, bar };
    assert_int_equal(ext2_vol_open(&V, &io), 0);
    V.now = 1700000001;
    assert_int_equal(ext2_vol_begin_write(&V), 0);
    assert_int_equal(ext2_resolve(&V, "/", &root), 0);
    struct ext2_inode victim;
    assert_int_equal(ext2_unlink(&V, &root, "fill", &victim), 0);
    assert_int_equal(ext2_inode_release(&V, &victim), 0);
    close_and_fsck();
}

/* Not for writing: opened without io.write, a volume not cleanly
 * unmounted, an ext3 journal. */
static void test_refuses_to_write(void **state) {
    (void)state;
    mkfs_open(8, "-t ext2");
    assert_int_equal(ext2_vol_close(&V), 0);
    struct ext2_io ro = { rd, &m, m.n, 0, 0 };
    assert_int_equal(ext2_vol_open(&V, &ro), 0);
    assert_int_equal(ext2_vol_begin_write(&V), -EROFS);
    struct ext2_inode root, n;
    assert_int_equal(ext2_resolve(&V, "/", &root), 0);
    assert_int_equal(ext2_create(&V, &root, "x", 0644, &n), -EROFS);
    /* opened for writing and never closed: the next open refuses */
    struct ext2_io io = { rd, &m, m.n, wr, bar };
    assert_int_equal(ext2_vol_open(&V, &io), 0);
    assert_int_equal(ext2_vol_begin_write(&V), 0);
    assert_int_equal(ext2_vol_open(&V, &io), 0);
    assert_int_equal(ext2_vol_begin_write(&V), -EROFS);
    assert_non_null(strstr(V.why, "not cleanly unmounted"));
    /* a clean ext3 volume is read, never written */
    mkfs_load(8, "-t ext3");
    struct ext2_io io3 = { rd, &m, m.n, wr, bar };
    assert_int_equal(ext2_vol_open(&V, &io3), 0);
    assert_int_equal(ext2_vol_begin_write(&V), -EROFS);
    assert_non_null(strstr(V.why, "journal"));
}

static void test_names_and_links(void **state) {
    (void)state;
    mkfs_open(8, "-t ext2");
    struct ext2_inode root, a, b, n, victim;
    assert_int_equal(ext2_resolve(&V, "/", &root), 0);
    char long_name[300];
    memset(long_name, 'n', 255);
    long_name[255] = 0;
    assert_int_equal(ext2_create(&V, &root, long_name, 0644, &n), 0);
    long_name[255] = 'n';
    long_name[256] = 0;
    assert_int_equal(ext2_create(&V, &root, long_name, 0644, &n), -ENAMETOOLONG);
    assert_int_equal(ext2_create(&V, &root, "..", 0644, &n), -EINVAL);
    assert_int_equal(ext2_mkdir(&V, &root, "a", 0755, &a), 0);
    assert_int_equal(ext2_mkdir(&V, &root, "a", 0755, &b), -EEXIST);
    assert_int_equal(ext2_mkdir(&V, &root, "b", 0755, &b), 0);
    assert_int_equal(ext2_resolve(&V, "/", &root), 0);
    assert_int_equal(root.links, 5);   /* ".", "..", lost+found's, a's and b's ".." */
    assert_int_equal(ext2_mkdir(&V, &a, "sub", 0755, &n), 0);
    /* a directory moved across: ".." and both parents' counts follow */
    assert_int_equal(ext2_resolve(&V, "/a", &a), 0);
    assert_int_equal(ext2_resolve(&V, "/b", &b), 0);
    assert_int_equal(ext2_rename(&V, &a, "sub", &b, "moved", 0, &victim), 0);
    assert_int_equal(ext2_resolve(&V, "/a", &a), 0);
    assert_int_equal(ext2_resolve(&V, "/b", &b), 0);
    assert_int_equal(a.links, 2);
    assert_int_equal(b.links, 3);
    assert_int_equal(ext2_resolve(&V, "/b/moved", &n), 0);
    struct ext2_dirent e;
    assert_int_equal(ext2_dir_find(&V, &n, "x", &e), -ENOENT);
    /* a position saved in a directory before an entry went: the next
     * record on, never the removed name */
    {
        struct ext2_inode dd, x;
        assert_int_equal(ext2_resolve(&V, "/", &root), 0);
        assert_int_equal(ext2_mkdir(&V, &root, "rv", 0755, &dd), 0);
        assert_int_equal(ext2_create(&V, &dd, "ra", 0644, &x), 0);
        assert_int_equal(ext2_create(&V, &dd, "rb", 0644, &x), 0);
        assert_int_equal(ext2_create(&V, &dd, "rc", 0644, &x), 0);
        uint64_t pos = 0;
        assert_int_equal(ext2_dir_next(&V, &dd, &pos, &e), 0);
        assert_string_equal(e.name, "ra");
        assert_int_equal(ext2_unlink(&V, &dd, "rb", &victim), 0);
        assert_int_equal(ext2_inode_release(&V, &victim), 0);
        assert_int_equal(ext2_dir_revalidate(&V, &dd, &pos), 0);
        assert_int_equal(ext2_dir_next(&V, &dd, &pos, &e), 0);
        assert_string_equal(e.name, "rc");
        assert_int_equal(ext2_dir_next(&V, &dd, &pos, &e), -ENOENT);
    }
    /* rmdir of a full directory refused, of a file ENOTDIR */
    assert_int_equal(ext2_resolve(&V, "/", &root), 0);
    assert_int_equal(ext2_rmdir(&V, &root, "b", &victim), -ENOTEMPTY);
    assert_int_equal(ext2_create(&V, &root, "f", 0644, &n), 0);
    assert_int_equal(ext2_rmdir(&V, &root, "f", &victim), -ENOTDIR);
    assert_int_equal(ext2_unlink(&V, &root, "a", &victim), -EISDIR);
    /* a directory replacing an empty one */
    assert_int_equal(ext2_resolve(&V, "/", &root), 0);
    assert_int_equal(ext2_rename(&V, &root, "b", &root, "a", 1, &victim), 0);
    assert_int_equal(victim.links, 0);
    assert_int_equal(ext2_inode_release(&V, &victim), 0);
    assert_int_equal(ext2_resolve(&V, "/a/moved", &n), 0);
    /* many names: the root grows a block, then they all go */
    for (int i = 0; i < 300; i++) {
        char name[64];
        snprintf(name, sizeof name, "entry-%04d-padding-padding", i);
        assert_int_equal(ext2_resolve(&V, "/", &root), 0);
        assert_int_equal(ext2_create(&V, &root, name, 0644, &n), 0);
    }
    assert_int_equal(ext2_resolve(&V, "/", &root), 0);
    assert_true(root.size > V.block_size);
    for (int i = 0; i < 300; i += 1) {
        char name[64];
        snprintf(name, sizeof name, "entry-%04d-padding-padding", i);
        assert_int_equal(ext2_resolve(&V, "/", &root), 0);
        assert_int_equal(ext2_unlink(&V, &root, name, &victim), 0);
        assert_int_equal(ext2_inode_release(&V, &victim), 0);
    }
    close_and_fsck();
}

/* A FIFO and a device renamed keep their type in the new entry. */
static void test_rename_keeps_special_types(void **state) {
    (void)state;
    mkfs_load(8, "-t ext2");
    assert_int_equal(run("cd %s && debugfs -w -R 'mknod fifo p' e.img >/dev/null 2>&1 && "
                         "debugfs -w -R 'mknod cdev c 4 5' e.img >/dev/null 2>&1", dir), 0);
    char path[128];
    snprintf(path, sizeof path, "%s/e.img", dir);
    free(m.p);
    m.p = slurp(path, &m.n);
    struct ext2_io io = { rd, &m, m.n, wr, bar };
    assert_int_equal(ext2_vol_open(&V, &io), 0);
    V.now = 1700000002;
    assert_int_equal(ext2_vol_begin_write(&V), 0);
    struct ext2_inode root, d, victim;
    assert_int_equal(ext2_resolve(&V, "/", &root), 0);
    assert_int_equal(ext2_mkdir(&V, &root, "d", 0755, &d), 0);
    assert_int_equal(ext2_resolve(&V, "/", &root), 0);
    assert_int_equal(ext2_rename(&V, &root, "fifo", &d, "fifo2", 0, &victim), 0);
    assert_int_equal(ext2_resolve(&V, "/", &root), 0);
    assert_int_equal(ext2_rename(&V, &root, "cdev", &root, "cdev2", 0, &victim), 0);
    close_and_fsck();
}

static int setup(void **state) {
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/ext2w.XXXXXX");
    assert_non_null(mkdtemp(dir));
    return 0;
}

static int teardown(void **state) {
    (void)state;
    run("rm -rf %s", dir);
    free(m.p);
    for (int i = 0; i < NFILES; i++) free(mf[i].data);
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_and_links),
        cmocka_unit_test(test_rename_keeps_special_types),
        cmocka_unit_test(test_big_file_cuts),
        cmocka_unit_test(test_fill_to_enospc),
        cmocka_unit_test(test_refuses_to_write),
        cmocka_unit_test(test_churn_1k),
        cmocka_unit_test(test_churn_2k),
        cmocka_unit_test(test_churn_4k),
        cmocka_unit_test(test_churn_rev0),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
