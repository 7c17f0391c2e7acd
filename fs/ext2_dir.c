/* ext2 directories: entries checked against their block before use,
 * lookups by name, path resolution that refuses a directory inside itself
 * (fs/ext2_core.h). htree (dir_index) directories are read as the linear
 * directories their blocks still are. Pure: no kernel services. */
#include "fs/ext2_core.h"
#include "lib/string.h"
#include "secos/errno.h"

int ext2_dirent_parse(const uint8_t *b, uint32_t bs, uint32_t at, int filetype, uint32_t inodes,
                      struct ext2_dirent *e, uint32_t *rec_len) {
    if (at % 4 || at > bs || bs - at < 8) return -EIO;
    const uint8_t *p = b + at;
    uint32_t ino = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    uint32_t rl = (uint32_t)(p[4] | p[5] << 8);
    uint32_t nl = filetype ? p[6] : (uint32_t)(p[6] | p[7] << 8);
    if (rl < 8 || rl % 4 || rl > bs - at) return -EIO;
    if (ino && (nl == 0 || nl > EXT2_NAME_MAX || 8 + nl > rl || ino > inodes)) return -EIO;
    e->ino = ino;
    e->type = filetype ? p[7] : 0;
    e->name_len = ino ? nl : 0;
    e->pos = at;
    if (ino) {
        for (uint32_t i = 0; i < nl; i++)
            if (p[8 + i] == 0 || p[8 + i] == '/') return -EIO;
        memcpy(e->name, p + 8, nl);
    }
    e->name[e->name_len] = 0;
    *rec_len = rl;
    return 0;
}

int ext2_dir_block(struct ext2_vol *v, const struct ext2_inode *dir, uint64_t lblk, uint32_t *pb) {
    int r = ext2_bmap(v, dir, lblk, pb);
    if (r || !*pb) return -EIO;   /* a directory has no holes */
    if (v->dir_blk == *pb) return 0;
    v->dir_blk = 0;
    if (v->io.read(v->io.dev, (uint64_t)*pb * v->block_size, v->dir_buf, v->block_size) != (long)v->block_size)
        return -EIO;
    v->dir_blk = *pb;
    return 0;
}

int ext2_dir_next(struct ext2_vol *v, const struct ext2_inode *dir, uint64_t *pos, struct ext2_dirent *e) {
    if (!ext2_is_dir(dir)) return -ENOTDIR;
    int filetype = (v->incompat & EXT2_INCOMPAT_FILETYPE) != 0;
    while (*pos < dir->size) {
        uint32_t pb;
        int r = ext2_dir_block(v, dir, *pos / v->block_size, &pb);
        if (r) return r;
        uint32_t at = (uint32_t)(*pos % v->block_size), rl;
        r = ext2_dirent_parse(v->dir_buf, v->block_size, at, filetype, v->inodes_count, e, &rl);
        if (r) return r;
        e->pos = *pos;
        *pos += rl;
        if (!e->ino) continue;
        if ((e->name_len == 1 && e->name[0] == '.') || (e->name_len == 2 && e->name[0] == '.' && e->name[1] == '.'))
            continue;
        return 0;
    }
    return -ENOENT;
}

int ext2_dir_revalidate(struct ext2_vol *v, const struct ext2_inode *dir, uint64_t *pos) {
    if (!ext2_is_dir(dir)) return -ENOTDIR;
    if (*pos >= dir->size || *pos % v->block_size == 0) return 0;
    uint32_t pb;
    int r = ext2_dir_block(v, dir, *pos / v->block_size, &pb);
    if (r) return r;
    int filetype = (v->incompat & EXT2_INCOMPAT_FILETYPE) != 0;
    uint32_t want = (uint32_t)(*pos % v->block_size), at = 0, rl;
    struct ext2_dirent e;
    while (at < want) {
        if ((r = ext2_dirent_parse(v->dir_buf, v->block_size, at, filetype, v->inodes_count, &e, &rl)) != 0) return r;
        at += rl;
    }
    *pos += at - want;   /* the first record at or after pos (or the next block) */
    return 0;
}

int ext2_dir_find(struct ext2_vol *v, const struct ext2_inode *dir, const char *name, struct ext2_dirent *e) {
    size_t n = strlen(name);
    if (n > EXT2_NAME_MAX) return -ENAMETOOLONG;
    uint64_t pos = 0;
    int r;
    while ((r = ext2_dir_next(v, dir, &pos, e)) == 0)
        if (e->name_len == n && memcmp(e->name, name, n) == 0) return 0;
    return r;
}

int ext2_resolve(struct ext2_vol *v, const char *path, struct ext2_inode *out) {
    uint32_t seen[EXT2_WALK_SEEN];
    uint32_t nseen = 0;
    struct ext2_dirent e;
    char comp[EXT2_NAME_MAX + 1];
    int r = ext2_inode_read(v, EXT2_ROOT_INO, out);
    if (r) return r == -EINVAL ? -EIO : r;
    const char *p = path;
    for (;;) {
        while (*p == '/') p++;
        if (!*p) return 0;
        const char *end = p;
        while (*end && *end != '/') end++;
        size_t n = (size_t)(end - p);
        if (n > EXT2_NAME_MAX) return -ENAMETOOLONG;
        if (!ext2_is_dir(out)) return -ENOTDIR;
        if (nseen < EXT2_WALK_SEEN) seen[nseen++] = out->ino;
        memcpy(comp, p, n);
        comp[n] = 0;
        if ((r = ext2_dir_find(v, out, comp, &e)) != 0) return r;
        if ((r = ext2_inode_read(v, e.ino, out)) != 0) return r == -EINVAL ? -EIO : r;
        if (ext2_is_dir(out))
            for (uint32_t i = 0; i < nseen; i++)
                if (seen[i] == out->ino) return -EIO;   /* a directory inside itself */
        p = end;
    }
}
