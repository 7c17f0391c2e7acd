/* FAT12/16/32 on-disk core: pure code over a byte-addressed device (struct
 * fat_io), no kernel services, so the host unit tests and the fuzzer run
 * exactly what the kernel runs (fs/fat.c is the VFS glue on top).
 *
 * Trust: the image is hostile. fat_vol_open validates the boot sector
 * before anything else is read; every cluster number read from the disk is
 * checked against the cluster count before it is used; every chain walk is
 * bounded by the cluster count (a longer walk is a cycle: -EIO); directory
 * scans are bounded by the directory's chain; sizes beyond a file's chain
 * read as -EIO. A corrupt image gives -EIO (or -EINVAL at mount), never a
 * loop or an access outside the device.
 *
 * Writes go through fat_io.write at once (the block layer caches): FAT
 * entries to every FAT copy, directory entries as they change; the FSInfo
 * sector (FAT32) at fat_vol_sync. A FAT sector window (512 bytes of the
 * first FAT) caches reads and is kept equal to the disk on writes.
 *
 * Power-cut order (fat_io.barrier: the writes before it reach the disk
 * before those after it): clusters are allocated and filled before an
 * entry that reaches them is written (a barrier before every directory
 * entry write), an entry stops reaching clusters before they are freed (a
 * barrier before every free), a directory's new cluster is zeroed before
 * it is linked in. A cut then leaves at worst lost clusters (allocated,
 * reached by nothing) or a chain longer than its file's size, never two
 * entries sharing a cluster or an entry reaching a free one.
 *
 * Names: the VFS gives UTF-8 names; long names (LFN, UTF-16, up to 255
 * units) are written for every name that is not already an upper-case 8.3
 * name, together with a unique short name (BASIS~N.EXT). Lookups compare
 * ASCII letters case-insensitively, as FAT does. A long name whose UTF-8
 * form exceeds FAT_NAME_MAX bytes is shown by its short name. */
#ifndef FS_FAT_CORE_H
#define FS_FAT_CORE_H
#include <stdint.h>

#define FAT_NAME_MAX   255        /* bytes of a UTF-8 name (VFS_NAME_MAX) */
#define FAT_LFN_MAX    255        /* UTF-16 units of a long name */
#define FAT_ATTR_RO    0x01
#define FAT_ATTR_HIDDEN 0x02
#define FAT_ATTR_SYSTEM 0x04
#define FAT_ATTR_VOLUME 0x08
#define FAT_ATTR_DIR   0x10
#define FAT_ATTR_ARCH  0x20
#define FAT_ATTR_LFN   0x0f
#define FAT_FILE_MAX   0xffffffffull  /* a file's size is 32 bits */

/* The device: read/write len bytes at byte offset off; return len or a
 * negative errno. size is the device's size in bytes. */
struct fat_io {
    long (*read)(void *dev, uint64_t off, void *buf, uint64_t len);
    long (*write)(void *dev, uint64_t off, const void *buf, uint64_t len);
    void *dev;
    uint64_t size;
    /* Optional: orders the writes before it before those after it (on the
     * disk, after a power cut); 0 or a negative errno. */
    int (*barrier)(void *dev);
};

#define FAT_MARKS       1024u  /* seek marks: files of up to 64 Ki clusters are marked whole */
#define FAT_MARK_STRIDE 64u

struct fat_vol {
    struct fat_io io;
    int type;                  /* 12, 16 or 32 */
    int ro;                    /* every change is -EROFS */
    uint32_t bps;              /* bytes per sector: 512..4096 */
    uint32_t cluster_size;     /* bytes per cluster */
    uint32_t nfats;
    uint64_t fat_off;          /* byte offset of the first FAT */
    uint64_t fat_bytes;        /* bytes of one FAT copy */
    uint64_t root_off;         /* FAT12/16: byte offset of the fixed root directory */
    uint32_t root_entries;     /* FAT12/16: its entries */
    uint64_t data_off;         /* byte offset of cluster 2 */
    uint32_t clusters;         /* data clusters: valid numbers are 2 .. clusters + 1 */
    uint32_t root_cluster;     /* FAT32: first cluster of the root; FAT12/16: 0 */
    uint64_t fsinfo_off;       /* FAT32: byte offset of FSInfo, 0 if none */
    uint32_t free_count;       /* free clusters, counted at open, kept by alloc/free */
    uint32_t next_free;        /* where the next allocation starts looking */
    uint32_t total_sectors;
    char label[12];
    /* One 512-byte window of the first FAT (cache_off is its byte offset, or
     * ~0 when empty). */
    uint64_t cache_off;
    uint8_t cache[512];
    /* Seek marks of one chain (the last one walked; mark_first 0: none):
     * marks[i] is the cluster at index i * FAT_MARK_STRIDE, for i < mark_n,
     * so a lookup deep in a large file walks at most one stride. They hold
     * while no existing link changes: fat_set drops them when it rewrites a
     * link or frees a cluster; appending (end mark -> link, free -> end
     * mark) moves no recorded index. */
    uint32_t mark_first, mark_n;
    uint32_t marks[FAT_MARKS];
};

/* A directory's logical entry: its long (or short) name and the short entry. */
struct fat_entry {
    char name[FAT_NAME_MAX + 1];  /* UTF-8 */
    uint8_t sfn[11];              /* the short name as on disk */
    uint8_t attr;
    uint32_t cluster;             /* first cluster, 0 for an empty file */
    uint32_t size;
    uint16_t wtime, wdate, adate, ctime, cdate;
    uint32_t dir;                 /* the directory holding it (its first cluster; 0 = FAT12/16 root) */
    uint32_t first_slot;          /* index of its first slot (an LFN slot or the short entry) */
    uint32_t slot;                /* index of the short entry */
};

/* Validates the boot sector (and FSInfo) and fills v: 0, or -EINVAL for a
 * boot sector that is not a usable FAT volume, -EIO for a device error.
 * Counts the free clusters (FSInfo's count is a hint nobody checks). */
int fat_vol_open(struct fat_vol *v, const struct fat_io *io, int ro);
/* 1 if the first sector looks like a FAT boot sector (probe). */
int fat_probe(const struct fat_io *io);
/* Writes FSInfo (FAT32): 0 or a negative errno. */
int fat_vol_sync(struct fat_vol *v);
/* The root directory's cluster as fat_dir_* take it. */
uint32_t fat_root(const struct fat_vol *v);

/* FAT entries. fat_get checks clus; the value is returned raw (masked to 28
 * bits for FAT32). fat_next: the cluster after clus in a chain: 1 and *next,
 * 0 at the end of the chain, -EIO for a free, bad or out-of-range link. */
int fat_get(struct fat_vol *v, uint32_t clus, uint32_t *val);
int fat_set(struct fat_vol *v, uint32_t clus, uint32_t val);
int fat_next(struct fat_vol *v, uint32_t clus, uint32_t *next);
/* Clusters in the chain from first (0 for 0); -EIO for a broken or cyclic chain. */
long fat_chain_len(struct fat_vol *v, uint32_t first);
/* Frees the chain from first: 0 or -EIO (what was freed stays freed). */
int fat_chain_free(struct fat_vol *v, uint32_t first);
/* A free cluster, marked end-of-chain and linked after prev (0: none):
 * 0 and *out, -ENOSPC when the volume is full. */
int fat_alloc(struct fat_vol *v, uint32_t prev, uint32_t *out);

/* Directories (dir = first cluster; fat_root() for the root). fat_dir_read
 * returns the next live entry at or after *index (skipping ".", "..",
 * volume labels, deleted entries and orphaned LFN slots) and moves *index
 * past it: 0, -ENOENT at the end, -EIO. */
int fat_dir_read(struct fat_vol *v, uint32_t dir, uint32_t *index, struct fat_entry *e);
/* The entry called name (case-insensitive for ASCII): 0, -ENOENT, -EIO. */
int fat_dir_find(struct fat_vol *v, uint32_t dir, const char *name, struct fat_entry *e);
/* A new entry (long name + short name) for name in dir: 0 and *e, -EEXIST,
 * -EINVAL (a name FAT cannot hold), -ENAMETOOLONG, -ENOSPC, -EIO. The
 * entry gets attr, cluster, size, and the time stamp (date, time). */
int fat_dir_add(struct fat_vol *v, uint32_t dir, const char *name, uint8_t attr, uint32_t cluster,
                uint32_t size, uint16_t date, uint16_t time, struct fat_entry *e);
/* Marks e's slots deleted (its clusters are the caller's). */
int fat_dir_remove(struct fat_vol *v, const struct fat_entry *e);
/* Writes e's attr, cluster, size and times into its short entry. */
int fat_entry_store(struct fat_vol *v, const struct fat_entry *e);
/* Moves src to a new entry called name in dir, keeping its chain, size and
 * times: 0 and *ne, or what fat_dir_add says (then src is untouched).
 * Power-cut order: ne is added reaching nothing, src removed, then ne takes
 * the chain, so no cut leaves two entries sharing it. */
int fat_dir_move(struct fat_vol *v, const struct fat_entry *src, uint32_t dir, const char *name, struct fat_entry *ne);
/* Truncates the file of entry e (stored on the disk unless stored is 0: an
 * orphan) to size and stores it: 0 or an errno. Shrinking stores the
 * smaller entry before freeing a cluster. */
int fat_entry_truncate(struct fat_vol *v, struct fat_entry *e, uint64_t size, int stored);
/* 1 if dir has no entries but "." and "..", 0 if it has, -EIO. */
int fat_dir_empty(struct fat_vol *v, uint32_t dir);
/* A new directory's first cluster with "." and ".." (parent: 0 for root). */
int fat_dir_create(struct fat_vol *v, uint32_t parent, uint16_t date, uint16_t time, uint32_t *out);
/* Points dir's ".." at parent (after a move). */
int fat_dir_set_parent(struct fat_vol *v, uint32_t dir, uint32_t parent);

/* File data. Reads stop at size; a chain shorter than size is -EIO. Write
 * extends the chain (zero-filling a gap) and updates *cluster and *size;
 * truncate shrinks or zero-extends. */
long fat_file_read(struct fat_vol *v, uint32_t cluster, uint32_t size, uint64_t off, void *buf, uint64_t len);
long fat_file_write(struct fat_vol *v, uint32_t *cluster, uint32_t *size, uint64_t off, const void *buf,
                    uint64_t len);
int fat_file_truncate(struct fat_vol *v, uint32_t *cluster, uint32_t *size, uint64_t new_size);

/* For fat_dir.c: checked device I/O (-EIO outside the device, -EROFS on a
 * read-only volume), end-of-chain values, a cluster's byte offset, zeroing. */
int fat_dev_read(const struct fat_io *io, uint64_t off, void *buf, uint64_t len);
/* The write-order barrier of v's device (nothing when it has none). */
int fat_barrier(struct fat_vol *v);
int fat_dev_write(struct fat_vol *v, uint64_t off, const void *buf, uint64_t len);
uint32_t fat_eoc_min(const struct fat_vol *v);
uint32_t fat_eoc_mark(const struct fat_vol *v);
uint64_t fat_cluster_off(const struct fat_vol *v, uint32_t c);
int fat_zero_range(struct fat_vol *v, uint64_t off, uint64_t len);

/* Pure helpers (exported for the tests). */
uint8_t fat_lfn_checksum(const uint8_t sfn[11]);
/* UTF-8 name -> UTF-16 units: the count, or -EINVAL (bad UTF-8 or a
 * character FAT forbids), -ENAMETOOLONG past FAT_LFN_MAX. */
int fat_name_to_utf16(const char *name, uint16_t *out);
/* UTF-16 units -> UTF-8 (NUL-terminated): bytes, or -ENAMETOOLONG past cap - 1, -EINVAL. */
int fat_utf16_to_name(const uint16_t *in, int n, char *out, int cap);
/* The 8.3 basis of name (upper case, invalid characters as '_'): 1 if name
 * is exactly that short name (no long name needed), 2 if only the case
 * differs (the basis serves, with a long name), 0 if the conversion lost
 * something (a ~N tail is needed). */
int fat_short_basis(const char *name, uint8_t sfn[11]);
/* "NAME.EXT" of a short entry (lower-cased per the NT case bits). */
void fat_short_to_name(const uint8_t sfn[11], uint8_t ntcase, char out[13]);
/* Epoch seconds (UTC) <-> FAT date and time (1980..2107, 2-second steps). */
void fat_time_pack(uint64_t secs, uint16_t *date, uint16_t *time);
uint64_t fat_time_unpack(uint16_t date, uint16_t time);

#endif
