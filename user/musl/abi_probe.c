/* abi_probe: checks the Linux personality's edges from a musl program and
 * prints one line per check ("ok <what>" or "FAIL <what>: ..."), then
 * "abi_probe: N failed". Exit status: the number of failures.
 * Usage: abi_probe */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

static int failures;
static __thread volatile long tls_word = 12345;

#define CHECK(what, cond, ...) do {                                   \
    if (cond) printf("ok %s\n", what);                                \
    else { failures++; printf("FAIL %s: ", what); printf(__VA_ARGS__); printf("\n"); } \
} while (0)

static long raw_syscall(long nr, long a0, long a1) {
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(nr), "D"(a0), "S"(a1) : "rcx", "r11", "memory");
    return r;
}

static long raw_syscall3(long nr, long a0, long a1, long a2) {
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(nr), "D"(a0), "S"(a1), "d"(a2) : "rcx", "r11", "memory");
    return r;
}

static long raw_int80(long nr, long a0) {
    long r;
    __asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "D"(a0) : "memory");
    return r;
}

int main(void) {
    /* INT 0x80 never reaches a table from a Linux program: not SECoS's
     * getpid (4), not SECoS's driver call (17), not Linux's write (1). */
    CHECK("int80-secos-getpid", raw_int80(4, 0) == -ENOSYS, "got %ld", raw_int80(4, 0));
    CHECK("int80-secos-driver", raw_int80(17, 0) == -ENOSYS, "got %ld", raw_int80(17, 0));
    CHECK("int80-linux-write", raw_int80(1, 1) == -ENOSYS, "got %ld", raw_int80(1, 1));
    /* Numbers outside the list, inside and far outside the table. */
    CHECK("unknown-nr", raw_syscall(449, 0, 0) == -ENOSYS, "449");
    CHECK("unknown-nr-again", raw_syscall(449, 0, 0) == -ENOSYS, "449 twice");
    CHECK("huge-nr", raw_syscall(0x7fffffff, 0, 0) == -ENOSYS, "0x7fffffff");
    CHECK("negative-nr", raw_syscall(-1, 0, 0) == -ENOSYS, "-1");
    CHECK("rseq-enosys", raw_syscall(334, 0, 0) == -ENOSYS, "rseq must fail");
    /* Fixed answers. */
    CHECK("getuid", getuid() == 0 && geteuid() == 0 && getgid() == 0 && getegid() == 0, "not root");
    long tid = raw_syscall(218, 0, 0);
    CHECK("set_tid_address", tid == getpid(), "tid %ld pid %d", tid, getpid());
    struct utsname u;
    CHECK("uname", uname(&u) == 0 && strcmp(u.sysname, "SECoS") == 0 && strcmp(u.machine, "x86_64") == 0,
          "%s %s", u.sysname, u.machine);
    CHECK("uname-efault", raw_syscall(63, 0x10, 0) == -EFAULT, "bad pointer");
    /* The FS base: the kernel refuses what would fault in ring 0 and keeps
     * the TLS across switches. */
    CHECK("arch_prctl-noncanonical", raw_syscall(158, 0x1002, (long)0x0000800000000000ULL) == -EPERM, "-");
    CHECK("arch_prctl-kernel", raw_syscall(158, 0x1002, (long)0xffffffff80000000ULL) == -EPERM, "-");
    CHECK("arch_prctl-gs", raw_syscall(158, 0x1001, 0) == -EPERM, "-");
    CHECK("arch_prctl-bad-code", raw_syscall(158, 0x1234, 0) == -EINVAL, "-");
    uint64_t fs = 0;
    CHECK("arch_prctl-get", raw_syscall(158, 0x1003, (long)&fs) == 0 && fs != 0, "fs %#lx", (unsigned long)fs);
    for (int i = 0; i < 20; i++) {
        struct timespec ts = { 0, 2000000 };
        nanosleep(&ts, 0);
        sched_yield();
    }
    CHECK("tls-after-switches", tls_word == 12345, "tls %ld", tls_word);
    /* Time: monotonic goes forward, realtime is after 2020. */
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    struct timespec ts = { 0, 20000000 };
    nanosleep(&ts, 0);
    clock_gettime(CLOCK_MONOTONIC, &b);
    long ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
    CHECK("nanosleep-20ms", ms >= 19 && ms < 2000, "%ld ms", ms);
    CHECK("realtime", time(0) > 1577836800, "time %ld", (long)time(0));
    CHECK("clock-bad-id", clock_gettime(99, &a) == -1 && errno == EINVAL, "errno %d", errno);
    ts.tv_nsec = 1000000000;
    CHECK("nanosleep-einval", nanosleep(&ts, 0) == -1 && errno == EINVAL, "errno %d", errno);
    /* prctl names, prlimit, getrandom. */
    char name[16] = { 0 };
    prctl(PR_SET_NAME, "probe-renamed-long-name");
    prctl(PR_GET_NAME, name);
    CHECK("prctl-name", strcmp(name, "probe-renamed-l") == 0, "%s", name);
    unsigned char r1[32] = { 0 }, r2[32] = { 0 };
    CHECK("getrandom", syscall(SYS_getrandom, r1, 32, 0) == 32 && syscall(SYS_getrandom, r2, 32, 0) == 32 &&
          memcmp(r1, r2, 32) != 0, "-");
    CHECK("getrandom-flags", syscall(SYS_getrandom, r1, 1, 0x100) == -1 && errno == EINVAL, "-");
    /* NONBLOCK, RANDOM, INSECURE each work; RANDOM with INSECURE contradicts itself. */
    CHECK("getrandom-valid-flags", syscall(SYS_getrandom, r1, 8, 1) == 8 && syscall(SYS_getrandom, r1, 8, 2) == 8 &&
          syscall(SYS_getrandom, r1, 8, 4) == 8 && syscall(SYS_getrandom, r1, 8, 6) == -1 && errno == EINVAL, "-");
    /* brk never fakes success. */
    long cur = raw_syscall(12, 0, 0);
    long asked = raw_syscall(12, cur + 4096 * 16, 0);
    CHECK("brk", cur > 0 && (asked == cur || asked == cur + 4096 * 16), "cur %#lx got %#lx", cur, asked);
    /* W^X: no mapping writable and executable at once. */
    CHECK("mprotect-wx", raw_syscall3(10, 0x400000, 4096, 7) == -EACCES, "got %ld", raw_syscall3(10, 0x400000, 4096, 7));
    long wx = syscall(SYS_mmap, 0, 4096, 7, 0x22, -1, 0);
    CHECK("mmap-wx", wx == -1 && (errno == EPERM || errno == EACCES), "got %#lx", wx);
    /* The image path is the resolved one, whatever spelling started us. */
    char exe[300];
    long n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = 0;
    CHECK("proc-self-exe", strcmp(exe, "/bin/abi_probe") == 0, "%s", exe);
    printf("abi_probe: %d failed\n", failures);
    return failures;
}
