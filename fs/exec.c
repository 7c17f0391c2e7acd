#include "fs/exec.h"
#include "fs/vfs.h"
#include "fs/path.h"
#include "fs/linux_fs.h"
#include "fs/trust.h"
#include "kernel/loader.h"
#include "kernel/proc.h"
#include "mm/kheap.h"
#include "lib/string.h"
#include "secos/errno.h"

static const struct builtin_program *builtins;
static unsigned builtin_count;

void exec_init(const struct builtin_program *table, unsigned count) {
    builtins = table;
    builtin_count = count;
    loader_set_program_source(exec_find_program);
}

static int find_builtin(const char *name, const void **img, uint64_t *size) {
    for (unsigned i = 0; i < builtin_count; i++) {
        if (strcmp(builtins[i].name, name) == 0) {
            *img = builtins[i].data;
            *size = builtins[i].size;
            return 0;
        }
    }
    return -ENOENT;
}

/* The bytes of an immutable file in place (the initrd's programs), so that
 * an exec copies them once, into the new image, not first into the heap:
 * *view is set, *buf stays 0. Anything else -EINVAL. */
static int peek_program_file(const char *path, const void **view, uint64_t *size) {
    struct vfs_inode ino;
    int r = vfs_iget(path, &ino);
    if (r) return r;
    r = vfs_ipeek(&ino, view, size);
    vfs_iput(&ino);   /* an immutable node outlives this reference (see ipeek) */
    return r;
}

/* A file from the VFS: its bytes in place when the file system can lend
 * them (*view), else read whole into a kernel buffer the caller frees
 * (*buf, and *view = *buf). */
static int read_program_file(const char *path, const void **view, void **buf, uint64_t *size, int *immutable) {
    struct vfs_stat st;
    *buf = 0;
    int r = vfs_lookup(path, &st);
    if (r) return r;
    if (immutable) *immutable = st.immutable;
    if (st.type != VFS_FILE) return -EACCES;
    if (st.size > LOADER_MAX_FILE) return -EFBIG;
    if (st.immutable && peek_program_file(path, view, size) == 0) return 0;
    *buf = kmalloc(st.size ? st.size : 1);
    if (!*buf) return -ENOMEM;
    long n = vfs_read_all(path, *buf, st.size);
    if (n < 0) { kfree(*buf); *buf = 0; return (int)n; }
    *size = (uint64_t)n;
    *view = *buf;
    return 0;
}

/* A program from a file: one from the pinned initrd (immutable) runs as it
 * is; any other ELF image is hashed and must be trusted (fs/trust.h), else
 * its buffer is freed and the exec fails with -EACCES. Anything else is not
 * code the kernel maps: a #! script names its interpreter (an exec of its
 * own, checked in turn), other files end in ENOEXEC. */
static int checked(const char *path, const void *img, uint64_t size, void **owned, int immutable) {
    if (immutable || size < 4 || memcmp(img, "\x7f" "ELF", 4) != 0) return 0;
    int r = trust_check_exec(path, img, size);
    if (r) {
        kfree(*owned);
        *owned = 0;
    }
    return r;
}

int exec_find_program(const char *path, const void **img, uint64_t *size, void **owned, char *resolved) {
    *owned = 0;
    if (strchr(path, '/')) {
        char abs[VFS_PATH_MAX + 1], target[VFS_PATH_MAX + 1];
        /* "./x" and "sub/x" are relative to the caller's working directory. */
        int r = path_normalize(current && current->cwd[0] ? current->cwd : "/", path, abs, sizeof abs);
        if (r < 0) return r;
        /* /proc/self/exe (busybox sh re-executes itself through it). */
        if (fs_follow_link(abs, target) == 1) strlcpy(abs, target, sizeof abs);
        strlcpy(resolved, abs, PROC_EXE_MAX);
        int in_bin = strncmp(abs, "/bin/", 5) == 0 && !strchr(abs + 5, '/'), immutable = 0;
        r = read_program_file(abs, img, owned, size, &immutable);
        if (r == 0 && in_bin && !immutable && find_builtin(abs + 5, img, size) == 0) {
            kfree(*owned); /* a mutable file never stands for a built-in program */
            *owned = 0;
            return 0;
        }
        if (r == 0) return checked(abs, *img, *size, owned, immutable);
        if (r != -ENOENT) return r;
        if (in_bin) return find_builtin(abs + 5, img, size);
        return -ENOENT;
    }
    if (strlen(path) > VFS_NAME_MAX) return -ENOENT;
    char abs[VFS_PATH_MAX + 1] = "/bin/";
    strlcpy(abs + 5, path, sizeof abs - 5);
    strlcpy(resolved, abs, PROC_EXE_MAX); /* a bare name is a program in /bin */
    if (find_builtin(path, img, size) == 0) return 0;
    int immutable = 0;
    int r = read_program_file(abs, img, owned, size, &immutable);
    return r ? r : checked(abs, *img, *size, owned, immutable);
}
