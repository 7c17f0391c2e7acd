/* ext2 allocation: the block and inode bitmaps, one bit a block (or inode)
 * of a group, and the free counts kept beside them (the group descriptor's
 * on disk at once, the superblock's in v until ext2_super_write).
 *
 * Invariant: a bit and its group's count change together; the bitmap is
 * trusted only as far as it is consistent: a block the bitmap calls free
 * but that holds the group's own bitmaps or inode table, or the primary
 * superblock and descriptors, is never handed out (-EIO), and freeing a
 * block or inode that is already free is -EIO, so a corrupt image cannot
 * make two owners of one block through us. Pure: no kernel services. */
#include "fs/ext2_core.h"
#include "lib/string.h"
#include "secos/errno.h"

/* The bitmap block blk in v->bm_buf. */
static int bm_load(struct ext2_vol *v, uint32_t blk) {
    if (v->bm_blk == blk) return 0;
    if (blk < v->first_data_block || blk >= v->blocks_count) return -EIO;
    v->bm_blk = 0;
    if (v->io.read(v->io.dev, (uint64_t)blk * v->block_size, v->bm_buf, v->block_size) != (long)v->block_size)
        return -EIO;
    v->bm_blk = blk;
    return 0;
}

/* Sets (on) or clears bit i of the loaded bitmap, on disk too; -EIO if it
 * already had that value. */
static int bm_set(struct ext2_vol *v, uint32_t i, int on) {
    uint8_t *p = &v->bm_buf[i / 8], m = (uint8_t)(1u << (i % 8));
    if (!!(*p & m) == !!on) return -EIO;
    uint8_t nb = on ? (uint8_t)(*p | m) : (uint8_t)(*p & ~m);
    int r = ext2_dev_write(v, (uint64_t)v->bm_blk * v->block_size + i / 8, &nb, 1);
    if (!r) *p = nb;
    return r;
}

/* The first clear bit in [from, to) of the loaded bitmap, or to. */
static uint32_t bm_find(const struct ext2_vol *v, uint32_t from, uint32_t to) {
    for (uint32_t i = from; i < to; i++) {
        if (i % 8 == 0 && i + 8 <= to && v->bm_buf[i / 8] == 0xFF) {
            i += 7;
            continue;
        }
        if (!(v->bm_buf[i / 8] & (1u << (i % 8)))) return i;
    }
    return to;
}

static uint32_t group_blocks(const struct ext2_vol *v, uint32_t g) {
    uint64_t first = v->first_data_block + (uint64_t)g * v->blocks_per_group;
    uint64_t n = v->blocks_count - first;
    return n < v->blocks_per_group ? (uint32_t)n : v->blocks_per_group;
}

/* Blocks that hold the group's own structures (or the primary superblock
 * and descriptor table): never data, whatever the bitmap says. */
static int is_meta(const struct ext2_vol *v, const struct ext2_group *gd, uint32_t b) {
    uint64_t gdt_blocks = ((uint64_t)v->groups * 32 + v->block_size - 1) / v->block_size;
    if (b <= v->first_data_block + gdt_blocks) return 1;
    if (b == gd->block_bitmap || b == gd->inode_bitmap) return 1;
    return b >= gd->inode_table && b < (uint64_t)gd->inode_table + v->itable_blocks;
}

static int block_take(struct ext2_vol *v, uint32_t g, struct ext2_group *gd, uint32_t from, uint32_t to,
                      uint32_t *out) {
    int r = bm_load(v, gd->block_bitmap);
    if (r) return r;
    uint32_t i = bm_find(v, from, to);
    if (i == to) return -ENOSPC;
    uint32_t b = v->first_data_block + g * v->blocks_per_group + i;
    if (is_meta(v, gd, b)) return -EIO;   /* the bitmap lies */
    if ((r = bm_set(v, i, 1)) != 0) return r;
    gd->free_blocks--;
    if (v->free_blocks) v->free_blocks--;
    *out = b;
    return ext2_group_write(v, g, gd);
}

int ext2_block_alloc(struct ext2_vol *v, uint32_t goal, uint32_t *out) {
    if (goal < v->first_data_block || goal >= v->blocks_count) goal = v->first_data_block;
    uint32_t g0 = (goal - v->first_data_block) / v->blocks_per_group;
    uint32_t bit0 = (goal - v->first_data_block) % v->blocks_per_group;
    for (uint32_t k = 0; k <= v->groups; k++) {
        uint32_t g = (g0 + k) % v->groups;
        struct ext2_group gd;
        int r = ext2_group_read(v, g, &gd);
        if (r) return r;
        if (gd.free_blocks == 0) continue;
        uint32_t n = group_blocks(v, g);
        /* The goal's group from the goal on first, its start last. */
        uint32_t from = k == 0 ? bit0 : 0, to = k == v->groups ? bit0 : n;
        if (from >= to) continue;
        r = block_take(v, g, &gd, from, to, out);
        if (r != -ENOSPC) return r;
    }
    return -ENOSPC;
}

int ext2_block_free(struct ext2_vol *v, uint32_t b) {
    if (b < v->first_data_block || b >= v->blocks_count) return -EIO;
    uint32_t g = (b - v->first_data_block) / v->blocks_per_group, i = (b - v->first_data_block) % v->blocks_per_group;
    struct ext2_group gd;
    int r = ext2_group_read(v, g, &gd);
    if (r) return r;
    if (is_meta(v, &gd, b)) return -EIO;
    if ((r = bm_load(v, gd.block_bitmap)) != 0) return r;
    if ((r = bm_set(v, i, 0)) != 0) return r;
    if (v->dir_blk == b) v->dir_blk = 0;   /* its next owner may be a file */
    gd.free_blocks++;
    v->free_blocks++;
    return ext2_group_write(v, g, &gd);
}

/* The group a new inode goes to: the parent's for a file (the first after
 * it with a free inode); for a directory the one with the most free
 * inodes, so directories spread and their files follow them. */
static int inode_group(struct ext2_vol *v, uint32_t parent, int dir, uint32_t *out) {
    uint32_t g0 = parent && parent <= v->inodes_count ? (parent - 1) / v->inodes_per_group : 0;
    uint32_t best = v->groups, best_free = 0;
    for (uint32_t k = 0; k < v->groups; k++) {
        uint32_t g = (g0 + k) % v->groups;
        struct ext2_group gd;
        int r = ext2_group_read(v, g, &gd);
        if (r) return r;
        if (gd.free_inodes == 0) continue;
        if (!dir) {
            *out = g;
            return 0;
        }
        if (gd.free_inodes > best_free) best = g, best_free = gd.free_inodes;
    }
    if (best == v->groups) return -ENOSPC;
    *out = best;
    return 0;
}

int ext2_inode_alloc(struct ext2_vol *v, uint32_t parent, int dir, uint32_t *out) {
    uint32_t g0;
    int r = inode_group(v, parent, dir, &g0);
    if (r) return r;
    for (uint32_t k = 0; k < v->groups; k++) {
        uint32_t g = (g0 + k) % v->groups;
        struct ext2_group gd;
        if ((r = ext2_group_read(v, g, &gd)) != 0) return r;
        if (gd.free_inodes == 0) continue;
        if ((r = bm_load(v, gd.inode_bitmap)) != 0) return r;
        uint32_t from = g == 0 ? v->first_ino - 1 : 0;   /* the reserved inodes are never handed out */
        uint32_t i = bm_find(v, from, v->inodes_per_group);
        if (i == v->inodes_per_group) continue;
        /* A free inode has no links: one with links is in use, whatever the bitmap says. */
        uint8_t links[2];
        uint64_t at = (uint64_t)gd.inode_table * v->block_size + (uint64_t)i * v->inode_size + 26;
        if (v->io.read(v->io.dev, at, links, 2) != 2) return -EIO;
        if (links[0] | links[1]) return -EIO;
        if ((r = bm_set(v, i, 1)) != 0) return r;
        gd.free_inodes--;
        if (dir) gd.used_dirs++;
        if (v->free_inodes) v->free_inodes--;
        *out = g * v->inodes_per_group + i + 1;
        return ext2_group_write(v, g, &gd);
    }
    return -ENOSPC;
}

int ext2_inode_free(struct ext2_vol *v, uint32_t ino, int dir) {
    if (ino < v->first_ino || ino > v->inodes_count) return -EIO;
    uint32_t g = (ino - 1) / v->inodes_per_group, i = (ino - 1) % v->inodes_per_group;
    struct ext2_group gd;
    int r = ext2_group_read(v, g, &gd);
    if (r) return r;
    if ((r = bm_load(v, gd.inode_bitmap)) != 0) return r;
    if ((r = bm_set(v, i, 0)) != 0) return r;
    gd.free_inodes++;
    if (dir && gd.used_dirs) gd.used_dirs--;
    v->free_inodes++;
    return ext2_group_write(v, g, &gd);
}
