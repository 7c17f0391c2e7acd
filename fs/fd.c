/* Per-process descriptor tables and the file system calls. A descriptor
 * points at a refcounted open-file description (fs/file.h): dup and dup2
 * share one, close drops a reference. Every process starts with the console
 * behind 0-2; SECOS_FD_MAX descriptors at most, all closed when it ends.
 * Every user pointer goes through the user-copy routines. */
#include "fs/fd.h"
#include "fs/file.h"
#include "kernel/proc.h"
#include "kernel/syscall.h"
#include "fs/fs.h"
#include "fs/path.h"
#include "mm/usercopy.h"
#include "lib/string.h"
#include "secos/errno.h"
#include "secos/syscall.h"

/* Copies a user path and makes it absolute (processes work from "/"). */
static long user_path(uint64_t upath, char *out) {
    char raw[VFS_PATH_MAX + 1];
    long n = strncpy_from_user(raw, upath, sizeof raw);
    if (n < 0) return n;
    return path_normalize("/", raw, out, VFS_PATH_MAX + 1);
}

/* A descriptor argument: the full 64-bit value is checked, so that a value
 * that only truncates to a descriptor (close(0x100000003)) is none. */
static int fd_index(uint64_t a) { return a < SECOS_FD_MAX ? (int)a : -1; }

struct file *fd_get(uint64_t fd) {
    int i = fd_index(fd);
    return i < 0 ? 0 : current->files[i];
}

/* The lowest free descriptor >= from, or -EMFILE. */
static int fd_free_slot(struct proc *p, int from) {
    for (int i = from; i < SECOS_FD_MAX; i++)
        if (!p->files[i]) return i;
    return -EMFILE;
}

int fd_install(struct file *f) {
    int fd = fd_free_slot(current, 0);
    if (fd >= 0) current->files[fd] = f;
    return fd;
}

void files_setup(struct proc *p) {
    p->files[STDIN_FD] = file_get(&console_in);
    p->files[STDOUT_FD] = file_get(&console_out);
    p->files[STDERR_FD] = file_get(&console_out);
}

int files_open_count(const struct proc *p) {
    int n = 0;
    for (int i = 0; i < SECOS_FD_MAX; i++) n += p->files[i] && !file_is_console(p->files[i]);
    return n;
}

void files_release(struct proc *p) {
    for (int i = 0; i < SECOS_FD_MAX; i++) {
        if (!p->files[i]) continue;
        file_put(p->files[i]);
        p->files[i] = 0;
    }
}

long sys_open(SYSARGS) {
    UNUSED_ARGS();
    char path[VFS_PATH_MAX + 1];
    long r = user_path(a0, path);
    if (r < 0) return r;
    int flags = (int)a1;
    if (flags & ~(O_RDONLY | O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND)) return -EINVAL;
    int fd = fd_free_slot(current, 0);
    if (fd < 0) return fd;
    struct vfs_stat st;
    r = vfs_lookup(path, &st);
    if (r == -ENOENT && (flags & O_CREAT)) {
        r = vfs_create(path, 0, 0, 0);
        if (r == 0) r = vfs_lookup(path, &st);
    }
    if (r < 0) return r;
    int writing = (flags & 3) != O_RDONLY;
    if (st.type == VFS_DIR && writing) return -EISDIR;
    if (writing && st.immutable) return -EPERM;
    if ((flags & O_TRUNC) && writing) {
        r = vfs_truncate(path, 0);
        if (r < 0) return r;
    }
    struct file *f = vfs_file_open(path, flags);
    if (!f) return -ENOMEM;
    current->files[fd] = f;
    return fd;
}

long sys_close(SYSARGS) {
    UNUSED_ARGS();
    int fd = fd_index(a0);
    if (fd < 0 || !current->files[fd]) return -EBADF;
    struct file *f = current->files[fd];
    current->files[fd] = 0;
    file_put(f);
    return 0;
}

long sys_dup(SYSARGS) {
    UNUSED_ARGS();
    struct file *f = fd_get(a0);
    if (!f) return -EBADF;
    int fd = fd_free_slot(current, 0);
    if (fd < 0) return fd;
    current->files[fd] = file_get(f);
    return fd;
}

long sys_dup2(SYSARGS) {
    UNUSED_ARGS();
    struct file *f = fd_get(a0);
    int to = fd_index(a1);
    if (!f || to < 0) return -EBADF;
    if (current->files[to] == f) return to; /* dup2(fd, fd): nothing to do */
    struct file *old = current->files[to];
    current->files[to] = file_get(f);
    if (old) file_put(old);
    return to;
}

long sys_lseek(SYSARGS) {
    UNUSED_ARGS();
    struct file *f = fd_get(a0);
    if (!f) return -EBADF;
    if (!f->ops->lseek) return -ESPIPE;
    return f->ops->lseek(f, (int64_t)a1, (int)a2);
}

/* One entry per call; ramfs finds it by walking at most RAMFS_MAX_NODES
 * siblings, so the work is bounded whatever index the caller passes. */
long sys_readdir(SYSARGS) {
    UNUSED_ARGS();
    char path[VFS_PATH_MAX + 1];
    long r = user_path(a0, path);
    if (r < 0) return r;
    if (a3 < sizeof(struct secos_dirent)) return -EINVAL;
    if (!user_range_valid(a2, sizeof(struct secos_dirent), 1)) return -EFAULT;
    if (a1 > UINT32_MAX) return -ENOENT;
    struct vfs_dirent d;
    r = vfs_readdir(path, (uint32_t)a1, &d);
    if (r < 0) return r;
    struct secos_dirent out;
    memset(&out, 0, sizeof out);
    strlcpy(out.name, d.name, sizeof out.name);
    out.type = d.type == VFS_DIR ? SECOS_DT_DIR : SECOS_DT_FILE;
    out.immutable = (uint32_t)d.immutable;
    out.size = d.size;
    return copy_to_user(a2, &out, sizeof out);
}

long sys_mkdir(SYSARGS) {
    UNUSED_ARGS();
    char path[VFS_PATH_MAX + 1];
    long r = user_path(a0, path);
    return r < 0 ? r : vfs_mkdir(path);
}

long sys_unlink(SYSARGS) {
    UNUSED_ARGS();
    char path[VFS_PATH_MAX + 1];
    long r = user_path(a0, path);
    return r < 0 ? r : vfs_remove(path);
}

long sys_rename(SYSARGS) {
    UNUSED_ARGS();
    char from[VFS_PATH_MAX + 1], to[VFS_PATH_MAX + 1];
    long r = user_path(a0, from);
    if (r < 0) return r;
    r = user_path(a1, to);
    return r < 0 ? r : vfs_rename(from, to);
}
