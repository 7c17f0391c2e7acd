/* ext2 file-system calls on a volume opened for writing: create, mkdir,
 * unlink, rmdir, rename. Each is a sequence of steps with a barrier where
 * a power cut must see them in order (fs/ext2_core.h): a new inode is on
 * disk (bitmap and contents) before the entry that names it; an entry is
 * gone before its inode's count drops; rename counts the new name before
 * adding it and adds it before removing the old one. A cut between steps
 * leaves at worst a lost inode or a link count one too high, which e2fsck
 * repairs. Pure: no kernel services. */
#include "fs/ext2_core.h"
#include "lib/string.h"
#include "secos/errno.h"

#define EXT2_LINK_MAX 32000

static int name_ok(const char *name) {
    size_t n = strlen(name);
    if (n == 0 || strchr(name, '/')) return -EINVAL;
    if ((n == 1 && name[0] == '.') || (n == 2 && name[0] == '.' && name[1] == '.')) return -EINVAL;
    return n > EXT2_NAME_MAX ? -ENAMETOOLONG : 0;
}

/* parent may gain name: 0, -EEXIST, or the error. */
static int may_add(struct ext2_vol *v, struct ext2_inode *parent, const char *name) {
    if (!v->rw) return -EROFS;
    if (!ext2_is_dir(parent)) return -ENOTDIR;
    if (parent->links == 0) return -ENOENT;   /* removed while open */
    int r = name_ok(name);
    if (r) return r;
    struct ext2_dirent e;
    r = ext2_dir_find(v, parent, name, &e);
    return r == 0 ? -EEXIST : r == -ENOENT ? 0 : r;
}

/* The directory-entry file type of n's mode (filetype feature). */
static uint8_t ftype(const struct ext2_inode *n) {
    switch (n->mode & EXT2_S_IFMT) {
    case EXT2_S_IFDIR: return EXT2_FT_DIR;
    case EXT2_S_IFLNK: return EXT2_FT_LNK;
    case 0x2000: return 3;   /* character device */
    case 0x6000: return 4;   /* block device */
    case 0x1000: return 5;   /* FIFO */
    case 0xC000: return 6;   /* socket */
    default: return EXT2_FT_REG;
    }
}

/* A fresh inode of mode, on disk. */
static int inode_new(struct ext2_vol *v, uint32_t parent, uint16_t mode, struct ext2_inode *out) {
    uint32_t ino;
    int dir = (mode & EXT2_S_IFMT) == EXT2_S_IFDIR;
    int r = ext2_inode_alloc(v, parent, dir, &ino);
    if (r) return r;
    memset(out, 0, sizeof *out);
    out->ino = ino;
    out->mode = mode;
    out->links = dir ? 2 : 1;
    out->atime = out->ctime = out->mtime = v->now;
    if ((r = ext2_inode_write(v, out, 1)) != 0) {
        ext2_inode_free(v, ino, dir);
        return r;
    }
    return 0;
}

/* Undoes inode_new when its name could not be added. */
static void inode_drop(struct ext2_vol *v, struct ext2_inode *n) { (void)ext2_inode_release(v, n); }

int ext2_create(struct ext2_vol *v, struct ext2_inode *parent, const char *name, uint16_t mode, struct ext2_inode *out) {
    int r = may_add(v, parent, name);
    if (r) return r;
    if ((r = inode_new(v, parent->ino, (uint16_t)(EXT2_S_IFREG | (mode & 07777)), out)) != 0) return r;
    if ((r = ext2_barrier(v)) != 0 || (r = ext2_dir_add(v, parent, name, out->ino, EXT2_FT_REG)) != 0) {
        inode_drop(v, out);
        return r;
    }
    return 0;
}

int ext2_mkdir(struct ext2_vol *v, struct ext2_inode *parent, const char *name, uint16_t mode, struct ext2_inode *out) {
    int r = may_add(v, parent, name);
    if (r) return r;
    if (parent->links >= EXT2_LINK_MAX) return -EMLINK;
    if ((r = inode_new(v, parent->ino, (uint16_t)(EXT2_S_IFDIR | (mode & 07777)), out)) != 0) return r;
    if ((r = ext2_dir_init(v, out, parent->ino)) != 0) {   /* its block, then (a barrier) its size */
        inode_drop(v, out);
        return r;
    }
    parent->links++;   /* for the new ".." */
    parent->ctime = v->now;
    if ((r = ext2_inode_write(v, parent, 0)) != 0 || (r = ext2_barrier(v)) != 0 ||
        (r = ext2_dir_add(v, parent, name, out->ino, EXT2_FT_DIR)) != 0) {
        parent->links--;
        (void)ext2_inode_write(v, parent, 0);
        inode_drop(v, out);
        return r;
    }
    return 0;
}

/* The entry name in parent and its inode. */
static int find(struct ext2_vol *v, struct ext2_inode *parent, const char *name, struct ext2_dirent *e,
                struct ext2_inode *n) {
    if (!v->rw) return -EROFS;
    if (!ext2_is_dir(parent)) return -ENOTDIR;
    int r = name_ok(name);
    if (r) return r == -EINVAL ? -EBUSY : r;   /* "." and "..": not removable nor movable by name */
    if ((r = ext2_dir_find(v, parent, name, e)) != 0) return r;
    r = ext2_inode_read(v, e->ino, n);
    return r == -EINVAL ? -EIO : r;
}

int ext2_unlink(struct ext2_vol *v, struct ext2_inode *parent, const char *name, struct ext2_inode *victim) {
    struct ext2_dirent e;
    int r = find(v, parent, name, &e, victim);
    if (r) return r;
    if (ext2_is_dir(victim)) return -EISDIR;
    if ((r = ext2_dir_remove(v, parent, &e)) != 0) return r;
    if ((r = ext2_barrier(v)) != 0) return r;
    victim->links--;
    victim->ctime = v->now;
    return ext2_inode_write(v, victim, 0);
}

int ext2_rmdir(struct ext2_vol *v, struct ext2_inode *parent, const char *name, struct ext2_inode *victim) {
    struct ext2_dirent e;
    int r = find(v, parent, name, &e, victim);
    if (r) return r;
    if (!ext2_is_dir(victim)) return -ENOTDIR;
    if ((r = ext2_dir_empty(v, victim)) < 0) return r;
    if (!r) return -ENOTEMPTY;
    if ((r = ext2_dir_remove(v, parent, &e)) != 0) return r;
    if ((r = ext2_barrier(v)) != 0) return r;
    if (parent->links > 2) parent->links--;   /* its ".." is gone */
    parent->ctime = v->now;
    if ((r = ext2_inode_write(v, parent, 0)) != 0) return r;
    victim->links = 0;
    victim->ctime = v->now;
    return ext2_inode_write(v, victim, 0);
}

int ext2_rename(struct ext2_vol *v, struct ext2_inode *from, const char *from_name, struct ext2_inode *to,
                const char *to_name, int replace, struct ext2_inode *victim) {
    if (from->ino == to->ino) to = from;   /* one directory: one copy of it */
    struct ext2_dirent src, dst;
    struct ext2_inode n;
    victim->ino = 0;
    int r = find(v, from, from_name, &src, &n);
    if (r) return r;
    if (!ext2_is_dir(to)) return -ENOTDIR;
    if (to->links == 0) return -ENOENT;
    if ((r = name_ok(to_name)) != 0) return r;
    int isdir = ext2_is_dir(&n), have = 0;
    r = ext2_dir_find(v, to, to_name, &dst);
    if (r == 0) {
        if (dst.ino == src.ino) return replace ? 0 : -EEXIST;   /* the same inode already */
        if (!replace) return -EEXIST;
        if ((r = ext2_inode_read(v, dst.ino, victim)) != 0) return r == -EINVAL ? -EIO : r;
        if (isdir && !ext2_is_dir(victim)) return -ENOTDIR;
        if (!isdir && ext2_is_dir(victim)) return -EISDIR;
        if (ext2_is_dir(victim)) {
            if ((r = ext2_dir_empty(v, victim)) < 0) return r;
            if (!r) return -ENOTEMPTY;
        }
        have = 1;
    } else if (r != -ENOENT) {
        return r;
    }
    int moves_dir = isdir && from != to;
    if (moves_dir && !have && to->links >= EXT2_LINK_MAX) return -EMLINK;
    /* 1: the inode counts the name it is about to get, a new parent the
     * ".." it is about to gain: counts only ever run high at a cut. */
    n.links++;
    n.ctime = v->now;
    if ((r = ext2_inode_write(v, &n, 0)) != 0) return r;
    if (moves_dir && !have) {
        to->links++;
        if ((r = ext2_inode_write(v, to, 0)) != 0) return r;
    }
    if ((r = ext2_barrier(v)) != 0) return r;
    /* 2: the new name. */
    r = have ? ext2_dir_retarget(v, to, &dst, n.ino, ftype(&n)) : ext2_dir_add(v, to, to_name, n.ino, ftype(&n));
    if (r) {
        n.links--;
        (void)ext2_inode_write(v, &n, 0);
        if (moves_dir && !have) {
            to->links--;
            (void)ext2_inode_write(v, to, 0);
        }
        return r;
    }
    if ((r = ext2_barrier(v)) != 0) return r;
    /* 3: the old name, then (a barrier) the counts. The add may have split
     * the block that holds src: ext2_dir_remove finds it again by position. */
    if ((r = ext2_dir_remove(v, from, &src)) != 0) return r;
    if ((r = ext2_barrier(v)) != 0) return r;
    n.links--;
    if ((r = ext2_inode_write(v, &n, 0)) != 0) return r;
    if (moves_dir) {   /* ".." follows, then the old parent's count */
        if ((r = ext2_dir_set_parent(v, &n, to->ino)) != 0) return r;
        if ((r = ext2_barrier(v)) != 0) return r;
        if (from->links > 2) from->links--;
        if ((r = ext2_inode_write(v, from, 0)) != 0) return r;
    } else if (isdir && have) {   /* the replaced directory's ".." no longer counts in to */
        if (to->links > 2) to->links--;
        if ((r = ext2_inode_write(v, to, 0)) != 0) return r;
    }
    if (have) {
        if (ext2_is_dir(victim)) victim->links = 0;
        else victim->links--;
        victim->ctime = v->now;
        if ((r = ext2_inode_write(v, victim, 0)) != 0) return r;
    }
    return 0;
}
