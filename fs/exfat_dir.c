/* exFAT directories: entry sets (file 0x85, stream extension 0xC0, file
 * name 0xC1) decoded and checked, UTF-16 names, lookups through the up-case
 * table, time stamps. The rules are in exfat_core.h. */
#include "fs/exfat_core.h"
#include "lib/string.h"
#include "secos/errno.h"

#define ENTRY        32
#define SET_MAX      19            /* a file entry and at most 18 secondaries */
#define T_END        0x00
#define T_FILE       0x85
#define T_STREAM     0xc0
#define T_NAME       0xc1
#define T_INUSE      0x80
#define T_SECONDARY  0x40
#define NAME_PER_ENTRY 15
#define STREAM_ALLOC_POSSIBLE 0x01
#define STREAM_NO_FAT_CHAIN   0x02

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t le64(const uint8_t *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

static uint16_t rot16_add(uint16_t sum, uint8_t b) { return (uint16_t)(((sum & 1) ? 0x8000u : 0) + (sum >> 1) + b); }

uint16_t exfat_set_checksum(const uint8_t *set, uint32_t n) {
    uint16_t sum = 0;
    for (uint32_t i = 0; i < n; i++)
        if (i != 2 && i != 3) sum = rot16_add(sum, set[i]);   /* the SetChecksum field itself */
    return sum;
}

uint16_t exfat_name_hash(const struct exfat_vol *v, const uint16_t *units, uint32_t n) {
    uint16_t h = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint16_t u = v->upcase[units[i]];
        h = rot16_add(h, (uint8_t)u);
        h = rot16_add(h, (uint8_t)(u >> 8));
    }
    return h;
}

/* --- names ------------------------------------------------------------------------ */

int exfat_utf16_to_utf8(const uint16_t *in, uint32_t n, char *out, uint32_t cap) {
    uint32_t o = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t cp = in[i];
        if (cp >= 0xd800 && cp < 0xdc00) {   /* a high surrogate: its low half must follow */
            if (i + 1 == n || in[i + 1] < 0xdc00 || in[i + 1] > 0xdfff) return -EINVAL;
            cp = 0x10000 + ((cp - 0xd800) << 10) + (in[++i] - 0xdc00u);
        } else if (cp >= 0xdc00 && cp <= 0xdfff) {
            return -EINVAL;
        }
        if (cp == 0 || cp == '/') return -EINVAL;   /* a path could not name it */
        uint32_t len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        if (o + len >= cap) return -ENAMETOOLONG;
        if (len == 1) {
            out[o++] = (char)cp;
        } else {
            out[o] = (char)(len == 2 ? 0xc0 | cp >> 6 : len == 3 ? 0xe0 | cp >> 12 : 0xf0 | cp >> 18);
            for (uint32_t k = 1; k < len; k++) out[o + k] = (char)(0x80 | ((cp >> (6 * (len - 1 - k))) & 0x3f));
            o += len;
        }
    }
    out[o] = 0;
    return (int)o;
}

int exfat_utf8_to_utf16(const char *in, uint16_t *out, uint32_t max) {
    const uint8_t *s = (const uint8_t *)in;
    uint32_t n = 0;
    while (*s) {
        uint32_t cp, len;
        if (*s < 0x80) cp = *s, len = 1;
        else if ((*s & 0xe0) == 0xc0) cp = *s & 0x1f, len = 2;
        else if ((*s & 0xf0) == 0xe0) cp = *s & 0x0f, len = 3;
        else if ((*s & 0xf8) == 0xf0) cp = *s & 0x07, len = 4;
        else return -EINVAL;
        for (uint32_t k = 1; k < len; k++) {
            if ((s[k] & 0xc0) != 0x80) return -EINVAL;
            cp = cp << 6 | (s[k] & 0x3f);
        }
        static const uint32_t min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
        if (cp < min[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return -EINVAL;   /* overlong, surrogate */
        uint32_t units = cp >= 0x10000 ? 2 : 1;
        if (n + units > max) return -ENAMETOOLONG;
        if (units == 2) {
            out[n++] = (uint16_t)(0xd800 + ((cp - 0x10000) >> 10));
            out[n++] = (uint16_t)(0xdc00 + ((cp - 0x10000) & 0x3ff));
        } else {
            out[n++] = (uint16_t)cp;
        }
        s += len;
    }
    return (int)n;
}

/* --- time stamps -------------------------------------------------------------------- */

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

uint64_t exfat_time_unpack(uint32_t ts, uint8_t ms10, uint8_t utc_off) {
    unsigned sec2 = ts & 31, min = (ts >> 5) & 63, hour = (ts >> 11) & 31;
    unsigned day = (ts >> 16) & 31, mon = (ts >> 21) & 15, year = 1980 + (ts >> 25);
    if (mon < 1 || mon > 12 || day < 1 || sec2 > 29 || min > 59 || hour > 23) return 0;   /* no valid time */
    int64_t t = days_from_civil(year, mon, day) * 86400 + hour * 3600 + min * 60 + sec2 * 2;
    if (ms10 < 200) t += ms10 / 100;   /* the 10 ms increment adds up to 1.99 s; stat keeps seconds */
    if (utc_off & 0x80) {
        int off = utc_off & 0x7f;
        if (off & 0x40) off -= 0x80;     /* a signed 7-bit count of 15-minute steps east of UTC */
        t -= (int64_t)off * 15 * 60;     /* the stamp is local time there */
    }
    return t < 0 ? 0 : (uint64_t)t;
}

/* --- entry sets -------------------------------------------------------------------- */

/* The set at the start of set (n entries read), checked and decoded. */
static int decode_set(struct exfat_vol *v, const uint8_t *set, uint32_t count, struct exfat_entry *e) {
    uint32_t n = (count + 1) * ENTRY;
    if (exfat_set_checksum(set, n) != le16(set + 2)) return -EIO;
    const uint8_t *st = set + ENTRY;
    if (st[0] != T_STREAM) return -EIO;   /* the stream extension comes first */
    for (uint32_t i = 1; i <= count; i++)
        if ((set[i * ENTRY] & (T_INUSE | T_SECONDARY)) != (T_INUSE | T_SECONDARY)) return -EIO;   /* a set cut short */
    uint32_t name_len = st[3];
    uint32_t name_entries = (name_len + NAME_PER_ENTRY - 1) / NAME_PER_ENTRY;
    if (name_len == 0 || 1 + name_entries > count) return -EIO;   /* NameLength beyond the name entries */
    for (uint32_t k = 0; k < name_entries; k++) {
        const uint8_t *ne = set + (2 + k) * ENTRY;
        if (ne[0] != T_NAME) return -EIO;
        for (uint32_t j = 0; j < NAME_PER_ENTRY && k * NAME_PER_ENTRY + j < name_len; j++)
            e->units[k * NAME_PER_ENTRY + j] = le16(ne + 2 + 2 * j);
    }
    e->nunits = name_len;
    if (exfat_name_hash(v, e->units, name_len) != le16(st + 4)) return -EIO;
    if (exfat_utf16_to_utf8(e->units, name_len, e->name, sizeof e->name) < 0) return -EIO;
    if (strcmp(e->name, ".") == 0 || strcmp(e->name, "..") == 0) return -EIO;
    e->attr = le16(set + 4);
    if (st[1] & STREAM_ALLOC_POSSIBLE) {
        e->obj.first = le32(st + 20);
        e->obj.nofat = (st[1] & STREAM_NO_FAT_CHAIN) != 0;
        e->obj.size = le64(st + 24);
        e->obj.valid = le64(st + 8);
    } else {
        memset(&e->obj, 0, sizeof e->obj);   /* no clusters may be allocated at all */
    }
    e->ctime = exfat_time_unpack(le32(set + 8), set[20], set[22]);
    e->mtime = exfat_time_unpack(le32(set + 12), set[21], set[23]);
    e->atime = exfat_time_unpack(le32(set + 16), 0, set[24]);
    return 0;
}

int exfat_dir_next(struct exfat_vol *v, const struct exfat_obj *dir, struct exfat_cursor *c, uint64_t *pos,
                   struct exfat_entry *e) {
    uint8_t set[SET_MAX * ENTRY];
    while (*pos + ENTRY <= dir->size) {
        long r = exfat_obj_read(v, dir, c, *pos, set, ENTRY);
        if (r < 0) return (int)r;
        uint8_t t = set[0];
        if (t == T_END) return -ENOENT;
        if (t != T_FILE) {   /* unused, bitmap, up-case, label, GUID, a stray secondary: not a name */
            *pos += ENTRY;
            continue;
        }
        uint32_t count = set[1];
        if (count < 2 || count > SET_MAX - 1) return -EIO;
        if (*pos + (uint64_t)(count + 1) * ENTRY > dir->size) return -EIO;
        r = exfat_obj_read(v, dir, c, *pos + ENTRY, set + ENTRY, (uint64_t)count * ENTRY);
        if (r < 0) return (int)r;
        if ((r = decode_set(v, set, count, e)) != 0) return (int)r;
        e->pos = *pos;
        e->ino = ((uint64_t)dir->first << 23 | *pos / ENTRY) + 2;   /* pos / 32 < 2^23: EXFAT_DIR_MAX */
        *pos += (uint64_t)(count + 1) * ENTRY;
        return 0;
    }
    return -ENOENT;
}

int exfat_dir_find(struct exfat_vol *v, const struct exfat_obj *dir, const char *name, struct exfat_entry *e) {
    uint16_t want[EXFAT_NAME_UNITS];
    int n = exfat_utf8_to_utf16(name, want, EXFAT_NAME_UNITS);
    if (n == -ENAMETOOLONG) return n;
    if (n <= 0) return -ENOENT;   /* no entry has an empty or malformed name */
    for (int i = 0; i < n; i++) want[i] = v->upcase[want[i]];
    struct exfat_cursor c = { 0, 0 };
    uint64_t pos = 0;
    for (;;) {
        int r = exfat_dir_next(v, dir, &c, &pos, e);
        if (r) return r;
        if (e->nunits != (uint32_t)n) continue;
        int i = 0;
        while (i < n && v->upcase[e->units[i]] == want[i]) i++;
        if (i == n) return 0;
    }
}

int exfat_entry_check(struct exfat_vol *v, const struct exfat_entry *e) {
    if (e->attr & EXFAT_ATTR_DIR) {
        if (e->obj.size == 0 || e->obj.valid != e->obj.size) return -EIO;   /* a directory has clusters, all written */
        return exfat_obj_check(v, &e->obj, EXFAT_DIR_MAX);
    }
    return exfat_obj_check(v, &e->obj, 0);
}

int exfat_resolve(struct exfat_vol *v, const char *path, struct exfat_entry *e, int *is_root) {
    /* The first clusters of the directories walked through (the root
     * first): a directory whose clusters are one of them would contain
     * itself. Deeper than the array, the oldest are forgotten; a path is
     * at most VFS_PATH_MAX bytes, so even that walk ends. */
    uint32_t seen[EXFAT_WALK_SEEN];
    uint32_t nseen = 0;
    struct exfat_obj dir = v->root;
    seen[nseen++] = dir.first;
    const char *p = path;
    *is_root = 0;
    while (*p == '/') p++;
    if (!*p) {
        *is_root = 1;
        return 0;
    }
    char name[EXFAT_NAME_BYTES + 1];
    for (;;) {
        size_t n = 0;
        while (p[n] && p[n] != '/') n++;
        if (n > EXFAT_NAME_BYTES) return -ENAMETOOLONG;
        memcpy(name, p, n);
        name[n] = 0;
        int r = exfat_dir_find(v, &dir, name, e);
        if (r) return r;
        p += n;
        while (*p == '/') p++;
        if (!*p) return 0;
        if (!(e->attr & EXFAT_ATTR_DIR)) return -ENOTDIR;
        if ((r = exfat_entry_check(v, e)) != 0) return r;
        for (uint32_t i = 0; i < nseen && i < EXFAT_WALK_SEEN; i++)
            if (seen[i] == e->obj.first) return -EIO;   /* a directory inside itself */
        seen[nseen++ % EXFAT_WALK_SEEN] = e->obj.first;
        dir = e->obj;
    }
}
