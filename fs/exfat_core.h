/* exFAT on-disk core, read-only: pure code over a byte-addressed device
 * (struct exfat_io), no kernel services, so the host unit tests and the
 * fuzzer run exactly what the kernel runs (fs/exfat.c is the VFS glue).
 * exfat_core.c: the boot region, the FAT, cluster runs, the allocation
 * bitmap and the up-case table; exfat_dir.c: directory entry sets, names,
 * lookups and time stamps.
 *
 * Trust: the image is hostile. exfat_vol_open validates the boot sector and
 * the boot-region checksum before anything else is read, then finds the
 * allocation bitmap and the up-case table in the root directory and checks
 * both (the table's checksum too). Every cluster number read from the disk
 * is checked against the cluster count before use; every FAT chain walk is
 * bounded by the cluster count (a longer walk is a cycle: -EIO); a file's
 * or directory's DataLength must be covered by its clusters (checked by
 * exfat_obj_check before it is read); directory scans end at the
 * directory's size; every entry set is checked (SecondaryCount,
 * SetChecksum, the stream extension first, NameLength within the name
 * entries, NameHash) before it is used. A corrupt image gives -EINVAL at
 * open or -EIO later, never a loop or an access outside the device. */
#ifndef FS_EXFAT_CORE_H
#define FS_EXFAT_CORE_H
#include <stdint.h>

#define EXFAT_NAME_UNITS   255          /* UTF-16 units of a name */
#define EXFAT_NAME_BYTES   (EXFAT_NAME_UNITS * 3)  /* its UTF-8 form at most (a surrogate pair: 4 bytes for 2 units) */
#define EXFAT_DIR_MAX      (256u << 20) /* bytes of one directory (the specification's limit) */
#define EXFAT_ATTR_RO      0x01
#define EXFAT_ATTR_HIDDEN  0x02
#define EXFAT_ATTR_SYSTEM  0x04
#define EXFAT_ATTR_DIR     0x10
#define EXFAT_ATTR_ARCH    0x20

/* The device: read len bytes at byte offset off; return len or a negative
 * errno. size is the device's size in bytes. */
struct exfat_io {
    long (*read)(void *dev, uint64_t off, void *buf, uint64_t len);
    void *dev;
    uint64_t size;
};

/* Clusters holding one file, directory, bitmap or table: the first cluster,
 * whether they are one contiguous run (NoFatChain: the FAT is not used) or
 * a FAT chain, the bytes recorded (DataLength) and the bytes written
 * (ValidDataLength; what lies beyond reads as zeros). */
struct exfat_obj {
    uint32_t first;
    int nofat;
    uint64_t size;
    uint64_t valid;
};

/* Where the last cluster lookup of an object ended: sequential reads of a
 * FAT chain then step one link instead of walking from the start. idx is
 * the cluster's index in the object, clus its number (0: nothing yet). */
struct exfat_cursor {
    uint64_t idx;
    uint32_t clus;
};

struct exfat_vol {
    struct exfat_io io;
    uint32_t sector_shift;      /* 9..12 */
    uint32_t cluster_shift;     /* bytes per cluster as a power of two: up to 25 (32 MiB) */
    uint64_t fat_off;           /* byte offset of the active FAT */
    uint64_t heap_off;          /* byte offset of cluster 2 */
    uint32_t clusters;          /* valid cluster numbers: 2 .. clusters + 1 */
    uint32_t free_clusters;     /* from the allocation bitmap, counted at open */
    uint32_t serial;
    struct exfat_obj root;      /* the root directory (a FAT chain; size = its clusters) */
    struct exfat_obj bitmap;
    struct exfat_obj upcase_obj;
    char label[34];             /* the volume label in UTF-8, "" if none */
    const char *why;            /* after a failed exfat_vol_open: what was wrong, in words (or 0) */
    /* One sector of the active FAT (fat_win_off its byte offset, ~0 when empty). */
    uint64_t fat_win_off;
    uint8_t fat_win[512];
    /* The up-case table, decoded: every UTF-16 unit to its upper case. */
    uint16_t upcase[65536];
};

/* A directory entry set, decoded and checked. */
struct exfat_entry {
    char name[EXFAT_NAME_BYTES + 1];   /* UTF-8, NUL-terminated */
    uint16_t units[EXFAT_NAME_UNITS];  /* the name as on disk (UTF-16) */
    uint32_t nunits;
    uint16_t attr;
    struct exfat_obj obj;
    uint64_t ctime, mtime, atime;      /* seconds since the epoch, UTC */
    uint64_t pos;                      /* the set's byte offset in its directory */
    uint64_t ino;                      /* unique on the volume: the directory's first cluster and pos (exfat_dir.c) */
};

/* --- exfat_core.c -------------------------------------------------------------------- */

/* 1 if the first sector says exFAT (signature and FileSystemName; probe). */
int exfat_probe(const struct exfat_io *io);
/* Validates the boot region and fills v (which holds the 128 KiB up-case
 * table: allocate it, do not put it on a stack): 0, or -EINVAL for a volume
 * that is not a usable exFAT volume, -EIO for a device error or a corrupt
 * root directory, bitmap or up-case table. */
int exfat_vol_open(struct exfat_vol *v, const struct exfat_io *io);
/* The boot checksum of the first 11 sectors of a boot region (sector size
 * bps), skipping VolumeFlags and PercentInUse. */
uint32_t exfat_boot_checksum(const uint8_t *region, uint32_t bps);
/* The 32-bit rotate-and-add checksum (the up-case table's), continued from sum. */
uint32_t exfat_checksum32(uint32_t sum, const uint8_t *p, uint64_t n);
/* The bytes of one cluster. */
static inline uint64_t exfat_cluster_size(const struct exfat_vol *v) { return 1ull << v->cluster_shift; }

/* The FAT link after clus: 1 and *next, 0 at the end of the chain, -EIO for
 * a free, bad or out-of-range link or cluster. */
int exfat_fat_next(struct exfat_vol *v, uint32_t clus, uint32_t *next);
/* Clusters in the FAT chain from first: the count, or -EIO for a broken or
 * cyclic chain (more links than clusters). */
long exfat_chain_len(struct exfat_vol *v, uint32_t first);
/* o's clusters cover o->size (and o->valid <= o->size, at most max bytes
 * when max is not 0): 0 or -EIO. */
int exfat_obj_check(struct exfat_vol *v, const struct exfat_obj *o, uint64_t max);
/* Reads o's bytes [off, off + len), clamped to o->size; zeros beyond
 * o->valid. c may be 0. The bytes read, or -EIO. o must have passed
 * exfat_obj_check. */
long exfat_obj_read(struct exfat_vol *v, const struct exfat_obj *o, struct exfat_cursor *c, uint64_t off, void *buf,
                    uint64_t len);

/* --- exfat_dir.c --------------------------------------------------------------------- */

/* The next file (or directory) entry set of dir at or after byte *pos,
 * skipping unused entries and the bitmap, up-case, label and other
 * non-file entries; moves *pos past it: 0, -ENOENT at the end, -EIO for a
 * corrupt set. dir must have passed exfat_obj_check. */
int exfat_dir_next(struct exfat_vol *v, const struct exfat_obj *dir, struct exfat_cursor *c, uint64_t *pos,
                   struct exfat_entry *e);
/* The entry called name (UTF-8; compared through the up-case table):
 * 0, -ENOENT, -ENAMETOOLONG, -EIO. */
int exfat_dir_find(struct exfat_vol *v, const struct exfat_obj *dir, const char *name, struct exfat_entry *e);
/* A directory entry's object as exfat_dir_next gives it: checks it (a
 * directory's clusters must cover its DataLength, at most EXFAT_DIR_MAX): 0 or -EIO. */
int exfat_entry_check(struct exfat_vol *v, const struct exfat_entry *e);

/* The entry at path (relative to the volume's root, '/'-separated; "/" or
 * "" is the root: *is_root = 1). Every directory on the way is checked
 * (exfat_entry_check), and one whose clusters are those of a directory
 * above it (a directory that contains itself) is -EIO; the last
 * component's entry is the caller's to check. 0, -ENOENT, -ENOTDIR,
 * -ENAMETOOLONG, -EIO. */
#define EXFAT_WALK_SEEN 64
int exfat_resolve(struct exfat_vol *v, const char *path, struct exfat_entry *e, int *is_root);

/* Pure helpers (exported for the tests). */
uint16_t exfat_set_checksum(const uint8_t *set, uint32_t n);   /* n bytes of a set, skipping bytes 2..3 */
uint16_t exfat_name_hash(const struct exfat_vol *v, const uint16_t *units, uint32_t n);
/* UTF-16 units -> UTF-8 (NUL-terminated): bytes, or -EINVAL (an unpaired
 * surrogate, NUL or '/'), -ENAMETOOLONG past cap - 1. */
int exfat_utf16_to_utf8(const uint16_t *in, uint32_t n, char *out, uint32_t cap);
/* UTF-8 -> UTF-16: units, or -EINVAL (bad UTF-8), -ENAMETOOLONG past max. */
int exfat_utf8_to_utf16(const char *in, uint16_t *out, uint32_t max);
/* An exFAT time stamp (the 32-bit DOS-style field, the 10 ms increment
 * 0..199, the UTC offset byte: bit 7 valid, bits 0..6 signed 15-minute
 * steps) as seconds since the epoch, UTC (local time when no offset is
 * recorded). */
uint64_t exfat_time_unpack(uint32_t ts, uint8_t ms10, uint8_t utc_off);

#endif
