/* FAT on-disk core: boot sector, FAT entries and chains, file data. The
 * rules (what is validated, what is written when) are in fat_core.h;
 * directories and names are in fat_dir.c. */
#include "fs/fat_core.h"
#include "lib/string.h"
#include "secos/errno.h"

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static void put32(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24); }

int fat_dev_read(const struct fat_io *io, uint64_t off, void *buf, uint64_t len) {
    if (off > io->size || len > io->size - off) return -EIO;
    long r = io->read(io->dev, off, buf, len);
    return r < 0 ? (int)r : (uint64_t)r == len ? 0 : -EIO;
}

int fat_barrier(struct fat_vol *v) { return v->io.barrier ? v->io.barrier(v->io.dev) : 0; }

int fat_dev_write(struct fat_vol *v, uint64_t off, const void *buf, uint64_t len) {
    if (v->ro) return -EROFS;
    if (off > v->io.size || len > v->io.size - off) return -EIO;
    long r = v->io.write(v->io.dev, off, buf, len);
    return r < 0 ? (int)r : (uint64_t)r == len ? 0 : -EIO;
}

static int pow2(uint32_t x) { return x && !(x & (x - 1)); }

/* --- the boot sector ------------------------------------------------------------ */

struct bpb {
    uint32_t bps, spc, reserved, nfats, root_entries, total, fatsz, root_cluster, fsinfo;
};

/* Parses and checks sector 0 (512 bytes of it are enough for every field). */
static int parse_bpb(const uint8_t *s, uint64_t dev_size, struct bpb *b, int *type, uint32_t *clusters) {
    if (s[510] != 0x55 || s[511] != 0xaa) return -EINVAL;
    if (s[0] != 0xeb && s[0] != 0xe9) return -EINVAL;
    b->bps = le16(s + 11);
    b->spc = s[13];
    b->reserved = le16(s + 14);
    b->nfats = s[16];
    b->root_entries = le16(s + 17);
    b->total = le16(s + 19) ? le16(s + 19) : le32(s + 32);
    b->fatsz = le16(s + 22) ? le16(s + 22) : le32(s + 36);
    b->root_cluster = le32(s + 44);
    b->fsinfo = le16(s + 48);
    if (b->bps < 512 || b->bps > 4096 || !pow2(b->bps)) return -EINVAL;
    if (!pow2(b->spc) || b->spc * b->bps > 65536) return -EINVAL;
    if (b->reserved == 0 || b->nfats == 0 || b->nfats > 4 || b->fatsz == 0 || b->total == 0) return -EINVAL;
    if ((uint64_t)b->total * b->bps > dev_size) return -EINVAL;
    uint64_t root_secs = ((uint64_t)b->root_entries * 32 + b->bps - 1) / b->bps;
    uint64_t meta = b->reserved + (uint64_t)b->nfats * b->fatsz + root_secs;
    if (meta >= b->total) return -EINVAL;
    uint64_t n = (b->total - meta) / b->spc;
    if (n == 0 || n > 0x0ffffff5u) return -EINVAL;
    *clusters = (uint32_t)n;
    /* The type follows from the cluster count alone (fatgen103). */
    *type = n < 4085 ? 12 : n < 65525 ? 16 : 32;
    uint64_t need = *type == 12 ? (n + 2) * 3 / 2 + 1 : (n + 2) * (uint64_t)(*type / 8);
    if ((uint64_t)b->fatsz * b->bps < need) return -EINVAL;   /* the FAT must cover every cluster */
    if (*type == 32) {
        if (b->root_entries != 0 || le16(s + 22) != 0) return -EINVAL;
        if (b->root_cluster < 2 || b->root_cluster > n + 1) return -EINVAL;
    } else if (b->root_entries == 0) {
        return -EINVAL;
    }
    return 0;
}

int fat_probe(const struct fat_io *io) {
    uint8_t s[512];
    struct bpb b;
    int type;
    uint32_t n;
    if (fat_dev_read(io, 0, s, sizeof s)) return 0;
    return parse_bpb(s, io->size, &b, &type, &n) == 0;
}

int fat_vol_open(struct fat_vol *v, const struct fat_io *io, int ro) {
    uint8_t s[512];
    struct bpb b;
    memset(v, 0, sizeof *v);
    v->io = *io;
    v->ro = ro;
    v->cache_off = ~0ull;
    int r = fat_dev_read(io, 0, s, sizeof s);
    if (r) return r;
    if ((r = parse_bpb(s, io->size, &b, &v->type, &v->clusters)) != 0) return r;
    v->bps = b.bps;
    v->cluster_size = b.bps * b.spc;
    v->nfats = b.nfats;
    v->total_sectors = b.total;
    v->fat_off = (uint64_t)b.reserved * b.bps;
    v->fat_bytes = (uint64_t)b.fatsz * b.bps;
    v->root_off = v->fat_off + v->nfats * v->fat_bytes;
    v->root_entries = v->type == 32 ? 0 : b.root_entries;
    uint64_t root_secs = ((uint64_t)v->root_entries * 32 + b.bps - 1) / b.bps;
    v->data_off = v->root_off + root_secs * b.bps;
    v->root_cluster = v->type == 32 ? b.root_cluster : 0;
    memcpy(v->label, v->type == 32 ? s + 71 : s + 43, 11);
    v->label[11] = 0;
    if (v->type == 32 && b.fsinfo && b.fsinfo < b.reserved) {
        uint8_t fi[512];
        uint64_t off = (uint64_t)b.fsinfo * b.bps;
        if (fat_dev_read(io, off, fi, sizeof fi) == 0 && le32(fi) == 0x41615252 && le32(fi + 484) == 0x61417272)
            v->fsinfo_off = off;
    }
    /* Count what is free: FSInfo's figure is only a hint. */
    v->free_count = 0;
    for (uint32_t c = 2; c < v->clusters + 2; c++) {
        uint32_t val;
        if ((r = fat_get(v, c, &val)) != 0) return r;
        if (val == 0) v->free_count++;
    }
    v->next_free = 2;
    return 0;
}

int fat_vol_sync(struct fat_vol *v) {
    if (v->ro || !v->fsinfo_off) return 0;
    uint8_t fi[512];
    int r = fat_dev_read(&v->io, v->fsinfo_off, fi, sizeof fi);
    if (r) return r;
    put32(fi + 488, v->free_count);
    put32(fi + 492, v->next_free);
    return fat_dev_write(v, v->fsinfo_off + 488, fi + 488, 8);
}

uint32_t fat_root(const struct fat_vol *v) { return v->root_cluster; }

/* --- FAT entries ------------------------------------------------------------------ */

/* n bytes of the first FAT at byte offset off (within it), through the window. */
static int fat_bytes(struct fat_vol *v, uint64_t off, uint8_t *out, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) {
        uint64_t at = v->fat_off + off + i;
        uint64_t win = at & ~511ull;
        if (win != v->cache_off) {
            uint64_t len = v->io.size - win < 512 ? v->io.size - win : 512;
            int r = fat_dev_read(&v->io, win, v->cache, len);
            if (r) {
                v->cache_off = ~0ull;
                return r;
            }
            v->cache_off = win;
        }
        out[i] = v->cache[at - win];
    }
    return 0;
}

static int valid_cluster(const struct fat_vol *v, uint32_t c) { return c >= 2 && c < v->clusters + 2; }

int fat_get(struct fat_vol *v, uint32_t clus, uint32_t *val) {
    uint8_t b[4];
    int r;
    if (!valid_cluster(v, clus)) return -EIO;
    switch (v->type) {
    case 12:
        if ((r = fat_bytes(v, clus + clus / 2, b, 2)) != 0) return r;
        *val = clus & 1 ? le16(b) >> 4 : le16(b) & 0xfff;
        return 0;
    case 16:
        if ((r = fat_bytes(v, (uint64_t)clus * 2, b, 2)) != 0) return r;
        *val = le16(b);
        return 0;
    default:
        if ((r = fat_bytes(v, (uint64_t)clus * 4, b, 4)) != 0) return r;
        *val = le32(b) & 0x0fffffff;
        return 0;
    }
}

int fat_set(struct fat_vol *v, uint32_t clus, uint32_t val) {
    uint8_t b[4];
    uint64_t off;
    uint32_t n;
    int r;
    if (v->ro) return -EROFS;
    if (!valid_cluster(v, clus)) return -EIO;
    uint32_t old;
    if ((r = fat_get(v, clus, &old)) != 0) return r;
    if (val == 0 || valid_cluster(v, old)) v->mark_first = 0;   /* a link rewritten or a cluster freed */
    switch (v->type) {
    case 12:
        off = clus + clus / 2;
        n = 2;
        if ((r = fat_bytes(v, off, b, 2)) != 0) return r;
        {
            uint16_t w = le16(b);
            w = clus & 1 ? (uint16_t)((w & 0x000f) | (val & 0xfff) << 4) : (uint16_t)((w & 0xf000) | (val & 0xfff));
            b[0] = (uint8_t)w;
            b[1] = (uint8_t)(w >> 8);
        }
        break;
    case 16:
        off = (uint64_t)clus * 2;
        n = 2;
        b[0] = (uint8_t)val;
        b[1] = (uint8_t)(val >> 8);
        break;
    default:
        off = (uint64_t)clus * 4;
        n = 4;
        if ((r = fat_bytes(v, off, b, 4)) != 0) return r;
        put32(b, (le32(b) & 0xf0000000u) | (val & 0x0fffffffu));   /* the top 4 bits are reserved */
        break;
    }
    for (uint32_t k = 0; k < v->nfats; k++)
        if ((r = fat_dev_write(v, v->fat_off + k * v->fat_bytes + off, b, n)) != 0) return r;
    /* Keep the window equal to the first copy. */
    for (uint32_t i = 0; i < n; i++) {
        uint64_t at = v->fat_off + off + i;
        if (v->cache_off != ~0ull && at >= v->cache_off && at < v->cache_off + 512) v->cache[at - v->cache_off] = b[i];
    }
    return 0;
}

uint32_t fat_eoc_min(const struct fat_vol *v) { return v->type == 12 ? 0xff8 : v->type == 16 ? 0xfff8 : 0x0ffffff8; }
uint32_t fat_eoc_mark(const struct fat_vol *v) { return v->type == 12 ? 0xfff : v->type == 16 ? 0xffff : 0x0fffffff; }

int fat_next(struct fat_vol *v, uint32_t clus, uint32_t *next) {
    uint32_t val;
    int r = fat_get(v, clus, &val);
    if (r) return r;
    if (val >= fat_eoc_min(v)) return 0;
    if (!valid_cluster(v, val)) return -EIO;   /* free, reserved, bad or past the end */
    *next = val;
    return 1;
}

/* The nearest mark at or before index on first's chain (see struct
 * fat_vol): its cluster and index; the marks restart when first is not
 * the chain they describe. */
static void mark_start(struct fat_vol *v, uint32_t first, uint64_t index, uint32_t *c, uint64_t *pos) {
    if (v->mark_first != first || v->mark_n == 0) {
        v->mark_first = first;
        v->mark_n = 1;
        v->marks[0] = first;
    }
    uint64_t m = index / FAT_MARK_STRIDE;
    if (m >= v->mark_n) m = v->mark_n - 1;
    *c = v->marks[m];
    *pos = m * FAT_MARK_STRIDE;
}

/* A walk reached cluster c at index pos: recorded when it is the next mark. */
static void mark_note(struct fat_vol *v, uint32_t c, uint64_t pos) {
    if (pos % FAT_MARK_STRIDE == 0 && pos / FAT_MARK_STRIDE == v->mark_n && v->mark_n < FAT_MARKS)
        v->marks[v->mark_n++] = c;
}

long fat_chain_len(struct fat_vol *v, uint32_t first) {
    if (first == 0) return 0;
    if (!valid_cluster(v, first)) return -EIO;
    uint32_t c;
    uint64_t pos;
    mark_start(v, first, UINT64_MAX, &c, &pos);
    uint64_t n = pos + 1;
    for (;;) {
        uint32_t nx = 0;
        int r = fat_next(v, c, &nx);
        if (r < 0) return r;
        if (r == 0) return (long)n;
        if (++n > v->clusters) return -EIO;   /* longer than the volume: a cycle */
        c = nx;
        mark_note(v, c, n - 1);
    }
}

int fat_chain_free(struct fat_vol *v, uint32_t first) {
    if (first == 0) return 0;
    if (!valid_cluster(v, first)) return -EIO;
    /* Whatever took the chain out of reach (an entry removed or shrunk)
     * reaches the disk first: a free cluster is never reachable. */
    int b = fat_barrier(v);
    if (b) return b;
    uint32_t c = first;
    for (uint32_t steps = 0; steps < v->clusters; steps++) {
        uint32_t val;
        int r = fat_get(v, c, &val);
        if (r) return r;
        if (val == 0) return -EIO;   /* already free: a cross-linked or broken chain */
        if ((r = fat_set(v, c, 0)) != 0) return r;
        v->free_count++;
        if (c < v->next_free) v->next_free = c;
        if (val >= fat_eoc_min(v)) return 0;
        if (!valid_cluster(v, val)) return -EIO;
        c = val;
    }
    return -EIO;
}

int fat_alloc(struct fat_vol *v, uint32_t prev, uint32_t *out) {
    if (v->ro) return -EROFS;
    if (v->free_count == 0) return -ENOSPC;
    uint32_t start = valid_cluster(v, v->next_free) ? v->next_free : 2;
    for (uint32_t i = 0; i < v->clusters; i++) {
        uint32_t c = 2 + (start - 2 + i) % v->clusters, val;
        int r = fat_get(v, c, &val);
        if (r) return r;
        if (val != 0) continue;
        if ((r = fat_set(v, c, fat_eoc_mark(v))) != 0) return r;
        if (prev && (r = fat_set(v, prev, c)) != 0) return r;
        v->free_count--;
        v->next_free = c + 1;
        *out = c;
        return 0;
    }
    v->free_count = 0;   /* the count was wrong: the FAT is full */
    return -ENOSPC;
}

/* --- file data ------------------------------------------------------------------ */

uint64_t fat_cluster_off(const struct fat_vol *v, uint32_t c) {
    return v->data_off + (uint64_t)(c - 2) * v->cluster_size;
}

/* The index-th cluster of the chain from first: 0 and *out, -EIO if the
 * chain is shorter or broken. */
static int nth_cluster(struct fat_vol *v, uint32_t first, uint64_t index, uint32_t *out) {
    if (!valid_cluster(v, first) || index >= v->clusters) return -EIO;
    uint32_t c;
    uint64_t pos;
    mark_start(v, first, index, &c, &pos);
    while (pos < index) {
        int r = fat_next(v, c, &c);
        if (r <= 0) return r < 0 ? r : -EIO;
        mark_note(v, c, ++pos);
    }
    *out = c;
    return 0;
}

#define FAT_READ_RUN (512u << 10)   /* bytes of one read: the block layer's longest direct request */

long fat_file_read(struct fat_vol *v, uint32_t cluster, uint32_t size, uint64_t off, void *buf, uint64_t len) {
    if (off >= size || len == 0) return 0;
    if (len > size - off) len = size - off;
    uint32_t c;
    int r = nth_cluster(v, cluster, off / v->cluster_size, &c);
    if (r) return r;
    uint64_t done = 0;
    for (;;) {
        uint64_t in = (off + done) % v->cluster_size;
        uint64_t n = v->cluster_size - in < len - done ? v->cluster_size - in : len - done;
        /* Clusters that follow on the disk join one read: one device
         * request for a run instead of one a cluster. */
        uint32_t first = c, next = 0;
        while (done + n < len && n < FAT_READ_RUN) {
            if ((r = fat_next(v, c, &next)) <= 0) return r < 0 ? r : -EIO;   /* the size says there is more */
            if (next != c + 1) break;
            c = next;
            next = 0;
            n += v->cluster_size < len - done - n ? v->cluster_size : len - done - n;
        }
        if ((r = fat_dev_read(&v->io, fat_cluster_off(v, first) + in, (uint8_t *)buf + done, n)) != 0) return r;
        done += n;
        if (done == len) return (long)done;
        if (next) c = next;
        else if ((r = fat_next(v, c, &c)) <= 0) return r < 0 ? r : -EIO;
    }
}

static const uint8_t zeros[512];

int fat_zero_range(struct fat_vol *v, uint64_t off, uint64_t len) {
    while (len) {
        uint64_t n = len < sizeof zeros ? len : sizeof zeros;
        int r = fat_dev_write(v, off, zeros, n);
        if (r) return r;
        off += n;
        len -= n;
    }
    return 0;
}

/* Makes the chain hold `clusters` clusters (growing only): new clusters are
 * zeroed when zero is set. *cluster may go from 0 to the first one. */
static int grow_chain(struct fat_vol *v, uint32_t *cluster, uint64_t want, int zero) {
    long have = fat_chain_len(v, *cluster);
    if (have < 0) return (int)have;
    if ((uint64_t)have >= want) return 0;
    if (want - (uint64_t)have > v->free_count) return -ENOSPC;
    uint32_t last = 0;
    if (have) {
        int r = nth_cluster(v, *cluster, (uint64_t)have - 1, &last);
        if (r) return r;
    }
    /* Power-cut order: the new clusters form a chain of their own (reached
     * by nothing while it is built), then after a barrier the old end is
     * linked to it, so no cut leaves a chain reaching a free cluster. A
     * file's first cluster is reached by its entry, stored later. */
    uint32_t head = 0, tail = 0;
    int r = 0;
    for (uint64_t i = (uint64_t)have; i < want; i++) {
        uint32_t c;
        if ((r = fat_alloc(v, tail, &c)) != 0) break;
        if (!head) head = c;
        tail = c;
        if (zero && (r = fat_zero_range(v, fat_cluster_off(v, c), v->cluster_size)) != 0) break;
    }
    if (!head) return r;
    if (!last) {
        *cluster = head;
        return r;
    }
    int b = fat_barrier(v);
    if (b == 0) b = fat_set(v, last, head);
    return r ? r : b;
}

long fat_file_write(struct fat_vol *v, uint32_t *cluster, uint32_t *size, uint64_t off, const void *buf,
                    uint64_t len) {
    if (v->ro) return -EROFS;
    if (len == 0) return 0;
    if (off > FAT_FILE_MAX || len > FAT_FILE_MAX - off) return -EFBIG;
    uint64_t end = off + len;
    uint64_t want = (end + v->cluster_size - 1) / v->cluster_size;
    /* Zero-fill only the clusters a gap leaves unwritten: growth from the
     * old end (the slack of its last cluster too) up to off. */
    int r = grow_chain(v, cluster, want, 0);
    if (r) return r;
    if (off > *size) {
        for (uint64_t at = *size; at < off;) {
            uint32_t c;
            if ((r = nth_cluster(v, *cluster, at / v->cluster_size, &c)) != 0) return r;
            uint64_t in = at % v->cluster_size;
            uint64_t n = v->cluster_size - in < off - at ? v->cluster_size - in : off - at;
            if ((r = fat_zero_range(v, fat_cluster_off(v, c) + in, n)) != 0) return r;
            at += n;
        }
    }
    uint32_t c;
    if ((r = nth_cluster(v, *cluster, off / v->cluster_size, &c)) != 0) return r;
    uint64_t done = 0;
    for (;;) {
        uint64_t in = (off + done) % v->cluster_size;
        uint64_t n = v->cluster_size - in < len - done ? v->cluster_size - in : len - done;
        if ((r = fat_dev_write(v, fat_cluster_off(v, c) + in, (const uint8_t *)buf + done, n)) != 0) break;
        done += n;
        if (done == len) break;
        if ((r = fat_next(v, c, &c)) <= 0) {
            r = r < 0 ? r : -EIO;
            break;
        }
    }
    if (off + done > *size) *size = (uint32_t)(off + done);
    return done ? (long)done : r;
}

int fat_file_truncate(struct fat_vol *v, uint32_t *cluster, uint32_t *size, uint64_t new_size) {
    if (v->ro) return -EROFS;
    if (new_size > FAT_FILE_MAX) return -EFBIG;
    if (new_size > *size) {
        uint64_t want = (new_size + v->cluster_size - 1) / v->cluster_size;
        int r = grow_chain(v, cluster, want, 0);
        if (r) return r;
        for (uint64_t at = *size; at < new_size;) {
            uint32_t c;
            if ((r = nth_cluster(v, *cluster, at / v->cluster_size, &c)) != 0) return r;
            uint64_t in = at % v->cluster_size;
            uint64_t n = v->cluster_size - in < new_size - at ? v->cluster_size - in : new_size - at;
            if ((r = fat_zero_range(v, fat_cluster_off(v, c) + in, n)) != 0) return r;
            at += n;
        }
        *size = (uint32_t)new_size;
        return 0;
    }
    uint64_t keep = (new_size + v->cluster_size - 1) / v->cluster_size;
    int r;
    if (keep == 0) {
        uint32_t first = *cluster;
        *cluster = 0;
        *size = 0;
        return fat_chain_free(v, first);
    }
    uint32_t last, rest;
    /* The caller has stored the smaller size: on the disk before the chain
     * is cut, so no entry's size ever runs past its chain. */
    if ((r = fat_barrier(v)) != 0) return r;
    if ((r = nth_cluster(v, *cluster, keep - 1, &last)) != 0) return r;
    int more = fat_next(v, last, &rest);
    if (more < 0) return more;
    *size = (uint32_t)new_size;
    if (more) {
        if ((r = fat_set(v, last, fat_eoc_mark(v))) != 0) return r;
        return fat_chain_free(v, rest);
    }
    return 0;
}

/* --- time ------------------------------------------------------------------------- */

/* Days since 1970-01-01 <-> civil date (Howard Hinnant's algorithm). */
static void civil(uint64_t days, uint32_t *y, uint32_t *m, uint32_t *d) {
    uint64_t z = days + 719468;
    uint64_t era = z / 146097;
    uint64_t doe = z - era * 146097;
    uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    uint64_t mp = (5 * doy + 2) / 153;
    *d = (uint32_t)(doy - (153 * mp + 2) / 5 + 1);
    *m = (uint32_t)(mp < 10 ? mp + 3 : mp - 9);
    *y = (uint32_t)(yoe + era * 400 + (*m <= 2));
}

static uint64_t days_from_civil(uint32_t y, uint32_t m, uint32_t d) {
    y -= m <= 2;
    uint64_t era = y / 400;
    uint64_t yoe = y - era * 400;
    uint64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    uint64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void fat_time_pack(uint64_t secs, uint16_t *date, uint16_t *time) {
    const uint64_t min = 315532800ull;                /* 1980-01-01 */
    const uint64_t max = 4354819199ull;               /* 2107-12-31 23:59:59 */
    if (secs < min) secs = min;
    if (secs > max) secs = max;
    uint32_t y, m, d;
    civil(secs / 86400, &y, &m, &d);
    uint32_t s = (uint32_t)(secs % 86400);
    *date = (uint16_t)((y - 1980) << 9 | m << 5 | d);
    *time = (uint16_t)((s / 3600) << 11 | (s / 60 % 60) << 5 | (s % 60) / 2);
}

uint64_t fat_time_unpack(uint16_t date, uint16_t time) {
    uint32_t y = 1980 + (date >> 9), m = (date >> 5) & 15, d = date & 31;
    if (m < 1 || m > 12 || d < 1) return 315532800ull;   /* a date mkfs never writes: the epoch of FAT */
    uint32_t h = time >> 11, mi = (time >> 5) & 63, s = (time & 31) * 2;
    if (h > 23) h = 23;
    if (mi > 59) mi = 59;
    if (s > 59) s = 59;
    return days_from_civil(y, m, d) * 86400 + h * 3600 + mi * 60 + s;
}
