/* Open files as objects: a refcounted open-file description with an ops
 * table. Descriptors (fs/fd.c) point at descriptions; dup and dup2 make two
 * descriptors share one (and its offset), as on Unix. The console behind fds
 * 0-2 is one such object (fs/console_file.c), a VFS file another
 * (fs/vfs_file.c); pipes, ttys and sockets will be more. */
#ifndef FS_FILE_H
#define FS_FILE_H
#include <stdint.h>
#include "fs/vfs.h"

struct file;

struct file_ops {
    /* ubuf is a user address: the op checks and copies it (mm/usercopy.h).
     * Bytes done, or a negative errno. */
    long (*read)(struct file *f, uint64_t ubuf, uint64_t len);
    long (*write)(struct file *f, uint64_t ubuf, uint64_t len);
    long (*lseek)(struct file *f, int64_t off, int whence);   /* 0: -ESPIPE */
    void (*release)(struct file *f);                         /* last reference gone; 0: nothing */
};

struct file {
    const struct file_ops *ops;
    int refs;           /* descriptors (in any process) that point here */
    int flags;          /* O_* as opened */
    uint64_t off;
    void *priv;         /* the object behind a non-VFS file (a pipe), owned by its ops */
    char path[VFS_PATH_MAX + 1]; /* VFS files: the absolute path they were opened with */
};

/* A new description with one reference (kernel heap), or 0. */
struct file *file_alloc(const struct file_ops *ops, int flags);
struct file *file_get(struct file *f);   /* one more reference; returns f */
void file_put(struct file *f);           /* one fewer; the last one releases and frees */

/* The console, shared by every process's fd 0 (console_in, read-only) and
 * fds 1-2 (console_out, write-only); never freed. */
extern struct file console_in, console_out;
int file_is_console(const struct file *f);
/* A VFS file opened at path (absolute, normalised), or 0 when out of memory. */
struct file *vfs_file_open(const char *path, int flags);

#endif
