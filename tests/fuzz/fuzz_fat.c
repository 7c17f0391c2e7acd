/* Fuzzes the FAT core (fs/fat_core.c, fs/fat_dir.c) over whole images:
 * open the volume, walk every directory (depth-bounded), read every file,
 * then, on a writable copy, create, write, truncate, rename and remove.
 * Nothing may crash, read or write outside the image, or loop (every call
 * is bounded by the core itself; libFuzzer's timeout catches a hang). */
#include "tests/fuzz/fuzz.h"
#include "fs/fat_core.h"
#include "secos/errno.h"

struct img {
    uint8_t *p;
    size_t n;
};

static long rd(void *dev, uint64_t off, void *buf, uint64_t len) {
    struct img *m = dev;
    CHECK(off <= m->n && len <= m->n - off);   /* the core checks before it asks */
    memcpy(buf, m->p + off, len);
    return (long)len;
}

static long wr(void *dev, uint64_t off, const void *buf, uint64_t len) {
    struct img *m = dev;
    CHECK(off <= m->n && len <= m->n - off);
    memcpy(m->p + off, buf, len);
    return (long)len;
}

static uint8_t buf[4096];
static unsigned files;

static void walk(struct fat_vol *v, uint32_t dir, int depth) {
    struct fat_entry e;
    uint32_t i = 0;
    for (int n = 0; n < 64 && fat_dir_read(v, dir, &i, &e) == 0; n++) {
        CHECK(strlen(e.name) > 0 && strlen(e.name) <= FAT_NAME_MAX);
        CHECK(!strchr(e.name, '/'));
        if (e.attr & FAT_ATTR_DIR) {
            if (depth < 4 && e.cluster >= 2) walk(v, e.cluster, depth + 1);
            continue;
        }
        files++;
        for (uint64_t off = 0; off < e.size && off < 65536; off += sizeof buf) {
            long r = fat_file_read(v, e.cluster, e.size, off, buf, sizeof buf);
            if (r <= 0) break;
            CHECK((uint64_t)r <= sizeof buf);
        }
        (void)fat_chain_len(v, e.cluster);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 4u << 20) return 0;
    struct img m = { malloc(size ? size : 1), size };
    memcpy(m.p, data, size);
    struct fat_io io = { rd, wr, &m, size, 0 };
    static struct fat_vol v;
    (void)fat_probe(&io);
    if (fat_vol_open(&v, &io, 0) == 0) {
        CHECK(v.clusters > 0 && v.free_count <= v.clusters);
        files = 0;
        walk(&v, fat_root(&v), 0);
        /* Changes on the (copied) image. */
        struct fat_entry e, f;
        uint32_t root = fat_root(&v);
        if (fat_dir_add(&v, root, "a fuzzed long name.txt", FAT_ATTR_ARCH, 0, 0, 0x21, 0, &e) == 0) {
            memset(buf, 0x5a, sizeof buf);
            (void)fat_file_write(&v, &e.cluster, &e.size, 100, buf, sizeof buf);
            (void)fat_entry_store(&v, &e);
            (void)fat_file_truncate(&v, &e.cluster, &e.size, 10);
            (void)fat_entry_store(&v, &e);
            if (fat_dir_find(&v, root, "A FUZZED LONG NAME.TXT", &f) == 0) {
                (void)fat_dir_remove(&v, &f);
                (void)fat_chain_free(&v, f.cluster);
            }
        }
        uint32_t d;
        if (fat_dir_create(&v, root, 0x21, 0, &d) == 0) (void)fat_dir_add(&v, root, "D", FAT_ATTR_DIR, d, 0, 0x21, 0, &e);
        CHECK(v.free_count <= v.clusters);
        (void)fat_vol_sync(&v);
    }
    free(m.p);
    return 0;
}
