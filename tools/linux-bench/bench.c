/* The Linux side of `tools/bench.sh --vs-linux`: the operations SECoS's
 * `kbench` and `bench` time, measured the same way (rdtsc around one
 * operation, median of many) on a Debian kernel under the same QEMU flags.
 * Runs as /init (PID 1) of a tiny initramfs, writes to the console (ttyS0),
 * then powers the machine off. The same static binary also runs on SECoS
 * (initrd /bin/lxbench, Linux personality) as `lxbench NAME...`: only the
 * named benchmarks, no KERNEL/BOOT_TSC lines, no power-off. Lines:
 *   KERNEL <release> <version>
 *   BOOT_TSC <tsc at the start of main>
 *   BENCH <name> <median_ticks> <iterations> <min> <p10> <p90>
 *   BENCH_DONE
 * Each sample is lfence;rdtsc;lfence ... lfence;rdtsc;lfence around one
 * operation, so it includes rdtsc_overhead (reported first). */
#define _GNU_SOURCE
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

static inline uint64_t now(void) {
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi)::"memory");
    return (uint64_t)hi << 32 | lo;
}

static void say(const char *fmt, ...) {
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n > (int)sizeof line - 1) n = sizeof line - 1;
    for (int done = 0; done < n;) {
        ssize_t w = write(1, line + done, n - done);
        if (w <= 0) return;
        done += (int)w;
    }
}

/* Samples live in a shared mapping: a child (yield_switch) writes them too. */
#define MAX_SAMPLES 16384
static uint64_t *samples;

static int by_value(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void result(const char *name, int n) {
    if (n < 1) { say("BENCH %s 0 0 0 0 0\n", name); return; }
    qsort(samples, n, sizeof samples[0], by_value);
    say("BENCH %s %llu %d %llu %llu %llu\n", name, (unsigned long long)samples[n / 2], n,
        (unsigned long long)samples[0], (unsigned long long)samples[n / 10],
        (unsigned long long)samples[n * 9 / 10]);
}

static void rdtsc_overhead(int n) {
    for (int i = 0; i < n; i++) { uint64_t t = now(); samples[i] = now() - t; }
    result("rdtsc_overhead", n);
}

/* The cheapest system call with no side effect, without libc's wrapper. */
static void null_syscall(int n) {
    for (int i = 0; i < n; i++) {
        long ret;
        uint64_t t = now();
        __asm__ volatile("syscall" : "=a"(ret) : "a"((long)SYS_getppid) : "rcx", "r11", "memory");
        samples[i] = now() - t;
    }
    result("null_syscall", n);
}

/* Two processes on one CPU calling sched_yield(): one stamps the time and
 * its id just before its call; the other, returning from its own call,
 * takes the difference if the stamp is the other's (a yield that switched). */
struct yield_shared { volatile uint64_t stamp; volatile int who; volatile int count; };
static void yield_switch(int n) {
    struct yield_shared *sh = mmap(0, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED) return;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(0, &one);
    sched_setaffinity(0, sizeof one, &one);
    sh->count = 0;
    pid_t child = fork();
    int me = child == 0;
    for (long rounds = 0; sh->count < n && rounds < 40L * n; rounds++) {
        sh->who = me;
        sh->stamp = now();
        sched_yield();
        uint64_t t = now();
        if (sh->who != me && sh->count < n) samples[sh->count++] = t - sh->stamp;
    }
    if (child == 0) _exit(0);
    waitpid(child, 0, 0);
    result("yield_switch", sh->count);
    munmap(sh, sizeof *sh);
}

/* One byte there and back over two pipes. */
static void pipe_pingpong(int n) {
    int there[2], back[2];
    if (pipe(there) || pipe(back)) return;
    pid_t child = fork();
    char c = 0;
    if (child < 0) { result("pipe_pingpong", 0); return; }
    if (child == 0) {   /* keeps only its own ends: EOF on there[] ends it */
        close(there[1]);
        close(back[0]);
        while (read(there[0], &c, 1) == 1 && write(back[1], &c, 1) == 1) {}
        _exit(0);
    }
    int done = 0;
    for (; done < n; done++) {
        uint64_t t = now();
        if (write(there[1], &c, 1) != 1 || read(back[0], &c, 1) != 1) break;
        samples[done] = now() - t;
    }
    close(there[1]);
    waitpid(child, 0, 0);
    close(there[0]); close(back[0]); close(back[1]);
    result("pipe_pingpong", done);
}

static void fork_exit_wait(int n) {
    int i = 0;
    for (; i < n; i++) {
        uint64_t t = now();
        pid_t p = fork();
        if (p == 0) _exit(0);
        if (p < 0 || waitpid(p, 0, 0) != p) break;
        samples[i] = now() - t;
    }
    result("fork_exit_wait", i);
}

/* fork (or vfork) + execve of /exit0, a three-instruction static program, + wait. */
static void spawn(const char *name, int use_vfork, int n) {
    char *argv[] = { "/exit0", 0 }, *envp[] = { 0 };
    int i = 0;
    for (; i < n; i++) {
        uint64_t t = now();
        pid_t p = use_vfork ? vfork() : fork();
        if (p == 0) { execve(argv[0], argv, envp); _exit(127); }
        int status = -1;
        if (p < 0 || waitpid(p, &status, 0) != p || status != 0) break; /* 127 << 8: the exec failed */
        samples[i] = now() - t;
    }
    result(name, i);
}

/* A shell-script macro benchmark: Debian's busybox sh (the same static
 * binary on both systems) runs a loop of 20 iterations, each a
 * pipeline into a redirection and a command substitution; one sample is the
 * whole script, fork + exec of sh to its exit status. */
static const char shell_script_text[] =
    "i=0; while [ $i -lt 20 ]; do echo line $i | cat > /tmp/lxbench.sh.out; "
    "v=$(cat /tmp/lxbench.sh.out); i=$((i + 1)); done; [ \"$v\" = \"line 19\" ]";

static void shell_script(int n) {
    char *argv[] = { "sh", "-c", (char *)shell_script_text, 0 }, *envp[] = { "PATH=/bin", 0 };
    int i = 0;
    for (; i < n; i++) {
        uint64_t t = now();
        pid_t p = fork();
        if (p == 0) { execve("/bin/busybox", argv, envp); _exit(127); }
        int status = -1;
        if (p < 0 || waitpid(p, &status, 0) != p || status != 0) break;
        samples[i] = now() - t;
    }
    result("shell_script", i);
}

/* The first write to each page of a fresh anonymous mapping (4 KiB pages). */
static void page_fault(int n) {
    size_t len = (size_t)n * 4096;
    volatile char *m = mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return;
    madvise((void *)m, len, MADV_NOHUGEPAGE);
    for (int i = 0; i < n; i++) {
        uint64_t t = now();
        m[(size_t)i * 4096] = 1;
        samples[i] = now() - t;
    }
    munmap((void *)m, len);
    result("page_fault", n);
}

/* lxbench NAME...: the named benchmarks only (SECoS runs the rest itself). */
static int run_named(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "pipe_pingpong") == 0) pipe_pingpong(5000);
        else if (strcmp(argv[i], "fork_exit_wait") == 0) fork_exit_wait(2000);
        else if (strcmp(argv[i], "spawn_exec") == 0) spawn("spawn_exec", 0, 1000);
        else if (strcmp(argv[i], "vfork_exec") == 0) spawn("vfork_exec", 1, 1000);
        else if (strcmp(argv[i], "page_fault") == 0) page_fault(8192);
        else if (strcmp(argv[i], "shell_script") == 0) shell_script(5);
        else {
            say("usage: lxbench [pipe_pingpong|fork_exit_wait|spawn_exec|vfork_exec|page_fault|shell_script]...\n");
            return 2;
        }
    }
    say("BENCH_DONE\n");
    return 0;
}

int main(int argc, char **argv) {
    uint64_t boot = now();
    if (argc > 1) {   /* not /init: a program among others */
        samples = mmap(0, MAX_SAMPLES * sizeof *samples, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (samples == MAP_FAILED) { say("bench: no memory\n"); return 1; }
        return run_named(argc, argv);
    }
    struct utsname u;
    if (uname(&u) == 0) say("KERNEL %s %s\n", u.release, u.version);
    say("BOOT_TSC %llu\n", (unsigned long long)boot);
    samples = mmap(0, MAX_SAMPLES * sizeof *samples, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (samples == MAP_FAILED) { say("bench: no memory\n"); return 1; }
    rdtsc_overhead(10000);
    null_syscall(10000);
    yield_switch(10000);
    pipe_pingpong(5000);
    fork_exit_wait(2000);
    spawn("spawn_exec", 0, 1000);
    spawn("vfork_exec", 1, 1000);
    page_fault(8192);
    shell_script(5);
    say("BENCH_DONE\n");
    sync();
    reboot(RB_POWER_OFF);
    return 0;
}
