/* Power cuts during FAT writes: fs/fat_core.c + fs/fat_dir.c run a seeded
 * sequence of file operations (create, write in pieces, append, truncate,
 * remove, rename across directories, mkdir, a directory growing, sync) on a
 * mkfs.fat image through the real block-cache core (block/bcache_core.c,
 * a tiny pool so blocks are evicted all the time), with the barriers the
 * kernel has. Every block the cache writes to the "disk" is recorded; then
 * the disk is rebuilt write by write from the image, and after EVERY write
 * (a cut there) a checker of its own (not fat_core) walks the tree: no
 * cluster reached twice (cross-link), no entry reaching a free or invalid
 * cluster, no file size past its chain, directory clusters holding only
 * sane entries; lost clusters and chains longer than their file are what a
 * cut may leave. Files synced before a cut and not touched after it must
 * read back whole. The same sequence without barriers (the cache's own
 * order: LRU eviction, block order at sync) must break the rules at some
 * cut, so the check is known to see what the barriers prevent. */
#include "tests/unit/host_rename.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "block/bcache_core.h"
#include "fs/fat_core.h"
#include "lib/string.h"
#include "secos/errno.h"

#define BS 512
#define NENT 12          /* cache blocks: far fewer than the sequence touches */
#define NKEEP 3

static uint8_t *disk, *base;   /* the device as written so far; the image before the sequence */
static size_t disk_n;
struct logged { uint64_t blk; uint8_t data[BS]; };
static struct logged *wlog;
static size_t nlog, caplog;
static int barriers_on;

static struct bcache cache;
static struct bcache_entry ent[NENT];
static uint8_t pool[NENT * BS];
static int devtag;   /* the cache's device key */

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

/* --- the checker: FAT16/32 read straight from the bytes --------------------------- */

struct geo {
    int type;
    uint32_t cs, clusters, root_cluster, root_entries;
    uint64_t fat_off, root_off, data_off;
};

static uint32_t rd16(const uint8_t *p) { return (uint32_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p) { return rd16(p) | rd16(p + 2) << 16; }

static void geometry(const uint8_t *img, struct geo *g) {
    uint32_t bps = rd16(img + 11), spc = img[13], res = rd16(img + 14), nfats = img[16];
    uint32_t rootent = rd16(img + 17), total = rd16(img + 19) ? rd16(img + 19) : rd32(img + 32);
    uint32_t fatsz = rd16(img + 22) ? rd16(img + 22) : rd32(img + 36);
    uint32_t rootsec = (rootent * 32 + bps - 1) / bps;
    g->cs = bps * spc;
    g->fat_off = (uint64_t)res * bps;
    g->root_off = g->fat_off + (uint64_t)nfats * fatsz * bps;
    g->data_off = g->root_off + (uint64_t)rootsec * bps;
    g->clusters = (total - res - nfats * fatsz - rootsec) / spc;
    g->type = g->clusters < 4085 ? 12 : g->clusters < 65525 ? 16 : 32;
    g->root_entries = rootent;
    g->root_cluster = g->type == 32 ? rd32(img + 44) : 0;
}

static uint32_t fat_of(const uint8_t *img, const struct geo *g, uint32_t c) {
    return g->type == 16 ? rd16(img + g->fat_off + 2 * (uint64_t)c) : rd32(img + g->fat_off + 4 * (uint64_t)c) & 0x0fffffff;
}
static uint32_t eoc_min(const struct geo *g) { return g->type == 16 ? 0xfff8 : 0x0ffffff8; }

struct check {
    const uint8_t *img;
    struct geo g;
    uint8_t *owner;
    char why[160];
    int bad;
};

static void fail_check(struct check *k, const char *fmt, const char *name, uint32_t a) {
    if (k->bad++) return;
    snprintf(k->why, sizeof k->why, fmt, name, a);
}

/* Claims first's chain: its length in clusters (0 after a fault). */
static uint32_t claim(struct check *k, const char *name, uint32_t first) {
    uint32_t c = first, n = 0;
    for (;;) {
        if (c < 2 || c >= k->g.clusters + 2) { fail_check(k, "%s: cluster %u out of range", name, c); return 0; }
        if (k->owner[c]) { fail_check(k, "%s: cluster %u reached twice (cross-link)", name, c); return 0; }
        k->owner[c] = 1;
        n++;
        uint32_t v = fat_of(k->img, &k->g, c);
        if (v == 0) { fail_check(k, "%s: chain reaches free cluster %u", name, c); return 0; }
        if (v >= eoc_min(&k->g)) return n;
        if (v == eoc_min(&k->g) - 1) { fail_check(k, "%s: bad cluster %u in chain", name, c); return 0; }
        c = v;
    }
}

static void walk_dir(struct check *k, uint32_t cluster, int depth);

/* One 32-byte slot of a directory: 1 at the end-of-directory mark. */
static int slot(struct check *k, const uint8_t *d, int depth) {
    if (d[0] == 0) return 1;
    if (d[0] == 0xe5 || d[11] == 0x0f || (d[11] & 0x08)) return 0;
    char name[12];
    memcpy(name, d, 11);
    name[11] = 0;
    if (d[0] == '.') return 0;   /* "." and ".." */
    for (int i = 0; i < 11; i++)
        if (d[i] < 0x20 || strchr("\"*+,/:;<=>?[\\]|", d[i])) { fail_check(k, "%s: not a short name (slot %u)", "entry", d[i]); return 0; }
    if (d[11] & 0xc0) { fail_check(k, "%s: reserved attribute bits %u", name, d[11]); return 0; }
    uint32_t first = rd16(d + 26) | (k->g.type == 32 ? rd16(d + 20) << 16 : 0), size = rd32(d + 28);
    if (d[11] & 0x10) {
        if (first == 0) { fail_check(k, "%s: directory without a cluster %u", name, 0); return 0; }
        uint32_t n = claim(k, name, first);
        if (n && depth < 16) walk_dir(k, first, depth + 1);
        return 0;
    }
    if (first == 0) {
        if (size) fail_check(k, "%s: %u bytes and no cluster", name, size);
        return 0;
    }
    uint32_t n = claim(k, name, first);
    if (n && (uint64_t)n * k->g.cs < size) fail_check(k, "%s: size %u past its chain", name, size);
    return 0;
}

static void walk_dir(struct check *k, uint32_t cluster, int depth) {
    if (cluster == 0) {   /* the fixed FAT16 root */
        for (uint32_t i = 0; i < k->g.root_entries; i++)
            if (slot(k, k->img + k->g.root_off + 32 * (uint64_t)i, depth)) return;
        return;
    }
    for (uint32_t c = cluster, steps = 0; c >= 2 && c < k->g.clusters + 2 && steps <= k->g.clusters; steps++) {
        const uint8_t *p = k->img + k->g.data_off + (uint64_t)(c - 2) * k->g.cs;
        for (uint32_t i = 0; i < k->g.cs / 32; i++)
            if (slot(k, p + 32 * i, depth)) return;
        uint32_t v = fat_of(k->img, &k->g, c);
        if (v >= eoc_min(&k->g)) return;
        c = v;
    }
}

/* A root file by its short name: 0 and its bytes in out (*size), or -1. */
static int read_root_file(const struct check *k, const char sfn[11], uint8_t *out, uint32_t cap, uint32_t *size) {
    uint32_t first = 0, found = 0;
    if (k->g.type == 16) {
        for (uint32_t i = 0; i < k->g.root_entries && !found; i++) {
            const uint8_t *d = k->img + k->g.root_off + 32 * (uint64_t)i;
            if (d[0] == 0) break;
            if (memcmp(d, sfn, 11) == 0 && d[11] != 0x0f) { first = rd16(d + 26); *size = rd32(d + 28); found = 1; }
        }
    } else {
        for (uint32_t c = k->g.root_cluster; !found && c >= 2 && c < k->g.clusters + 2;) {
            const uint8_t *p = k->img + k->g.data_off + (uint64_t)(c - 2) * k->g.cs;
            for (uint32_t i = 0; i < k->g.cs / 32 && !found; i++)
                if (memcmp(p + 32 * i, sfn, 11) == 0 && p[32 * i + 11] != 0x0f) {
                    first = rd16(p + 32 * i + 26) | rd16(p + 32 * i + 20) << 16;
                    *size = rd32(p + 32 * i + 28);
                    found = 1;
                }
            uint32_t v = fat_of(k->img, &k->g, c);
            if (v >= eoc_min(&k->g)) break;
            c = v;
        }
    }
    if (!found || *size > cap) return -1;
    uint32_t c = first;
    for (uint32_t done = 0; done < *size;) {
        if (c < 2 || c >= k->g.clusters + 2) return -1;
        uint32_t n = *size - done < k->g.cs ? *size - done : k->g.cs;
        memcpy(out + done, k->img + k->g.data_off + (uint64_t)(c - 2) * k->g.cs, n);
        done += n;
        c = fat_of(k->img, &k->g, c);
    }
    return 0;
}

/* --- the sequence -------------------------------------------------------------------- */

static struct fat_vol v;
static uint64_t rng;
static uint32_t rnd(uint32_t n) {
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rng >> 33) % n;
}

struct file { struct fat_entry e; int live; };
static struct file files[64];
static uint32_t dirs[3];   /* root, sub, sub2 */
static uint8_t data[24000];

static const char keep_sfn[NKEEP][12] = { "KEEP0   DAT", "KEEP1   DAT", "KEEP2   DAT" };
static const char *const keep_name[NKEEP] = { "KEEP0.DAT", "KEEP1.DAT", "KEEP2.DAT" };
static const uint32_t keep_size[NKEEP] = { 100, 3000, 20000 };
static size_t synced_at;   /* the log index once the KEEP files were synced */

/* Writes like fat_iwrite: a piece, then the entry. */
static void write_pieces(struct fat_entry *e, uint64_t off, const uint8_t *p, uint32_t len) {
    for (uint32_t done = 0; done < len;) {
        uint32_t n = len - done < 700 ? len - done : 700;
        long w = fat_file_write(&v, &e->cluster, &e->size, off + done, p + done, n);
        assert_true(w == (long)n);
        assert_int_equal(fat_entry_store(&v, e), 0);
        done += n;
    }
}

static void sync_all(void) {
    assert_int_equal(fat_vol_sync(&v), 0);
    assert_int_equal(bcache_sync(&cache, &devtag), 0);
}

static void run_sequence(uint64_t seed) {
    rng = seed;
    memset(files, 0, sizeof files);
    uint16_t d = 0x5a21, t = 0x6000;
    dirs[0] = fat_root(&v);
    for (int i = 0; i < NKEEP; i++) {
        struct fat_entry e;
        assert_int_equal(fat_dir_add(&v, dirs[0], keep_name[i], FAT_ATTR_ARCH, 0, 0, d, t, &e), 0);
        write_pieces(&e, 0, data + 1000 * i, keep_size[i]);
    }
    sync_all();
    synced_at = nlog;
    for (int i = 1; i < 3; i++) {
        uint32_t c;
        struct fat_entry e;
        assert_int_equal(fat_dir_create(&v, dirs[0], d, t, &c), 0);
        assert_int_equal(fat_dir_add(&v, dirs[0], i == 1 ? "sub" : "second dir", FAT_ATTR_DIR, c, 0, d, t, &e), 0);
        dirs[i] = c;
    }
    for (int op = 0; op < 160; op++) {
        struct file *f = &files[rnd(64)];
        uint32_t kind = rnd(10);
        if (!f->live) {
            char name[40];
            snprintf(name, sizeof name, "a file with a long name %d.txt", op);
            assert_int_equal(fat_dir_add(&v, dirs[rnd(3)], name, FAT_ATTR_ARCH, 0, 0, d, t, &f->e), 0);
            f->live = 1;
            write_pieces(&f->e, 0, data + rnd(1000), rnd(6000));
        } else if (kind < 3) {
            write_pieces(&f->e, f->e.size, data + rnd(1000), 1 + rnd(4000));
        } else if (kind < 5) {
            uint32_t to = rnd(3) ? rnd(f->e.size + 1) : f->e.size + rnd(3000);
            assert_int_equal(fat_entry_truncate(&v, &f->e, to, 1), 0);
        } else if (kind < 7) {
            assert_int_equal(fat_dir_remove(&v, &f->e), 0);
            assert_int_equal(fat_chain_free(&v, f->e.cluster), 0);
            f->live = 0;
        } else if (kind < 9) {
            char name[40];
            struct fat_entry ne;
            snprintf(name, sizeof name, "moved %d", op);
            assert_int_equal(fat_dir_move(&v, &f->e, dirs[rnd(3)], name, &ne), 0);
            f->e = ne;
        } else {
            sync_all();
        }
    }
    sync_all();
}

/* Rebuilds the disk write by write; the number of cuts that break a rule. */
static int replay(const char *label) {
    uint8_t *img = malloc(disk_n), *buf = malloc(sizeof data);
    struct check k;
    assert_non_null(img);
    memcpy(img, base, disk_n);
    k.img = img;
    geometry(img, &k.g);
    k.owner = malloc(k.g.clusters + 2);
    int broken = 0;
    for (size_t i = 0; i <= nlog; i++) {
        if (i) memcpy(img + wlog[i - 1].blk * BS, wlog[i - 1].data, BS);
        memset(k.owner, 0, k.g.clusters + 2);
        k.bad = 0;
        k.why[0] = 0;
        walk_dir(&k, k.g.type == 32 ? k.g.root_cluster : 0, 0);
        if (k.g.type == 32 && !k.bad) claim(&k, "root", k.g.root_cluster);
        for (int f = 0; f < NKEEP && i >= synced_at; f++) {
            uint32_t size = 0;
            if (read_root_file(&k, keep_sfn[f], buf, sizeof data, &size) != 0 || size != keep_size[f] ||
                memcmp(buf, data + 1000 * f, size) != 0)
                fail_check(&k, "%s: synced file not intact (%u)", keep_name[f], size);
        }
        if (k.bad) {
            if (!broken) printf("    %s: first broken cut after write %zu of %zu: %s\n", label, i, nlog, k.why);
            broken++;
        }
    }
    printf("    %s: %zu writes, %d broken cuts\n", label, nlog, broken);
    free(k.owner);
    free(img);
    free(buf);
    return broken;
}

static int have_mkfs(void) { return system("command -v mkfs.fat >/dev/null") == 0; }

/* mkfs.fat -F fat of kib KiB (512-byte clusters), then the sequence with or without barriers. */
static int cuts(int fat, int kib, int with_barriers, uint64_t seed) {
    char dir[] = "/tmp/secos-powercut-XXXXXX", cmd[256], path[128];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/i.img", dir);
    snprintf(cmd, sizeof cmd, "mkfs.fat -C -F %d -s 1 %s %d >/dev/null", fat, path, kib);
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
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    memcpy(disk, base, disk_n);
    nlog = 0;
    barriers_on = with_barriers;
    bcache_init(&cache, ent, NENT, pool, BS, &cops);
    bcache_set_run_buf(&cache, run_buf, 8);
    struct fat_io io = { io_read, io_write, &devtag, disk_n, io_barrier };
    assert_int_equal(fat_vol_open(&v, &io, 0), 0);
    assert_int_equal(v.type, fat);
    for (size_t i = 0; i < sizeof data; i++) data[i] = (uint8_t)(i * 7 + i / 251);
    run_sequence(seed);
    char label[48];
    snprintf(label, sizeof label, "FAT%d %s barriers", fat, with_barriers ? "with" : "without");
    return replay(label);
}

static void test_fat16_every_cut_consistent(void **state) {
    (void)state;
    if (!have_mkfs()) skip();
    for (uint64_t seed = 1; seed <= 3; seed++) assert_int_equal(cuts(16, 4096, 1, seed), 0);
}

static void test_fat32_every_cut_consistent(void **state) {
    (void)state;
    if (!have_mkfs()) skip();
    assert_int_equal(cuts(32, 34 * 1024, 1, 7), 0);
}

/* Without the barriers the same sequence leaves a broken disk at some cut:
 * the checker sees what the ordering is there for. */
static void test_without_barriers_some_cut_breaks(void **state) {
    (void)state;
    if (!have_mkfs()) skip();
    int broken = 0;
    for (uint64_t seed = 1; seed <= 3; seed++) broken += cuts(16, 4096, 0, seed);
    assert_true(broken > 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fat16_every_cut_consistent),
        cmocka_unit_test(test_fat32_every_cut_consistent),
        cmocka_unit_test(test_without_barriers_some_cut_breaks),
    };
    int r = cmocka_run_group_tests(tests, NULL, NULL);
    free(disk);
    free(base);
    free(wlog);
    return r;
}
