/* Linux-personality file calls that map straight onto SECoS's: open with
 * the flags SECoS has no use for dropped, writev as a loop over write, and
 * ioctl, which no SECoS file answers yet (-ENOTTY: "not a terminal", what
 * both libcs' isatty() expect from a file that is not a tty). */
#include "kernel/syscall.h"
#include "fs/fd.h"
#include "fs/file.h"
#include "mm/usercopy.h"
#include "secos/errno.h"
#include "kernel/proc.h"
#include "lib/string.h"
#include "fs/vfs.h"

#define LINUX_O_NOCTTY    0x100
#define LINUX_O_LARGEFILE 0x8000   /* musl always passes it; files are 64-bit anyway */
#define LINUX_O_CLOEXEC   0x80000

long linux_open(SYSARGS) {
    UNUSED_ARGS();
    return sys_open(a0, a1 & ~(uint64_t)(LINUX_O_NOCTTY | LINUX_O_LARGEFILE | LINUX_O_CLOEXEC), 0, 0, 0, 0);
}

struct linux_iovec { uint64_t base, len; };
#define IOV_MAX 1024

/* Stops at the first short or failed write, as Linux does for a regular
 * file or the console; an error after some bytes returns the bytes. */
long linux_writev(SYSARGS) {
    UNUSED_ARGS();
    if (a2 > IOV_MAX) return -EINVAL;
    long done = 0;
    for (uint64_t i = 0; i < a2; i++) {
        struct linux_iovec v;
        if (copy_from_user(&v, a1 + i * sizeof v, sizeof v)) return done ? done : -EFAULT;
        if ((int64_t)v.len < 0) return done ? done : -EINVAL;
        if (!v.len) continue;
        long r = sys_write(a0, v.base, v.len, 0, 0, 0);
        if (r < 0) return done ? done : r;
        done += r;
        if ((uint64_t)r < v.len) break;
    }
    return done;
}

long linux_ioctl(SYSARGS) {
    UNUSED_ARGS();
    return fd_get(a0) ? -ENOTTY : -EBADF;
}

/* readlink: the only links are /proc/self/exe (busybox reads it at every
 * start); any other existing path is not a link (-EINVAL). Linux does not
 * NUL-terminate the result and truncates silently to bufsiz. */
long linux_readlink(SYSARGS) {
    UNUSED_ARGS();
    char path[VFS_PATH_MAX + 1];
    long n = strncpy_from_user(path, a0, sizeof path);
    if (n < 0) return n;
    if ((int64_t)a2 <= 0) return -EINVAL;
    if (strcmp(path, "/proc/self/exe") != 0) {
        struct vfs_stat st;
        int r = vfs_lookup(path, &st);
        return r ? r : -EINVAL;
    }
    uint64_t len = strlen(current->exe_path);
    if (len > a2) len = a2;
    return copy_to_user(a1, current->exe_path, len) ? -EFAULT : (long)len;
}
