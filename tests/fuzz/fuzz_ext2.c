/* Fuzzes the ext2 core (fs/ext2_core.c, ext2_map.c, ext2_dir.c, and the
 * writing side ext2_alloc.c, ext2_grow.c, ext2_dirw.c, ext2_ops.c) over
 * whole images: open the volume, walk every directory (depth-bounded),
 * read every file and link, look every name up again, resolve paths
 * through it; then, on a writable copy, create, write, truncate, mkdir,
 * rename and remove through whatever the image's bitmaps and directories
 * say, and close. Nothing may crash, read outside the image, or loop (every
 * call is bounded by the core itself; libFuzzer's timeout catches a hang). */
#include "tests/fuzz/fuzz.h"
#include "fs/ext2_core.h"
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
    CHECK(off <= m->n && len <= m->n - off);   /* never outside the device */
    memcpy((uint8_t *)m->p + off, buf, len);
    return (long)len;
}

static struct ext2_vol v;
static uint8_t buf[4096];

static void walk(const struct ext2_inode *dir, const char *path, int depth) {
    struct ext2_dirent *e = malloc(sizeof *e), *f = malloc(sizeof *f);
    struct ext2_inode *in = malloc(sizeof *in);
    uint64_t pos = 0;
    for (int n = 0; n < 64 && ext2_dir_next(&v, dir, &pos, e) == 0; n++) {
        CHECK(e->name_len > 0 && e->name_len <= EXT2_NAME_MAX && strlen(e->name) == e->name_len);
        CHECK(!strchr(e->name, '/'));
        CHECK(ext2_dir_find(&v, dir, e->name, f) != -ENOENT);   /* the name it listed can be found (or the scan fails) */
        char sub[300];
        int k = snprintf(sub, sizeof sub, "%s/%s", path, e->name);
        if (k > 0 && (size_t)k < sizeof sub) (void)ext2_resolve(&v, sub, in);
        if (ext2_inode_read(&v, e->ino, in) != 0) continue;
        if (ext2_is_dir(in)) {
            if (depth < 4) walk(in, k > 0 && (size_t)k < sizeof sub ? sub : path, depth + 1);
            continue;
        }
        if (ext2_is_lnk(in)) {
            long r = ext2_readlink(&v, in, (char *)buf, sizeof buf);
            CHECK(r < 0 || (uint64_t)r <= sizeof buf);
            continue;
        }
        if (!ext2_is_reg(in)) continue;
        for (uint64_t off = 0; off < in->size && off < 65536; off += sizeof buf - 7) {   /* odd steps: edges */
            long r = ext2_file_read(&v, in, off, buf, sizeof buf);
            if (r <= 0) break;
            CHECK((uint64_t)r <= sizeof buf);
        }
    }
    free(e);
    free(f);
    free(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 4u << 20) return 0;
    struct img m = { (uint8_t *)data, size };
    struct ext2_io io = { rd, &m, size, 0, 0 };
    (void)ext2_probe(&io);
    if (ext2_vol_open(&v, &io) != 0) return 0;
    CHECK(v.block_size >= 1024 && v.block_size <= EXT2_BLOCK_MAX);
    CHECK((uint64_t)v.blocks_count * v.block_size <= size);
    struct ext2_inode root;
    if (ext2_resolve(&v, "/", &root) == 0) walk(&root, "", 0);
    /* writing, on a copy */
    uint8_t *copy = malloc(size);
    memcpy(copy, data, size);
    struct img w = { copy, size };
    struct ext2_io wio = { rd, &w, size, wr, 0 };
    if (ext2_vol_open(&v, &wio) == 0 && ext2_vol_begin_write(&v) == 0) {
        static struct ext2_inode r2, f, d, victim;
        if (ext2_resolve(&v, "/", &r2) == 0) {
            if (ext2_create(&v, &r2, "fuzzed", 0644, &f) == 0) {
                (void)ext2_file_write(&v, &f, 5000, buf, sizeof buf);
                (void)ext2_truncate(&v, &f, 100);
            }
            if (ext2_mkdir(&v, &r2, "dir", 0755, &d) == 0 && ext2_resolve(&v, "/", &r2) == 0)
                (void)ext2_rename(&v, &r2, "fuzzed", &d, "moved", 1, &victim);
            struct ext2_dirent e;
            uint64_t pos = 0;
            if (ext2_resolve(&v, "/", &r2) == 0 && ext2_dir_next(&v, &r2, &pos, &e) == 0) {   /* an image's own file */
                if (ext2_unlink(&v, &r2, e.name, &victim) == 0 && victim.links == 0) (void)ext2_inode_release(&v, &victim);
                else if (ext2_rmdir(&v, &r2, e.name, &victim) == 0) (void)ext2_inode_release(&v, &victim);
            }
        }
        (void)ext2_vol_close(&v);
    }
    free(copy);
    return 0;
}
