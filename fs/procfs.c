/* /proc: processes as files, generated when read. A node is a (pid, kind)
 * pair packed into the node pointer, not a pointer to the process: nothing
 * is allocated, and a process that is gone (pids are never reused) makes
 * every later read of its files -ESRCH, never a stale pointer. The text is
 * made whole on each read from the process table (a system call is not
 * preempted, so the snapshot is consistent) and only metadata is shown:
 * name, state, parent, times, the argv copy the loader kept and the image
 * path; never memory of the process. Formats: fs/procfs_text.c. */
#include "fs/fs.h"
#include "fs/devfs.h"
#include "fs/mount.h"
#include "fs/procfs_text.h"
#include "net/netdev.h"
#include "lib/klog.h"
#include "kernel/proc.h"
#include "kernel/time.h"
#include "mm/pmm.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "secos/errno.h"

#define NODE(pid, kind) ((void *)(uintptr_t)(((uint64_t)(uint32_t)((pid) + 1) << 8) | (kind)))
#define NODE_PID(n) ((int)((uintptr_t)(n) >> 8) - 1)
#define NODE_KIND(n) ((enum procfs_kind)((uintptr_t)(n) & 0xff))

static int self_pid(void) { return current ? current->pid : -1; }

static struct proc *live(int pid) {
    struct proc *p = proc_by_pid(pid);
    return p && p->state != PROC_UNUSED ? p : 0;
}

static int kind_type(enum procfs_kind k) {
    switch (k) {
    case PROCFS_ROOT: case PROCFS_PID: case PROCFS_NET: return VFS_DIR;
    case PROCFS_EXE: return VFS_LNK;
    default: return VFS_FILE;
    }
}

static int resolve(const char *path, void **node) {
    int pid;
    enum procfs_kind kind;
    if (procfs_parse(path, self_pid(), &pid, &kind)) return -ENOENT;
    if (pid >= 0 && !live(pid)) return -ENOENT;
    if (kind == PROCFS_EXE && !live(pid)->exe_path[0]) return -ENOENT;   /* kernel tasks have no image */
    *node = NODE(pid, kind);
    return 0;
}

static char state_letter(const struct proc *p) {
    switch (p->state) {
    case PROC_ZOMBIE: return 'Z';
    case PROC_READY: case PROC_RUNNING: return 'R';
    case PROC_STOPPED: return 'T';
    default: return 'S';
    }
}

static void info_of(const struct proc *p, struct procfs_info *i) {
    memset(i, 0, sizeof *i);
    i->pid = p->pid;
    i->ppid = p->parent > 0 && p->pid != 1 ? p->parent : 0; /* init's parent (the console task) shows as 0, as getppid says */
    i->state = state_letter(p);
    i->comm = p->name;
    i->utime_ticks = p->ticks * 100 / TIMER_HZ;
}

/* /proc/mounts: every VFS mount in mount order; a disk mount shows its
 * device as /dev/<name>, its type and ro/rw, the others their file system's
 * name as source and type (they are always rw). */
static size_t format_mounts(char *buf, size_t cap) {
    size_t n = 0;
    const char *dir, *fsname;
    for (uint32_t i = 0; vfs_mount_info(i, &dir, &fsname) == 0; i++) {
        char source[48];
        const char *type = fsname;
        int ro = 0;
        strlcpy(source, fsname, sizeof source);
        struct fs_mount_info d;
        for (uint32_t j = 0; fs_mount_at(j, &d) == 0; j++) {
            if (strcmp(d.dir, dir) != 0) continue;
            ksnprintf(source, sizeof source, "/dev/%s", d.dev);
            type = d.type;
            ro = (d.flags & FS_MOUNT_RDONLY) != 0;
            break;
        }
        n += procfs_format_mount(n < cap ? buf + n : 0, n < cap ? cap - n : 0, source, dir, type, ro);
    }
    return n;
}

/* /proc/net/dev: every NIC's counters. */
static size_t format_netdev(char *buf, size_t cap) {
    size_t n = procfs_format_netdev_head(buf, cap);
    for (uint32_t i = 0; i < netdev_count(); i++) {
        const struct netdev *nd = netdev_at(i);
        const struct netdev_stats *st = &nd->stats;
        struct procfs_netdev d = { nd->name, st->rx_bytes, st->rx_packets, st->rx_errors, st->rx_dropped,
                                   st->tx_bytes, st->tx_packets, st->tx_errors, st->tx_dropped };
        n += procfs_format_netdev(n < cap ? buf + n : 0, n < cap ? cap - n : 0, &d);
    }
    return n;
}

/* The whole text of a file node into buf; its length, or -ESRCH once the
 * process is gone. */
static long generate(void *node, char *buf, size_t cap) {
    int pid = NODE_PID(node);
    struct proc *p = pid >= 0 ? live(pid) : 0;
    if (pid >= 0 && !p) return -ESRCH;
    struct procfs_info info;
    size_t n;
    switch (NODE_KIND(node)) {
    case PROCFS_UPTIME: {
        uint64_t ms = timer_uptime_ms(), idle = sched_stats.idle_ticks * 1000 / TIMER_HZ;
        n = (size_t)ksnprintf(buf, cap, "%lu.%02lu %lu.%02lu\n", ms / 1000, ms % 1000 / 10, idle / 1000,
                              idle % 1000 / 10);
        break;
    }
    case PROCFS_MEMINFO: {
        struct pmm_stats s;
        pmm_get_stats(&s);
        n = (size_t)ksnprintf(buf, cap, "MemTotal:       %8lu kB\nMemFree:        %8lu kB\nMemAvailable:   %8lu kB\n",
                              s.managed_frames * 4, s.free_frames * 4, s.free_frames * 4);
        break;
    }
    case PROCFS_MOUNTS:
        n = format_mounts(buf, cap);
        break;
    case PROCFS_NETDEV:
        n = format_netdev(buf, cap);
        break;
    case PROCFS_STAT:
        info_of(p, &info);
        n = procfs_format_stat(buf, cap, &info);
        break;
    case PROCFS_STATUS:
        info_of(p, &info);
        n = procfs_format_status(buf, cap, &info);
        break;
    case PROCFS_CMDLINE:
        n = p->cmdline_len < cap ? p->cmdline_len : cap;
        memcpy(buf, p->cmdline, n);
        return (long)n;
    default:
        return -EISDIR;
    }
    return (long)(n < cap ? n : cap - 1);
}

static int pr_iget(void *ctx, const char *path, void **node) {
    (void)ctx;
    return resolve(path, node);
}

static int pr_istat(void *ctx, void *node, struct vfs_stat *st) {
    (void)ctx;
    int pid = NODE_PID(node);
    enum procfs_kind k = NODE_KIND(node);
    struct proc *p = pid >= 0 ? live(pid) : 0;
    if (pid >= 0 && !p) return -ESRCH;
    memset(st, 0, sizeof *st);
    st->type = kind_type(k);
    st->mode = st->type == VFS_DIR ? 0555 : st->type == VFS_LNK ? 0777 : 0444;
    st->nlink = st->type == VFS_DIR ? 2 : 1;
    st->ino = (uint64_t)(uintptr_t)node;
    st->atime = st->mtime = st->ctime = fs_now();
    if (k == PROCFS_EXE) st->size = strlen(p->exe_path);
    return 0;
}

static int pr_lookup(void *ctx, const char *path, struct vfs_stat *st) {
    void *node;
    int r = resolve(path, &node);
    return r ? r : pr_istat(ctx, node, st);
}

static long pr_iread(void *ctx, void *node, uint64_t off, void *buf, uint64_t len) {
    (void)ctx;
    /* The kernel log is read where it lies, already redacted (lib/klog.h). */
    if (NODE_KIND(node) == PROCFS_DMESG) return (long)klog_read(&kernel_log, off, buf, len);
    static char text[4096];   /* one read at a time: system calls are not preempted */
    long n = generate(node, text, sizeof text);
    if (n < 0) return n;
    if (off >= (uint64_t)n) return 0;
    uint64_t k = (uint64_t)n - off < len ? (uint64_t)n - off : len;
    memcpy(buf, text + off, k);
    return (long)k;
}

/* d_ino of an entry: its node, as stat shows it. libcs' readdir skips an
 * entry whose d_ino is 0 (a deleted one), so every entry needs one. */
static uint64_t entry_ino(int dir_pid, const char *name) {
    char path[32];
    if (dir_pid >= 0) ksnprintf(path, sizeof path, "/%d/%s", dir_pid, name);
    else ksnprintf(path, sizeof path, "/%s", name);
    void *node;
    return resolve(path, &node) ? 1 : (uint64_t)(uintptr_t)node;
}

/* The index-th live process (table order), or 0. */
static struct proc *nth_proc(uint32_t index) {
    for (int i = 0; i < proc_slots_high; i++)
        if (proc_table[i].state != PROC_UNUSED && index-- == 0) return &proc_table[i];
    return 0;
}

static int pr_ireaddir(void *ctx, void *node, uint32_t index, struct vfs_dirent *out) {
    (void)ctx;
    int pid = NODE_PID(node);
    memset(out, 0, sizeof *out);
    switch (NODE_KIND(node)) {
    case PROCFS_ROOT:
        if (index < 6) {
            strlcpy(out->name, procfs_root_files[index], sizeof out->name);
            out->type = strcmp(out->name, "self") == 0 || strcmp(out->name, "net") == 0 ? VFS_DIR : VFS_FILE;
            out->ino = entry_ino(-1, out->name);
        } else {
            struct proc *p = nth_proc(index - 6);
            if (!p) return -ENOENT;
            ksnprintf(out->name, sizeof out->name, "%d", p->pid);
            out->type = VFS_DIR;
            out->ino = (uint64_t)(uintptr_t)NODE(p->pid, PROCFS_PID);
        }
        return 0;
    case PROCFS_NET:
        if (index >= 1) return -ENOENT;
        strlcpy(out->name, "dev", sizeof out->name);
        out->type = VFS_FILE;
        out->ino = (uint64_t)(uintptr_t)NODE(-1, PROCFS_NETDEV);
        return 0;
    case PROCFS_PID:
        if (!live(pid)) return -ESRCH;
        if (index >= 4) return -ENOENT;
        strlcpy(out->name, procfs_pid_files[index], sizeof out->name);
        out->type = index == 1 ? VFS_LNK : VFS_FILE;
        out->ino = entry_ino(pid, out->name);
        return 0;
    default:
        return -ENOTDIR;
    }
}

static int pr_readdir(void *ctx, const char *path, uint32_t index, struct vfs_dirent *out) {
    void *node;
    int r = resolve(path, &node);
    return r ? r : pr_ireaddir(ctx, node, index, out);
}

static long pr_ireadlink(void *ctx, void *node, char *buf, uint64_t cap) {
    (void)ctx;
    if (NODE_KIND(node) != PROCFS_EXE) return -EINVAL;
    struct proc *p = live(NODE_PID(node));
    if (!p) return -ESRCH;
    uint64_t n = strlen(p->exe_path);
    if (n > cap) n = cap;
    memcpy(buf, p->exe_path, n);
    return (long)n;
}

static const struct vfs_fs_ops procfs_ops = {
    .name = "proc",
    .lookup = pr_lookup,
    .readdir = pr_readdir,
    .iget = pr_iget,
    .istat = pr_istat,
    .iread = pr_iread,
    .ireaddir = pr_ireaddir,
    .ireadlink = pr_ireadlink,
};

int procfs_mount(const char *at) { return vfs_mount(at, &procfs_ops, 0); }
