/* ext2 directories that change: entries added in the first gap that fits
 * (an unused entry, or the slack after an entry's name) or in a new block,
 * removed by merging into the entry before them (or marked unused when
 * first in their block), pointed at another inode. Every entry is checked
 * again (ext2_dirent_parse) before it is changed. A directory that had an
 * htree index (dir_index) is a linear one after a change: its index flag
 * is cleared, as the index no longer covers every name. Pure: no kernel
 * services. */
#include "fs/ext2_core.h"
#include "lib/string.h"
#include "secos/errno.h"

static uint32_t rec_need(uint32_t name_len) { return (8 + name_len + 3) & ~3u; }
static int filetype(const struct ext2_vol *v) { return (v->incompat & EXT2_INCOMPAT_FILETYPE) != 0; }

/* dir_buf[at, at + len) to the disk. */
static int dflush(struct ext2_vol *v, uint32_t pb, uint32_t at, uint32_t len) {
    int r = ext2_dev_write(v, (uint64_t)pb * v->block_size + at, v->dir_buf + at, len);
    if (r) v->dir_blk = 0;
    return r;
}

static void put32(uint8_t *p, uint32_t x) { p[0] = (uint8_t)x, p[1] = (uint8_t)(x >> 8), p[2] = (uint8_t)(x >> 16), p[3] = (uint8_t)(x >> 24); }

static void put_entry(const struct ext2_vol *v, uint8_t *p, uint32_t ino, uint32_t rec_len, const char *name,
                      uint32_t nl, uint8_t type) {
    put32(p, ino);
    p[4] = (uint8_t)rec_len, p[5] = (uint8_t)(rec_len >> 8);
    p[6] = (uint8_t)nl;
    p[7] = filetype(v) ? type : 0;
    memcpy(p + 8, name, nl);
}

static void set_rec_len(uint8_t *p, uint32_t rl) { p[4] = (uint8_t)rl, p[5] = (uint8_t)(rl >> 8); }

/* The directory changed: times, and no index that would miss the change. */
static int dir_touch(struct ext2_vol *v, struct ext2_inode *dir) {
    v->dir_gen++;
    dir->mtime = dir->ctime = v->now;
    dir->flags &= ~(uint32_t)EXT2_INDEX_FL;
    return ext2_inode_write(v, dir, 0);
}

/* Appends one whole block (data) to a directory, through the file-data
 * path's allocator; size grows by a block. */
static int dir_append(struct ext2_vol *v, struct ext2_inode *dir, const uint8_t *data) {
    if (dir->size + v->block_size > EXT2_DIR_MAX) return -EFBIG;
    return ext2_block_append(v, dir, data);
}

int ext2_dir_add(struct ext2_vol *v, struct ext2_inode *dir, const char *name, uint32_t ino, uint8_t type) {
    if (!ext2_is_dir(dir)) return -ENOTDIR;
    uint32_t nl = (uint32_t)strlen(name), need = rec_need(nl);
    if (nl == 0 || nl > EXT2_NAME_MAX) return -ENAMETOOLONG;
    struct ext2_dirent e;
    for (uint64_t lb = 0; lb < dir->size / v->block_size; lb++) {
        uint32_t pb, rl;
        int r = ext2_dir_block(v, dir, lb, &pb);
        if (r) return r;
        for (uint32_t at = 0; at < v->block_size; at += rl) {
            if ((r = ext2_dirent_parse(v->dir_buf, v->block_size, at, filetype(v), v->inodes_count, &e, &rl)) != 0)
                return r;
            uint32_t used = e.ino ? rec_need(e.name_len) : 0;
            if (rl - used < need) continue;
            uint8_t *p = v->dir_buf + at;
            if (used) set_rec_len(p, used);
            put_entry(v, p + used, ino, rl - used, name, nl, type);
            if ((r = dflush(v, pb, at, used + need)) != 0) return r;
            return dir_touch(v, dir);
        }
    }
    memset(v->dir_buf, 0, v->block_size);   /* a new block holds just this entry */
    v->dir_blk = 0;
    put_entry(v, v->dir_buf, ino, v->block_size, name, nl, type);
    int r = dir_append(v, dir, v->dir_buf);
    return r ? r : dir_touch(v, dir);
}

/* Finds the entry at e->pos again, checked, and the one before it in its
 * block (*prev_at: UINT32_MAX when it is first). */
static int entry_again(struct ext2_vol *v, const struct ext2_inode *dir, const struct ext2_dirent *e, uint32_t *pb,
                       uint32_t *prev_at) {
    int r = ext2_dir_block(v, dir, e->pos / v->block_size, pb);
    if (r) return r;
    uint32_t want = (uint32_t)(e->pos % v->block_size), rl;
    struct ext2_dirent cur;
    *prev_at = UINT32_MAX;
    for (uint32_t at = 0; at < v->block_size; at += rl) {
        if ((r = ext2_dirent_parse(v->dir_buf, v->block_size, at, filetype(v), v->inodes_count, &cur, &rl)) != 0)
            return r;
        if (at == want) return cur.ino == e->ino ? 0 : -EIO;
        *prev_at = at;
    }
    return -EIO;
}

int ext2_dir_remove(struct ext2_vol *v, struct ext2_inode *dir, const struct ext2_dirent *e) {
    uint32_t pb, prev;
    int r = entry_again(v, dir, e, &pb, &prev);
    if (r) return r;
    uint32_t at = (uint32_t)(e->pos % v->block_size);
    uint8_t *p = v->dir_buf + at;
    if (prev == UINT32_MAX) {   /* first in its block: unused, its record kept */
        memset(p, 0, 4);
        r = dflush(v, pb, at, 4);
    } else {
        uint8_t *q = v->dir_buf + prev;
        uint32_t rl = (uint32_t)(p[4] | p[5] << 8), prl = (uint32_t)(q[4] | q[5] << 8);
        set_rec_len(q, prl + rl);
        r = dflush(v, pb, prev, 8);
    }
    return r ? r : dir_touch(v, dir);
}

int ext2_dir_retarget(struct ext2_vol *v, struct ext2_inode *dir, const struct ext2_dirent *e, uint32_t ino, uint8_t type) {
    uint32_t pb, prev;
    int r = entry_again(v, dir, e, &pb, &prev);
    if (r) return r;
    uint32_t at = (uint32_t)(e->pos % v->block_size);
    uint8_t *p = v->dir_buf + at;
    put32(p, ino);
    if (filetype(v)) p[7] = type;
    r = dflush(v, pb, at, 8);
    return r ? r : dir_touch(v, dir);
}

int ext2_dir_empty(struct ext2_vol *v, const struct ext2_inode *dir) {
    uint64_t pos = 0;
    struct ext2_dirent e;
    int r = ext2_dir_next(v, dir, &pos, &e);
    return r == -ENOENT ? 1 : r == 0 ? 0 : r;
}

int ext2_dir_set_parent(struct ext2_vol *v, struct ext2_inode *dir, uint32_t parent) {
    uint32_t pb, rl;
    int r = ext2_dir_block(v, dir, 0, &pb);
    if (r) return r;
    struct ext2_dirent e;
    if ((r = ext2_dirent_parse(v->dir_buf, v->block_size, 0, filetype(v), v->inodes_count, &e, &rl)) != 0) return r;
    uint32_t at = rl;
    if ((r = ext2_dirent_parse(v->dir_buf, v->block_size, at, filetype(v), v->inodes_count, &e, &rl)) != 0) return r;
    if (e.name_len != 2 || memcmp(e.name, "..", 2) != 0) return -EIO;
    uint8_t *p = v->dir_buf + at;
    put32(p, parent);
    r = dflush(v, pb, at, 4);
    return r ? r : dir_touch(v, dir);
}

int ext2_dir_init(struct ext2_vol *v, struct ext2_inode *dir, uint32_t parent) {
    memset(v->dir_buf, 0, v->block_size);
    v->dir_blk = 0;
    put_entry(v, v->dir_buf, dir->ino, 12, ".", 1, EXT2_FT_DIR);
    put_entry(v, v->dir_buf + 12, parent, v->block_size - 12, "..", 2, EXT2_FT_DIR);
    return dir_append(v, dir, v->dir_buf);
}
