/* ext2 block maps and file data: logical blocks through the twelve direct
 * pointers and the single, double and triple indirect blocks. Every
 * pointer read from the disk is checked against the volume before it is
 * followed (fs/ext2_core.h). Pure: no kernel services. */
#include "fs/ext2_core.h"
#include "lib/string.h"
#include "secos/errno.h"

int ext2_block_ok(const struct ext2_vol *v, uint32_t b) { return b >= v->first_data_block && b < v->blocks_count; }

int ext2_entry_read(struct ext2_vol *v, uint32_t blk, uint64_t idx, uint32_t *out) {
    if (!ext2_block_ok(v, blk)) return -EIO;
    uint8_t d[4];
    uint64_t off = (uint64_t)blk * v->block_size + idx * 4;
    if (v->io.read(v->io.dev, off, d, 4) != 4) return -EIO;
    *out = (uint32_t)d[0] | (uint32_t)d[1] << 8 | (uint32_t)d[2] << 16 | (uint32_t)d[3] << 24;
    return 0;
}

int ext2_map_path(const struct ext2_vol *v, uint64_t lblk, uint32_t *slot, uint64_t idx[3]) {
    uint64_t p = v->block_size / 4;
    if (lblk < EXT2_NDIR) {
        *slot = (uint32_t)lblk;
        return 0;
    }
    if ((lblk -= EXT2_NDIR) < p) {
        *slot = 12;
        idx[0] = lblk;
        return 1;
    }
    if ((lblk -= p) < p * p) {
        *slot = 13;
        idx[0] = lblk / p;
        idx[1] = lblk % p;
        return 2;
    }
    if ((lblk -= p * p) < p * p * p) {
        *slot = 14;
        idx[0] = lblk / (p * p);
        idx[1] = lblk / p % p;
        idx[2] = lblk % p;
        return 3;
    }
    return -EFBIG;
}

int ext2_bmap(struct ext2_vol *v, const struct ext2_inode *n, uint64_t lblk, uint32_t *pblk) {
    uint32_t slot;
    uint64_t idx[3];
    int depth = ext2_map_path(v, lblk, &slot, idx);
    if (depth < 0) return depth;
    uint32_t b = n->block[slot];
    for (int i = 0; i < depth && b; i++) {
        int r = ext2_entry_read(v, b, idx[i], &b);
        if (r) return r;
    }
    if (b && !ext2_block_ok(v, b)) return -EIO;
    *pblk = b;
    return 0;
}

#define EXT2_READ_RUN (512u << 10)   /* bytes of one read: the block layer's longest direct request */

long ext2_file_read(struct ext2_vol *v, const struct ext2_inode *n, uint64_t off, void *buf, uint64_t len) {
    if (off >= n->size) return 0;
    if (len > n->size - off) len = n->size - off;
    uint8_t *out = buf;
    uint64_t done = 0;
    while (done < len) {
        uint64_t pos = off + done;
        uint64_t in = pos % v->block_size;
        uint64_t chunk = v->block_size - in;
        if (chunk > len - done) chunk = len - done;
        uint32_t pb;
        int r = ext2_bmap(v, n, pos / v->block_size, &pb);
        if (r) return r == -EFBIG ? -EIO : r;
        if (!pb) {
            memset(out + done, 0, chunk);
            done += chunk;
            continue;
        }
        /* Blocks that follow on the disk join one read (one device request). */
        for (uint32_t k = 1; done + chunk < len && chunk < EXT2_READ_RUN; k++) {
            uint32_t nx;
            if (ext2_bmap(v, n, pos / v->block_size + k, &nx) != 0 || nx != pb + k) break;
            chunk += v->block_size < len - done - chunk ? v->block_size : len - done - chunk;
        }
        if (v->io.read(v->io.dev, (uint64_t)pb * v->block_size + in, out + done, chunk) != (long)chunk) return -EIO;
        done += chunk;
    }
    return (long)done;
}

int ext2_is_fast_link(const struct ext2_vol *v, const struct ext2_inode *n) {
    /* A fast link holds no data block (i_blocks counts only an EA block, if any). */
    uint32_t ea = n->file_acl ? v->block_size / 512 : 0;
    return ext2_is_lnk(n) && n->size < EXT2_FAST_LINK && n->blocks512 == ea;
}

long ext2_readlink(struct ext2_vol *v, const struct ext2_inode *n, char *buf, uint64_t cap) {
    if (!ext2_is_lnk(n)) return -EINVAL;
    uint64_t len = n->size < cap ? n->size : cap;
    if (ext2_is_fast_link(v, n)) {
        uint8_t raw[EXT2_N_BLOCKS * 4];
        for (int i = 0; i < EXT2_N_BLOCKS; i++) {
            raw[4 * i] = (uint8_t)n->block[i];
            raw[4 * i + 1] = (uint8_t)(n->block[i] >> 8);
            raw[4 * i + 2] = (uint8_t)(n->block[i] >> 16);
            raw[4 * i + 3] = (uint8_t)(n->block[i] >> 24);
        }
        memcpy(buf, raw, len);
        return (long)len;
    }
    return ext2_file_read(v, n, 0, buf, len);
}
