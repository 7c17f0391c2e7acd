/* bench [--quick]: user-side micro-benchmarks, the same names, method and
 * output as the Linux harness (shared/bench-linux/bench.c):
 *
 *   BENCH <name> <median> <iterations> <min> <p10> <p90>     ticks per operation
 *
 * Each sample is "lfence; rdtsc; lfence" ... "lfence; rdtsc; lfence" around one
 * operation, so it includes rdtsc_overhead. Under QEMU -icount shift=0 a tick
 * is one guest instruction (interrupts that land in a window count too).
 * --quick runs few iterations (make check); bench --partner <n> is the yield
 * partner this program spawns itself. docs/PERFORMANCE.md says what each
 * figure includes. */
#include "ulib.h"
#include "lib/printf.h"

SECOS_MANIFEST(SECOS_MANIFEST_DEFAULT_FLAGS, 0);

#define MAXS 16384
static uint64_t S[MAXS];

static inline uint64_t tsc(void) {
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) : : "memory");
    return ((uint64_t)hi << 32) | lo;
}

/* Raw calls with nothing but the number, like the Linux harness's getppid. */
static inline long raw_syscall0(long nr) {
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(nr) : "rcx", "r11", "memory");
    return ret;
}
static inline long raw_int80_0(long nr) {
    long ret;
    __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr) : "memory");
    return ret;
}

static void sift(uint64_t *s, int root, int n) {
    for (int child; (child = 2 * root + 1) < n; root = child) {
        if (child + 1 < n && s[child + 1] > s[child]) child++;
        if (s[root] >= s[child]) return;
        uint64_t t = s[root]; s[root] = s[child]; s[child] = t;
    }
}
static void sort(uint64_t *s, int n) {  /* heapsort: no recursion, no extra memory */
    for (int i = n / 2 - 1; i >= 0; i--) sift(s, i, n);
    for (int end = n - 1; end > 0; end--) {
        uint64_t t = s[0]; s[0] = s[end]; s[end] = t;
        sift(s, 0, end);
    }
}

static void report(const char *name, int n) {
    if (n <= 0) { printf("BENCH %s 0 0 0 0 0\n", name); return; }
    sort(S, n);
    printf("BENCH %s %lu %d %lu %lu %lu\n", name, (unsigned long)S[n / 2], n, (unsigned long)S[0],
           (unsigned long)S[n / 10], (unsigned long)S[n * 9 / 10]);
}

static int failed;
static void fail(const char *what, long r) {
    printf("bench: %s failed (%ld)\n", what, r);
    failed = 1;
}

static void bench_rdtsc(int n) {
    for (int i = 0; i < n; i++) {
        uint64_t t = tsc();
        S[i] = tsc() - t;
    }
    report("rdtsc_overhead", n);
}

static void bench_syscall(int n, int int80) {
    for (int i = 0; i < n; i++) {
        uint64_t t = tsc();
        if (int80) raw_int80_0(SYS_getpid);
        else raw_syscall0(SYS_getpid);
        S[i] = tsc() - t;
    }
    report(int80 ? "null_syscall_int80" : "null_syscall", n);
}

/* There is no shared memory, so the Linux definition (one process's stamp to
 * the other's return) cannot be measured. Instead: a round trip of one yield
 * with the partner READY is yield + switch to it + its yield + switch back;
 * yield_switch is half of that. The partner yields more often than we do, so
 * every timed yield finds it READY; afterwards it runs alone and exits. */
#define YIELD_WARMUP 16
static void bench_yield(int n) {
    char count[16];
    ksnprintf(count, sizeof count, "%d", n + 2 * YIELD_WARMUP);
    const char *argv[] = {"bench", "--partner", count, NULL};
    long pid = sys_spawn("bench", argv, 0);
    if (pid < 0) { fail("spawn of the yield partner", pid); return; }
    for (int i = 0; i < YIELD_WARMUP; i++) sys_yield();   /* the partner starts up */
    for (int i = 0; i < n; i++) {
        uint64_t t = tsc();
        raw_syscall0(SYS_yield);
        S[i] = tsc() - t;
    }
    int status = -1;
    long r = sys_wait(pid, &status);
    if (r != pid || status != 0) fail("the yield partner", r < 0 ? r : status);
    report("yield_roundtrip", n);
    for (int i = 0; i < n; i++) S[i] /= 2;
    report("yield_switch", n);
}

static int partner(int n) {
    for (int i = 0; i < n; i++) raw_syscall0(SYS_yield);
    return 0;
}

static void bench_spawn(int n) {
    const char *argv[] = {"true", NULL};
    for (int i = 0; i < n; i++) {
        int status = -1;
        uint64_t t = tsc();
        long pid = sys_spawn("true", argv, 0);
        long r = pid < 0 ? pid : sys_wait(pid, &status);
        S[i] = tsc() - t;
        if (pid < 0 || r != pid || status != 0) { fail("spawn/wait of true", pid < 0 ? pid : r); return; }
    }
    report("spawn_exit_wait", n);
}

static void bench_page_fault(int pages, int rounds) {
    int k = 0;
    for (int r = 0; r < rounds; r++) {
        long p = sys_mmap(0, (size_t)pages * 4096, PROT_READ | PROT_WRITE);
        if (sys_is_err(p)) { fail("mmap", p); return; }
        for (int i = 0; i < pages; i++) {
            uint64_t t = tsc();
            *(volatile char *)(p + i * 4096L) = 1;
            S[k++] = tsc() - t;
        }
        long u = sys_munmap((void *)p, (size_t)pages * 4096);
        if (u) { fail("munmap", u); return; }
    }
    report("page_fault", k);
    printf("BENCH user_page_fault %lu %d %lu %lu %lu\n", (unsigned long)S[k / 2], k, (unsigned long)S[0],
           (unsigned long)S[k / 10], (unsigned long)S[k * 9 / 10]);
}

/* One 4 KiB write and one 4 KiB read back through the file syscalls. */
static void bench_ramfs(int n) {
    static char block[4096];
    long fd = sys_open("/bench.tmp", O_CREAT | O_RDWR | O_TRUNC);
    if (fd < 0) { fail("open /bench.tmp", fd); return; }
    for (int i = 0; i < n; i++) {
        uint64_t t = tsc();
        long w = sys_lseek(fd, 0, SEEK_SET) < 0 ? -1 : sys_write(fd, block, sizeof block);
        long r = sys_lseek(fd, 0, SEEK_SET) < 0 ? -1 : sys_read(fd, block, sizeof block);
        S[i] = tsc() - t;
        if (w != 4096 || r != 4096) { fail("ramfs write/read", w != 4096 ? w : r); break; }
    }
    sys_close(fd);
    sys_unlink("/bench.tmp");
    report("ramfs_write_read_4k", n);
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "--partner") == 0) return partner(atoi(argv[2]));
    int quick = argc == 2 && strcmp(argv[1], "--quick") == 0;
    if (argc > 1 && !quick) {
        printf("usage: bench [--quick]\n");
        return 2;
    }
    /* The column names and units, once before the BENCH lines. */
    printf("# BENCH <name> <median_ticks> <iterations> <min_ticks> <p10_ticks> <p90_ticks>; ticks = rdtsc (guest instructions under -icount shift=0)\n");
    /* Full counts follow the Linux harness (yield: 5000 round trips, i.e.
     * 10000 switches, as its 2 x 5000 yields). */
    int n = quick ? 200 : 10000;
    bench_rdtsc(n);
    bench_syscall(n, 0);
    bench_syscall(n, 1);
    bench_yield(quick ? 100 : 5000);
    bench_spawn(quick ? 10 : 1000);
    bench_page_fault(quick ? 64 : 512, quick ? 1 : 16);
    bench_ramfs(quick ? 20 : 1000);
    printf("bench: %s\n", failed ? "FAILED" : "done");
    return failed;
}
