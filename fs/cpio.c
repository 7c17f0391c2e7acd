/* cpio newc iterator: every rule is listed in fs/cpio.h. Offsets are
 * uint64_t and every "does it fit" test is written as "x <= size - off"
 * with off <= size already known, so no sum can wrap. */
#include "fs/cpio.h"
#include "lib/string.h"

#define S_IFMT   0170000u
#define S_IFDIR  0040000u
#define S_IFREG  0100000u

/* Header field order after the magic (newc). */
enum { F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_FILESIZE,
       F_DEVMAJOR, F_DEVMINOR, F_RDEVMAJOR, F_RDEVMINOR, F_NAMESIZE, F_CHECK, F_COUNT };

static const char trailer[] = "TRAILER!!!";

static const char *const messages[-CPIO_ERR_LAST] = {
    [-CPIO_ERR_ARGS] = "bad arguments (NULL iterator, entry or data)",
    [-CPIO_ERR_TRUNCATED] = "archive truncated: it ends inside an entry or before TRAILER!!!",
    [-CPIO_ERR_MAGIC] = "bad magic: not a cpio newc (070701) header",
    [-CPIO_ERR_HEX] = "header field is not 8 hex digits",
    [-CPIO_ERR_NAMESIZE] = "namesize below 2 (an entry needs a name and its NUL)",
    [-CPIO_ERR_NAME_LONG] = "name longer than 255 bytes",
    [-CPIO_ERR_NAME_NUL] = "name not NUL-terminated, or a NUL inside it",
    [-CPIO_ERR_NAME_CHAR] = "control character in a name",
    [-CPIO_ERR_NAME_ABS] = "absolute name (starts with '/')",
    [-CPIO_ERR_NAME_DOTDOT] = "name has a '..' component",
    [-CPIO_ERR_NAME_EMPTY] = "file with an empty name",
    [-CPIO_ERR_PADDING] = "non-zero alignment padding",
    [-CPIO_ERR_FILESIZE] = "file data runs past the end of the archive",
    [-CPIO_ERR_DIR_SIZE] = "directory with a non-zero size",
};

const char *cpio_strerror(int code) {
    if (code == CPIO_END) return "end of archive";
    if (code == CPIO_ENTRY) return "entry";
    if (code == CPIO_UNSUPPORTED) return "unsupported file type (symlink, device, fifo or socket)";
    /* Test the range before negating: -INT_MIN would overflow. */
    if (code > 0 || code <= CPIO_ERR_LAST || !messages[-code]) return "unknown cpio error";
    return messages[-code];
}

int cpio_iter_init(struct cpio_iter *it, const void *data, uint64_t size) {
    if (!it) return CPIO_ERR_ARGS;
    it->base = data;
    it->size = size;
    it->off = 0;
    it->index = 0;
    it->state = 0;
    if (!data && size) {
        it->state = CPIO_ERR_ARGS;
        return CPIO_ERR_ARGS;
    }
    return 0;
}

static int hex8(const uint8_t *p, uint32_t *out) {
    uint32_t v = 0;
    for (int i = 0; i < 8; i++) {
        uint8_t c = p[i];
        uint32_t d;
        if (c >= '0' && c <= '9') d = c - '0';
        else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
        else return -1;
        v = v << 4 | d;
    }
    *out = v;
    return 0;
}

/* The padding [from, align4(from)) must lie inside the archive and be zero.
 * Stores align4(from) in *next. */
static int check_padding(const struct cpio_iter *it, uint64_t from, uint64_t *next) {
    uint64_t pad = (4 - (from & 3)) & 3;
    if (pad > it->size - from) return CPIO_ERR_TRUNCATED;
    for (uint64_t i = 0; i < pad; i++)
        if (it->base[from + i]) return CPIO_ERR_PADDING;
    *next = from + pad;
    return 0;
}

/* raw[0..len) has no NUL and no control character. Writes the normalised
 * name (never longer than raw) to out. */
static int normalise(const char *raw, uint64_t len, char *out) {
    uint64_t o = 0;
    if (len && raw[0] == '/') return CPIO_ERR_NAME_ABS;
    for (uint64_t i = 0; i < len;) {
        uint64_t j = i;
        while (j < len && raw[j] != '/') j++;
        uint64_t n = j - i;
        if (n == 2 && raw[i] == '.' && raw[i + 1] == '.') return CPIO_ERR_NAME_DOTDOT;
        if (n > 1 || (n == 1 && raw[i] != '.')) { /* "" and "." components vanish */
            if (o) out[o++] = '/';
            memcpy(out + o, raw + i, n);
            o += n;
        }
        i = j + 1;
    }
    out[o] = '\0';
    return 0;
}

/* Checks the header at it->off completely. Returns CPIO_END, CPIO_ENTRY,
 * CPIO_UNSUPPORTED, or an error; advances it->off only on success. */
static int parse_one(struct cpio_iter *it, struct cpio_entry *out) {
    uint64_t off = it->off; /* <= it->size, always */
    uint32_t f[F_COUNT];

    if (it->size - off < CPIO_HEADER_SIZE) return CPIO_ERR_TRUNCATED;
    const uint8_t *h = it->base + off;
    if (memcmp(h, "070701", 6) != 0) return CPIO_ERR_MAGIC;
    for (int i = 0; i < F_COUNT; i++)
        if (hex8(h + 6 + 8 * i, &f[i]) < 0) return CPIO_ERR_HEX;

    uint32_t namesize = f[F_NAMESIZE];
    if (namesize < 2) return CPIO_ERR_NAMESIZE;
    if (namesize - 1 > CPIO_NAME_MAX) return CPIO_ERR_NAME_LONG;
    uint64_t name_off = off + CPIO_HEADER_SIZE;
    if (namesize > it->size - name_off) return CPIO_ERR_TRUNCATED;
    const char *name = (const char *)it->base + name_off;
    uint64_t len = namesize - 1;
    if (name[len] != '\0') return CPIO_ERR_NAME_NUL;
    for (uint64_t i = 0; i < len; i++) {
        uint8_t c = (uint8_t)name[i];
        if (c == 0) return CPIO_ERR_NAME_NUL;
        if (c < 0x20 || c == 0x7f) return CPIO_ERR_NAME_CHAR;
    }

    uint64_t data_off, next;
    int r = check_padding(it, name_off + namesize, &data_off);
    if (r) return r;
    if (len == sizeof trailer - 1 && memcmp(name, trailer, len) == 0) {
        it->off = data_off;
        return CPIO_END;
    }

    uint64_t size = f[F_FILESIZE];
    if (size > it->size - data_off) return CPIO_ERR_FILESIZE;
    r = check_padding(it, data_off + size, &next);
    if (r) return r;

    uint32_t fmt = f[F_MODE] & S_IFMT;
    enum cpio_type type = fmt == S_IFREG ? CPIO_FILE : fmt == S_IFDIR ? CPIO_DIR : CPIO_OTHER;
    if (type == CPIO_DIR && size) return CPIO_ERR_DIR_SIZE;
    r = normalise(name, len, out->name);
    if (r) return r;
    if (!out->name[0] && type != CPIO_DIR) return CPIO_ERR_NAME_EMPTY;

    out->type = type;
    out->mode = f[F_MODE];
    out->data = it->base + data_off;
    out->size = size;
    out->ino = f[F_INO];
    out->nlink = f[F_NLINK];
    out->index = it->index;
    out->offset = off;
    it->off = next;
    return type == CPIO_OTHER ? CPIO_UNSUPPORTED : CPIO_ENTRY;
}

int cpio_next(struct cpio_iter *it, struct cpio_entry *out) {
    if (!it) return CPIO_ERR_ARGS;
    if (!out) return it->state = CPIO_ERR_ARGS;
    while (it->state == 0) {
        int r = parse_one(it, out);
        if (r < 0 || r == CPIO_END) {
            it->state = r < 0 ? r : 1;
            break;
        }
        it->index++;
        /* The archive's own root ("." from `find .`): nothing to create. */
        if (out->type == CPIO_DIR && !out->name[0]) continue;
        return r;
    }
    return it->state < 0 ? it->state : CPIO_END;
}
