/* RAMFS quota per process: whatever a user process creates (files and
 * directories, and the bytes its files grow to, whoever writes them) is
 * charged to its pid for as long as it exists, also after the process is
 * gone, so one program cannot leave the filesystem full for everyone.
 * Defaults FS_PROC_MAX_NODES / FS_PROC_MAX_BYTES; a manifest's max_fs_nodes
 * / max_fs_kib may only lower them. The kernel and the console (pid 1,
 * kernel tasks) are not accounted: the filesystem-wide limits still hold. */
#include "fs/fs.h"
#include "fs/ramfs.h"
#include "kernel/proc.h"

#define FS_PROC_MAX_NODES 64u                    /* a quarter of RAMFS_MAX_NODES */
#define FS_PROC_MAX_BYTES (2ULL * 1024 * 1024)   /* a quarter of RAMFS_MAX_TOTAL_BYTES */

static int quota_current(void *ctx) {
    (void)ctx;
    return current && !current->is_kernel ? current->pid : 0;
}

static void quota_limits(void *ctx, int owner, uint32_t *max_nodes, uint64_t *max_bytes) {
    (void)ctx;
    *max_nodes = FS_PROC_MAX_NODES;
    *max_bytes = FS_PROC_MAX_BYTES;
    const struct proc *p = proc_by_pid(owner);   /* gone: the defaults */
    if (!p || p->is_kernel || !p->has_manifest) return;
    if (p->manifest.max_fs_nodes && p->manifest.max_fs_nodes < *max_nodes) *max_nodes = p->manifest.max_fs_nodes;
    if (p->manifest.max_fs_kib && (uint64_t)p->manifest.max_fs_kib * 1024 < *max_bytes)
        *max_bytes = (uint64_t)p->manifest.max_fs_kib * 1024;
}

static const struct ramfs_quota proc_quota = { quota_current, quota_limits, 0 };

void fs_quota_install(void) {
    struct ramfs *fs = fs_root_ramfs();
    if (fs) ramfs_set_quota(fs, &proc_quota);
}
