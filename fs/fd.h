/* Per-process file descriptors (fs/fd.c): 0-2 start as the console; every
 * descriptor points at an open-file description (fs/file.h) and carries its
 * own flags (FD_CLOEXEC), which dup and fork do not share.
 *
 * The working directory is a normalised absolute path (proc->cwd), not an
 * inode reference: SECoS's namespace is lexical (no symbolic links, ".."
 * resolved by fs/path.c) and the VFS dispatches whole paths to mounts, so a
 * path is what every call needs anyway, it costs no reference that could
 * leak, and it stays valid across mounts. The one difference from Unix: a
 * working directory that is renamed is not followed, and one that is
 * removed makes relative lookups fail with -ENOENT (as Linux does for a
 * removed one). */
#ifndef FS_FD_H
#define FS_FD_H
#include <stdint.h>
#include "fs/vfs.h"

struct proc;
struct file;

/* Linux's AT_* values for the *at calls. */
#define AT_FDCWD            (-100)
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_REMOVEDIR        0x200
#define AT_EMPTY_PATH       0x1000

/* The current process's description behind descriptor fd, or 0. */
struct file *fd_get(uint64_t fd);
/* Puts f (the caller's reference) behind the lowest free descriptor >= from
 * of p with FD_CLOEXEC if cloexec; the descriptor, or -EMFILE (the caller
 * keeps its reference then). */
int fd_install(struct proc *p, int from, struct file *f, int cloexec);
/* Closes descriptor fd of the current process: 0 or -EBADF. */
int fd_close(uint64_t fd);
/* Descriptors that are not the console. */
int files_open_count(const struct proc *p);
/* A new process: the console behind 0-2, its spawner's working directory
 * ("/" if it has none), umask 022 (a proc spawn hook). */
void files_setup(struct proc *p);
/* Closes every descriptor of a process that ends (a proc release hook). */
void files_release(struct proc *p);
/* execve: closes every descriptor with FD_CLOEXEC. */
void fd_close_on_exec(struct proc *p);
/* fork: the child gets the parent's descriptors (sharing each description,
 * one more reference each), their FD_CLOEXEC flags and its working
 * directory. The child's table must be empty. Returns 0 (cannot fail). */
int fd_table_copy(struct proc *child, struct proc *parent);

/* A user path (at most VFS_PATH_MAX bytes) made absolute and normalised:
 * relative to dirfd (AT_FDCWD: the working directory; else an open
 * directory), into out. An empty path is -ENOENT unless empty_ok, when
 * *out is "" (the caller then means the descriptor itself). Returns 1 if
 * the path ended in '/' (it must name a directory), else 0; or -errno. */
long fs_user_path_at(int64_t dirfd, uint64_t upath, char out[VFS_PATH_MAX + 1], int empty_ok);
static inline long fs_user_path(uint64_t upath, char out[VFS_PATH_MAX + 1]) {
    return fs_user_path_at(AT_FDCWD, upath, out, 0);
}
/* Opens path (absolute, normalised) with Linux open(2) flags: O_CREAT,
 * O_EXCL, O_TRUNC, O_DIRECTORY, O_APPEND, O_NONBLOCK, O_CLOEXEC; mode is
 * kept for a created file. The new descriptor, or a negative errno. */
long fs_open(const char *path, int flags, uint32_t mode);

#endif
