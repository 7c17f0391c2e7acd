/* Fuzzes the exFAT core (fs/exfat_core.c, fs/exfat_dir.c) over whole
 * images: open the volume, walk every directory (depth-bounded), check and
 * read every file, look every name up again, resolve paths through it.
 * Nothing may crash, read outside the image, or loop (every call is bounded
 * by the core itself; libFuzzer's timeout catches a hang). */
#include "tests/fuzz/fuzz.h"
#include "fs/exfat_core.h"
#include "secos/errno.h"

struct img {
    const uint8_t *p;
    size_t n;
};

static long rd(void *dev, uint64_t off, void *buf, uint64_t len) {
    struct img *m = dev;
    CHECK(off <= m->n && len <= m->n - off);   /* the core checks before it asks */
    memcpy(buf, m->p + off, len);
    return (long)len;
}

static struct exfat_vol v;   /* 128 KiB: static */
static uint8_t buf[4096];

static void walk(const struct exfat_obj *dir, const char *path, int depth) {
    struct exfat_entry *e = malloc(sizeof *e), *f = malloc(sizeof *f);
    struct exfat_cursor c = { 0, 0 };
    uint64_t pos = 0;
    for (int n = 0; n < 64 && exfat_dir_next(&v, dir, &c, &pos, e) == 0; n++) {
        CHECK(strlen(e->name) > 0 && strlen(e->name) <= EXFAT_NAME_BYTES && !strchr(e->name, '/'));
        CHECK(e->nunits >= 1 && e->nunits <= EXFAT_NAME_UNITS);
        CHECK(exfat_dir_find(&v, dir, e->name, f) != -ENOENT);   /* the name it listed can be found (or the scan fails) */
        if (exfat_entry_check(&v, e) != 0) continue;
        char sub[256];
        int k = snprintf(sub, sizeof sub, "%s/%s", path, e->name);
        if (k > 0 && (size_t)k < sizeof sub) {
            int root;
            (void)exfat_resolve(&v, sub, f, &root);
        }
        if (e->attr & EXFAT_ATTR_DIR) {
            if (depth < 4) walk(&e->obj, k > 0 && (size_t)k < sizeof sub ? sub : path, depth + 1);
            continue;
        }
        struct exfat_cursor rc = { 0, 0 };
        for (uint64_t off = 0; off < e->obj.size && off < 65536; off += sizeof buf - 7) {   /* odd steps: edges */
            long r = exfat_obj_read(&v, &e->obj, &rc, off, buf, sizeof buf);
            if (r <= 0) break;
            CHECK((uint64_t)r <= sizeof buf);
        }
    }
    free(e);
    free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 4u << 20) return 0;
    struct img m = { data, size };
    struct exfat_io io = { rd, &m, size };
    (void)exfat_probe(&io);
    if (exfat_vol_open(&v, &io) != 0) return 0;
    CHECK(v.clusters > 0 && v.free_clusters <= v.clusters);
    CHECK(v.root.size > 0 && v.root.size <= EXFAT_DIR_MAX);
    walk(&v.root, "", 0);
    return 0;
}
