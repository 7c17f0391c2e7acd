/* Boot: the root RAMFS and its boot files (fs_init), then the initrd and
 * (fs_late_init). kernel_main calls both, then runs /init.rc. */
#include "fs/fs.h"
#include "fs/path.h"
#include "fs/ramfs.h"
#include "fs/initrd.h"
#include "fs/fd.h"
#include "fs/devfs.h"
#include "fs/fat.h"
#include "fs/exfat.h"
#include "fs/ext2.h"
#include "fs/measure.h"
#include "fs/trust.h"
#include "boot/boot_info.h"
#include "kernel/proc.h"
#include "fs/file.h"
#include "kernel/time.h"
#include "lib/console_out.h"
#include "kernel/version.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "mm/kheap.h"
#include "secos/syscall.h"
#include "secos/linux_syscall.h"

static struct ramfs *root_fs;
uint64_t fs_now(void) { return time_unix_ms() / 1000; }

struct ramfs *fs_root_ramfs(void) { return root_fs; }

/* "<number> <name>\n" per SECoS system call, then "linux <number> <name>\n"
 * per Linux-personality call, built by the compiler from the two lists
 * (secos/syscall.h, secos/linux_syscall.h), so it cannot drift from the
 * dispatch tables. */
#define SYSCALL_LINE(num, name) #num " " #name "\n"
#define LINUX_SYSCALL_LINE(num, name, fn) "linux " #num " " #name "\n"
static const char syscalls_txt[] = SECOS_SYSCALLS(SYSCALL_LINE) LINUX_SYSCALLS(LINUX_SYSCALL_LINE);
#undef SYSCALL_LINE
#undef LINUX_SYSCALL_LINE

/* Quiet and fast: the boot runs it before every shell prompt. Mutable until
 * the initrd had its chance to replace it, then sealed (fs_seal_boot_tree). */
static const char init_rc[] =
    "# /init.rc: run at boot, one shell command per line; failures are reported, boot goes on.\n"
    "echo [init] running /init.rc\n";

#define MANIFEST "/sys/manifest.txt"

static int boot_error(const char *what, int err) {
    kprintf("[FS] error: %s: %s\n", what, vfs_strerror(err));
    return err;
}

static int boot_file(const char *path, int immutable, const void *data, uint64_t len) {
    int r = vfs_create(path, immutable, data, len);
    return r ? boot_error(path, r) : 0;
}

/* --- /sys/manifest.txt ------------------------------------------------------- */

struct text {
    char *buf;
    size_t len, cap;
    size_t self_at;   /* where the manifest's own line goes */
    int err;
};

static void append(struct text *t, const char *s, size_t n) {
    if (t->err) return;
    if (t->len + n > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 1024;
        while (cap < t->len + n) cap *= 2;
        char *b = krealloc(t->buf, cap);
        if (!b) {
            t->err = -ENOMEM;
            return;
        }
        t->buf = b;
        t->cap = cap;
    }
    memcpy(t->buf + t->len, s, n);
    t->len += n;
}

static void append_entry(struct text *t, char type, uint64_t size, const char *path) {
    char line[VFS_PATH_MAX + 32];
    int n = ksnprintf(line, sizeof line, "%c %lu %s\n", type, size, path);
    append(t, line, (size_t)n);
}

static int manifest_entry(const char *path, const struct vfs_dirent *d, uint32_t depth,
                          const uint8_t *last, void *ctx) {
    (void)depth; (void)last;
    struct text *t = ctx;
    if (strcmp(path, MANIFEST) == 0) t->self_at = t->len;
    else append_entry(t, d->type == VFS_DIR ? 'D' : 'F', d->size, path);
    return t->err;
}

/* "TYPE SIZE PATH" for every node, the root and the manifest included. The
 * manifest's own size depends on how many digits that size has: iterate to
 * the fixed point (at most a couple of rounds). */
static int write_manifest(void) {
    struct text t = { 0 };
    struct vfs_stat root;
    int r = boot_file(MANIFEST, 0, "", 0);   /* first, so /sys counts it */
    if (r) return r;
    r = vfs_lookup("/", &root);
    if (r) return boot_error("/", r);
    append_entry(&t, 'D', root.size, "/");
    r = vfs_walk("/", manifest_entry, &t);
    if (!r) r = t.err;
    if (!r) {
        uint64_t size = t.len;
        for (;;) {
            uint64_t total = t.len + (uint64_t)ksnprintf(0, 0, "F %lu %s\n", size, MANIFEST);
            if (total == size) break;
            size = total;
        }
        size_t at = t.self_at, tail = t.len - at;
        append_entry(&t, 'F', size, MANIFEST);   /* at the end, then rotated into place */
        if (!t.err) {
            size_t n = t.len - at - tail;
            char line[VFS_PATH_MAX + 32];
            memcpy(line, t.buf + at + tail, n);
            memmove(t.buf + at + n, t.buf + at, tail);
            memcpy(t.buf + at, line, n);
            long w = vfs_write(MANIFEST, 0, t.buf, t.len);
            r = w < 0 ? (int)w : 0;
        }
        if (!r) r = t.err;
    }
    kfree(t.buf);
    if (!r) r = ramfs_set_immutable(root_fs, MANIFEST);
    return r ? boot_error(MANIFEST, r) : 0;
}

/* --- boot ------------------------------------------------------------------------ */

void fs_init(void) {
    char version[128];
    proc_add_spawn_hook(files_setup);
    proc_add_release_hook(files_release);
    proc_add_fork_hook(fd_table_copy);
    proc_add_exec_hook(fd_close_on_exec);
    fat_register();
    exfat_register();
    ext2_register();
    root_fs = ramfs_create();
    if (!root_fs) {
        boot_error("RAMFS", -ENOMEM);
        return;
    }
    int r = vfs_mount_root(&ramfs_ops, root_fs);
    if (r) {
        boot_error("mount /", r);
        ramfs_destroy(root_fs);
        root_fs = 0;
        return;
    }
    ramfs_set_clock(root_fs, fs_now);
    int n = ksnprintf(version, sizeof version, "SECoS build %s git:%s\n", secos_build_time, secos_git_hash);
    if (n < 0 || (size_t)n >= sizeof version) boot_error("/VERSION", -ERANGE);
    else boot_file("/VERSION", 1, version, (uint64_t)n);
    if ((r = vfs_mkdir("/sys")) != 0) boot_error("/sys", r);
    boot_file("/sys/syscalls.txt", 1, syscalls_txt, sizeof syscalls_txt - 1);
    /* Always there (the initrd fills it): pinned at the end of boot, so it
     * cannot be taken over by whoever creates it first. */
    if ((r = vfs_mkdir("/bin")) != 0) boot_error("/bin", r);
    /* Mount points for /dev and /proc (directories of the RAMFS, pinned
     * with the rest of the boot tree); mounted after the manifest, which
     * lists the RAMFS, not what processes happen to exist. */
    if ((r = vfs_mkdir("/dev")) != 0) boot_error("/dev", r);
    if ((r = vfs_mkdir("/proc")) != 0) boot_error("/proc", r);
    boot_file("/init.rc", 0, init_rc, sizeof init_rc - 1);
    measure_publish();  /* /sys/kernel/security/measurements */
    write_manifest();   /* last: it lists everything above */
    if ((r = devfs_mount("/dev")) != 0) boot_error("mount /dev", r);
    if ((r = procfs_mount("/proc")) != 0) boot_error("mount /proc", r);
    /* /sys is the kernel's description of itself: nothing may be added to it. */
    if ((r = ramfs_set_immutable(root_fs, "/sys")) != 0) boot_error("/sys", r);

    struct ramfs_usage u;
    ramfs_get_usage(root_fs, &u);
    kprintf("[FS] RAMFS mounted at /: %u files, %u dirs, %lu bytes\n", u.files, u.dirs, u.bytes);
}

/* Before /init.rc runs (init/main.c), so that the script can use what the
 * initrd brings. */
void fs_late_init(void) {
    initrd_unpack_all();
    trust_init(boot_info.cmdline);        /* the list came with the initrd; before any program */
    fs_seal_boot_tree();
    fs_quota_install();
}
