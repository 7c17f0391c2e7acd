/* ext2 on-disk core: pure code over a byte-addressed device (struct
 * ext2_io), no kernel services, so the host unit tests and the fuzzer run
 * exactly what the kernel runs (fs/ext2.c is the VFS glue).
 * ext2_core.c: the superblock, its feature bits, the group descriptors and
 * inodes; ext2_map.c: logical to physical blocks through the direct and the
 * single, double and triple indirect blocks, file data; ext2_dir.c:
 * directory entries, lookups and path resolution.
 *
 * Trust: the image is hostile. ext2_vol_open checks the superblock (magic,
 * revision 0 or 1, block size 1..4 KiB, group geometry, counts against the
 * device's size, feature bits) and every group descriptor (its bitmaps and
 * inode table inside its group) before anything else is read, and the root
 * inode last. Every inode number is checked against the inode count, every
 * block number read from the disk against the block count before use; a
 * directory's size is a whole number of blocks (at most EXT2_DIR_MAX);
 * every directory entry's record length and name length are checked
 * against its block before the name is read. A corrupt image gives
 * -EINVAL at open or -EIO later, never a loop or an access outside the
 * device. */
#ifndef FS_EXT2_CORE_H
#define FS_EXT2_CORE_H
#include <stdint.h>

#define EXT2_MAGIC        0xEF53
#define EXT2_ROOT_INO     2
#define EXT2_NAME_MAX     255
#define EXT2_N_BLOCKS     15            /* 12 direct, single, double, triple indirect */
#define EXT2_NDIR         12
#define EXT2_DIR_MAX      (64u << 20)   /* bytes of one directory we agree to read */
#define EXT2_BLOCK_MAX    4096u
#define EXT2_FAST_LINK    60            /* a symlink target this short lives in i_block */

/* i_mode's file types */
#define EXT2_S_IFMT   0xF000
#define EXT2_S_IFREG  0x8000
#define EXT2_S_IFDIR  0x4000
#define EXT2_S_IFLNK  0xA000

/* Feature bits (the superblock's three sets). */
#define EXT2_COMPAT_HAS_JOURNAL      0x0004
#define EXT2_COMPAT_DIR_INDEX        0x0020
#define EXT2_INCOMPAT_FILETYPE       0x0002
#define EXT2_INCOMPAT_RECOVER        0x0004
#define EXT2_RO_COMPAT_SPARSE_SUPER  0x0001
#define EXT2_RO_COMPAT_LARGE_FILE    0x0002
#define EXT2_INCOMPAT_SUPPORTED      EXT2_INCOMPAT_FILETYPE
#define EXT2_RO_COMPAT_SUPPORTED     (EXT2_RO_COMPAT_SPARSE_SUPER | EXT2_RO_COMPAT_LARGE_FILE)

/* i_flags */
#define EXT2_INDEX_FL    0x00001000   /* htree directory (dir_index): its blocks still hold plain entries */
#define EXT2_EXTENTS_FL  0x00080000   /* ext4 extents: never on a volume we mount */
#define EXT2_INLINE_FL   0x10000000   /* ext4 inline data: likewise */

/* The device: read len bytes at byte offset off; return len or a negative
 * errno. size is the device's size in bytes. */
struct ext2_io {
    long (*read)(void *dev, uint64_t off, void *buf, uint64_t len);
    void *dev;
    uint64_t size;
};

/* One group descriptor (the fields we use). */
struct ext2_group {
    uint32_t block_bitmap, inode_bitmap, inode_table;
    uint32_t free_blocks, free_inodes, used_dirs;
};

struct ext2_vol {
    struct ext2_io io;
    uint32_t block_size;        /* 1024, 2048 or 4096 */
    uint32_t rev;               /* 0 or 1 */
    uint32_t blocks_count, inodes_count;
    uint32_t free_blocks, free_inodes;   /* the superblock's counts */
    uint32_t first_data_block;  /* 1 for 1 KiB blocks, else 0 */
    uint32_t blocks_per_group, inodes_per_group, groups;
    uint32_t inode_size;        /* 128 for revision 0 */
    uint32_t first_ino;         /* the first ordinary inode (11 for revision 0) */
    uint32_t itable_blocks;     /* blocks of one group's inode table */
    uint32_t compat, incompat, ro_compat;
    int readonly;               /* an unknown RO_COMPAT feature: mountable, but not for writing */
    int journal;                /* a clean ext3 volume: its journal is left alone */
    char label[17];
    const char *why;            /* after a failed ext2_vol_open, or a readonly open: why, in words (or 0) */
    /* One directory block (dir_blk its number, 0 when empty). */
    uint32_t dir_blk;
    uint8_t dir_buf[EXT2_BLOCK_MAX];
};

/* An inode, decoded (the fields we use). */
struct ext2_inode {
    uint32_t ino;
    uint16_t mode, links;
    uint32_t uid, gid;
    uint64_t size;
    uint32_t atime, ctime, mtime, dtime;
    uint32_t blocks512;         /* i_blocks: 512-byte units held, metadata included */
    uint32_t flags;
    uint32_t file_acl;
    uint32_t block[EXT2_N_BLOCKS];
};

/* One directory entry, decoded and checked. */
struct ext2_dirent {
    uint32_t ino;
    uint8_t type;               /* the entry's file type byte (0 without the filetype feature) */
    uint32_t name_len;
    char name[EXT2_NAME_MAX + 1];   /* NUL-terminated */
    uint64_t pos;               /* the entry's byte offset in its directory */
};

static inline int ext2_is_dir(const struct ext2_inode *n) { return (n->mode & EXT2_S_IFMT) == EXT2_S_IFDIR; }
static inline int ext2_is_reg(const struct ext2_inode *n) { return (n->mode & EXT2_S_IFMT) == EXT2_S_IFREG; }
static inline int ext2_is_lnk(const struct ext2_inode *n) { return (n->mode & EXT2_S_IFMT) == EXT2_S_IFLNK; }

/* --- ext2_core.c --------------------------------------------------------------------- */

/* 1 if the superblock's magic says ext2/3/4 (probe). */
int ext2_probe(const struct ext2_io *io);
/* The words for the first INCOMPAT bit in bits we do not support
 * ("unsupported feature 'extent'"), or 0 if there is none. */
const char *ext2_incompat_refusal(uint32_t bits);
/* Validates the superblock and the group descriptors and reads the root
 * inode: 0, or -EINVAL for a volume that is not a usable ext2 volume
 * (v->why says why), -EIO for a device error. v->readonly is set (and
 * v->why says why) for a volume that may be read but not written. */
int ext2_vol_open(struct ext2_vol *v, const struct ext2_io *io);
/* Group g's descriptor: 0 or -EIO. */
int ext2_group_read(struct ext2_vol *v, uint32_t g, struct ext2_group *out);
/* Inode ino, decoded and checked (in use, a known type, no ext4-only
 * flags, a size its blocks can map, a directory's size a whole number of
 * blocks up to EXT2_DIR_MAX): 0, -EINVAL for a number out of range, -EIO
 * for a corrupt inode or a device error. */
int ext2_inode_read(struct ext2_vol *v, uint32_t ino, struct ext2_inode *out);
/* The largest byte size an inode's block map can address. */
uint64_t ext2_max_size(const struct ext2_vol *v);

/* --- ext2_map.c ---------------------------------------------------------------------- */

/* The physical block of logical block lblk of n: 0 and *pblk (0 for a
 * hole), -EFBIG past the map, -EIO for a block number out of range or a
 * device error. */
int ext2_bmap(struct ext2_vol *v, const struct ext2_inode *n, uint64_t lblk, uint32_t *pblk);
/* Reads n's bytes [off, off + len), clamped to n->size; holes read as
 * zeros. The bytes read, or -EIO. */
long ext2_file_read(struct ext2_vol *v, const struct ext2_inode *n, uint64_t off, void *buf, uint64_t len);
/* A symbolic link's target into buf (no NUL): its length, -EINVAL for
 * something that is not a link, -EIO for a corrupt one. Fast links (the
 * target in i_block) and links with a data block alike. */
long ext2_readlink(struct ext2_vol *v, const struct ext2_inode *n, char *buf, uint64_t cap);

/* --- ext2_dir.c ---------------------------------------------------------------------- */

/* The next entry of directory dir at or after byte *pos, skipping unused
 * entries and "." and ".."; moves *pos past it: 0, -ENOENT at the end, -EIO
 * for a corrupt entry. */
int ext2_dir_next(struct ext2_vol *v, const struct ext2_inode *dir, uint64_t *pos, struct ext2_dirent *e);
/* The entry called name: 0, -ENOENT, -ENAMETOOLONG, -EIO. */
int ext2_dir_find(struct ext2_vol *v, const struct ext2_inode *dir, const char *name, struct ext2_dirent *e);
/* The inode at path (relative to the volume's root, '/'-separated; "/" or
 * "" is the root). Every directory on the way is read and checked; one that
 * is a directory above it (a directory loop) is -EIO. 0, -ENOENT,
 * -ENOTDIR, -ENAMETOOLONG, -EIO. */
#define EXT2_WALK_SEEN 64
int ext2_resolve(struct ext2_vol *v, const char *path, struct ext2_inode *out);
/* Checks one raw entry at b[at] of a block of bs bytes: its record length
 * (on the block's 4-byte grid, at least the entry's header and name, not
 * past the block) and name (no NUL or '/'); with filetype set the name's
 * length is one byte. 0 and *e (e->pos is at), or -EIO. Pure. */
int ext2_dirent_parse(const uint8_t *b, uint32_t bs, uint32_t at, int filetype, uint32_t inodes,
                      struct ext2_dirent *e, uint32_t *rec_len);

#endif
