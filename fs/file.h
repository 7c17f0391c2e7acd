/* Open files as objects: a refcounted open-file description with an ops
 * table. Descriptors (fs/fd.c) point at descriptions; dup, dup2, fcntl
 * F_DUPFD and fork make several descriptors share one (and its offset and
 * flags), as on Unix. The console behind fds 0-2 is one such object
 * (fs/console_file.c, with the terminal's ops), a VFS file or directory another (fs/vfs_file.c: it
 * holds a reference on the inode, not a path, so a file removed or renamed
 * while open stays what it was); pipes, ttys and sockets will be more. */
#ifndef FS_FILE_H
#define FS_FILE_H
#include <stdint.h>
#include "fs/vfs.h"

struct file;

/* poll readiness bits (Linux's values) */
#define FILE_POLLIN  0x001
#define FILE_POLLOUT 0x004
#define FILE_POLLERR 0x008
#define FILE_POLLHUP 0x010

struct file_ops {
    /* ubuf is a user address: the op checks and copies it (mm/usercopy.h).
     * *off is the position to use and advance: &f->off for read/write, a
     * caller's copy for pread/pwrite. Bytes done, or a negative errno. */
    long (*read)(struct file *f, uint64_t ubuf, uint64_t len, uint64_t *off);
    long (*write)(struct file *f, uint64_t ubuf, uint64_t len, uint64_t *off);
    /* From a kernel buffer (sendfile); 0: such a file cannot be a target. */
    long (*kwrite)(struct file *f, const void *buf, uint64_t len, uint64_t *off);
    long (*lseek)(struct file *f, int64_t off, int whence);   /* 0: -ESPIPE */
    long (*ioctl)(struct file *f, uint64_t req, uint64_t arg); /* 0: -ENOTTY */
    int (*poll)(struct file *f);                              /* FILE_POLL* ready now; 0: both */
    int (*stat)(struct file *f, struct vfs_stat *st);         /* 0: -EBADF */
    /* The index-th directory entry; -ENOENT past the end. 0: -ENOTDIR. */
    int (*readdir)(struct file *f, uint32_t index, struct vfs_dirent *out);
    int (*truncate)(struct file *f, uint64_t size);           /* 0: -EINVAL */
    int (*setattr)(struct file *f, const struct vfs_setattr *a); /* 0: 0 (nothing kept) */
    void (*release)(struct file *f);                          /* last reference gone; 0: nothing */
};

/* Status flags that F_SETFL may change; the rest of flags is fixed at open. */
#define FILE_SETFL_MASK (O_APPEND | O_NONBLOCK)

struct file {
    const struct file_ops *ops;
    int refs;           /* descriptors (in any process) that point here */
    int flags;          /* O_* as opened (O_CLOEXEC never: that is the descriptor's) */
    uint64_t off;       /* bytes for files; the next entry index for directories */
    void *priv;         /* the object behind a non-VFS file (a pipe), owned by its ops */
    struct vfs_inode ino;        /* VFS files and directories: the referenced node */
    char path[VFS_PATH_MAX + 1]; /* the absolute path it was opened with (openat, fchdir) */
};

/* A new description with one reference (kernel heap), or 0. */
struct file *file_alloc(const struct file_ops *ops, int flags);
struct file *file_get(struct file *f);   /* one more reference; returns f */
void file_put(struct file *f);           /* one fewer; the last one releases and frees */
/* What f is ready for now (FILE_POLL*): its poll op, or both for a file
 * that has none (regular files never block). For poll/select. */
int file_poll(struct file *f);
/* Some file's readiness may have changed (data arrived, room appeared, a
 * peer closed): every poll/select sleeper wakes and rechecks. Any object
 * with a poll op calls it on each such change; safe from interrupts. */
void file_poll_notify(void);
/* The channel poll/select sleep on, woken by file_poll_notify. */
const void *file_poll_chan(void);
/* Interrupts off: sleeps on file_poll_chan() until a notify, the tick
 * deadline (0: none) or a signal (-EINTR, else 0). Notifies cost a table
 * scan only while someone sleeps here, so pipes notify on every change. */
int file_poll_wait(uint64_t deadline_tick);
/* Descriptions alive now (the console's excluded): the leak checks. */
uint64_t file_live_count(void);

/* The console, one read-write description shared by every process's fds
 * 0-2; never freed. Its ops and priv are the console terminal's, set once
 * at boot by the tty layer (tty/tty.c). */
extern struct file console_file;
int file_is_console(const struct file *f);
void console_file_set_ops(const struct file_ops *ops, void *priv);
/* The VFS node at path (absolute, normalised) opened with flags (the caller
 * has checked them against the node's type): a description holding a
 * reference on the inode, or a negative errno in *err and 0. */
struct file *vfs_file_open(const char *path, int flags, int *err);
/* Bytes of the regular file behind descriptor fd of the current process at
 * off, into a kernel buffer (offset unchanged): bytes read, -EBADF, -EACCES. */
long vfs_file_read_at(uint64_t fd, uint64_t off, void *buf, uint64_t len);

#endif
