/* RAMFS: a hierarchical in-memory filesystem behind struct vfs_fs_ops.
 *
 * Limits are explicit and enforced before anything changes: an operation
 * that would exceed one fails whole (no truncation, no partial write).
 *   RAMFS_MAX_NODES        files + directories, the root included  -ENOSPC
 *   RAMFS_MAX_TOTAL_BYTES  file contents over the whole filesystem -ENOSPC
 *   RAMFS_MAX_FILE_SIZE    one file's size                          -EFBIG
 *   per-owner quota        nodes and file bytes charged to the
 *                          process that created them (ramfs_set_quota)  -ENOSPC
 *   VFS_NAME_MAX           bytes in one name                        -ENAMETOOLONG
 *   VFS_PATH_MAX           a rename that would make some path below the
 *                          moved directory longer than this          -ENAMETOOLONG
 *                          (paths count from this filesystem's root; a
 *                          mount point's own length is not known here)
 *
 * Errors (negative errno):
 *   -EPERM      the node is immutable, or the directory it would be added
 *               to / removed from / moved out of is (immutable, as in Linux's
 *               chattr +i: nobody, whatever their rights, may change it), or
 *               renaming / removing a pinned node: a directory that holds
 *               an immutable entry anywhere below it, or one pinned on
 *               purpose (the boot tree's directories). Pinned directories
 *               still take new entries; they just stay where they are.
 *   -EBUSY      removing or renaming the root
 *   -ENOTEMPTY  removing a directory that has entries
 *   -EINVAL     a path that is not absolute, a "." / ".." / control-byte
 *               name, or moving a directory into itself or a descendant
 *   -EEXIST     creating or renaming onto a name that exists (rename never
 *               replaces; renaming a node onto itself is -EEXIST as well;
 *               rename_replace is POSIX rename(2): it replaces a file with a
 *               file or an empty directory with a directory, -EISDIR /
 *               -ENOTDIR / -ENOTEMPTY otherwise, and onto itself does nothing)
 *   -ENOENT, -ENOTDIR, -EISDIR, -ENOMEM as usual
 *
 * Paths are absolute ("/a/b"); repeated slashes are tolerated. Directory
 * entries are kept sorted by name, so readdir order is stable. Writing past
 * the end zero-fills the gap; truncate shrinks or zero-extends. File data is
 * allocated exactly (no slack), so "bytes used" is what the heap holds for
 * contents, and removing a file gives all of it back.
 *
 * Inodes (iget/iput in vfs_fs_ops): a node carries a count of references
 * (open files). Removing, or replacing by rename, a referenced node takes it
 * out of the tree at once but keeps it, counted in files/bytes and the node
 * limit, as an orphan until the last iput frees it: an unlinked-but-open file
 * stays readable and writable, as on Unix. ramfs_destroy requires that no
 * reference is held. Inode numbers are unique for the filesystem's life;
 * times are seconds since the epoch from the clock set with ramfs_set_clock
 * (0 without one). */
#ifndef FS_RAMFS_H
#define FS_RAMFS_H
#include <stdint.h>
#include "fs/vfs.h"

#define RAMFS_MAX_NODES       1024u
#define RAMFS_MAX_FILE_SIZE   (8u * 1024u * 1024u)   /* 8 MiB: busybox is 2 */
#define RAMFS_MAX_TOTAL_BYTES (64u * 1024u * 1024u)  /* 64 MiB */

struct ramfs;

extern const struct vfs_fs_ops ramfs_ops;  /* ctx = struct ramfs * */

/* An empty filesystem (just the root directory); NULL without memory. */
struct ramfs *ramfs_create(void);
/* Frees every node and byte, immutable ones included. */
void ramfs_destroy(struct ramfs *fs);

/* Marks a node immutable, for good: there is no way back, so a boot file
 * stays what the kernel wrote. Used by whoever builds the tree at boot. */
int ramfs_set_immutable(struct ramfs *fs, const char *path);
/* Pins a node and its directories: they can no longer be renamed or
 * removed. For good, like immutability. */
int ramfs_pin(struct ramfs *fs, const char *path);
/* Pins every directory that exists now (the end of boot). */
void ramfs_pin_all_dirs(struct ramfs *fs);

/* Per-owner accounting: every node created while current() returns an
 * owner > 0 is charged to that owner (nodes, and its file bytes however they
 * grow, whoever writes them) for as long as it exists, also after the owner
 * is gone; limits() gives an owner's maxima. Without a quota (the default,
 * and for owner 0) only the filesystem-wide limits apply. */
struct ramfs_quota {
    int (*current)(void *ctx);
    void (*limits)(void *ctx, int owner, uint32_t *max_nodes, uint64_t *max_bytes);
    void *ctx;
};
void ramfs_set_quota(struct ramfs *fs, const struct ramfs_quota *q);
/* Where atime/mtime/ctime come from: seconds since the epoch. */
void ramfs_set_clock(struct ramfs *fs, uint64_t (*clock)(void));
void ramfs_owner_usage(const struct ramfs *fs, int owner, uint32_t *nodes, uint64_t *bytes);

/* A new file `to` with from's contents and mode, sharing from's data block
 * instead of copying it: no bytes are charged, nlink counts the names
 * sharing it, each has its own inode number. Not a POSIX hard link: the
 * block is read-only, and writing or truncating one name first gives that
 * name a private copy (charged then), so the others never change. For the
 * boot tree's hard-linked initrd entries (fs/initrd.c). Errors as create,
 * -EPERM if from is not a file. */
int ramfs_link(struct ramfs *fs, const char *from, const char *to);

struct ramfs_usage {
    uint32_t files, dirs;        /* dirs counts the root */
    uint32_t nodes, free_nodes;  /* free_nodes = RAMFS_MAX_NODES - nodes */
    uint64_t bytes, free_bytes;  /* file contents; free = MAX_TOTAL - bytes */
    uint32_t orphans;            /* removed but still referenced (counted above) */
};
void ramfs_get_usage(const struct ramfs *fs, struct ramfs_usage *u);

#endif
