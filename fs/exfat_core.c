/* exFAT on-disk core: the boot region, the FAT, cluster runs, the
 * allocation bitmap and the up-case table. The rules (what is validated
 * before what is used) are in exfat_core.h; entry sets are in exfat_dir.c. */
#include "fs/exfat_core.h"
#include "lib/string.h"
#include "secos/errno.h"

#define EXFAT_EOC  0xffffffffu
#define BOOT_SECTORS 11            /* main boot sector, 8 extended, OEM, reserved: what the checksum covers */

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t le64(const uint8_t *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

static int dev_read(const struct exfat_io *io, uint64_t off, void *buf, uint64_t len) {
    if (off > io->size || len > io->size - off) return -EIO;
    long r = io->read(io->dev, off, buf, len);
    return r < 0 ? (int)r : (uint64_t)r == len ? 0 : -EIO;
}

/* --- the boot region ------------------------------------------------------------ */

static int boot_signature(const uint8_t *s) {
    return s[510] == 0x55 && s[511] == 0xaa && memcmp(s + 3, "EXFAT   ", 8) == 0;
}

int exfat_probe(const struct exfat_io *io) {
    uint8_t s[512];
    return dev_read(io, 0, s, sizeof s) == 0 && boot_signature(s);
}

/* One step of the boot checksum (the specification's BootChecksum). */
static uint32_t rot32_add(uint32_t sum, uint8_t b) { return ((sum & 1) ? 0x80000000u : 0) + (sum >> 1) + b; }

uint32_t exfat_checksum32(uint32_t sum, const uint8_t *p, uint64_t n) {
    for (uint64_t i = 0; i < n; i++) sum = rot32_add(sum, p[i]);
    return sum;
}

/* Bytes 106-107 (VolumeFlags) and 112 (PercentInUse) change while the
 * volume is in use, so the checksum leaves them out. */
static uint32_t boot_sum_part(uint32_t sum, const uint8_t *p, uint64_t at, uint64_t n) {
    for (uint64_t i = 0; i < n; i++) {
        uint64_t k = at + i;
        if (k == 106 || k == 107 || k == 112) continue;
        sum = rot32_add(sum, p[i]);
    }
    return sum;
}

uint32_t exfat_boot_checksum(const uint8_t *region, uint32_t bps) {
    return boot_sum_part(0, region, 0, (uint64_t)bps * BOOT_SECTORS);
}

/* The checksum of sectors 0..10 against every 32-bit word of sector 11,
 * read 512 bytes at a time (a 4 KiB-sector region would not fit a kernel
 * stack). */
static int check_boot_region(const struct exfat_io *io, uint32_t bps) {
    uint8_t b[512];
    uint32_t sum = 0;
    for (uint64_t at = 0; at < (uint64_t)bps * BOOT_SECTORS; at += sizeof b) {
        int r = dev_read(io, at, b, sizeof b);
        if (r) return r;
        sum = boot_sum_part(sum, b, at, sizeof b);
    }
    for (uint64_t at = 0; at < bps; at += sizeof b) {
        int r = dev_read(io, (uint64_t)bps * BOOT_SECTORS + at, b, sizeof b);
        if (r) return r;
        for (uint32_t i = 0; i < sizeof b; i += 4)
            if (le32(b + i) != sum) return -EINVAL;   /* the caller says why */
    }
    return 0;
}

static int refuse(struct exfat_vol *v, const char *why) {
    v->why = why;
    return -EINVAL;
}

/* Sector 0's fields, checked against each other and the device. */
static int parse_boot(struct exfat_vol *v, const uint8_t *s, uint64_t dev_size) {
    if (!boot_signature(s)) return refuse(v, "no exFAT boot signature");
    if (s[0] != 0xeb || s[1] != 0x76 || s[2] != 0x90) return refuse(v, "bad JumpBoot");
    for (int i = 11; i < 64; i++)
        if (s[i]) return refuse(v, "MustBeZero is not zero");   /* where a FAT BPB would be */
    uint64_t vol_len = le64(s + 72);
    uint32_t fat_offset = le32(s + 80), fat_len = le32(s + 84);
    uint32_t heap = le32(s + 88), clusters = le32(s + 92), root = le32(s + 96);
    uint16_t flags = le16(s + 106);
    uint32_t bps_shift = s[108], spc_shift = s[109], nfats = s[110];
    if (s[105] != 1) return refuse(v, "FileSystemRevision is not 1.x");
    if (bps_shift < 9 || bps_shift > 12) return refuse(v, "BytesPerSectorShift outside 9..12");
    if (spc_shift > 25 - bps_shift) return refuse(v, "clusters above 32 MiB");
    if (nfats != 1 && nfats != 2) return refuse(v, "NumberOfFats is not 1 or 2");
    uint32_t active = flags & 1;                                       /* ActiveFat */
    if (active && nfats == 1) return refuse(v, "ActiveFat names a second FAT that is not there");
    if (vol_len > dev_size >> bps_shift) return refuse(v, "VolumeLength beyond the device");
    if (clusters == 0 || clusters > 0xfffffff5u) return refuse(v, "bad ClusterCount");
    if (fat_offset < 24 || fat_len == 0) return refuse(v, "the FAT overlaps the boot regions");
    if ((uint64_t)fat_len << bps_shift < ((uint64_t)clusters + 2) * 4) return refuse(v, "the FAT is shorter than the clusters need");
    if ((uint64_t)fat_offset + (uint64_t)fat_len * nfats > heap) return refuse(v, "the FAT overlaps the cluster heap");
    if ((uint64_t)heap + ((uint64_t)clusters << spc_shift) > vol_len) return refuse(v, "the cluster heap runs past the volume");
    if (root < 2 || root > clusters + 1u) return refuse(v, "the root directory's cluster is outside the heap");
    v->sector_shift = bps_shift;
    v->cluster_shift = bps_shift + spc_shift;
    v->fat_off = ((uint64_t)fat_offset + (uint64_t)active * fat_len) << bps_shift;
    v->heap_off = (uint64_t)heap << bps_shift;
    v->clusters = clusters;
    v->serial = le32(s + 100);
    v->root.first = root;
    return 0;
}

/* --- the FAT and cluster runs ----------------------------------------------------- */

static int cluster_ok(const struct exfat_vol *v, uint32_t c) { return c >= 2 && c <= v->clusters + 1u; }

int exfat_fat_next(struct exfat_vol *v, uint32_t clus, uint32_t *next) {
    if (!cluster_ok(v, clus)) return -EIO;
    uint64_t off = v->fat_off + (uint64_t)clus * 4;   /* inside the FAT: parse_boot checked its length */
    uint64_t win = off & ~(uint64_t)(sizeof v->fat_win - 1);
    if (v->fat_win_off != win) {
        v->fat_win_off = ~0ull;
        int r = dev_read(&v->io, win, v->fat_win, sizeof v->fat_win);
        if (r) return r;
        v->fat_win_off = win;
    }
    uint32_t val = le32(v->fat_win + (off - win));
    if (val == EXFAT_EOC) return 0;
    if (!cluster_ok(v, val)) return -EIO;   /* free, bad (0xfffffff7) or out of range */
    *next = val;
    return 1;
}

long exfat_chain_len(struct exfat_vol *v, uint32_t first) {
    if (!cluster_ok(v, first)) return -EIO;
    uint32_t c = first;
    for (long n = 1;; n++) {
        uint32_t nx;
        int r = exfat_fat_next(v, c, &nx);
        if (r < 0) return r;
        if (r == 0) return n;
        if ((uint64_t)n >= v->clusters) return -EIO;   /* more links than clusters: a cycle */
        c = nx;
    }
}

int exfat_obj_check(struct exfat_vol *v, const struct exfat_obj *o, uint64_t max) {
    if (o->valid > o->size || (max && o->size > max)) return -EIO;
    if (o->size == 0) return 0;   /* no clusters are read; first is ignored */
    uint64_t need = (o->size + exfat_cluster_size(v) - 1) >> v->cluster_shift;
    if (need > v->clusters || !cluster_ok(v, o->first)) return -EIO;
    if (o->nofat) return (uint64_t)o->first + need - 1 <= (uint64_t)v->clusters + 1 ? 0 : -EIO;
    long n = exfat_chain_len(v, o->first);
    if (n < 0) return (int)n;
    return (uint64_t)n >= need ? 0 : -EIO;   /* DataLength beyond the chain */
}

/* The number of o's cluster idx (idx within o's checked clusters). */
static int cluster_at(struct exfat_vol *v, const struct exfat_obj *o, struct exfat_cursor *c, uint64_t idx,
                      uint32_t *out) {
    if (o->nofat) {
        *out = o->first + (uint32_t)idx;
        return 0;
    }
    uint64_t at = 0;
    uint32_t clus = o->first;
    if (c && c->clus && c->idx <= idx) {
        at = c->idx;
        clus = c->clus;
    }
    while (at < idx) {
        uint32_t nx;
        if (exfat_fat_next(v, clus, &nx) != 1) return -EIO;   /* the chain changed under us, or a bad cursor */
        clus = nx;
        at++;
    }
    if (c) {
        c->idx = idx;
        c->clus = clus;
    }
    *out = clus;
    return 0;
}

long exfat_obj_read(struct exfat_vol *v, const struct exfat_obj *o, struct exfat_cursor *c, uint64_t off, void *buf,
                    uint64_t len) {
    if (off >= o->size) return 0;
    if (len > o->size - off) len = o->size - off;
    uint8_t *p = buf;
    uint64_t done = 0;
    uint64_t csz = exfat_cluster_size(v);
    while (done < len) {
        uint64_t at = off + done;
        uint64_t n = len - done;
        if (at >= o->valid) {   /* never written: zeros */
            memset(p + done, 0, n);
            break;
        }
        if (n > o->valid - at) n = o->valid - at;
        uint64_t in = at & (csz - 1);
        if (!o->nofat && n > csz - in) n = csz - in;   /* a chain: one cluster at a time */
        uint32_t clus;
        int r = cluster_at(v, o, c, at >> v->cluster_shift, &clus);
        if (r) return r;
        r = dev_read(&v->io, v->heap_off + ((uint64_t)(clus - 2) << v->cluster_shift) + in, p + done, n);
        if (r) return r;
        done += n;
    }
    return (long)len;
}

/* --- the bitmap, the up-case table, the label ---------------------------------------- */

/* Free clusters: the zero bits of the bitmap's first `clusters` bits. */
static int count_free(struct exfat_vol *v) {
    uint8_t b[512];
    uint64_t bytes = ((uint64_t)v->clusters + 7) / 8;
    uint32_t used = 0;
    for (uint64_t at = 0; at < bytes; at += sizeof b) {
        uint64_t n = bytes - at < sizeof b ? bytes - at : sizeof b;
        long r = exfat_obj_read(v, &v->bitmap, 0, at, b, n);
        if (r < 0) return (int)r;
        for (uint64_t i = 0; i < n; i++) {
            uint8_t x = b[i];
            uint64_t first_bit = (at + i) * 8;
            if (first_bit + 8 > v->clusters) x &= (uint8_t)((1u << (v->clusters - first_bit)) - 1);   /* past the end */
            for (; x; x &= (uint8_t)(x - 1)) used++;
        }
    }
    v->free_clusters = v->clusters - used;
    return 0;
}

/* Decodes the up-case table (plain, or compressed: 0xFFFF then a count of
 * units that map to themselves) and checks its checksum: 0 or -EIO. */
static int load_upcase(struct exfat_vol *v, uint32_t want_sum) {
    for (uint32_t i = 0; i < 65536; i++) v->upcase[i] = (uint16_t)i;
    uint8_t b[512];
    uint32_t sum = 0, index = 0;
    int skip = 0;
    for (uint64_t at = 0; at < v->upcase_obj.size; at += sizeof b) {
        uint64_t n = v->upcase_obj.size - at < sizeof b ? v->upcase_obj.size - at : sizeof b;
        long r = exfat_obj_read(v, &v->upcase_obj, 0, at, b, n);
        if (r < 0) return (int)r;
        sum = exfat_checksum32(sum, b, n);
        for (uint64_t i = 0; i + 1 < n; i += 2) {
            uint16_t u = le16(b + i);
            if (skip) {
                index += u;
                skip = 0;
            } else if (u == index) {   /* before the marker test: 0xFFFF maps to itself at 0xFFFF */
                index++;
            } else if (u == 0xffff) {
                skip = 1;
            } else {
                if (index < 65536) v->upcase[index] = u;
                index++;
            }
        }
    }
    return sum == want_sum ? 0 : -EIO;
}

static void label_to_utf8(struct exfat_vol *v, const uint8_t *e) {
    uint16_t u[11];
    uint32_t n = e[1] > 11 ? 11 : e[1];
    for (uint32_t i = 0; i < n; i++) u[i] = le16(e + 2 + 2 * i);
    if (exfat_utf16_to_utf8(u, n, v->label, sizeof v->label) < 0) v->label[0] = 0;
}

/* The root directory's bitmap (the one of the active FAT), up-case table
 * and label entries, found before any name is looked at. */
static int scan_root(struct exfat_vol *v, uint32_t active) {
    uint8_t e[32];
    int have_bitmap = 0, have_upcase = 0;
    uint32_t upcase_sum = 0;
    v->why = "the root directory is unreadable";
    for (uint64_t pos = 0; pos < v->root.size; pos += sizeof e) {
        long r = exfat_obj_read(v, &v->root, 0, pos, e, sizeof e);
        if (r < 0) return (int)r;
        if (e[0] == 0) break;   /* the end of the directory */
        if (e[0] == 0x81 && (e[1] & 1) == active && !have_bitmap) {
            v->bitmap.first = le32(e + 20);
            v->bitmap.size = v->bitmap.valid = le64(e + 24);
            have_bitmap = 1;
        } else if (e[0] == 0x82 && !have_upcase) {
            upcase_sum = le32(e + 4);
            v->upcase_obj.first = le32(e + 20);
            v->upcase_obj.size = v->upcase_obj.valid = le64(e + 24);
            have_upcase = 1;
        } else if (e[0] == 0x83) {
            label_to_utf8(v, e);
        }
    }
    v->why = "no allocation bitmap in the root directory";
    if (!have_bitmap) return -EIO;
    v->why = "no up-case table in the root directory";
    if (!have_upcase) return -EIO;
    v->why = "the allocation bitmap's clusters are bad";
    if (v->bitmap.size < ((uint64_t)v->clusters + 7) / 8 || exfat_obj_check(v, &v->bitmap, 0)) return -EIO;
    v->why = "the up-case table's clusters are bad";
    if (v->upcase_obj.size < 2 || v->upcase_obj.size > 2 * 65536 || (v->upcase_obj.size & 1) ||
        exfat_obj_check(v, &v->upcase_obj, 0))
        return -EIO;
    int r = load_upcase(v, upcase_sum);
    if (r) {
        v->why = r == -EIO ? "up-case table checksum mismatch" : "up-case table unreadable";
        return r;
    }
    v->why = "the allocation bitmap is unreadable";
    if ((r = count_free(v)) != 0) return r;
    v->why = 0;
    return 0;
}

int exfat_vol_open(struct exfat_vol *v, const struct exfat_io *io) {
    uint8_t s[512];
    memset(v, 0, sizeof *v);
    v->io = *io;
    v->fat_win_off = ~0ull;
    v->why = "the boot sector is unreadable";
    int r = dev_read(io, 0, s, sizeof s);
    if (r) return r;
    v->why = 0;
    if ((r = parse_boot(v, s, io->size)) != 0) return r;
    if ((r = check_boot_region(io, 1u << v->sector_shift)) != 0) {
        v->why = "boot region checksum mismatch";
        return r;
    }
    v->why = "the root directory's FAT chain is broken";
    long n = exfat_chain_len(v, v->root.first);
    if (n < 0) return (int)n;
    v->root.size = v->root.valid = (uint64_t)n << v->cluster_shift;
    v->why = "the root directory is too large";
    if (v->root.size > EXFAT_DIR_MAX) return -EIO;
    return scan_root(v, le16(s + 106) & 1);
}
