/* Linux-personality calls about the process itself, its ids, its TLS base
 * and time (include/secos/linux_syscall.h lists them). Single user: every id
 * is 0, as LINUX_ABI.md §4 measured busybox to need. */
#include "kernel/syscall.h"
#include "kernel/proc.h"
#include "kernel/time.h"
#include "mm/usercopy.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "lib/string.h"
#include "kernel/loader.h"
#include "arch/x86_64/entropy.h"
#include "secos/errno.h"

/* exit and exit_group are the same call: processes have one thread. */
long linux_exit(SYSARGS) {
    UNUSED_ARGS();
    proc_exit((int)(a0 & 0xff));
}

long linux_getid(SYSARGS) {
    UNUSED_ARGS();
    return 0;
}

long linux_getppid(SYSARGS) {
    UNUSED_ARGS();
    /* A kernel parent (the console) is shown as pid 1, as orphans are;
     * init itself has parent 0, as on Linux. */
    struct proc *pp = current->parent > 0 ? proc_by_pid(current->parent) : 0;
    if (pp && !pp->is_kernel) return current->parent;
    return current->pid == 1 ? 0 : 1;
}

/* ARCH_SET_FS with a non-canonical base would make the wrmsr #GP in the
 * kernel; a kernel-half base would let TLS accesses aim at the kernel (they
 * would fault, but nothing in ring 3 should point there). */
long linux_arch_prctl(SYSARGS) {
    UNUSED_ARGS();
    switch (a0) {
    case LINUX_ARCH_SET_FS:
        if (a1 >= USER_HALF_END) return -EPERM;
        current->fs_base = a1;
        percpu0.fs_base = a1;
        wrmsr(MSR_FS_BASE, a1);
        return 0;
    case LINUX_ARCH_GET_FS:
        return copy_to_user(a1, &current->fs_base, sizeof current->fs_base) ? -EFAULT : 0;
    case LINUX_ARCH_SET_GS:
    case LINUX_ARCH_GET_GS:
        return -EPERM; /* GS belongs to the kernel's per-CPU block (swapgs) */
    default:
        return -EINVAL;
    }
}

/* musl keeps the result as its thread id: it must be the tid. */
long linux_set_tid_address(SYSARGS) {
    UNUSED_ARGS();
    current->clear_child_tid = a0;
    return current->pid;
}

#define UTS_LEN 65
struct linux_utsname {
    char sysname[UTS_LEN], nodename[UTS_LEN], release[UTS_LEN], version[UTS_LEN], machine[UTS_LEN],
        domainname[UTS_LEN];
};

long linux_uname(SYSARGS) {
    UNUSED_ARGS();
    static const struct linux_utsname u = { "SECoS", "secos", "0.2.0", "SECoS x86-64", "x86_64", "(none)" };
    return copy_to_user(a0, &u, sizeof u) ? -EFAULT : 0;
}

/* ---- time ---- */

struct linux_timespec { int64_t tv_sec, tv_nsec; };
struct linux_timeval { int64_t tv_sec, tv_usec; };

#define CLOCK_REALTIME  0
#define CLOCK_MONOTONIC 1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID 3
#define CLOCK_MONOTONIC_RAW 4
#define CLOCK_REALTIME_COARSE 5
#define CLOCK_MONOTONIC_COARSE 6
#define CLOCK_BOOTTIME 7
#define TIMER_ABSTIME 1

/* Milliseconds on clock id, or -EINVAL. */
static int64_t clock_ms(uint64_t id) {
    switch (id) {
    case CLOCK_REALTIME: case CLOCK_REALTIME_COARSE: return (int64_t)time_unix_ms();
    case CLOCK_MONOTONIC: case CLOCK_MONOTONIC_RAW: case CLOCK_MONOTONIC_COARSE: case CLOCK_BOOTTIME:
        return (int64_t)timer_uptime_ms();
    case CLOCK_PROCESS_CPUTIME_ID: case CLOCK_THREAD_CPUTIME_ID:
        return (int64_t)(current->ticks * 1000 / TIMER_HZ);
    default: return -EINVAL;
    }
}

long linux_clock_gettime(SYSARGS) {
    UNUSED_ARGS();
    int64_t ms = clock_ms(a0);
    if (ms < 0) return ms;
    struct linux_timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
    return copy_to_user(a1, &ts, sizeof ts) ? -EFAULT : 0;
}

long linux_clock_getres(SYSARGS) {
    UNUSED_ARGS();
    if (clock_ms(a0) < 0) return -EINVAL;
    struct linux_timespec ts = { 0, 1000000000 / TIMER_HZ };
    if (a1 && copy_to_user(a1, &ts, sizeof ts)) return -EFAULT;
    return 0;
}

long linux_gettimeofday(SYSARGS) {
    UNUSED_ARGS();
    int64_t ms = (int64_t)time_unix_ms();
    struct linux_timeval tv = { ms / 1000, (ms % 1000) * 1000 };
    if (a0 && copy_to_user(a0, &tv, sizeof tv)) return -EFAULT;
    if (a1) {
        static const int32_t tz[2] = { 0, 0 }; /* UTC */
        if (copy_to_user(a1, tz, sizeof tz)) return -EFAULT;
    }
    return 0;
}

long linux_time(SYSARGS) {
    UNUSED_ARGS();
    int64_t s = (int64_t)(time_unix_ms() / 1000);
    if (a0 && copy_to_user(a0, &s, sizeof s)) return -EFAULT;
    return s;
}

#define SLEEP_MAX_MS (3600ULL * 1000 * 24 * 365) /* a year; longer requests are clamped */

static long read_timespec_ms(uint64_t uts, uint64_t *ms) {
    struct linux_timespec ts;
    if (copy_from_user(&ts, uts, sizeof ts)) return -EFAULT;
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000) return -EINVAL;
    uint64_t v = (uint64_t)ts.tv_sec > SLEEP_MAX_MS / 1000 ? SLEEP_MAX_MS : (uint64_t)ts.tv_sec * 1000;
    *ms = v + ((uint64_t)ts.tv_nsec + 999999) / 1000000;
    return 0;
}

/* A signal ends the sleep early: -EINTR, and the time left in *urem. */
static long sleep_for(uint64_t ms, uint64_t urem) {
    uint64_t start = timer_ticks();
    if (sched_sleep_ms(ms) == 0) return 0;
    if (urem) {
        uint64_t gone = (timer_ticks() - start) * 1000 / TIMER_HZ;
        uint64_t left = gone < ms ? ms - gone : 0;
        struct linux_timespec rem = { (int64_t)(left / 1000), (int64_t)(left % 1000) * 1000000 };
        if (copy_to_user(urem, &rem, sizeof rem)) return -EFAULT;
    }
    return -EINTR;
}

long linux_nanosleep(SYSARGS) {
    UNUSED_ARGS();
    uint64_t ms;
    long r = read_timespec_ms(a0, &ms);
    return r ? r : sleep_for(ms, a1);
}

long linux_clock_nanosleep(SYSARGS) {
    UNUSED_ARGS();
    if (clock_ms(a0) < 0 || a0 == CLOCK_PROCESS_CPUTIME_ID || a0 == CLOCK_THREAD_CPUTIME_ID) return -EINVAL;
    uint64_t ms;
    long r = read_timespec_ms(a2, &ms);
    if (r) return r;
    if (a1 & TIMER_ABSTIME) {
        uint64_t now = (uint64_t)clock_ms(a0);
        ms = ms > now ? ms - now : 0;
        return sleep_for(ms, 0);
    }
    return sleep_for(ms, a3);
}

/* ---- fixed answers and small calls ---- */

long linux_enosys(SYSARGS) {
    UNUSED_ARGS();
    return -ENOSYS;
}

#define PR_SET_NAME 15
#define PR_GET_NAME 16
#define LINUX_TASK_COMM_LEN 16

long linux_prctl(SYSARGS) {
    UNUSED_ARGS();
    char name[LINUX_TASK_COMM_LEN];
    switch (a0) {
    case PR_SET_NAME: {
        long n = strncpy_from_user(name, a1, sizeof name);
        if (n == -ENAMETOOLONG) { /* Linux truncates to 15 bytes */
            if (copy_from_user(name, a1, sizeof name - 1)) return -EFAULT;
            name[sizeof name - 1] = 0;
        } else if (n < 0) {
            return n;
        }
        strlcpy(current->name, name, sizeof current->name);
        return 0;
    }
    case PR_GET_NAME:
        memset(name, 0, sizeof name);
        strlcpy(name, current->name, sizeof name);
        return copy_to_user(a1, name, sizeof name) ? -EFAULT : 0;
    default:
        return -EINVAL;
    }
}

struct linux_rlimit { uint64_t cur, max; };
#define RLIM_INFINITY (~0ULL)
#define RLIMIT_STACK  3
#define RLIMIT_NOFILE 7
#define RLIMIT_AS     9
#define RLIMIT_NLIMITS 16

/* prlimit64(pid, resource, new, old): reads only; every limit is fixed. */
long linux_prlimit64(SYSARGS) {
    UNUSED_ARGS();
    if (a0 != 0 && (int)a0 != current->pid) return -EPERM;
    if (a1 >= RLIMIT_NLIMITS) return -EINVAL;
    if (a2) return -EPERM;
    struct linux_rlimit r = { RLIM_INFINITY, RLIM_INFINITY };
    if (a1 == RLIMIT_STACK) r.cur = r.max = USER_STACK_MAX;
    if (a1 == RLIMIT_NOFILE) r.cur = r.max = SECOS_FD_MAX;
    if (a1 == RLIMIT_AS && current->as && current->as->page_limit) r.cur = r.max = current->as->page_limit * 4096;
    if (a3 && copy_to_user(a3, &r, sizeof r)) return -EFAULT;
    return 0;
}

#define GETRANDOM_MAX 4096 /* per call; 256 bytes or fewer are never short, as on Linux */
#define GRND_NONBLOCK 1
#define GRND_RANDOM   2
#define GRND_INSECURE 4

/* The pool is seeded once at boot from every source there is (and keeps
 * taking device input), so nothing is ever waited for: like Linux after its
 * jitter initialisation, every valid flag combination returns bytes at once;
 * `info` says whether the seed was strong. GRND_RANDOM with GRND_INSECURE is
 * contradictory and, as on Linux, EINVAL. */
long linux_getrandom(SYSARGS) {
    UNUSED_ARGS();
    if (a2 & ~(uint64_t)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)) return -EINVAL;
    if ((a2 & (GRND_RANDOM | GRND_INSECURE)) == (GRND_RANDOM | GRND_INSECURE)) return -EINVAL;
    uint64_t len = a1 > GETRANDOM_MAX ? GETRANDOM_MAX : a1;
    uint8_t chunk[256];
    for (uint64_t done = 0; done < len; done += sizeof chunk) {
        uint64_t n = len - done < sizeof chunk ? len - done : sizeof chunk;
        entropy_bytes(chunk, n);
        if (copy_to_user(a0 + done, chunk, n)) { memset(chunk, 0, sizeof chunk); return -EFAULT; }
    }
    memset(chunk, 0, sizeof chunk);
    return (long)len;
}
