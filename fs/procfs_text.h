/* /proc's pure half: the names it answers (a path inside the mount, from the
 * VFS, parsed without trusting it) and the text of its files in Linux's
 * formats. No kernel state: fs/procfs.c gathers the facts, these functions
 * only format them (tests/unit/test_procfs_text.c, tests/fuzz/fuzz_procfs.c). */
#ifndef FS_PROCFS_TEXT_H
#define FS_PROCFS_TEXT_H
#include <stddef.h>
#include <stdint.h>

enum procfs_kind {
    PROCFS_ROOT = 1,   /* /proc */
    PROCFS_UPTIME,     /* /proc/uptime */
    PROCFS_MEMINFO,    /* /proc/meminfo */
    PROCFS_PID,        /* /proc/<pid>, /proc/self */
    PROCFS_STAT,       /* /proc/<pid>/stat */
    PROCFS_CMDLINE,    /* /proc/<pid>/cmdline */
    PROCFS_EXE,        /* /proc/<pid>/exe (a link) */
    PROCFS_STATUS,     /* /proc/<pid>/status */
    PROCFS_DMESG,      /* /proc/dmesg: the kernel log (lib/klog.h) */
    PROCFS_MOUNTS,     /* /proc/mounts: the mount table in Linux's format */
    PROCFS_NET,        /* /proc/net */
    PROCFS_NETDEV,     /* /proc/net/dev: the NICs' counters in Linux's format */
    PROCFS_KIND_MAX
};

/* The files of a pid directory, in readdir order, and of the root (after
 * which the pid directories follow). */
extern const char *const procfs_pid_files[4];
extern const char *const procfs_root_files[6];

/* path: "/" or "/x/y" (normalised, inside the mount). self_pid answers
 * "self". Returns 0 with *kind and *pid (pid -1 for the root's own files),
 * or -ENOENT for a name /proc does not have. The pid is only parsed here:
 * whether it lives is the caller's question. Decimal, 1-9 digits, no sign
 * and no leading zero (so each pid has exactly one name). */
int procfs_parse(const char *path, int self_pid, int *pid, enum procfs_kind *kind);

/* What /proc/<pid>/stat and status show of a process. */
struct procfs_info {
    int pid, ppid;
    char state;            /* R, S, Z */
    const char *comm;      /* at most 15 bytes shown */
    uint64_t utime_ticks;  /* clock ticks (USER_HZ 100) */
    uint64_t start_ticks;
    uint64_t vsize_bytes, rss_pages;
};

/* Linux's formats into buf (cap bytes, always NUL-terminated when cap > 0);
 * the length the whole text has (may exceed cap - 1, like snprintf). */
size_t procfs_format_stat(char *buf, size_t cap, const struct procfs_info *p);
size_t procfs_format_status(char *buf, size_t cap, const struct procfs_info *p);

/* One line of /proc/mounts as Linux writes it (fstab(5) fields):
 * "<source> <dir> <type> ro|rw 0 0\n". Space, tab, newline and backslash
 * inside a field become \ooo octal, so getmntent splits every line into
 * the same six fields whatever the names hold. buf and the return value as
 * for the formats above. */
size_t procfs_format_mount(char *buf, size_t cap, const char *source, const char *dir, const char *type,
                           int readonly);

/* /proc/net/dev as Linux writes it (busybox ifconfig and netstat read it):
 * the two header lines, then one line per interface with its receive
 * (bytes, packets, errs, drop, fifo, frame, compressed, multicast) and
 * transmit (bytes, packets, errs, drop, fifo, colls, carrier, compressed)
 * counters. buf and the return value as above. */
struct procfs_netdev {
    const char *name;
    uint64_t rx_bytes, rx_packets, rx_errors, rx_dropped;
    uint64_t tx_bytes, tx_packets, tx_errors, tx_dropped;
};
size_t procfs_format_netdev_head(char *buf, size_t cap);
size_t procfs_format_netdev(char *buf, size_t cap, const struct procfs_netdev *d);

#endif
