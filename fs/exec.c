#include "fs/exec.h"
#include "fs/vfs.h"
#include "fs/path.h"
#include "fs/linux_fs.h"
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

/* A file from the VFS, read whole into a kernel buffer the caller frees. */
static int read_program_file(const char *path, void **buf, uint64_t *size, int *immutable) {
    struct vfs_stat st;
    int r = vfs_lookup(path, &st);
    if (r) return r;
    if (immutable) *immutable = st.immutable;
    if (st.type != VFS_FILE) return -EACCES;
    if (st.size > LOADER_MAX_FILE) return -EFBIG;
    *buf = kmalloc(st.size ? st.size : 1);
    if (!*buf) return -ENOMEM;
    long n = vfs_read_all(path, *buf, st.size);
    if (n < 0) { kfree(*buf); *buf = 0; return (int)n; }
    *size = (uint64_t)n;
    return 0;
}

int exec_find_program(const char *path, const void **img, uint64_t *size, void **owned) {
    *owned = 0;
    if (strchr(path, '/')) {
        char abs[VFS_PATH_MAX + 1], target[VFS_PATH_MAX + 1];
        /* "./x" and "sub/x" are relative to the caller's working directory. */
        int r = path_normalize(current && current->cwd[0] ? current->cwd : "/", path, abs, sizeof abs);
        if (r < 0) return r;
        /* /proc/self/exe (busybox sh re-executes itself through it). */
        if (fs_follow_link(abs, target) == 1) strlcpy(abs, target, sizeof abs);
        int in_bin = strncmp(abs, "/bin/", 5) == 0 && !strchr(abs + 5, '/'), immutable = 0;
        r = read_program_file(abs, owned, size, &immutable);
        if (r == 0 && in_bin && !immutable && find_builtin(abs + 5, img, size) == 0) {
            kfree(*owned); /* a mutable file never stands for a built-in program */
            *owned = 0;
            return 0;
        }
        if (r == 0) { *img = *owned; return 0; }
        if (r != -ENOENT) return r;
        if (in_bin) return find_builtin(abs + 5, img, size);
        return -ENOENT;
    }
    if (find_builtin(path, img, size) == 0) return 0;
    if (strlen(path) > VFS_NAME_MAX) return -ENOENT;
    char abs[VFS_PATH_MAX + 1] = "/bin/";
    strlcpy(abs + 5, path, sizeof abs - 5);
    int r = read_program_file(abs, owned, size, 0);
    if (r == 0) *img = *owned;
    return r;
}
