/* ext2 on disk: the superblock, feature bits, group descriptors and inodes
 * (fs/ext2_core.h has the rules). Pure: no kernel services. */
#include "fs/ext2_core.h"
#include "lib/string.h"
#include "secos/errno.h"

#define SB_OFF   1024u
#define SB_SIZE  1024u
#define GD_SIZE  32u

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

static void put16(uint8_t *p, uint32_t x) { p[0] = (uint8_t)x; p[1] = (uint8_t)(x >> 8); }
static void put32(uint8_t *p, uint32_t x) { put16(p, x); put16(p + 2, x >> 16); }

static int dev_read(struct ext2_vol *v, uint64_t off, void *buf, uint64_t len) {
    if (off > v->io.size || len > v->io.size - off) return -EIO;
    long r = v->io.read(v->io.dev, off, buf, len);
    return r == (long)len ? 0 : -EIO;
}

int ext2_dev_write(struct ext2_vol *v, uint64_t off, const void *buf, uint64_t len) {
    if (!v->rw || !v->io.write) return -EROFS;
    if (off > v->io.size || len > v->io.size - off) return -EIO;
    long r = v->io.write(v->io.dev, off, buf, len);
    return r == (long)len ? 0 : -EIO;
}

int ext2_barrier(struct ext2_vol *v) { return v->io.barrier ? v->io.barrier(v->io.dev) : 0; }

int ext2_probe(const struct ext2_io *io) {
    uint8_t m[2];
    if (io->size < SB_OFF + SB_SIZE) return 0;
    if (io->read(io->dev, SB_OFF + 56, m, 2) != 2) return 0;
    return le16(m) == EXT2_MAGIC;
}

/* The INCOMPAT bits by name, as e2fsprogs and the kernel call them. */
static const struct {
    uint32_t bit;
    const char *why;
} incompat_names[] = {
    { 0x0001, "unsupported feature 'compression'" },
    { 0x0004, "unsupported feature 'needs_recovery' (the journal must be replayed first)" },
    { 0x0008, "unsupported feature 'journal_dev'" },
    { 0x0010, "unsupported feature 'meta_bg'" },
    { 0x0040, "unsupported feature 'extent'" },
    { 0x0080, "unsupported feature '64bit'" },
    { 0x0100, "unsupported feature 'mmp'" },
    { 0x0200, "unsupported feature 'flex_bg'" },
    { 0x0400, "unsupported feature 'ea_inode'" },
    { 0x1000, "unsupported feature 'dirdata'" },
    { 0x2000, "unsupported feature 'metadata_csum_seed'" },
    { 0x4000, "unsupported feature 'large_dir'" },
    { 0x8000, "unsupported feature 'inline_data'" },
    { 0x10000, "unsupported feature 'encrypt'" },
    { 0x20000, "unsupported feature 'casefold'" },
};

const char *ext2_incompat_refusal(uint32_t bits) {
    bits &= ~(uint32_t)EXT2_INCOMPAT_SUPPORTED;
    if (!bits) return 0;
    for (uint32_t i = 0; i < sizeof incompat_names / sizeof incompat_names[0]; i++)
        if (bits & incompat_names[i].bit) return incompat_names[i].why;
    return "unsupported feature (an unknown INCOMPAT bit)";
}

static int refuse(struct ext2_vol *v, const char *why) {
    v->why = why;
    return -EINVAL;
}

/* The group descriptors start in the block after the superblock's. */
static uint64_t gdt_off(const struct ext2_vol *v) { return (uint64_t)(v->first_data_block + 1) * v->block_size; }

int ext2_group_read(struct ext2_vol *v, uint32_t g, struct ext2_group *out) {
    if (g >= v->groups) return -EIO;
    uint8_t d[GD_SIZE];
    int r = dev_read(v, gdt_off(v) + (uint64_t)g * GD_SIZE, d, sizeof d);
    if (r) return r;
    out->block_bitmap = le32(d);
    out->inode_bitmap = le32(d + 4);
    out->inode_table = le32(d + 8);
    out->free_blocks = le16(d + 12);
    out->free_inodes = le16(d + 14);
    out->used_dirs = le16(d + 16);
    return 0;
}

/* Group g's bitmaps and inode table lie inside the group's blocks (no
 * flex_bg: that is where mke2fs and Linux's ext2 put them). */
static int group_check(struct ext2_vol *v, uint32_t g) {
    struct ext2_group gd;
    if (ext2_group_read(v, g, &gd)) return refuse(v, "group descriptors past the end of the device");
    uint64_t first = v->first_data_block + (uint64_t)g * v->blocks_per_group;
    uint64_t last = first + v->blocks_per_group - 1;
    if (last >= v->blocks_count) last = v->blocks_count - 1;
    if (gd.block_bitmap < first || gd.block_bitmap > last) return refuse(v, "a block bitmap outside its group");
    if (gd.inode_bitmap < first || gd.inode_bitmap > last) return refuse(v, "an inode bitmap outside its group");
    if (gd.inode_table < first || (uint64_t)gd.inode_table + v->itable_blocks - 1 > last)
        return refuse(v, "an inode table outside its group");
    /* Never on the superblock or the descriptor table, never on each other. */
    uint64_t meta_end = v->first_data_block + 1 + ((uint64_t)v->groups * GD_SIZE + v->block_size - 1) / v->block_size;
    if (gd.block_bitmap < meta_end || gd.inode_bitmap < meta_end || gd.inode_table < meta_end)
        return refuse(v, "a bitmap or inode table on the superblock or descriptors");
    uint64_t it_end = (uint64_t)gd.inode_table + v->itable_blocks;
    if (gd.block_bitmap == gd.inode_bitmap || (gd.block_bitmap >= gd.inode_table && gd.block_bitmap < it_end) ||
        (gd.inode_bitmap >= gd.inode_table && gd.inode_bitmap < it_end))
        return refuse(v, "a group's bitmaps and inode table overlap");
    if (gd.free_blocks > v->blocks_per_group || gd.free_inodes > v->inodes_per_group)
        return refuse(v, "a group's free counts exceed its size");
    return 0;
}

int ext2_vol_open(struct ext2_vol *v, const struct ext2_io *io) {
    memset(v, 0, sizeof *v);
    v->io = *io;
    uint8_t sb[SB_SIZE];
    if (io->size < SB_OFF + SB_SIZE) return refuse(v, "device too small for a superblock");
    if (dev_read(v, SB_OFF, sb, sizeof sb)) return -EIO;
    if (le16(sb + 56) != EXT2_MAGIC) return refuse(v, "bad superblock magic");
    v->rev = le32(sb + 76);
    if (v->rev > 1) return refuse(v, "unknown revision");
    uint32_t log = le32(sb + 24);
    if (log > 2) return refuse(v, "block size above 4 KiB");
    v->block_size = 1024u << log;
    v->inodes_count = le32(sb);
    v->blocks_count = le32(sb + 4);
    v->free_blocks = le32(sb + 12);
    v->free_inodes = le32(sb + 16);
    v->state = le16(sb + 58);
    v->first_data_block = le32(sb + 20);
    v->blocks_per_group = le32(sb + 32);
    v->inodes_per_group = le32(sb + 40);
    if (v->first_data_block != (v->block_size == 1024 ? 1u : 0u)) return refuse(v, "bad first data block");
    if (v->rev == 0) {
        v->inode_size = 128;
        v->first_ino = 11;
    } else {
        v->inode_size = le16(sb + 88);
        v->first_ino = le32(sb + 84);
        v->compat = le32(sb + 92);
        v->incompat = le32(sb + 96);
        v->ro_compat = le32(sb + 100);
        memcpy(v->label, sb + 120, 16);
        v->label[16] = 0;
    }
    if (v->inode_size < 128 || v->inode_size > v->block_size || (v->inode_size & (v->inode_size - 1)))
        return refuse(v, "bad inode size");
    const char *why = ext2_incompat_refusal(v->incompat);
    if (why) return refuse(v, why);
    if (v->blocks_per_group == 0 || v->blocks_per_group > 8 * v->block_size) return refuse(v, "bad blocks per group");
    if (v->inodes_per_group == 0 || v->inodes_per_group > 8 * v->block_size) return refuse(v, "bad inodes per group");
    if (v->blocks_count <= v->first_data_block + 1) return refuse(v, "bad block count");
    if ((uint64_t)v->blocks_count * v->block_size > io->size) return refuse(v, "volume larger than its device (truncated?)");
    v->groups = (v->blocks_count - v->first_data_block + v->blocks_per_group - 1) / v->blocks_per_group;
    if ((uint64_t)v->groups * v->inodes_per_group != v->inodes_count) return refuse(v, "inode count does not match the groups");
    if (v->first_ino <= EXT2_ROOT_INO || v->first_ino >= v->inodes_count) return refuse(v, "bad first inode");
    if (v->free_blocks > v->blocks_count || v->free_inodes > v->inodes_count) return refuse(v, "free counts exceed the volume");
    v->itable_blocks = (uint32_t)(((uint64_t)v->inodes_per_group * v->inode_size + v->block_size - 1) / v->block_size);
    uint64_t gdt_blocks = ((uint64_t)v->groups * GD_SIZE + v->block_size - 1) / v->block_size;
    if (v->first_data_block + 1 + gdt_blocks > v->blocks_count) return refuse(v, "group descriptors past the volume");
    for (uint32_t g = 0; g < v->groups; g++) {
        int r = group_check(v, g);
        if (r) return r;
    }
    if (v->compat & EXT2_COMPAT_HAS_JOURNAL) v->journal = 1;   /* no needs_recovery (refused above): clean */
    if (v->ro_compat & ~(uint32_t)EXT2_RO_COMPAT_SUPPORTED) {
        v->readonly = 1;
        v->why = "unsupported RO_COMPAT feature: read-only";
    }
    struct ext2_inode root;
    int r = ext2_inode_read(v, EXT2_ROOT_INO, &root);
    if (r == -EIO || (r == 0 && !ext2_is_dir(&root))) return refuse(v, "the root inode is not a valid directory");
    return r;
}

uint64_t ext2_max_size(const struct ext2_vol *v) {
    uint64_t p = v->block_size / 4;
    uint64_t blocks = EXT2_NDIR + p + p * p + p * p * p;
    /* i_blocks counts 512-byte units in 32 bits: no file holds more. */
    uint64_t cap = ((uint64_t)1 << 32) * 512;
    uint64_t max = blocks * v->block_size;
    return max < cap ? max : cap;
}

int ext2_inode_read(struct ext2_vol *v, uint32_t ino, struct ext2_inode *out) {
    if (ino == 0 || ino > v->inodes_count) return -EINVAL;
    uint32_t g = (ino - 1) / v->inodes_per_group, idx = (ino - 1) % v->inodes_per_group;
    struct ext2_group gd;
    int r = ext2_group_read(v, g, &gd);
    if (r) return r;
    uint8_t d[128];
    r = dev_read(v, (uint64_t)gd.inode_table * v->block_size + (uint64_t)idx * v->inode_size, d, sizeof d);
    if (r) return r;
    memset(out, 0, sizeof *out);
    out->ino = ino;
    out->mode = le16(d);
    out->uid = le16(d + 2) | (uint32_t)le16(d + 120) << 16;
    out->size = le32(d + 4);
    out->atime = le32(d + 8);
    out->ctime = le32(d + 12);
    out->mtime = le32(d + 16);
    out->dtime = le32(d + 20);
    out->gid = le16(d + 24) | (uint32_t)le16(d + 122) << 16;
    out->links = le16(d + 26);
    out->blocks512 = le32(d + 28);
    out->flags = le32(d + 32);
    for (int i = 0; i < EXT2_N_BLOCKS; i++) out->block[i] = le32(d + 40 + 4 * i);
    out->file_acl = le32(d + 104);
    uint16_t type = out->mode & EXT2_S_IFMT;
    if (out->links == 0) return -EIO;   /* a free inode that an entry names */
    if (out->flags & (EXT2_EXTENTS_FL | EXT2_INLINE_FL)) return -EIO;
    if (type == EXT2_S_IFREG && v->rev >= 1) out->size |= (uint64_t)le32(d + 108) << 32;
    if (out->size > ext2_max_size(v)) return -EIO;
    if (type == EXT2_S_IFDIR) {
        if (out->size == 0 || out->size % v->block_size || out->size > EXT2_DIR_MAX) return -EIO;
    } else if (type == EXT2_S_IFLNK) {
        if (out->size == 0 || out->size >= v->block_size) return -EIO;
    } else if (type != EXT2_S_IFREG) {
        /* devices, FIFOs and sockets: listed, never read (their i_block is not a map) */
        uint16_t t = type >> 12;
        if (t != 1 && t != 2 && t != 6 && t != 12) return -EIO;
    }
    return 0;
}

/* --- writing --------------------------------------------------------------------------- */

int ext2_group_write(struct ext2_vol *v, uint32_t g, const struct ext2_group *gd) {
    if (g >= v->groups) return -EIO;
    uint8_t d[6];
    put16(d, gd->free_blocks);
    put16(d + 2, gd->free_inodes);
    put16(d + 4, gd->used_dirs);
    return ext2_dev_write(v, gdt_off(v) + (uint64_t)g * GD_SIZE + 12, d, sizeof d);
}

int ext2_super_write(struct ext2_vol *v, int clean) {
    uint8_t sb[SB_SIZE];
    int r = dev_read(v, SB_OFF, sb, sizeof sb);
    if (r) return r;
    put32(sb + 12, v->free_blocks);
    put32(sb + 16, v->free_inodes);
    put32(sb + 48, v->now);                          /* s_wtime */
    put16(sb + 58, clean ? (v->state | 1u) : (v->state & ~1u));
    if (v->rev >= 1) put32(sb + 100, v->ro_compat);  /* large_file may have been set */
    return ext2_dev_write(v, SB_OFF, sb, sizeof sb);
}

int ext2_vol_begin_write(struct ext2_vol *v) {
    if (!v->io.write) return -EROFS;
    if (v->readonly) return -EROFS;
    if (v->journal) {
        v->why = "an ext3 journal would not record the changes: read-only";
        return -EROFS;
    }
    if (!(v->state & 1) || (v->state & 2)) {
        v->why = "not cleanly unmounted or has errors (run e2fsck): read-only";
        return -EROFS;
    }
    v->rw = 1;
    int r = ext2_super_write(v, 0);
    if (!r) r = ext2_barrier(v);   /* "not clean" is on disk before any change */
    if (r) v->rw = 0;
    return r;
}

int ext2_vol_close(struct ext2_vol *v) {
    if (!v->rw) return 0;
    int r = 0;
    while (v->pool_next < v->pool_len) {   /* reserved, never used */
        int f = ext2_block_free(v, v->pool[v->pool_next++]);
        if (!r) r = f;
    }
    v->pool_next = v->pool_len = 0;
    int b = ext2_barrier(v);
    if (!r) r = b;       /* every change is on disk before "clean" */
    int s = ext2_super_write(v, 1);
    v->rw = 0;
    return r ? r : s;
}

int ext2_inode_write(struct ext2_vol *v, const struct ext2_inode *n, int fresh) {
    uint32_t ino = n->ino;
    if (ino == 0 || ino > v->inodes_count) return -EIO;
    uint32_t g = (ino - 1) / v->inodes_per_group, idx = (ino - 1) % v->inodes_per_group;
    struct ext2_group gd;
    int r = ext2_group_read(v, g, &gd);
    if (r) return r;
    uint64_t off = (uint64_t)gd.inode_table * v->block_size + (uint64_t)idx * v->inode_size;
    uint8_t d[256];
    uint32_t len = fresh ? (v->inode_size < sizeof d ? v->inode_size : (uint32_t)sizeof d) : 128;
    if (fresh) {
        memset(d, 0, sizeof d);
        for (uint32_t at = len; at < v->inode_size; at += len)   /* a larger inode's tail, zeroed */
            if ((r = ext2_dev_write(v, off + at, d, len)) != 0) return r;
        if (len >= 160) put16(d + 128, 32);   /* i_extra_isize: the extra fields (all zero) mke2fs sets */
    } else if ((r = dev_read(v, off, d, 128)) != 0) {
        return r;
    }
    put16(d, n->mode);
    put16(d + 2, n->uid & 0xFFFF);
    put32(d + 4, (uint32_t)n->size);
    put32(d + 8, n->atime);
    put32(d + 12, n->ctime);
    put32(d + 16, n->mtime);
    put32(d + 20, n->dtime);
    put16(d + 24, n->gid & 0xFFFF);
    put16(d + 26, n->links);
    put32(d + 28, n->blocks512);
    put32(d + 32, n->flags);
    for (int i = 0; i < EXT2_N_BLOCKS; i++) put32(d + 40 + 4 * i, n->block[i]);
    put32(d + 104, n->file_acl);
    if (ext2_is_reg(n) && v->rev >= 1) put32(d + 108, (uint32_t)(n->size >> 32));
    put16(d + 120, n->uid >> 16);
    put16(d + 122, n->gid >> 16);
    r = ext2_dev_write(v, off, d, len);
    if (!r && v->changed) v->changed(v->changed_ctx, n);
    return r;
}
