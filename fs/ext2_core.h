/* ext2 on-disk core: pure code over a byte-addressed device (struct
 * ext2_io), no kernel services, so the host unit tests and the fuzzer run
 * exactly what the kernel runs (fs/ext2.c is the VFS glue).
 * ext2_core.c: the superblock, its feature bits, the group descriptors and
 * inodes; ext2_map.c: logical to physical blocks through the direct and the
 * single, double and triple indirect blocks, file data; ext2_dir.c:
 * directory entries, lookups and path resolution. Writing: ext2_alloc.c
 * (the block and inode bitmaps and their counts), ext2_grow.c (block maps
 * that grow and shrink, file data written), ext2_dirw.c (entries added,
 * removed and retargeted), ext2_ops.c (create, mkdir, unlink, rmdir,
 * rename: the orders a power cut relies on).
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
 * device.
 *
 * Writing (ext2_vol_open with io.write set, and no reason for read-only):
 * the disk is the truth. Every change to an inode, a bitmap, a group
 * descriptor or a directory block is written through io.write at once (the
 * block cache below makes that cheap); struct ext2_inode copies held by the
 * caller are refreshed through v->changed. Power-cut order, with io.barrier
 * between the steps: a block or inode is marked used before anything
 * points at it, and a pointer to it is gone before it is marked free; a
 * new name is added before an old one is removed (rename). A cut can thus
 * lose blocks or inodes (e2fsck frees them) or leave a link count too high,
 * never a block that two files own. s_state says "not clean" from mount
 * until ext2_vol_close. */
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
    /* For writing (0: the volume is read-only): write len bytes at off,
     * len or a negative errno; barrier: every write after it reaches the
     * disk after every write before it (0 or a negative errno; may be 0). */
    long (*write)(void *dev, uint64_t off, const void *buf, uint64_t len);
    int (*barrier)(void *dev);
};

/* One group descriptor (the fields we use). */
struct ext2_group {
    uint32_t block_bitmap, inode_bitmap, inode_table;
    uint32_t free_blocks, free_inodes, used_dirs;
};

struct ext2_inode;

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
    uint16_t state;             /* s_state as found at open (1: clean) */
    int rw;                     /* opened for writing: s_state on disk says "not clean" */
    uint32_t now;               /* the time stamped on what changes (the caller keeps it current) */
    uint32_t dir_gen;           /* counts directory changes: a saved position in a directory is stale after one */
    /* Told of every inode written (the caller's copies stay current). */
    void (*changed)(void *ctx, const struct ext2_inode *n);
    void *changed_ctx;
    /* One directory block (dir_blk its number, 0 when empty). */
    uint32_t dir_blk;
    uint8_t dir_buf[EXT2_BLOCK_MAX];
    /* One bitmap block, kept equal to the disk (bm_blk 0: empty). */
    uint32_t bm_blk;
    uint8_t bm_buf[EXT2_BLOCK_MAX];
    /* Scratch for writing: a block of zeros or data, and the indirect
     * blocks one truncation cuts through (their entries before the cut). */
    uint8_t blk_buf[EXT2_BLOCK_MAX];
    uint8_t cut_buf[3][EXT2_BLOCK_MAX];
    int cut_valid[3];
    /* Blocks marked used ahead of need, one barrier for a whole run, so
     * a pointer never reaches the disk before the bit that owns its block
     * (ext2_grow.c); given back by ext2_vol_close. */
#define EXT2_POOL 128
    uint32_t pool[EXT2_POOL];
    uint32_t pool_next, pool_len;
    /* Pointers to new blocks that go into indirect blocks already on the
     * disk: written only after a barrier behind the blocks they point at
     * (their data, or the zeros of a new indirect block), so a cut never
     * makes an old block's bytes part of a file (ext2_grow.c). */
#define EXT2_PENDING 512
    struct { uint32_t blk, idx, val; } pend[EXT2_PENDING];
    uint32_t npend;
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
/* Block b may be followed (inside the volume's data blocks). */
int ext2_block_ok(const struct ext2_vol *v, uint32_t b);
/* Entry idx of indirect block blk: 0 and *out (0: a hole), -EIO. */
int ext2_entry_read(struct ext2_vol *v, uint32_t blk, uint64_t idx, uint32_t *out);
/* Logical block lblk's place in the map: its slot in i_block and the
 * entry indices on the way down; the depth (0: direct .. 3), or -EFBIG. */
int ext2_map_path(const struct ext2_vol *v, uint64_t lblk, uint32_t *slot, uint64_t idx[3]);
/* A symbolic link whose target lives in i_block (no data block). */
int ext2_is_fast_link(const struct ext2_vol *v, const struct ext2_inode *n);
/* Reads n's bytes [off, off + len), clamped to n->size; holes read as
 * zeros. The bytes read, or -EIO. */
long ext2_file_read(struct ext2_vol *v, const struct ext2_inode *n, uint64_t off, void *buf, uint64_t len);
/* A symbolic link's target into buf (no NUL): its length, -EINVAL for
 * something that is not a link, -EIO for a corrupt one. Fast links (the
 * target in i_block) and links with a data block alike. */
long ext2_readlink(struct ext2_vol *v, const struct ext2_inode *n, char *buf, uint64_t cap);

/* Writes n back (the 128 bytes of the classic inode; the rest of a larger
 * inode is kept, except when fresh is set: then it is zeroed, with
 * i_extra_isize for the extra fields the volume's inode size has room
 * for), and tells v->changed: 0 or -EIO. */
int ext2_inode_write(struct ext2_vol *v, const struct ext2_inode *n, int fresh);
/* Group g's free counts and used-directory count written back. */
int ext2_group_write(struct ext2_vol *v, uint32_t g, const struct ext2_group *gd);
/* The superblock's free counts, state and write time written back (clean:
 * s_state says clean). 0 or -EIO. */
int ext2_super_write(struct ext2_vol *v, int clean);
/* For writing: marks the volume not clean on disk (ext2_vol_open leaves
 * v->rw 0): 0, -EROFS (no io.write, or v->readonly), -EIO. */
int ext2_vol_begin_write(struct ext2_vol *v);
/* Marks a volume opened for writing clean again, counts written back. */
int ext2_vol_close(struct ext2_vol *v);
/* A barrier between two steps that a power cut must see in order. */
int ext2_barrier(struct ext2_vol *v);
/* Bytes written at off, exactly: 0 or -EIO (-EROFS when not writable). */
int ext2_dev_write(struct ext2_vol *v, uint64_t off, const void *buf, uint64_t len);

/* --- ext2_alloc.c -------------------------------------------------------------------- */

/* A free block, marked used (bitmap, group and volume counts), near goal
 * (0: anywhere): 0 and *out, -ENOSPC, -EIO. The block is not zeroed. */
int ext2_block_alloc(struct ext2_vol *v, uint32_t goal, uint32_t *out);
/* Block b marked free: 0, -EIO (b out of range, or already free). */
int ext2_block_free(struct ext2_vol *v, uint32_t b);
/* A free inode, marked used, in the group of parent (a directory: the
 * group with the most free inodes): 0 and *out, -ENOSPC, -EIO. */
int ext2_inode_alloc(struct ext2_vol *v, uint32_t parent, int dir, uint32_t *out);
/* Inode ino marked free (dir: it was a directory). */
int ext2_inode_free(struct ext2_vol *v, uint32_t ino, int dir);

/* --- ext2_grow.c --------------------------------------------------------------------- */

/* Writes buf at off into n, allocating blocks (and the indirect blocks
 * that map them) for holes and past the end; n->size grows to cover it and
 * n is written back. The bytes written (fewer only when the volume fills
 * or the file reaches its largest size; -ENOSPC or -EFBIG if none), -EIO. */
long ext2_file_write(struct ext2_vol *v, struct ext2_inode *n, uint64_t off, const void *buf, uint64_t len);
/* n's size set to size: blocks past the end freed (after n and the cut
 * indirect blocks are on disk), the tail of the last block zeroed; a larger
 * size leaves a hole. 0, -EFBIG, -EIO. */
int ext2_truncate(struct ext2_vol *v, struct ext2_inode *n, uint64_t size);
/* Appends one whole block of data to n (a directory), size += a block. */
int ext2_block_append(struct ext2_vol *v, struct ext2_inode *n, const void *data);
/* An inode no name refers to: its blocks (and an extended-attribute block
 * it alone holds) freed, then the inode; dtime set. 0 or -EIO. */
int ext2_inode_release(struct ext2_vol *v, struct ext2_inode *n);

/* --- ext2_dir.c ---------------------------------------------------------------------- */

/* The next entry of directory dir at or after byte *pos, skipping unused
 * entries and "." and ".."; moves *pos past it: 0, -ENOENT at the end, -EIO
 * for a corrupt entry. */
int ext2_dir_next(struct ext2_vol *v, const struct ext2_inode *dir, uint64_t *pos, struct ext2_dirent *e);
/* Logical block lblk of directory dir into v->dir_buf (the one-block
 * cache every directory reader and writer shares), *pb its number: 0 or
 * -EIO (a hole, a bad pointer, a device error). */
int ext2_dir_block(struct ext2_vol *v, const struct ext2_inode *dir, uint64_t lblk, uint32_t *pb);
/* A position saved before the directory changed: moved to the first
 * record that starts at or after it (a removed entry's bytes stay behind,
 * merged into the record before it). 0 or -EIO. */
int ext2_dir_revalidate(struct ext2_vol *v, const struct ext2_inode *dir, uint64_t *pos);
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

/* --- ext2_dirw.c -------------------------------------------------------------------- */

/* Adds the entry name -> ino (type: EXT2_FT_*) to dir, in the first gap
 * that fits or in a new block: 0, -ENOSPC, -EFBIG (the directory is at its
 * largest), -EIO. The caller has checked that name is not there. */
#define EXT2_FT_REG 1
#define EXT2_FT_DIR 2
#define EXT2_FT_LNK 7
int ext2_dir_add(struct ext2_vol *v, struct ext2_inode *dir, const char *name, uint32_t ino, uint8_t type);
/* Removes the entry e (found by ext2_dir_find) from dir: 0 or -EIO. */
int ext2_dir_remove(struct ext2_vol *v, struct ext2_inode *dir, const struct ext2_dirent *e);
/* Points the entry e of dir at ino (rename over an existing name). */
int ext2_dir_retarget(struct ext2_vol *v, struct ext2_inode *dir, const struct ext2_dirent *e, uint32_t ino, uint8_t type);
/* 1 if dir holds nothing but "." and "..", 0 if it holds more, -EIO. */
int ext2_dir_empty(struct ext2_vol *v, const struct ext2_inode *dir);
/* The ".." entry of dir pointed at parent: 0 or -EIO. */
int ext2_dir_set_parent(struct ext2_vol *v, struct ext2_inode *dir, uint32_t parent);

/* A new directory's first block: "." and ".." (parent). */
int ext2_dir_init(struct ext2_vol *v, struct ext2_inode *dir, uint32_t parent);

/* --- ext2_ops.c ---------------------------------------------------------------------- */

/* The file-system calls, on a volume opened for writing. parent is the
 * directory to change (resolved by the caller); name one component. */
int ext2_create(struct ext2_vol *v, struct ext2_inode *parent, const char *name, uint16_t mode, struct ext2_inode *out);
int ext2_mkdir(struct ext2_vol *v, struct ext2_inode *parent, const char *name, uint16_t mode, struct ext2_inode *out);
/* Removes name (not a directory) from parent; its inode's link count drops
 * and is written back: *victim gets the inode (links 0: the caller calls
 * ext2_inode_release once nothing holds it open). -EISDIR for a directory. */
int ext2_unlink(struct ext2_vol *v, struct ext2_inode *parent, const char *name, struct ext2_inode *victim);
/* Removes the empty directory name: 0, -ENOTDIR, -ENOTEMPTY, -EIO; the
 * directory's inode is in *victim with links 0 (release it likewise). */
int ext2_rmdir(struct ext2_vol *v, struct ext2_inode *parent, const char *name, struct ext2_inode *victim);
/* Moves name in from to to_name in to (the same or another directory). An
 * existing target is replaced when replace is set (a file by a file, an
 * empty directory by a directory; -EEXIST otherwise); its inode goes to
 * *victim with its new link count (victim->ino 0: none replaced). The
 * caller has checked that to is not inside the moved directory. */
int ext2_rename(struct ext2_vol *v, struct ext2_inode *from, const char *from_name, struct ext2_inode *to,
                const char *to_name, int replace, struct ext2_inode *victim);

#endif
