/* FAT directories and names: 32-byte slots, long-name (LFN) slots with
 * their checksum, 8.3 short names with ~N tails, the 0xE5 (deleted) and
 * 0x00 (end) markers. Pure, like fat_core.c; the rules are in fat_core.h. */
#include "fs/fat_core.h"
#include "lib/string.h"
#include "secos/errno.h"

#define SLOT 32u
#define DIR_MAX_SLOTS 65536u   /* fatgen103: a directory holds at most 65536 entries */
#define LFN_PER_SLOT 13

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }

/* --- slots -------------------------------------------------------------------------- */

/* Where slot `index` of a directory is. The cursor remembers the last
 * cluster found, so a scan in index order walks the chain once. */
struct cursor {
    uint32_t dir, clus, clus_index;
};

static void cursor_init(struct cursor *c, uint32_t dir) {
    c->dir = dir;
    c->clus = dir;
    c->clus_index = 0;
}

/* 0 and *off, -ENOENT past the directory's end, -EIO for a broken chain. */
static int slot_off(struct fat_vol *v, struct cursor *c, uint32_t index, uint64_t *off) {
    if (index >= DIR_MAX_SLOTS) return -ENOENT;
    if (c->dir == 0) {   /* the FAT12/16 root: a fixed area */
        if (v->type == 32 || index >= v->root_entries) return -ENOENT;
        *off = v->root_off + (uint64_t)index * SLOT;
        return 0;
    }
    uint32_t per = v->cluster_size / SLOT, want = index / per;
    if (want < c->clus_index) cursor_init(c, c->dir);
    while (c->clus_index < want) {
        uint32_t nx = 0;
        int r = fat_next(v, c->clus, &nx);
        if (r < 0) return r;
        if (r == 0) return -ENOENT;
        c->clus = nx;
        c->clus_index++;
    }
    if (c->clus < 2 || c->clus >= v->clusters + 2) return -EIO;
    *off = fat_cluster_off(v, c->clus) + (uint64_t)(index % per) * SLOT;
    return 0;
}

static int slot_read(struct fat_vol *v, struct cursor *c, uint32_t index, uint8_t d[SLOT], uint64_t *off) {
    int r = slot_off(v, c, index, off);
    return r ? r : fat_dev_read(&v->io, *off, d, SLOT);
}

/* --- names -------------------------------------------------------------------------- */

uint8_t fat_lfn_checksum(const uint8_t sfn[11]) {
    uint8_t sum = 0;
    for (int i = 0; i < 11; i++) sum = (uint8_t)(((sum & 1) << 7) + (sum >> 1) + sfn[i]);
    return sum;
}

/* Characters a long name may not hold (fatgen103), besides controls. */
static int lfn_forbidden(uint32_t ch) { return ch < 0x20 || ch == 0x7f || (ch < 0x80 && strchr("\"*/:<>?\\|", (int)ch)); }

int fat_name_to_utf16(const char *name, uint16_t *out) {
    const uint8_t *s = (const uint8_t *)name;
    int n = 0;
    while (*s) {
        uint32_t ch;
        int more;
        if (*s < 0x80) { ch = *s; more = 0; }
        else if ((*s & 0xe0) == 0xc0) { ch = *s & 0x1f; more = 1; }
        else if ((*s & 0xf0) == 0xe0) { ch = *s & 0x0f; more = 2; }
        else if ((*s & 0xf8) == 0xf0) { ch = *s & 0x07; more = 3; }
        else return -EINVAL;
        s++;
        for (int i = 0; i < more; i++, s++) {
            if ((*s & 0xc0) != 0x80) return -EINVAL;
            ch = ch << 6 | (*s & 0x3f);
        }
        static const uint32_t least[4] = { 0, 0x80, 0x800, 0x10000 };
        if (ch < least[more] || ch > 0x10ffff || (ch >= 0xd800 && ch < 0xe000)) return -EINVAL;
        if (lfn_forbidden(ch)) return -EINVAL;
        if (ch >= 0x10000) {
            if (n + 2 > FAT_LFN_MAX) return -ENAMETOOLONG;
            ch -= 0x10000;
            out[n++] = (uint16_t)(0xd800 | ch >> 10);
            out[n++] = (uint16_t)(0xdc00 | (ch & 0x3ff));
        } else {
            if (n + 1 > FAT_LFN_MAX) return -ENAMETOOLONG;
            out[n++] = (uint16_t)ch;
        }
    }
    return n;
}

int fat_utf16_to_name(const uint16_t *in, int n, char *out, int cap) {
    int len = 0;
    for (int i = 0; i < n; i++) {
        uint32_t ch = in[i];
        if (ch >= 0xd800 && ch < 0xdc00) {
            if (i + 1 >= n || in[i + 1] < 0xdc00 || in[i + 1] >= 0xe000) return -EINVAL;
            ch = 0x10000 + ((ch - 0xd800) << 10) + (in[++i] - 0xdc00);
        } else if (ch >= 0xdc00 && ch < 0xe000) {
            return -EINVAL;
        }
        if (lfn_forbidden(ch)) return -EINVAL;   /* a name must be safe to print and to use as a path */
        int need = ch < 0x80 ? 1 : ch < 0x800 ? 2 : ch < 0x10000 ? 3 : 4;
        if (len + need > cap - 1) return -ENAMETOOLONG;
        if (need == 1) out[len++] = (char)ch;
        else if (need == 2) { out[len++] = (char)(0xc0 | ch >> 6); out[len++] = (char)(0x80 | (ch & 0x3f)); }
        else if (need == 3) {
            out[len++] = (char)(0xe0 | ch >> 12);
            out[len++] = (char)(0x80 | ((ch >> 6) & 0x3f));
            out[len++] = (char)(0x80 | (ch & 0x3f));
        } else {
            out[len++] = (char)(0xf0 | ch >> 18);
            out[len++] = (char)(0x80 | ((ch >> 12) & 0x3f));
            out[len++] = (char)(0x80 | ((ch >> 6) & 0x3f));
            out[len++] = (char)(0x80 | (ch & 0x3f));
        }
    }
    out[len] = 0;
    return len;
}

static int short_char(uint8_t c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (c && strchr("!#$%&'()-@^_`{}~", c));
}

static uint8_t upper(uint8_t c) { return c >= 'a' && c <= 'z' ? (uint8_t)(c - 32) : c; }

int fat_short_basis(const char *name, uint8_t sfn[11]) {
    memset(sfn, ' ', 11);
    const char *dot = 0;
    for (const char *p = name; *p; p++)
        if (*p == '.') dot = p;
    if (dot == name) dot = 0;   /* ".profile": no extension */
    int exact = 1, lossy = 0, n = 0;
    const uint8_t *p = (const uint8_t *)name;
    const uint8_t *stop = dot ? (const uint8_t *)dot : p + strlen(name);
    for (; p < stop; p++) {
        uint8_t c = *p;
        if (c == ' ' || c == '.') { lossy = 1; continue; }
        if (c >= 0x80 && (c & 0xc0) == 0x80) continue;   /* the rest of a UTF-8 character */
        uint8_t u = c >= 0x80 ? '_' : upper(c);
        if (u != c) exact = 0;
        if (!short_char(u)) lossy = 1;
        if (!short_char(u)) u = '_';
        if (n < 8) sfn[n++] = u;
        else lossy = 1;
    }
    if (n == 0) {
        sfn[n++] = '_';
        lossy = 1;
    }
    if (dot) {
        int e = 0;
        for (p = (const uint8_t *)dot + 1; *p; p++) {
            uint8_t c = *p;
            if (c == ' ') { lossy = 1; continue; }
            if (c >= 0x80 && (c & 0xc0) == 0x80) continue;
            uint8_t u = c >= 0x80 ? '_' : upper(c);
            if (u != c) exact = 0;
            if (!short_char(u)) lossy = 1;
            if (!short_char(u)) u = '_';
            if (e < 3) sfn[8 + e++] = u;
            else lossy = 1;
        }
        if (e == 0) lossy = 1;
    }
    return lossy ? 0 : exact ? 1 : 2;
}

void fat_short_to_name(const uint8_t sfn[11], uint8_t ntcase, char out[13]) {
    int n = 0;
    for (int i = 0; i < 8 && sfn[i] != ' '; i++) {
        uint8_t c = i == 0 && sfn[0] == 0x05 ? 0xe5 : sfn[i];
        if (c >= 0x80 || c < 0x20 || c == '/') c = '_';   /* no code page: keep names printable ASCII */
        if ((ntcase & 0x08) && c >= 'A' && c <= 'Z') c = (uint8_t)(c + 32);
        out[n++] = (char)c;
    }
    if (sfn[8] != ' ') {
        out[n++] = '.';
        for (int i = 8; i < 11 && sfn[i] != ' '; i++) {
            uint8_t c = sfn[i];
            if (c >= 0x80 || c < 0x20 || c == '/') c = '_';
            if ((ntcase & 0x10) && c >= 'A' && c <= 'Z') c = (uint8_t)(c + 32);
            out[n++] = (char)c;
        }
    }
    if (n == 0) out[n++] = '_';
    out[n] = 0;
}

/* ASCII case-insensitive equality (FAT's rule for the letters it folds). */
static int name_eq(const char *a, const char *b) {
    for (; *a && *b; a++, b++)
        if (upper((uint8_t)*a) != upper((uint8_t)*b)) return 0;
    return *a == *b;
}

/* --- reading ---------------------------------------------------------------------- */

static void fill_short(struct fat_vol *v, uint32_t dir, const uint8_t *d, struct fat_entry *e) {
    memcpy(e->sfn, d, 11);
    e->attr = d[11];
    e->cluster = (uint32_t)le16(d + 26) | (v->type == 32 ? (uint32_t)le16(d + 20) << 16 : 0);
    e->size = le32(d + 28);
    e->ctime = le16(d + 14);
    e->cdate = le16(d + 16);
    e->adate = le16(d + 18);
    e->wtime = le16(d + 22);
    e->wdate = le16(d + 24);
    e->dir = dir;
}

int fat_dir_read(struct fat_vol *v, uint32_t dir, uint32_t *index, struct fat_entry *e) {
    struct cursor c;
    uint16_t lfn[20 * LFN_PER_SLOT];
    int lfn_slots = 0, expect = 0;
    uint8_t sum = 0;
    uint32_t start = 0;
    cursor_init(&c, dir);
    for (uint32_t i = *index;; i++) {
        uint8_t d[SLOT];
        uint64_t off;
        int r = slot_read(v, &c, i, d, &off);
        if (r) return r;
        if (d[0] == 0x00) return -ENOENT;   /* the end marker: nothing after it is used */
        if (d[0] == 0xe5) { expect = 0; continue; }
        if ((d[11] & 0x3f) == FAT_ATTR_LFN) {
            int seq = d[0] & 0x1f;
            if (d[0] & 0x40) {
                if (seq == 0 || seq > 20) { expect = 0; continue; }
                lfn_slots = seq;
                sum = d[13];
                start = i;
                for (int k = 0; k < 20 * LFN_PER_SLOT; k++) lfn[k] = 0xffff;
            } else if (!expect || seq != expect - 1 || d[13] != sum) {
                expect = 0;   /* out of order: an orphaned slot */
                continue;
            }
            expect = seq;
            uint16_t *u = lfn + (seq - 1) * LFN_PER_SLOT;
            for (int k = 0; k < 5; k++) u[k] = le16(d + 1 + 2 * k);
            for (int k = 0; k < 6; k++) u[5 + k] = le16(d + 14 + 2 * k);
            for (int k = 0; k < 2; k++) u[11 + k] = le16(d + 28 + 2 * k);
            continue;
        }
        int had_lfn = expect == 1 && fat_lfn_checksum(d) == sum;
        expect = 0;
        if (d[11] & FAT_ATTR_VOLUME) continue;
        if (d[0] == '.' && (d[1] == ' ' || (d[1] == '.' && d[2] == ' '))) continue;   /* "." and ".." */
        fill_short(v, dir, d, e);
        e->first_slot = had_lfn ? start : i;
        e->slot = i;
        int named = 0;
        if (had_lfn) {
            int n = 0;
            while (n < lfn_slots * LFN_PER_SLOT && lfn[n] != 0 && lfn[n] != 0xffff) n++;
            named = n > 0 && fat_utf16_to_name(lfn, n, e->name, sizeof e->name) > 0 &&
                    strcmp(e->name, ".") != 0 && strcmp(e->name, "..") != 0;
        }
        if (!named) fat_short_to_name(d, d[12], e->name);
        *index = i + 1;
        return 0;
    }
}

int fat_dir_find(struct fat_vol *v, uint32_t dir, const char *name, struct fat_entry *e) {
    uint32_t i = 0;
    for (;;) {
        int r = fat_dir_read(v, dir, &i, e);
        if (r) return r;
        if (name_eq(e->name, name)) return 0;
        char s[13];
        fat_short_to_name(e->sfn, 0, s);
        if (name_eq(s, name)) return 0;
    }
}

/* --- writing ------------------------------------------------------------------------ */

/* Adds a cluster (zeroed) to a directory's chain. */
static int dir_grow(struct fat_vol *v, uint32_t dir) {
    long n = fat_chain_len(v, dir);
    if (n <= 0) return n < 0 ? (int)n : -EIO;
    if ((uint64_t)(n + 1) * v->cluster_size / SLOT > DIR_MAX_SLOTS) return -ENOSPC;
    uint32_t last = dir;
    for (long i = 1; i < n; i++) {
        int r = fat_next(v, last, &last);
        if (r <= 0) return r < 0 ? r : -EIO;
    }
    /* Allocated and zeroed before it is linked in: a cut never leaves
     * stale bytes read as entries. */
    uint32_t c;
    int r = fat_alloc(v, 0, &c);
    if (r == 0) r = fat_zero_range(v, fat_cluster_off(v, c), v->cluster_size);
    if (r == 0) r = fat_barrier(v);
    return r ? r : fat_set(v, last, c);
}

/* The first index of `count` consecutive free slots, growing the directory if needed. */
static int find_free(struct fat_vol *v, uint32_t dir, uint32_t count, uint32_t *first) {
    struct cursor c;
    cursor_init(&c, dir);
    uint32_t run = 0;
    for (uint32_t i = 0;; i++) {
        uint8_t d[SLOT];
        uint64_t off;
        int r = slot_read(v, &c, i, d, &off);
        if (r == -ENOENT) {
            if (dir == 0) return -ENOSPC;   /* the fixed root is full */
            if ((r = dir_grow(v, dir)) != 0) return r;
            cursor_init(&c, dir);
            r = slot_read(v, &c, i, d, &off);
        }
        if (r) return r;
        if (d[0] == 0x00 || d[0] == 0xe5) {
            if (++run == count) {
                *first = i + 1 - count;
                return 0;
            }
        } else {
            run = 0;
        }
    }
}

/* The tail number N of an existing short name "BASIS~N.EXT" made from
 * basis, or 0. */
static uint32_t tail_of(const uint8_t *sfn, const uint8_t *basis) {
    if (memcmp(sfn + 8, basis + 8, 3) != 0) return 0;
    int t = -1;
    for (int i = 0; i < 8; i++)
        if (sfn[i] == '~') t = i;
    if (t <= 0) return 0;
    uint32_t n = 0;
    int i = t + 1;
    for (; i < 8 && sfn[i] >= '0' && sfn[i] <= '9'; i++) n = n * 10 + (uint32_t)(sfn[i] - '0');
    if (i == t + 1 || (i < 8 && sfn[i] != ' ')) return 0;
    int basis_len = 0;
    while (basis_len < 8 && basis[basis_len] != ' ') basis_len++;
    int keep = t < basis_len ? t : basis_len;
    if (t > basis_len || memcmp(sfn, basis, (size_t)keep) != 0) return 0;
    return n;
}

#define TAILS 1024

/* A short name for name that no entry of dir has. */
static int make_short(struct fat_vol *v, uint32_t dir, const char *name, uint8_t sfn[11], int *need_lfn) {
    uint8_t basis[11];
    int exact = fat_short_basis(name, basis);
    uint8_t used[TAILS / 8];
    memset(used, 0, sizeof used);
    int clash = 0;
    struct cursor c;
    cursor_init(&c, dir);
    for (uint32_t i = 0;; i++) {
        uint8_t d[SLOT];
        uint64_t off;
        int r = slot_read(v, &c, i, d, &off);
        if (r == -ENOENT || (r == 0 && d[0] == 0)) break;
        if (r) return r;
        if (d[0] == 0xe5 || (d[11] & 0x3f) == FAT_ATTR_LFN) continue;
        if (memcmp(d, basis, 11) == 0) clash = 1;
        uint32_t t = tail_of(d, basis);
        if (t && t < TAILS) used[t / 8] |= (uint8_t)(1 << (t % 8));
    }
    *need_lfn = exact != 1;
    memcpy(sfn, basis, 11);
    if (exact && !clash) return 0;   /* the basis itself: exact, or only the case differs (+ long name) */
    *need_lfn = 1;
    for (uint32_t n = 1; n < TAILS; n++) {
        if (used[n / 8] & (1 << (n % 8))) continue;
        char tail[8];
        int tl = 0;
        char digits[6];
        int nd = 0;
        for (uint32_t x = n; x; x /= 10) digits[nd++] = (char)('0' + x % 10);
        tail[tl++] = '~';
        while (nd) tail[tl++] = digits[--nd];
        int basis_len = 0;
        while (basis_len < 8 && basis[basis_len] != ' ') basis_len++;
        int keep = basis_len < 8 - tl ? basis_len : 8 - tl;
        memset(sfn, ' ', 8);
        memcpy(sfn, basis, (size_t)keep);
        memcpy(sfn + keep, tail, (size_t)tl);
        return 0;
    }
    return -ENOSPC;   /* over a thousand names share this basis */
}

static int slot_write(struct fat_vol *v, struct cursor *c, uint32_t index, const uint8_t d[SLOT]) {
    uint64_t off;
    int r = slot_off(v, c, index, &off);
    return r ? r : fat_dev_write(v, off, d, SLOT);
}

static void store_short(uint8_t *d, const struct fat_entry *e, int fat32) {
    d[11] = e->attr;
    put16(d + 14, e->ctime);
    put16(d + 16, e->cdate);
    put16(d + 18, e->adate);
    put16(d + 20, fat32 ? (uint16_t)(e->cluster >> 16) : 0);
    put16(d + 22, e->wtime);
    put16(d + 24, e->wdate);
    put16(d + 26, (uint16_t)e->cluster);
    put32(d + 28, e->size);
}

int fat_dir_add(struct fat_vol *v, uint32_t dir, const char *name, uint8_t attr, uint32_t cluster,
                uint32_t size, uint16_t date, uint16_t time, struct fat_entry *e) {
    if (v->ro) return -EROFS;
    size_t len = strlen(name);
    if (len == 0 || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) return -EINVAL;
    if (len > FAT_NAME_MAX) return -ENAMETOOLONG;
    if (name[len - 1] == '.' || name[len - 1] == ' ') return -EINVAL;   /* Windows would drop them */
    uint16_t units[FAT_LFN_MAX];
    int n = fat_name_to_utf16(name, units);
    if (n < 0) return n;
    int r = fat_dir_find(v, dir, name, e);
    if (r == 0) return -EEXIST;
    if (r != -ENOENT) return r;
    uint8_t sfn[11];
    int need_lfn;
    if ((r = make_short(v, dir, name, sfn, &need_lfn)) != 0) return r;
    uint32_t lfn_slots = need_lfn ? (uint32_t)(n + LFN_PER_SLOT - 1) / LFN_PER_SLOT : 0;
    uint32_t first;
    if ((r = find_free(v, dir, lfn_slots + 1, &first)) != 0) return r;
    uint8_t sum = fat_lfn_checksum(sfn);
    struct cursor c;
    cursor_init(&c, dir);
    for (uint32_t k = 0; k < lfn_slots; k++) {
        uint32_t seq = lfn_slots - k;   /* the last part first, flagged 0x40 */
        uint8_t d[SLOT];
        memset(d, 0, sizeof d);
        d[0] = (uint8_t)(seq | (k == 0 ? 0x40 : 0));
        d[11] = FAT_ATTR_LFN;
        d[13] = sum;
        uint16_t u[LFN_PER_SLOT];
        for (int j = 0; j < LFN_PER_SLOT; j++) {
            int at = (int)(seq - 1) * LFN_PER_SLOT + j;
            u[j] = at < n ? units[at] : at == n ? 0x0000 : 0xffff;
        }
        for (int j = 0; j < 5; j++) put16(d + 1 + 2 * j, u[j]);
        for (int j = 0; j < 6; j++) put16(d + 14 + 2 * j, u[5 + j]);
        for (int j = 0; j < 2; j++) put16(d + 28 + 2 * j, u[11 + j]);
        if ((r = slot_write(v, &c, first + k, d)) != 0) return r;
    }
    memset(e, 0, sizeof *e);
    memcpy(e->sfn, sfn, 11);
    strlcpy(e->name, name, sizeof e->name);
    e->attr = attr;
    e->cluster = cluster;
    e->size = size;
    e->wdate = e->cdate = e->adate = date;
    e->wtime = e->ctime = time;
    e->dir = dir;
    e->first_slot = first;
    e->slot = first + lfn_slots;
    uint8_t d[SLOT];
    memset(d, 0, sizeof d);
    memcpy(d, sfn, 11);
    store_short(d, e, v->type == 32);
    /* The clusters the entry reaches are on the disk before it. */
    if (cluster && (r = fat_barrier(v)) != 0) return r;
    return slot_write(v, &c, e->slot, d);
}

int fat_dir_remove(struct fat_vol *v, const struct fat_entry *e) {
    if (v->ro) return -EROFS;
    struct cursor c;
    cursor_init(&c, e->dir);
    for (uint32_t i = e->first_slot; i <= e->slot; i++) {
        uint64_t off;
        int r = slot_off(v, &c, i, &off);
        if (r) return r;
        static const uint8_t deleted = 0xe5;
        if ((r = fat_dev_write(v, off, &deleted, 1)) != 0) return r;
    }
    return 0;
}

int fat_entry_store(struct fat_vol *v, const struct fat_entry *e) {
    if (v->ro) return -EROFS;
    struct cursor c;
    uint8_t d[SLOT];
    uint64_t off;
    cursor_init(&c, e->dir);
    int r = slot_read(v, &c, e->slot, d, &off);
    if (r) return r;
    if (memcmp(d, e->sfn, 11) != 0) return -EIO;   /* the slot no longer holds this entry */
    store_short(d, e, v->type == 32);
    /* Clusters (and their data) the new size or first cluster reaches are on the disk first. */
    if ((r = fat_barrier(v)) != 0) return r;
    return fat_dev_write(v, off, d, SLOT);
}

int fat_dir_move(struct fat_vol *v, const struct fat_entry *src, uint32_t dir, const char *name, struct fat_entry *ne) {
    int r = fat_dir_add(v, dir, name, FAT_ATTR_ARCH, 0, 0, src->wdate, src->wtime, ne);
    if (r) return r;
    if ((r = fat_dir_remove(v, src)) != 0) return r;
    ne->attr = src->attr;
    ne->cluster = src->cluster;
    ne->size = src->size;
    ne->cdate = src->cdate;
    ne->ctime = src->ctime;
    ne->adate = src->adate;
    return fat_entry_store(v, ne);   /* after a barrier: src's removal is on the disk first */
}

int fat_entry_truncate(struct fat_vol *v, struct fat_entry *e, uint64_t size, int stored) {
    if (v->ro) return -EROFS;
    if (size < e->size && stored) {
        struct fat_entry shrunk = *e;
        shrunk.size = (uint32_t)size;
        if (size == 0) shrunk.cluster = 0;
        int r = fat_entry_store(v, &shrunk);
        if (r) return r;
    }
    int r = fat_file_truncate(v, &e->cluster, &e->size, size);
    int s = stored ? fat_entry_store(v, e) : 0;
    return r ? r : s;
}

int fat_dir_empty(struct fat_vol *v, uint32_t dir) {
    struct fat_entry e;
    uint32_t i = 0;
    int r = fat_dir_read(v, dir, &i, &e);
    return r == -ENOENT ? 1 : r ? r : 0;
}

static void dot_entry(uint8_t *d, const char *name, uint32_t cluster, uint16_t date, uint16_t time, int fat32) {
    struct fat_entry e;
    memset(&e, 0, sizeof e);
    memset(d, 0, SLOT);
    memset(d, ' ', 11);
    memcpy(d, name, strlen(name));
    e.attr = FAT_ATTR_DIR;
    e.cluster = cluster;
    e.wdate = e.cdate = e.adate = date;
    e.wtime = e.ctime = time;
    store_short(d, &e, fat32);
}

int fat_dir_create(struct fat_vol *v, uint32_t parent, uint16_t date, uint16_t time, uint32_t *out) {
    uint32_t c;
    int r = fat_alloc(v, 0, &c);
    if (r) return r;
    if ((r = fat_zero_range(v, fat_cluster_off(v, c), v->cluster_size)) != 0) return r;
    uint8_t d[2 * SLOT];
    if (parent == v->root_cluster) parent = 0;   /* ".." of a root child is 0 (fatgen103) */
    dot_entry(d, ".", c, date, time, v->type == 32);
    dot_entry(d + SLOT, "..", parent, date, time, v->type == 32);
    if ((r = fat_dev_write(v, fat_cluster_off(v, c), d, sizeof d)) != 0) return r;
    *out = c;
    return 0;
}

int fat_dir_set_parent(struct fat_vol *v, uint32_t dir, uint32_t parent) {
    if (dir == 0) return -EINVAL;
    struct cursor c;
    uint8_t d[SLOT];
    uint64_t off;
    cursor_init(&c, dir);
    int r = slot_read(v, &c, 1, d, &off);
    if (r) return r;
    if (memcmp(d, "..         ", 11) != 0) return 0;   /* no ".." to fix (a damaged directory) */
    if (parent == v->root_cluster) parent = 0;
    put16(d + 26, (uint16_t)parent);
    if (v->type == 32) put16(d + 20, (uint16_t)(parent >> 16));
    return fat_dev_write(v, off, d, SLOT);
}
