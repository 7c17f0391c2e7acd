/* The inode layer under open files: a description holds its node, not its
 * path, so unlink and rename-over leave holders reading what they opened;
 * every reference, orphan and heap byte is back once the last one closes. */
#include "kernel/selftest.h"
#include "lib/console_out.h"
#include "fs/fs.h"
#include "fs/file.h"
#include "fs/fd.h"
#include "kernel/proc.h"
#include "fs/ramfs.h"
#include "mm/kheap.h"
#include "lib/string.h"
#include "lib/printf.h"
#include "secos/syscall.h"

static uint32_t orphans(void) {
    struct ramfs_usage u;
    ramfs_get_usage(fs_root_ramfs(), &u);
    return u.orphans;
}

static int read_node(struct file *f, char *buf, uint64_t len) {
    long n = vfs_iread(&f->ino, 0, buf, len);
    if (n >= 0) buf[n] = '\0';
    return (int)n;
}

SELFTEST(fs_unlink_while_open, "fs.inode_unlink_while_open") {
    struct heap_stats h0, h1;
    char buf[16];
    int err = 0;
    uint64_t live = file_live_count();
    kheap_stats(&h0);
    ST_CHECK(vfs_mkdir("/st_inode") == 0);
    ST_CHECK(vfs_create("/st_inode/f", 0, "kept", 4) == 0);
    struct file *a = vfs_file_open("/st_inode/f", O_RDWR, &err);
    struct file *b = a ? vfs_file_open("/st_inode/f", O_RDONLY, &err) : 0;
    ST_CHECK(a && b && a->ino.node == b->ino.node);
    ST_CHECK(vfs_remove("/st_inode/f") == 0);
    ST_CHECK(orphans() == 1);
    ST_CHECK(read_node(b, buf, sizeof buf - 1) == 4 && strcmp(buf, "kept") == 0);
    ST_CHECK(vfs_iwrite(&a->ino, 4, "!", 1) == 1);
    ST_CHECK(read_node(b, buf, sizeof buf - 1) == 5 && strcmp(buf, "kept!") == 0);
    file_put(a);
    ST_CHECK(orphans() == 1);   /* b still holds it */
    file_put(b);
    ST_CHECK(orphans() == 0);
    ST_CHECK(vfs_remove("/st_inode") == 0);
    ST_CHECK(file_live_count() == live);
    kheap_stats(&h1);
    ST_CHECK(h1.bytes_in_use == h0.bytes_in_use && h1.blocks_in_use == h0.blocks_in_use);
    return 0;
}

SELFTEST(fs_rename_over, "fs.inode_rename_over") {
    struct heap_stats h0, h1;
    char buf[16];
    int err = 0;
    kheap_stats(&h0);
    ST_CHECK(vfs_create("/st_old", 0, "old", 3) == 0);
    ST_CHECK(vfs_create("/st_new", 0, "new", 3) == 0);
    struct file *held = vfs_file_open("/st_old", O_RDONLY, &err);
    ST_CHECK(held);
    ST_CHECK(vfs_rename("/st_new", "/st_old") == -EEXIST);   /* SECoS's rename */
    ST_CHECK(vfs_rename_replace("/st_new", "/st_old") == 0);  /* rename(2) */
    ST_CHECK(read_node(held, buf, sizeof buf - 1) == 3 && strcmp(buf, "old") == 0);
    ST_CHECK(vfs_read("/st_old", 0, buf, 3) == 3 && memcmp(buf, "new", 3) == 0);
    file_put(held);
    ST_CHECK(orphans() == 0);
    ST_CHECK(vfs_remove("/st_old") == 0);
    kheap_stats(&h1);
    ST_CHECK(h1.bytes_in_use == h0.bytes_in_use && h1.blocks_in_use == h0.blocks_in_use);
    return 0;
}

/* Churn: many opens of many files, removed while open, closed in another
 * order; nothing may stay behind. */
SELFTEST(fs_inode_churn, "fs.inode_churn") {
    struct heap_stats h0, h1;
    struct file *open_files[16];
    char path[32];
    int err = 0;
    kheap_stats(&h0);
    uint64_t live = file_live_count();
    for (int round = 0; round < 8; round++) {
        for (int i = 0; i < 16; i++) {
            ksnprintf(path, sizeof path, "/st_churn%d", i);
            ST_CHECK(vfs_create(path, 0, "data", 4) == 0);
            open_files[i] = vfs_file_open(path, O_RDWR, &err);
            ST_CHECK(open_files[i]);
            ST_CHECK(vfs_iwrite(&open_files[i]->ino, 4, path, 8) == 8);
            if (i % 2) ST_CHECK(vfs_remove(path) == 0);
        }
        for (int i = 15; i >= 0; i--) file_put(open_files[i]);
        for (int i = 0; i < 16; i += 2) {
            ksnprintf(path, sizeof path, "/st_churn%d", i);
            ST_CHECK(vfs_remove(path) == 0);
        }
    }
    ST_CHECK(orphans() == 0 && file_live_count() == live);
    kheap_stats(&h1);
    ST_CHECK(h1.bytes_in_use == h0.bytes_in_use && h1.blocks_in_use == h0.blocks_in_use);
    return 0;
}

/* The fork and execve hooks: fd_table_copy shares every description (one
 * more reference each) with the FD_CLOEXEC flags and the working directory;
 * fd_close_on_exec closes exactly the flagged ones; releasing both tables
 * gives every description and heap byte back. */
SELFTEST(fs_fd_fork_exec, "fs.fd_fork_exec_hooks") {
    struct heap_stats h0, h1;
    int err = 0;
    kheap_stats(&h0);
    uint64_t live = file_live_count();
    struct proc *parent = kcalloc(1, sizeof *parent), *child = kcalloc(1, sizeof *child);
    ST_CHECK(parent && child);
    files_setup(parent);
    strlcpy(parent->cwd, "/sys", sizeof parent->cwd);
    parent->umask = 027;
    ST_CHECK(vfs_create("/st_fdcopy", 0, "x", 1) == 0);
    struct file *keep = vfs_file_open("/st_fdcopy", O_RDONLY, &err);
    struct file *cloexec = vfs_file_open("/st_fdcopy", O_RDONLY, &err);
    ST_CHECK(keep && cloexec);
    ST_CHECK(fd_install(parent, 0, keep, 0) == 3);
    ST_CHECK(fd_install(parent, 10, cloexec, 1) == 10);
    fd_table_copy(child, parent);
    ST_CHECK(child->files[3] == keep && child->files[10] == cloexec && keep->refs == 2 && cloexec->refs == 2);
    ST_CHECK(child->fd_flags[10] == PROC_FD_CLOEXEC && child->fd_flags[3] == 0);
    ST_CHECK(strcmp(child->cwd, "/sys") == 0 && child->umask == 027);
    fd_close_on_exec(child);
    ST_CHECK(!child->files[10] && child->files[3] == keep && cloexec->refs == 1);
    ST_CHECK(child->files[0] == &console_file && child->files[1] == &console_file);
    files_release(child);
    files_release(parent);
    ST_CHECK(vfs_remove("/st_fdcopy") == 0);
    kfree(child);
    kfree(parent);
    ST_CHECK(file_live_count() == live);
    kheap_stats(&h1);
    ST_CHECK(h1.bytes_in_use == h0.bytes_in_use && h1.blocks_in_use == h0.blocks_in_use);
    return 0;
}
