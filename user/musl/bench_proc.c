/* bench_proc: the process-model benchmarks under the Linux personality, in
 * bench's format (user/progs/bench.c, tools/bench.sh):
 *   BENCH <name> <median> <iterations> <min> <p10> <p90>   rdtsc ticks per operation
 *   fork_exit_wait   fork, the child _exits, the parent waits
 *   fork_exec_wait   the same with an execve of /bin/true in the child
 * Usage: bench_proc [--quick] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#define MAX_SAMPLES 400
static uint64_t S[MAX_SAMPLES];

static inline uint64_t rdtsc(void) {
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

static int cmp(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int report(const char *name, int n) {
    if (n <= 0) {
        printf("BENCH %s 0 0 0 0 0\n", name);
        return 1;
    }
    qsort(S, (size_t)n, sizeof S[0], cmp);
    printf("BENCH %s %lu %d %lu %lu %lu\n", name, (unsigned long)S[n / 2], n, (unsigned long)S[0],
           (unsigned long)S[n / 10], (unsigned long)S[n * 9 / 10]);
    return 0;
}

/* One fork + (exec) + exit + wait round; -1 on any failure. */
static int round_trip(int exec) {
    pid_t c = fork();
    if (c == 0) {
        if (exec) {
            char *argv[] = { "true", 0 };
            execve("/bin/true", argv, 0);
        }
        _exit(exec ? 127 : 0);
    }
    int st;
    if (c < 0 || waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st) != 0) return -1;
    return 0;
}

static int run(const char *name, int exec, int n) {
    int k = 0;
    for (int i = 0; i < n; i++) {
        uint64_t t0 = rdtsc();
        if (round_trip(exec)) {
            printf("bench_proc: %s failed at round %d\n", name, i);
            return 1;
        }
        S[k++] = rdtsc() - t0;
    }
    return report(name, k);
}

int main(int argc, char **argv) {
    setvbuf(stdout, 0, _IONBF, 0);
    int n = argc > 1 && strcmp(argv[1], "--quick") == 0 ? 20 : MAX_SAMPLES;
    printf("# BENCH <name> <median_ticks> <iterations> <min_ticks> <p10_ticks> <p90_ticks>; ticks = rdtsc (guest "
           "instructions under -icount shift=0)\n");
    int bad = run("fork_exit_wait", 0, n);
    bad |= run("fork_exec_wait", 1, n);
    return bad;
}
