/* ext2 block maps that change: blocks allocated for file data (and the
 * indirect blocks that map them), maps cut by a truncation, whole inodes
 * released. Pure: no kernel services.
 *
 * Power-cut order (fs/ext2_core.h):
 * - a block comes from v->pool, whose bits were on disk (a barrier) before
 *   the pool was handed out, so no pointer names a block the bitmap calls
 *   free;
 * - a write's data and new indirect blocks (zeroed) reach the disk before
 *   any pointer to them from a block already on the disk and before the
 *   inode: those pointers wait in v->pend until one barrier, and a fresh
 *   block is written whole (zeros around the data), so a cut never shows
 *   another file's old bytes, nor an old block's bytes as pointers;
 * - a truncation writes the inode and the cut indirect blocks, then a
 *   barrier, then frees what they no longer point at. */
#include "fs/ext2_core.h"
#include "lib/string.h"
#include "secos/errno.h"

static const uint8_t zeros[EXT2_BLOCK_MAX];

static uint32_t le32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t ptrs(const struct ext2_vol *v) { return v->block_size / 4; }
static uint32_t units(const struct ext2_vol *v) { return v->block_size / 512; }

static int entry_set(struct ext2_vol *v, uint32_t blk, uint64_t i, uint32_t val) {
    uint8_t d[4] = { (uint8_t)val, (uint8_t)(val >> 8), (uint8_t)(val >> 16), (uint8_t)(val >> 24) };
    return ext2_dev_write(v, (uint64_t)blk * v->block_size + i * 4, d, 4);
}

/* --- pointers that wait for a barrier ------------------------------------------------------- */

/* Entry i of blk, as it will be once the waiting pointers are written. */
static int entry_lookup(struct ext2_vol *v, uint32_t blk, uint64_t i, uint32_t *out) {
    for (uint32_t k = v->npend; k-- > 0;)
        if (v->pend[k].blk == blk && v->pend[k].idx == i) {
            *out = v->pend[k].val;
            return 0;
        }
    return ext2_entry_read(v, blk, i, out);
}

/* The waiting pointers, after a barrier behind everything written so far. */
static int pending_flush(struct ext2_vol *v) {
    if (!v->npend) return 0;
    int r = ext2_barrier(v);
    for (uint32_t k = 0; k < v->npend && !r; k++) r = entry_set(v, v->pend[k].blk, v->pend[k].idx, v->pend[k].val);
    v->npend = 0;
    return r;
}

static int entry_defer(struct ext2_vol *v, uint32_t blk, uint64_t i, uint32_t val) {
    if (v->npend == EXT2_PENDING) {
        int r = pending_flush(v);
        if (r) return r;
    }
    v->pend[v->npend].blk = blk;
    v->pend[v->npend].idx = (uint32_t)i;
    v->pend[v->npend].val = val;
    v->npend++;
    return 0;
}

/* --- the pool of blocks marked used ahead ------------------------------------------- */

static int pool_refill(struct ext2_vol *v, uint32_t goal) {
    v->pool_next = v->pool_len = 0;
    while (v->pool_len < EXT2_POOL) {
        uint32_t b;
        int r = ext2_block_alloc(v, goal, &b);
        if (r == -ENOSPC) break;
        if (r) return r;
        v->pool[v->pool_len++] = b;
        goal = b + 1;
    }
    if (!v->pool_len) return -ENOSPC;
    return ext2_barrier(v);   /* the bits are on disk before any pointer to these blocks */
}

/* A block for n, counted in its i_blocks. */
static int block_get(struct ext2_vol *v, struct ext2_inode *n, uint32_t goal, uint32_t *out) {
    if (v->pool_next == v->pool_len) {
        int r = pool_refill(v, goal);
        if (r) return r;
    }
    *out = v->pool[v->pool_next++];
    n->blocks512 += units(v);
    return 0;
}

/* --- mapping with allocation ----------------------------------------------------------- */

/* The physical block of lblk, allocated (with any indirect block on the
 * way, written as zeros) if it is a hole: *fresh says a data block was
 * allocated. n is changed in memory only. */
static int map_alloc(struct ext2_vol *v, struct ext2_inode *n, uint64_t lblk, uint32_t goal, uint32_t *pb, int *fresh) {
    uint32_t slot;
    uint64_t idx[3];
    int depth = ext2_map_path(v, lblk, &slot, idx);
    if (depth < 0) return depth;
    *fresh = 0;
    uint32_t cur = n->block[slot];
    int r, cur_new = 0;   /* cur allocated here: nothing on the disk points at it yet */
    if (!cur) {
        if ((r = block_get(v, n, goal, &cur)) != 0) return r;
        if (depth && (r = ext2_dev_write(v, (uint64_t)cur * v->block_size, zeros, v->block_size)) != 0) return r;
        n->block[slot] = cur;   /* the inode is written after the barrier */
        *fresh = depth == 0;
        cur_new = 1;
    } else if (!ext2_block_ok(v, cur)) {
        return -EIO;
    }
    for (int i = 0; i < depth; i++) {
        uint32_t e;
        if ((r = entry_lookup(v, cur, idx[i], &e)) != 0) return r;
        int e_new = 0;
        if (!e) {
            int last = i == depth - 1;
            if ((r = block_get(v, n, goal, &e)) != 0) return r;
            if (!last && (r = ext2_dev_write(v, (uint64_t)e * v->block_size, zeros, v->block_size)) != 0) return r;
            r = cur_new ? entry_set(v, cur, idx[i], e) : entry_defer(v, cur, idx[i], e);
            if (r) return r;
            *fresh = last;
            e_new = 1;
        } else if (!ext2_block_ok(v, e)) {
            return -EIO;
        }
        cur = e;
        cur_new = e_new;
    }
    *pb = cur;
    return 0;
}

/* The largest size n may have here: past 2 GiB a revision 1 volume gains
 * large_file (written at once, so e2fsck never sees the size without it). */
static int size_allowed(struct ext2_vol *v, uint64_t end) {
    if (end > ext2_max_size(v)) return -EFBIG;
    if (end <= 0x7fffffffull || (v->ro_compat & EXT2_RO_COMPAT_LARGE_FILE)) return 0;
    if (v->rev < 1) return -EFBIG;
    v->ro_compat |= EXT2_RO_COMPAT_LARGE_FILE;
    return ext2_super_write(v, 0);
}

/* Where a block for lblk of n should come from: after lblk - 1's, or the
 * start of n's group. */
static uint32_t goal_for(struct ext2_vol *v, const struct ext2_inode *n, uint64_t lblk) {
    uint32_t goal = 0;
    if (lblk > 0 && ext2_bmap(v, n, lblk - 1, &goal) == 0 && goal) return goal + 1;
    return v->first_data_block + (n->ino - 1) / v->inodes_per_group * v->blocks_per_group;
}

long ext2_file_write(struct ext2_vol *v, struct ext2_inode *n, uint64_t off, const void *buf, uint64_t len) {
    if (!v->rw) return -EROFS;
    if (!ext2_is_reg(n)) return -EINVAL;
    if (len == 0) return 0;
    uint64_t max = ext2_max_size(v);
    if (off >= max) return -EFBIG;
    if (len > max - off) len = max - off;
    if (v->rev < 1 && off + len > 0x7fffffffull) {   /* revision 0 has no large_file: a short write to 2 GiB - 1 */
        if (off >= 0x7fffffffull) return -EFBIG;
        len = 0x7fffffffull - off;
    }
    int r = size_allowed(v, off + len);
    if (r) return r;
    const uint8_t *in = buf;
    uint64_t done = 0;
    uint32_t goal = goal_for(v, n, off / v->block_size), before = n->blocks512;
    while (done < len) {
        uint64_t pos = off + done, at = pos % v->block_size;
        uint64_t chunk = v->block_size - at;
        if (chunk > len - done) chunk = len - done;
        uint32_t pb;
        int fresh;
        if ((r = map_alloc(v, n, pos / v->block_size, goal, &pb, &fresh)) != 0) break;
        uint64_t boff = (uint64_t)pb * v->block_size;
        if (fresh && chunk < v->block_size) {   /* a new block is written whole */
            memset(v->blk_buf, 0, v->block_size);
            memcpy(v->blk_buf + at, in + done, chunk);
            r = ext2_dev_write(v, boff, v->blk_buf, v->block_size);
        } else {
            r = ext2_dev_write(v, boff + at, in + done, chunk);
        }
        if (r) break;
        if (v->dir_blk == pb) v->dir_blk = 0;
        done += chunk;
        goal = pb + 1;
    }
    if (n->blocks512 != before) {   /* data and new indirect blocks before what points at them */
        int b = v->npend ? pending_flush(v) : ext2_barrier(v);
        if (b && !r) r = b;
    }
    if (done && off + done > n->size) n->size = off + done;
    if (done) n->mtime = n->ctime = v->now;
    int w = ext2_inode_write(v, n, 0);   /* also after a partial write: the map has grown */
    if (done) return (long)done;
    return r ? r : w;
}

int ext2_block_append(struct ext2_vol *v, struct ext2_inode *n, const void *data) {
    if (!v->rw) return -EROFS;
    uint32_t before = n->blocks512, pb;
    int fresh;
    uint64_t lblk = n->size / v->block_size;
    int r = map_alloc(v, n, lblk, goal_for(v, n, lblk), &pb, &fresh);
    if (!r && !fresh) r = -EIO;   /* a block past the end was mapped already */
    if (!r) r = ext2_dev_write(v, (uint64_t)pb * v->block_size, data, v->block_size);
    if (!r && v->dir_blk == pb) v->dir_blk = 0;
    if (n->blocks512 != before) {   /* the block before what points at it and the size that shows it */
        int b = v->npend ? pending_flush(v) : ext2_barrier(v);
        if (!r) r = b;
    }
    if (!r) {
        n->size += v->block_size;
        n->mtime = n->ctime = v->now;
    }
    int w = ext2_inode_write(v, n, 0);
    return r ? r : w;
}

/* --- cutting and freeing ------------------------------------------------------------------ */

/* Frees the tree under blk (depth 0: a data block) and blk: the blocks
 * freed, or -EIO. The tree is unreachable (its pointer is gone on disk). */
static long free_tree(struct ext2_vol *v, uint32_t blk, int depth) {
    if (!blk) return 0;
    if (!ext2_block_ok(v, blk)) return -EIO;
    long freed = 0;
    for (uint64_t i = 0; depth > 0 && i < ptrs(v); i++) {
        uint32_t e;
        int r = ext2_entry_read(v, blk, i, &e);
        if (r) return r;
        long f = free_tree(v, e, depth - 1);
        if (f < 0) return f;
        freed += f;
    }
    int r = ext2_block_free(v, blk);
    return r ? r : freed + 1;
}

static uint64_t span(const struct ext2_vol *v, int depth) {
    uint64_t s = 1;
    while (depth-- > 0) s *= ptrs(v);
    return s;
}

/* Indirect block blk (entries at depth-1) keeps its logical blocks below
 * from: its old entries go to cut_buf[lvl], the entries past the cut are
 * zeroed on disk, and a child cut in two is cut the same way. */
static int cut_partial(struct ext2_vol *v, uint32_t blk, int depth, uint64_t from, int lvl) {
    if (!ext2_block_ok(v, blk)) return -EIO;
    uint8_t *old = v->cut_buf[lvl];
    if (v->io.read(v->io.dev, (uint64_t)blk * v->block_size, old, v->block_size) != (long)v->block_size) return -EIO;
    v->cut_valid[lvl] = 1;
    uint64_t s = span(v, depth - 1), e0 = from / s, rem = from % s;
    uint64_t first = rem ? e0 + 1 : e0;
    memcpy(v->blk_buf, old, v->block_size);
    memset(v->blk_buf + first * 4, 0, v->block_size - first * 4);
    int r = ext2_dev_write(v, (uint64_t)blk * v->block_size, v->blk_buf, v->block_size);
    if (r || !rem || depth == 1) return r;
    uint32_t child = le32(old + e0 * 4);
    return child ? cut_partial(v, child, depth - 1, rem, lvl + 1) : 0;
}

/* After the barrier: frees what cut_partial(.., depth, from, lvl) cut off. */
static long free_partial(struct ext2_vol *v, int depth, uint64_t from, int lvl) {
    if (!v->cut_valid[lvl]) return 0;
    v->cut_valid[lvl] = 0;
    const uint8_t *old = v->cut_buf[lvl];
    uint64_t s = span(v, depth - 1), e0 = from / s, rem = from % s;
    long freed = 0;
    if (rem && depth > 1) {
        long f = free_partial(v, depth - 1, rem, lvl + 1);
        if (f < 0) return f;
        freed += f;
    }
    for (uint64_t i = rem ? e0 + 1 : e0; i < ptrs(v); i++) {
        uint32_t e = le32(old + i * 4);
        long f = free_tree(v, e, depth - 1);
        if (f < 0) return f;
        freed += f;
    }
    return freed;
}

/* Keeps n's logical blocks below keep: n written, then (a barrier) the
 * rest freed; n->blocks512 follows, n written again. */
static int cut_map(struct ext2_vol *v, struct ext2_inode *n, uint64_t keep) {
    uint32_t old[EXT2_N_BLOCKS];
    memcpy(old, n->block, sizeof old);
    for (uint64_t i = keep; i < EXT2_NDIR; i++) n->block[i] = 0;
    /* Tree d maps logical blocks [base[d], base[d] + p^d): cut off whole,
     * cut in two (at most one tree is), or kept. */
    uint64_t base[4] = { 0, EXT2_NDIR, 0, 0 }, from = 0;
    base[2] = base[1] + span(v, 1);
    base[3] = base[2] + span(v, 2);
    int whole[4] = { 0, 0, 0, 0 }, cut = 0, r;
    v->cut_valid[0] = v->cut_valid[1] = v->cut_valid[2] = 0;
    for (int d = 1; d <= 3; d++) {
        if (keep <= base[d]) {
            whole[d] = 1;
            n->block[11 + d] = 0;
        } else if (keep < base[d] + span(v, d) && n->block[11 + d]) {
            cut = d;
            from = keep - base[d];
            if ((r = cut_partial(v, n->block[11 + d], d, from, 0)) != 0) return r;
        }
    }
    if ((r = ext2_inode_write(v, n, 0)) != 0) return r;
    if ((r = ext2_barrier(v)) != 0) return r;   /* no pointer to what is freed below is left on disk */
    long freed = 0, f = 0;
    for (uint64_t i = keep; i < EXT2_NDIR && f >= 0; i++)
        if ((f = free_tree(v, old[i], 0)) > 0) freed += f;
    for (int d = 1; d <= 3 && f >= 0; d++) {
        f = whole[d] ? free_tree(v, old[11 + d], d) : d == cut ? free_partial(v, d, from, 0) : 0;
        if (f > 0) freed += f;
    }
    uint64_t u = (uint64_t)freed * units(v);
    n->blocks512 = u > n->blocks512 ? 0 : n->blocks512 - (uint32_t)u;
    r = ext2_inode_write(v, n, 0);
    return f < 0 ? (int)f : r;
}

int ext2_truncate(struct ext2_vol *v, struct ext2_inode *n, uint64_t size) {
    if (!v->rw) return -EROFS;
    if (!ext2_is_reg(n)) return -EINVAL;
    int r = size_allowed(v, size);
    if (r) return r;
    n->mtime = n->ctime = v->now;
    if (size >= n->size) {   /* a hole: nothing to allocate */
        n->size = size;
        return ext2_inode_write(v, n, 0);
    }
    uint64_t keep = (size + v->block_size - 1) / v->block_size;
    if (size % v->block_size) {   /* the tail of the last block reads as zeros if the file grows again */
        uint32_t pb;
        if ((r = ext2_bmap(v, n, size / v->block_size, &pb)) != 0) return r;
        uint64_t at = size % v->block_size;
        if (pb && (r = ext2_dev_write(v, (uint64_t)pb * v->block_size + at, zeros, v->block_size - at)) != 0) return r;
    }
    n->size = size;
    return cut_map(v, n, keep);
}

/* The extended-attribute block: shared blocks count their holders. */
static int ea_release(struct ext2_vol *v, struct ext2_inode *n) {
    uint32_t b = n->file_acl;
    if (!b) return 0;
    n->file_acl = 0;
    if (!ext2_block_ok(v, b)) return 0;   /* a bad pointer: dropped, nothing freed */
    uint8_t h[8];
    if (v->io.read(v->io.dev, (uint64_t)b * v->block_size, h, 8) != 8) return -EIO;
    uint32_t magic = le32(h), refs = le32(h + 4);
    if (magic != 0xEA020000u) return 0;
    if (n->blocks512 >= units(v)) n->blocks512 -= units(v);
    if (refs > 1) return entry_set(v, b, 1, refs - 1);
    return ext2_block_free(v, b);
}

int ext2_inode_release(struct ext2_vol *v, struct ext2_inode *n) {
    if (!v->rw) return -EROFS;
    int dir = ext2_is_dir(n), r = 0;
    n->links = 0;
    n->dtime = v->now;
    if (ext2_is_reg(n) || dir || (ext2_is_lnk(n) && !ext2_is_fast_link(v, n))) {
        n->size = 0;
        r = cut_map(v, n, 0);
    } else {
        r = ext2_inode_write(v, n, 0);
    }
    if (r) return r;
    if ((r = ea_release(v, n)) != 0) return r;
    if ((r = ext2_inode_write(v, n, 0)) != 0) return r;
    return ext2_inode_free(v, n->ino, dir);
}
