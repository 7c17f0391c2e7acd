/* fs/exfat_core.c + fs/exfat_dir.c against images made by mkfs.exfat
 * (exfatprogs) in the test, with entry sets, chains and hostile fields
 * written into them here, and against the image Linux's exfat driver
 * filled (tools/linux-guest/exfat_image.py; `make unit` builds it through
 * the exfat-image rule as build/exfat/linux-filled.img). test_linux_filled
 * needs that image and skips, saying so, without it (no Linux kernel
 * image or QEMU); every other case needs only mkfs.exfat. */
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

#include "fs/exfat_core.h"
#include "lib/sha256.h"
#include "secos/errno.h"

#define LINUX_IMAGE "build/exfat/linux-filled.img"

struct img {
    uint8_t *p;
    size_t n;
};

static char dir[64];
static struct img m;
static struct exfat_vol V;   /* 128 KiB: static */
static struct exfat_entry E;

static long rd(void *dev, uint64_t off, void *buf, uint64_t len) {
    struct img *i = dev;
    assert_true(off <= i->n && len <= i->n - off);   /* the core checks before it asks */
    memcpy(buf, i->p + off, len);
    return (long)len;
}

static struct exfat_io io(void) {
    struct exfat_io i = { rd, &m, m.n };
    return i;
}

static int vopen(void) {
    struct exfat_io i = io();
    return exfat_vol_open(&V, &i);
}

static int run(const char *fmt, ...) {
    char cmd[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    return system(cmd);
}

static void load(const char *path) {
    free(m.p);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    m.n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    m.p = malloc(m.n);
    assert_int_equal(fread(m.p, 1, m.n, f), m.n);
    fclose(f);
}

/* mkfs.exfat on a fresh image of mib MiB with extra options; opened. */
static void mkfs(int mib, const char *opts) {
    assert_int_equal(run("cd %s && rm -f e.img && truncate -s %dM e.img && mkfs.exfat %s e.img >/dev/null", dir, mib,
                         opts ? opts : ""),
                     0);
    char path[128];
    snprintf(path, sizeof path, "%s/e.img", dir);
    load(path);
    assert_int_equal(vopen(), 0);
}

static uint32_t le32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }

static uint32_t bps(void) { return 1u << m.p[108]; }

/* Sector 11 rewritten from sectors 0..10: a field change alone then fails
 * only the rule about that field. */
static void boot_fix(void) {
    uint32_t b = bps(), sum = exfat_boot_checksum(m.p, b);
    for (uint32_t i = 0; i < b; i += 4) put32(m.p + 11 * b + i, sum);
}

static uint8_t *cluster(uint32_t c) { return m.p + V.heap_off + ((uint64_t)(c - 2) << V.cluster_shift); }
static void fat_put(uint32_t c, uint32_t val) { put32(m.p + V.fat_off + 4ull * c, val); }

/* The root directory's entry at byte pos (the root of a small mkfs volume
 * is one cluster). */
static uint8_t *root_entry(uint64_t pos) {
    assert_true(pos + 32 <= exfat_cluster_size(&V));
    return cluster(V.root.first) + pos;
}

/* The first free (end-of-directory) slot of the directory in cluster c. */
static uint8_t *free_slot(uint32_t c) {
    for (uint64_t pos = 0; pos < exfat_cluster_size(&V); pos += 32)
        if (cluster(c)[pos] == 0) return cluster(c) + pos;
    fail_msg("directory full");
    return 0;
}

/* A file entry set for name in the directory at cluster dc: 0x85, 0xC0,
 * the names; checksums and hash computed, so the set is valid unless the
 * caller breaks it afterwards. Returns the file entry. */
static uint8_t *add_set(uint32_t dc, const char *name, uint16_t attr, uint32_t first, int nofat, uint64_t size,
                        uint64_t valid) {
    uint16_t u[EXFAT_NAME_UNITS];
    int n = exfat_utf8_to_utf16(name, u, EXFAT_NAME_UNITS);
    assert_true(n > 0);
    int names = (n + 14) / 15;
    uint8_t *s = free_slot(dc);
    memset(s, 0, 32u * (2 + names));
    s[0] = 0x85;
    s[1] = (uint8_t)(1 + names);
    put16(s + 4, attr);
    put32(s + 12, 0x5a8f6c21);   /* 2025-04-15 13:33:02 */
    s[21] = 150;                 /* + 1.5 s */
    s[23] = 0x80 | 8;            /* UTC+2 h */
    uint8_t *st = s + 32;
    st[0] = 0xc0;
    st[1] = 0x01 | (nofat ? 0x02 : 0);
    st[3] = (uint8_t)n;
    put16(st + 4, exfat_name_hash(&V, u, (uint32_t)n));
    put64(st + 8, valid);
    put32(st + 20, first);
    put64(st + 24, size);
    for (int k = 0; k < names; k++) {
        uint8_t *ne = s + 64 + 32 * k;
        ne[0] = 0xc1;
        for (int j = 0; j < 15 && k * 15 + j < n; j++) put16(ne + 2 + 2 * j, u[k * 15 + j]);
    }
    put16(s + 2, exfat_set_checksum(s, 32u * (2 + names)));
    return s;
}

static void reseal(uint8_t *s) { put16(s + 2, exfat_set_checksum(s, 32u * (s[1] + 1))); }

/* Clusters at the end of the heap, free on a small fresh volume. */
static uint32_t spare(uint32_t k) { return V.clusters + 1 - k; }

static void fill(uint32_t c, uint8_t seed) {
    for (uint64_t i = 0; i < exfat_cluster_size(&V); i++) cluster(c)[i] = (uint8_t)(seed + i * 7);
}

static int setup(void **state) {
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/exfat-unit-XXXXXX");
    assert_non_null(mkdtemp(dir));
    return 0;
}

static int teardown(void **state) {
    (void)state;
    run("rm -rf %s", dir);
    free(m.p);
    m.p = 0;
    return 0;
}

/* --- a fresh volume --------------------------------------------------------------- */

static void test_empty_volume(void **state) {
    (void)state;
    mkfs(8, "-L Leer-ÄÖ");
    struct exfat_io i = io();
    assert_int_equal(exfat_probe(&i), 1);
    assert_string_equal(V.label, "Leer-ÄÖ");
    assert_int_equal(V.cluster_shift, 12);
    assert_true(V.free_clusters < V.clusters && V.free_clusters > V.clusters - 8);   /* bitmap, up-case, root */
    uint64_t pos = 0;
    assert_int_equal(exfat_dir_next(&V, &V.root, 0, &pos, &E), -ENOENT);
    assert_int_equal(exfat_dir_find(&V, &V.root, "x", &E), -ENOENT);
    int root;
    assert_int_equal(exfat_resolve(&V, "/", &E, &root), 0);
    assert_int_equal(root, 1);
    assert_int_equal(exfat_resolve(&V, "/nothing/here", &E, &root), -ENOENT);
}

static void test_not_exfat(void **state) {
    (void)state;
    assert_int_equal(run("cd %s && rm -f f.img && mkfs.fat -C -F 32 f.img 40000 >/dev/null", dir), 0);
    char path[128];
    snprintf(path, sizeof path, "%s/f.img", dir);
    load(path);
    struct exfat_io i = io();
    assert_int_equal(exfat_probe(&i), 0);
    assert_int_equal(vopen(), -EINVAL);
    m.n = 100;   /* shorter than a sector */
    i = io();
    assert_int_equal(exfat_probe(&i), 0);
    assert_int_equal(vopen(), -EIO);
}

/* The up-case table mkfs.exfat writes is the compressed one. */
static void test_upcase_decoded(void **state) {
    (void)state;
    mkfs(8, 0);
    assert_true(V.upcase_obj.size < 2 * 65536);
    assert_int_equal(V.upcase['a'], 'A');
    assert_int_equal(V.upcase['Z'], 'Z');
    assert_int_equal(V.upcase[0xe4], 0xc4);     /* ä */
    assert_int_equal(V.upcase[0x3b1], 0x391);   /* α */
    assert_int_equal(V.upcase[0x430], 0x410);   /* а */
    assert_int_equal(V.upcase[0x4e00], 0x4e00);
}

/* --- files written here -------------------------------------------------------------- */

static void read_all(const struct exfat_obj *o, uint8_t *out, uint64_t n) {
    struct exfat_cursor c = { 0, 0 };
    for (uint64_t at = 0; at < n; at += 1000) {   /* odd steps: across cluster edges */
        uint64_t k = n - at < 1000 ? n - at : 1000;
        assert_int_equal(exfat_obj_read(&V, o, &c, at, out + at, k), (long)k);
    }
}

static void crafted(uint32_t cs_kib) {
    char opt[32];
    snprintf(opt, sizeof opt, "-c %uK", cs_kib);
    mkfs(cs_kib >= 256 ? 96 : 16, opt);
    uint64_t cs = exfat_cluster_size(&V);
    assert_int_equal(cs, (uint64_t)cs_kib << 10);
    uint32_t rc = V.root.first;
    /* Contiguous (NoFatChain), 2.5 clusters. */
    for (uint32_t k = 0; k < 3; k++) fill(spare(10) + k, (uint8_t)k);
    add_set(rc, "Contiguous.bin", EXFAT_ATTR_ARCH, spare(10), 1, cs * 2 + cs / 2, cs * 2 + cs / 2);
    /* A FAT chain in reverse order: spare(3) -> spare(4) -> spare(5). */
    for (uint32_t k = 3; k <= 5; k++) fill(spare(k), (uint8_t)(10 * k));
    fat_put(spare(3), spare(4));
    fat_put(spare(4), spare(5));
    fat_put(spare(5), 0xffffffff);
    add_set(rc, "Frag.bin", EXFAT_ATTR_ARCH, spare(3), 0, cs * 3 - 5, cs * 3 - 5);
    /* ValidDataLength < DataLength: the tail reads as zeros. */
    fill(spare(20), 1);
    fill(spare(19), 2);
    add_set(rc, "valid.bin", 0, spare(20), 1, cs * 2, 100);
    add_set(rc, "emoji-😀-€ and a name that is much longer than fifteen units.txt", 0, 0, 0, 0, 0);
    assert_int_equal(vopen(), 0);

    static uint8_t want[3 << 20], got[3 << 20];
    assert_int_equal(exfat_dir_find(&V, &V.root, "CONTIGUOUS.BIN", &E), 0);
    assert_string_equal(E.name, "Contiguous.bin");
    assert_int_equal(exfat_entry_check(&V, &E), 0);
    assert_true(E.obj.nofat);
    memcpy(want, cluster(spare(10)), E.obj.size);
    read_all(&E.obj, got, E.obj.size);
    assert_memory_equal(got, want, E.obj.size);
    assert_int_equal(E.mtime, 1744716782 + 1);   /* 13:33:02 local at UTC+2 = 11:33:02 UTC, + 1 s of the 1.5 */

    assert_int_equal(exfat_dir_find(&V, &V.root, "frag.BIN", &E), 0);
    assert_int_equal(exfat_entry_check(&V, &E), 0);
    assert_false(E.obj.nofat);
    for (uint32_t k = 0; k < 3; k++) memcpy(want + k * cs, cluster(spare(3 + k)), cs);
    read_all(&E.obj, got, E.obj.size);
    assert_memory_equal(got, want, E.obj.size);
    assert_int_equal(exfat_obj_read(&V, &E.obj, 0, E.obj.size, got, 10), 0);   /* at the end */

    assert_int_equal(exfat_dir_find(&V, &V.root, "Valid.bin", &E), 0);
    assert_int_equal(exfat_entry_check(&V, &E), 0);
    memset(want, 0, cs * 2);
    memcpy(want, cluster(spare(20)), 100);
    read_all(&E.obj, got, E.obj.size);
    assert_memory_equal(got, want, cs * 2);

    assert_int_equal(exfat_dir_find(&V, &V.root, "EMOJI-😀-€ AND A NAME THAT IS MUCH LONGER THAN FIFTEEN UNITS.TXT", &E), 0);
    assert_int_equal(E.nunits, 64);   /* the emoji is a surrogate pair */
    assert_int_equal(E.obj.size, 0);
    /* A listing: the four, in order. */
    uint64_t pos = 0;
    int n = 0;
    while (exfat_dir_next(&V, &V.root, 0, &pos, &E) == 0) n++;
    assert_int_equal(n, 4);
}

static void test_crafted_4k(void **state) { (void)state; crafted(4); }
static void test_crafted_1k(void **state) { (void)state; crafted(1); }
static void test_crafted_1m(void **state) { (void)state; crafted(1024); }

static void test_names_and_times(void **state) {
    (void)state;
    char out[16];
    uint16_t u[8];
    assert_int_equal(exfat_utf16_to_utf8((const uint16_t[]){ 0xd83d, 0xde00 }, 2, out, sizeof out), 4);
    assert_string_equal(out, "😀");
    assert_int_equal(exfat_utf16_to_utf8((const uint16_t[]){ 0xd83d, 'a' }, 2, out, sizeof out), -EINVAL);
    assert_int_equal(exfat_utf16_to_utf8((const uint16_t[]){ 0xde00 }, 1, out, sizeof out), -EINVAL);
    assert_int_equal(exfat_utf16_to_utf8((const uint16_t[]){ 'a', '/', 'b' }, 3, out, sizeof out), -EINVAL);
    assert_int_equal(exfat_utf16_to_utf8((const uint16_t[]){ 0x20ac, 0x20ac, 0x20ac }, 3, out, 9), -ENAMETOOLONG);
    assert_int_equal(exfat_utf8_to_utf16("a😀", u, 8), 3);
    assert_int_equal(u[1], 0xd83d);
    assert_int_equal(exfat_utf8_to_utf16("\xc0\xaf", u, 8), -EINVAL);         /* overlong '/' */
    assert_int_equal(exfat_utf8_to_utf16("\xed\xa0\x80", u, 8), -EINVAL);     /* a surrogate in UTF-8 */
    assert_int_equal(exfat_utf8_to_utf16("abcdefghi", u, 8), -ENAMETOOLONG);
    /* 1980-01-01 00:00:00, no offset; 2107-12-31 23:59:58 at UTC-1 h; a bad month. */
    assert_int_equal(exfat_time_unpack(0x00210000, 0, 0), 315532800);
    assert_int_equal(exfat_time_unpack(0xff9fbf7d, 199, 0x80 | 0x7c), 4354819198ull + 1 + 3600);
    assert_int_equal(exfat_time_unpack(0x00010000, 0, 0), 0);
}

/* --- hostile images -------------------------------------------------------------- */

static void test_boot_checksum(void **state) {
    (void)state;
    mkfs(8, 0);
    m.p[9 * 512 + 7] ^= 1;   /* the OEM parameters sector: covered by the checksum */
    assert_int_equal(vopen(), -EINVAL);
    m.p[9 * 512 + 7] ^= 1;
    m.p[112] = 77;           /* PercentInUse is not */
    m.p[106] ^= 2;           /* nor VolumeDirty */
    assert_int_equal(vopen(), 0);
}

/* Each field out of range, the checksum made to match: only the field's rule refuses it. */
static void test_boot_fields(void **state) {
    (void)state;
    static const struct { int off, width; uint64_t val; } bad[] = {
        { 3, 1, 'X' },                 /* FileSystemName */
        { 40, 1, 1 },                  /* MustBeZero */
        { 0, 1, 0xe9 },                /* JumpBoot */
        { 105, 1, 2 },                 /* revision 2.x */
        { 108, 1, 8 }, { 108, 1, 13 }, /* BytesPerSectorShift */
        { 109, 1, 17 },                /* a 64 MiB cluster */
        { 110, 1, 0 }, { 110, 1, 3 },  /* NumberOfFats */
        { 106, 1, 1 },                 /* ActiveFat 1 with one FAT */
        { 80, 4, 8 },                  /* the FAT inside the boot regions */
        { 84, 4, 1 },                  /* a FAT too short for the clusters */
        { 80, 4, 0x10000 },            /* the FAT past the heap */
        { 92, 4, 0 }, { 92, 4, 0x100000 },   /* ClusterCount */
        { 96, 4, 1 }, { 96, 4, 0xffffff },   /* the root's cluster */
        { 72, 8, 1ull << 40 },         /* VolumeLength beyond the device */
        { 88, 4, 0x7fffffff },         /* the heap beyond the volume */
    };
    mkfs(8, 0);
    uint8_t saved[512];
    memcpy(saved, m.p, 512);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        memcpy(m.p, saved, 512);
        for (int k = 0; k < bad[i].width; k++) m.p[bad[i].off + k] = (uint8_t)(bad[i].val >> (8 * k));
        boot_fix();
        if (vopen() != -EINVAL) fail_msg("boot field at %d = %llu accepted", bad[i].off, (unsigned long long)bad[i].val);
        assert_non_null(V.why);
    }
    memcpy(m.p, saved, 512);
    m.p[510] = 0;
    boot_fix();
    assert_int_equal(vopen(), -EINVAL);
}

/* The root's entry of type t. */
static uint8_t *root_typed(uint8_t t) {
    for (uint64_t pos = 0; pos < exfat_cluster_size(&V); pos += 32)
        if (root_entry(pos)[0] == t) return root_entry(pos);
    fail_msg("no entry 0x%x", t);
    return 0;
}

static void test_bitmap_upcase_hostile(void **state) {
    (void)state;
    mkfs(8, 0);
    uint8_t *bm = root_typed(0x81), *up = root_typed(0x82);
    uint32_t bm_first = le32(bm + 20), up_first = le32(up + 20), up_sum = le32(up + 4);
    put32(bm + 20, V.clusters + 2);   /* outside the heap */
    assert_int_equal(vopen(), -EIO);
    put32(bm + 20, 1);
    assert_int_equal(vopen(), -EIO);
    put32(bm + 20, bm_first);
    put64(bm + 24, 1);                /* shorter than the clusters need */
    assert_int_equal(vopen(), -EIO);
    put64(bm + 24, (V.clusters + 7) / 8);
    assert_int_equal(vopen(), 0);
    put32(up + 20, V.clusters + 2);
    assert_int_equal(vopen(), -EIO);
    put32(up + 20, up_first);
    put32(up + 4, up_sum ^ 1);        /* TableChecksum */
    assert_int_equal(vopen(), -EIO);
    put32(up + 4, up_sum);
    put64(up + 24, 3);                /* an odd length */
    assert_int_equal(vopen(), -EIO);
    put64(up + 24, 1ull << 40);       /* longer than any table, and than its chain */
    assert_int_equal(vopen(), -EIO);
    put64(up + 24, 5836);
    assert_int_equal(vopen(), 0);
    up[0] = 0x02;                     /* no up-case table at all */
    assert_int_equal(vopen(), -EIO);
}

static void test_set_hostile(void **state) {
    (void)state;
    mkfs(8, 0);
    uint32_t rc = V.root.first;
    uint8_t *s = add_set(rc, "victim.txt", 0, 0, 0, 0, 0);
    assert_int_equal(vopen(), 0);
    assert_int_equal(exfat_dir_find(&V, &V.root, "victim.txt", &E), 0);
    uint8_t keep[96];
    memcpy(keep, s, 96);
    s[4] ^= EXFAT_ATTR_DIR;           /* a field no other rule checks, the checksum not updated */
    assert_int_equal(exfat_dir_find(&V, &V.root, "victim.txt", &E), -EIO);
    memcpy(s, keep, 96);
    s[64 + 2] = 'x';                  /* the name changed, the checksum not */
    assert_int_equal(exfat_dir_find(&V, &V.root, "victim.txt", &E), -EIO);
    reseal(s);                        /* now the NameHash (of the upper-cased name) no longer fits */
    assert_int_equal(exfat_dir_find(&V, &V.root, "xictim.txt", &E), -EIO);
    s[64 + 2] = 'V';                  /* only the case differs: the same hash */
    reseal(s);
    assert_int_equal(exfat_dir_find(&V, &V.root, "victim.txt", &E), 0);
    assert_string_equal(E.name, "Victim.txt");
    memcpy(s, keep, 96);
    s[32 + 3] = 40;                   /* NameLength 40 in one name entry */
    reseal(s);
    assert_int_equal(exfat_dir_find(&V, &V.root, "victim.txt", &E), -EIO);
    memcpy(s, keep, 96);
    s[1] = 1;                         /* SecondaryCount below the minimum */
    reseal(s);
    assert_int_equal(exfat_dir_find(&V, &V.root, "victim.txt", &E), -EIO);
    memcpy(s, keep, 96);
    s[1] = 3;                         /* a set that runs into the end of the directory */
    reseal(s);
    assert_int_equal(exfat_dir_find(&V, &V.root, "victim.txt", &E), -EIO);
    memcpy(s, keep, 96);
    s[32] = 0xc1, s[64] = 0xc0;       /* the stream extension not first */
    reseal(s);
    assert_int_equal(exfat_dir_find(&V, &V.root, "victim.txt", &E), -EIO);
    memcpy(s, keep, 96);
    assert_int_equal(exfat_dir_find(&V, &V.root, "victim.txt", &E), 0);
    /* Names a path cannot hold: ".", a '/', an unpaired surrogate (hash and checksum made to fit). */
    static const uint16_t evil[][3] = { { '.', 0, 0 }, { 'a', '/', 'b' }, { 'a', 0xd800, 'b' } };
    static const int len[] = { 1, 3, 3 };
    for (int k = 0; k < 3; k++) {
        memcpy(s, keep, 96);
        memset(s + 64 + 2, 0, 30);
        for (int j = 0; j < len[k]; j++) put16(s + 64 + 2 + 2 * j, evil[k][j]);
        s[32 + 3] = (uint8_t)len[k];
        put16(s + 32 + 4, exfat_name_hash(&V, evil[k], (uint32_t)len[k]));
        reseal(s);
        uint64_t pos = 0;
        assert_int_equal(exfat_dir_next(&V, &V.root, 0, &pos, &E), -EIO);
    }
}

static void test_chain_hostile(void **state) {
    (void)state;
    mkfs(8, 0);
    uint32_t rc = V.root.first;
    uint64_t cs = exfat_cluster_size(&V);
    fat_put(spare(1), spare(2));       /* a cycle: 1 -> 2 -> 1 */
    fat_put(spare(2), spare(1));
    add_set(rc, "cycle", 0, spare(1), 0, cs * 3, cs * 3);
    fat_put(spare(5), 0xffffffff);     /* one cluster for three */
    add_set(rc, "short", 0, spare(5), 0, cs * 3, cs * 3);
    add_set(rc, "runs off", 0, spare(1), 1, cs * 3, cs * 3);   /* contiguous past the last cluster */
    fat_put(spare(7), 0);              /* a link into a free cluster */
    fat_put(spare(8), spare(7));
    add_set(rc, "free link", 0, spare(8), 0, cs * 2, cs * 2);
    fat_put(spare(9), 0xfffffff7);     /* a bad cluster */
    add_set(rc, "bad", 0, spare(9), 0, cs * 2, cs * 2);
    add_set(rc, "valid beyond size", 0, spare(5), 0, 10, 20);
    add_set(rc, "no cluster", 0, 0, 0, 10, 10);
    add_set(rc, "big", 0, 2, 1, 1ull << 40, 1ull << 40);
    assert_int_equal(vopen(), 0);
    assert_int_equal(exfat_chain_len(&V, spare(1)), -EIO);
    static const char *names[] = { "cycle", "short", "runs off", "free link", "bad", "valid beyond size", "no cluster",
                                   "big" };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        assert_int_equal(exfat_dir_find(&V, &V.root, names[i], &E), 0);
        if (exfat_entry_check(&V, &E) != -EIO) fail_msg("'%s' passed the check", names[i]);
    }
}

static void test_dir_in_itself(void **state) {
    (void)state;
    mkfs(8, 0);
    uint32_t rc = V.root.first;
    uint64_t cs = exfat_cluster_size(&V);
    add_set(rc, "loop", EXFAT_ATTR_DIR, rc, 1, cs, cs);   /* the root inside the root */
    uint32_t a = spare(1), b = spare(2);                   /* a/b/back, back = a */
    memset(cluster(a), 0, cs);
    memset(cluster(b), 0, cs);
    add_set(rc, "a", EXFAT_ATTR_DIR, a, 1, cs, cs);
    add_set(a, "b", EXFAT_ATTR_DIR, b, 1, cs, cs);
    add_set(b, "back", EXFAT_ATTR_DIR, a, 1, cs, cs);
    add_set(b, "file", 0, 0, 0, 0, 0);
    add_set(rc, "empty dir", EXFAT_ATTR_DIR, 0, 0, 0, 0);
    assert_int_equal(vopen(), 0);
    int root;
    assert_int_equal(exfat_resolve(&V, "/loop", &E, &root), 0);   /* the entry itself can be seen ... */
    assert_int_equal(exfat_resolve(&V, "/loop/a", &E, &root), -EIO);   /* ... not entered */
    assert_int_equal(exfat_resolve(&V, "/a/b/file", &E, &root), 0);
    assert_int_equal(exfat_resolve(&V, "/a/b/back/b/file", &E, &root), -EIO);
    assert_int_equal(exfat_resolve(&V, "/a/b/file/x", &E, &root), -ENOTDIR);
    assert_int_equal(exfat_resolve(&V, "/empty dir", &E, &root), 0);
    assert_int_equal(exfat_entry_check(&V, &E), -EIO);               /* a directory without clusters */
    assert_int_equal(exfat_resolve(&V, "/empty dir/x", &E, &root), -EIO);
}

/* --- the image Linux filled ------------------------------------------------------------ */

static void sha_of(const struct exfat_obj *o, char hex[65]) {
    static uint8_t buf[65536];
    struct sha256 s;
    struct exfat_cursor c = { 0, 0 };
    sha256_init(&s);
    for (uint64_t at = 0; at < o->size; at += sizeof buf) {
        long r = exfat_obj_read(&V, o, &c, at, buf, sizeof buf);
        assert_true(r > 0);
        sha256_update(&s, buf, (size_t)r);
    }
    uint8_t d[SHA256_DIGEST];
    sha256_final(&s, d);
    sha256_hex(d, hex);
}

static int files_seen;
static char listing[300][1100];

/* Every file below path: its SHA-256 listed as the .sha256 file lists them. */
static void walk(const char *path, const struct exfat_obj *d, int depth) {
    assert_true(depth < 30);
    uint64_t pos = 0;
    struct exfat_cursor c = { 0, 0 };
    struct exfat_entry *e = malloc(sizeof *e);
    while (exfat_dir_next(&V, d, &c, &pos, e) == 0) {
        char sub[1024];
        snprintf(sub, sizeof sub, "%s/%s", path, e->name);
        assert_int_equal(exfat_entry_check(&V, e), 0);
        assert_true(e->mtime >= 1600000000);   /* README.TXT: exactly that; the rest: when the image was made */
        if (e->attr & EXFAT_ATTR_DIR) {
            walk(sub, &e->obj, depth + 1);
            continue;
        }
        char hex[65];
        sha_of(&e->obj, hex);
        assert_true(files_seen < 300);
        snprintf(listing[files_seen++], sizeof listing[0], "%s  %s", hex, sub);
    }
    free(e);
}

static int cmp(const void *a, const void *b) { return strcmp((const char *)a + 66, (const char *)b + 66); }

static void test_linux_filled(void **state) {
    (void)state;
    if (access(LINUX_IMAGE, R_OK) != 0) {
        printf("test_linux_filled: SKIPPED: no %s (make exfat-image: needs a Linux kernel image in /boot, "
               "QEMU, busybox-static and exfatprogs; tools/deps.sh)\n", LINUX_IMAGE);
        skip();
    }
    load(LINUX_IMAGE);
    assert_int_equal(vopen(), 0);
    files_seen = 0;
    walk("", &V.root, 0);
    qsort(listing, (size_t)files_seen, sizeof listing[0], cmp);
    FILE *f = fopen(LINUX_IMAGE ".sha256", "r");
    assert_non_null(f);
    char line[1100];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        assert_true(n < files_seen);
        assert_string_equal(listing[n], line);
        n++;
    }
    fclose(f);
    assert_int_equal(n, files_seen);
    assert_true(n >= 200 + 10);
    int root;
    /* The big file one contiguous run, the ones grown in turn FAT chains that jump. */
    assert_int_equal(exfat_resolve(&V, "/big.bin", &E, &root), 0);
    assert_true(E.obj.nofat && E.obj.size > 8 << 20);
    assert_int_equal(exfat_resolve(&V, "/frag/a.bin", &E, &root), 0);
    assert_false(E.obj.nofat);
    uint32_t c = E.obj.first, nx, jumps = 0;
    while (exfat_fat_next(&V, c, &nx) == 1) {
        jumps += nx != c + 1;
        c = nx;
    }
    assert_true(jumps > 10);
    /* Lookups by other cases, through the volume's up-case table. */
    assert_int_equal(exfat_resolve(&V, "/readme.txt", &E, &root), 0);
    assert_string_equal(E.name, "README.TXT");
    assert_int_equal(E.mtime, 1600000000);   /* exfat_image.py's README_MTIME, through tar and Linux */
    assert_int_equal(exfat_resolve(&V, "/NAMES/GRÜßE-äöü.TXT", &E, &root), 0);
    assert_string_equal(E.name, "grüße-ÄÖÜ.txt");
    assert_int_equal(exfat_resolve(&V, "/names/ελληνικά.txt", &E, &root), 0);
    assert_int_equal(exfat_resolve(&V, "/names/emoji-😀-🎉.txt", &E, &root), 0);
    assert_int_equal(exfat_resolve(&V, "/level01/level02/level03/level04/level05/level06/level07/level08/level09/"
                                       "level10/level11/level12/level13/level14/level15/level16/level17/level18/"
                                       "level19/level20/bottom.txt", &E, &root), 0);
    assert_int_equal(E.obj.size, 19);
    assert_true(V.free_clusters < V.clusters - (9u << 20) / exfat_cluster_size(&V));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_volume),
        cmocka_unit_test(test_not_exfat),
        cmocka_unit_test(test_upcase_decoded),
        cmocka_unit_test(test_crafted_4k),
        cmocka_unit_test(test_crafted_1k),
        cmocka_unit_test(test_crafted_1m),
        cmocka_unit_test(test_names_and_times),
        cmocka_unit_test(test_boot_checksum),
        cmocka_unit_test(test_boot_fields),
        cmocka_unit_test(test_bitmap_upcase_hostile),
        cmocka_unit_test(test_set_hostile),
        cmocka_unit_test(test_chain_hostile),
        cmocka_unit_test(test_dir_in_itself),
        cmocka_unit_test(test_linux_filled),
    };
    if (system("command -v mkfs.exfat >/dev/null") != 0) {
        printf("test_exfat: mkfs.exfat missing (exfatprogs: tools/deps.sh)\n");
        return 1;
    }
    return cmocka_run_group_tests(tests, setup, teardown);
}
