/* /proc's names and formats; see procfs_text.h. */
#include "fs/procfs_text.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "secos/errno.h"

const char *const procfs_pid_files[4] = { "cmdline", "exe", "stat", "status" };
const char *const procfs_root_files[6] = { "dmesg", "meminfo", "mounts", "net", "self", "uptime" };

static const enum procfs_kind pid_kinds[4] = { PROCFS_CMDLINE, PROCFS_EXE, PROCFS_STAT, PROCFS_STATUS };

/* One component of p into name (at most cap - 1 bytes); the rest after it. */
static const char *component(const char *p, char *name, size_t cap) {
    size_t n = 0;
    while (p[n] && p[n] != '/') n++;
    if (n == 0 || n >= cap) return 0;
    memcpy(name, p, n);
    name[n] = '\0';
    return p + n;
}

static int parse_pid(const char *s, int *pid) {
    if (s[0] < '1' || s[0] > '9') return -ENOENT;
    int v = 0;
    for (size_t i = 0; s[i]; i++) {
        if (s[i] < '0' || s[i] > '9' || i >= 9) return -ENOENT;
        v = v * 10 + (s[i] - '0');
    }
    *pid = v;
    return 0;
}

int procfs_parse(const char *path, int self_pid, int *pid, enum procfs_kind *kind) {
    char name[16];
    if (!path || path[0] != '/') return -ENOENT;
    if (path[1] == '\0') {
        *pid = -1;
        *kind = PROCFS_ROOT;
        return 0;
    }
    const char *rest = component(path + 1, name, sizeof name);
    if (!rest) return -ENOENT;
    static const struct { const char *name; enum procfs_kind kind; } root_kinds[] = {
        { "uptime", PROCFS_UPTIME }, { "meminfo", PROCFS_MEMINFO }, { "dmesg", PROCFS_DMESG },
        { "mounts", PROCFS_MOUNTS },
    };
    for (unsigned i = 0; i < sizeof root_kinds / sizeof root_kinds[0]; i++) {
        if (strcmp(name, root_kinds[i].name) != 0) continue;
        if (*rest) return -ENOENT;
        *pid = -1;
        *kind = root_kinds[i].kind;
        return 0;
    }
    if (strcmp(name, "net") == 0) {
        if (*rest && strcmp(rest, "/dev") != 0) return -ENOENT;
        *pid = -1;
        *kind = *rest ? PROCFS_NETDEV : PROCFS_NET;
        return 0;
    }
    int p;
    if (strcmp(name, "self") == 0) {
        if (self_pid < 0) return -ENOENT;
        p = self_pid;
    } else if (parse_pid(name, &p) != 0) {
        return -ENOENT;
    }
    if (!*rest) {
        *pid = p;
        *kind = PROCFS_PID;
        return 0;
    }
    const char *end = component(rest + 1, name, sizeof name);
    if (!end || *end) return -ENOENT;
    for (unsigned i = 0; i < 4; i++) {
        if (strcmp(name, procfs_pid_files[i]) == 0) {
            *pid = p;
            *kind = pid_kinds[i];
            return 0;
        }
    }
    return -ENOENT;
}

/* The comm as Linux shows it: 15 bytes at most. */
static void comm15(char out[16], const char *comm) {
    strlcpy(out, comm ? comm : "", 16);
}

size_t procfs_format_stat(char *buf, size_t cap, const struct procfs_info *p) {
    char comm[16];
    comm15(comm, p->comm);
    /* pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt
     * majflt cmajflt utime stime cutime cstime priority nice num_threads
     * itrealvalue starttime vsize rss rsslim, then 27 more fields as 0: 52 in all. */
    int n = ksnprintf(buf, cap,
                      "%d (%s) %c %d %d %d 0 -1 0 0 0 0 0 %lu 0 0 0 20 0 1 0 %lu %lu %lu 18446744073709551615"
                      " 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
                      p->pid, comm, p->state, p->ppid, p->pid, p->pid, p->utime_ticks, p->start_ticks,
                      p->vsize_bytes, p->rss_pages);
    return n < 0 ? 0 : (size_t)n;
}

static const char *state_name(char s) {
    switch (s) {
    case 'R': return "running";
    case 'Z': return "zombie";
    case 'T': return "stopped";
    default: return "sleeping";
    }
}

size_t procfs_format_status(char *buf, size_t cap, const struct procfs_info *p) {
    char comm[16];
    comm15(comm, p->comm);
    int n = ksnprintf(buf, cap,
                      "Name:\t%s\nState:\t%c (%s)\nTgid:\t%d\nPid:\t%d\nPPid:\t%d\n"
                      "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nVmSize:\t%lu kB\nVmRSS:\t%lu kB\nThreads:\t1\n",
                      comm, p->state, state_name(p->state), p->pid, p->pid, p->ppid, p->vsize_bytes / 1024,
                      p->rss_pages * 4);
    return n < 0 ? 0 : (size_t)n;
}

/* Appends one field with Linux's escapes (fs/proc_namespace.c: " \t\n\\");
 * n counts what the whole text needs, whether or not it fitted. */
static size_t put_field(char *buf, size_t cap, size_t n, const char *s) {
    for (; *s; s++) {
        char esc[5];
        size_t k = 1;
        esc[0] = *s;
        if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\\') {
            unsigned char c = (unsigned char)*s;
            esc[0] = '\\';
            esc[1] = (char)('0' + (c >> 6));
            esc[2] = (char)('0' + ((c >> 3) & 7));
            esc[3] = (char)('0' + (c & 7));
            k = 4;
        }
        for (size_t i = 0; i < k; i++, n++)
            if (n + 1 < cap) buf[n] = esc[i];
    }
    return n;
}

size_t procfs_format_mount(char *buf, size_t cap, const char *source, const char *dir, const char *type,
                           int readonly) {
    size_t n = 0;
    const char *fields[3] = { source, dir, type };
    for (unsigned i = 0; i < 3; i++) {
        n = put_field(buf, cap, n, fields[i] && *fields[i] ? fields[i] : "none");
        if (n + 1 < cap) buf[n] = ' ';
        n++;
    }
    const char *tail = readonly ? "ro 0 0\n" : "rw 0 0\n";
    for (; *tail; tail++, n++)
        if (n + 1 < cap) buf[n] = *tail;
    if (cap > 0) buf[n < cap ? n : cap - 1] = '\0';
    return n;
}

size_t procfs_format_netdev_head(char *buf, size_t cap) {
    return (size_t)ksnprintf(buf, cap, "%s\n%s\n",
                             "Inter-|   Receive                                                |  Transmit",
                             " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs "
                             "drop fifo colls carrier compressed");
}

size_t procfs_format_netdev(char *buf, size_t cap, const struct procfs_netdev *d) {
    char name[16];
    strlcpy(name, d->name, sizeof name);
    return (size_t)ksnprintf(buf, cap, "%6s:%8lu %7lu %4lu %4lu %4lu %5lu %10lu %9lu %8lu %7lu %4lu %4lu %4lu %5lu %7lu %10lu\n",
                             name, d->rx_bytes, d->rx_packets, d->rx_errors, d->rx_dropped, 0ul, 0ul, 0ul, 0ul,
                             d->tx_bytes, d->tx_packets, d->tx_errors, d->tx_dropped, 0ul, 0ul, 0ul, 0ul);
}
