/* Reading a cpio "newc" archive (magic 070701, what `cpio -o -H newc` and
 * Linux initramfs tools write) that lies in memory.
 *
 * Pure code: no allocation, no I/O, nothing but the bytes handed in; host
 * tested with ASan/UBSan in tests/unit/test_cpio.c. The archive comes from
 * the boot loader, so it is treated as hostile: cpio_next() checks a whole
 * entry before it returns it, and the first error is sticky.
 *
 * Rules (each refusal has its own CPIO_ERR_* code, see cpio_strerror()):
 *  - Header: 6-byte magic "070701" (the CRC variant 070702 and the old
 *    binary/odc formats are refused), then 13 fields of exactly 8 hex digits
 *    (either case); the check field is not interpreted.
 *  - Name: namesize >= 2 (at least one byte and its NUL), at most
 *    CPIO_NAME_MAX bytes before the NUL, the NUL exactly at namesize - 1 and
 *    nowhere before it, no control characters (0x01-0x1f, 0x7f: names get
 *    printed on the console).
 *  - Layout: header + name padded to 4 bytes, file data padded to 4 bytes,
 *    all inside the archive (64-bit arithmetic; sizes are at most 32 bits so
 *    nothing can wrap) and padding bytes zero.
 *  - End: an entry named TRAILER!!! ends the archive. Running out of bytes
 *    before it is CPIO_ERR_TRUNCATED, never a silent end. Bytes after the
 *    trailer are ignored (cpio pads its output to 512-byte blocks);
 *    concatenated archives are therefore not supported.
 *  - Names are normalised: a leading "./", "." components and empty
 *    components ("a//b", "bin/") are dropped, so "./bin//hello" becomes
 *    "bin/hello" (relative, no leading or trailing '/'). A name starting
 *    with '/' (CPIO_ERR_NAME_ABS) or with any ".." component
 *    (CPIO_ERR_NAME_DOTDOT) is refused: nothing may land outside the
 *    directory the archive is unpacked into. A directory whose name
 *    normalises to "" (the "." entry of `find .`) is the root itself and is
 *    skipped; a file or other entry with such a name is refused.
 *  - Types: regular files and directories are returned (1). Symlinks, device
 *    nodes, FIFOs and sockets are well-formed but unsupported: they are
 *    returned with CPIO_UNSUPPORTED (2) so the caller can name and skip them,
 *    and iteration goes on. A directory must have filesize 0. Regular files
 *    with nlink > 1 are hard links: newc (GNU cpio -o -H newc) writes one
 *    entry per name with the same inode number and the data only in the
 *    last one (size 0 in the others); entries carry ino and nlink so the
 *    caller can group them (fs/initrd.c).
 *  - mode permission bits, uid, gid, mtime and device numbers are checked to be
 *    hex and otherwise ignored.
 */
#ifndef FS_CPIO_H
#define FS_CPIO_H
#include <stdint.h>

#define CPIO_NAME_MAX 255      /* bytes in a name, without its NUL */
#define CPIO_HEADER_SIZE 110   /* magic + 13 * 8 hex digits */

/* Results of cpio_next() besides the errors below. */
#define CPIO_END         0     /* TRAILER!!! seen: no more entries */
#define CPIO_ENTRY       1     /* *out is a regular file or a directory */
#define CPIO_UNSUPPORTED 2     /* *out is a symlink/device/fifo/socket: skip it */

enum cpio_error {
    CPIO_ERR_ARGS = -1,        /* NULL iterator/output, or NULL data with size > 0 */
    CPIO_ERR_TRUNCATED = -2,   /* archive ends inside an entry or before TRAILER!!! */
    CPIO_ERR_MAGIC = -3,
    CPIO_ERR_HEX = -4,
    CPIO_ERR_NAMESIZE = -5,    /* namesize < 2 */
    CPIO_ERR_NAME_LONG = -6,   /* name > CPIO_NAME_MAX bytes */
    CPIO_ERR_NAME_NUL = -7,    /* NUL missing at the end or present inside */
    CPIO_ERR_NAME_CHAR = -8,   /* control character in the name */
    CPIO_ERR_NAME_ABS = -9,
    CPIO_ERR_NAME_DOTDOT = -10,
    CPIO_ERR_NAME_EMPTY = -11, /* a non-directory named "", ".", "./", ... */
    CPIO_ERR_PADDING = -12,    /* non-zero alignment padding */
    CPIO_ERR_FILESIZE = -13,   /* file data runs past the end of the archive */
    CPIO_ERR_DIR_SIZE = -14,   /* directory with data */
    CPIO_ERR_LAST = -15        /* one past the last code */
};

enum cpio_type { CPIO_FILE = 1, CPIO_DIR = 2, CPIO_OTHER = 3 };

struct cpio_entry {
    char name[CPIO_NAME_MAX + 1]; /* normalised, relative, NUL-terminated */
    enum cpio_type type;
    uint32_t mode;                /* st_mode as stored (type and permission bits) */
    const uint8_t *data;          /* contents, inside the archive */
    uint64_t size;                /* bytes at data (0 for directories) */
    uint32_t ino;                 /* inode number: equal for the names of one hard link */
    uint32_t nlink;               /* as stored; > 1 for a hard-linked file */
    uint32_t index;               /* ordinal of this header in the archive, from 0 */
    uint64_t offset;              /* byte offset of this header in the archive */
};

/* Opaque in spirit: read index/offset for error messages, touch nothing. */
struct cpio_iter {
    const uint8_t *base;
    uint64_t size;
    uint64_t off;    /* next header */
    uint32_t index;  /* ordinal of the next header (after an error: the bad one) */
    int state;       /* 0 running, 1 trailer seen, < 0 the sticky error */
};

/* 0, or CPIO_ERR_ARGS. data may be anything (even unaligned): bytes are read
 * one at a time. */
int cpio_iter_init(struct cpio_iter *it, const void *data, uint64_t size);

/* CPIO_ENTRY or CPIO_UNSUPPORTED with *out filled, CPIO_END after the
 * trailer (and on every later call), or a negative CPIO_ERR_* (also on every
 * later call). it->index and it->off then locate the bad header; *out is
 * meaningful only after a positive result. */
int cpio_next(struct cpio_iter *it, struct cpio_entry *out);

/* A one-line description of any cpio_next() result or error code. */
const char *cpio_strerror(int code);

#endif
