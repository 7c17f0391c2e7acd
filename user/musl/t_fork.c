/* t_fork: fork, vfork and the fork-like clones under the Linux personality.
 * Usage: t_fork            the functional checks
 *        t_fork storm N    N rounds of fork/exit/wait, 20 children at a time
 *        t_fork bomb       fork until the table is full (-EAGAIN), reap all
 *        t_fork cowrace N  N children write a shared 256 KiB buffer at once
 *        t_fork orphans N  N children each leave a grandchild behind
 *        t_fork vforkhold  a vfork child that sleeps 1.5 s (for a kill from the shell) */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "t_check.h"

#define CLONE_VM             0x00000100
#define CLONE_SIGHAND        0x00000800
#define CLONE_VFORK          0x00004000
#define CLONE_THREAD         0x00010000
#define CLONE_SETTLS         0x00080000
#define CLONE_PARENT_SETTID  0x00100000
#define CLONE_CHILD_CLEARTID 0x00200000
#define CLONE_CHILD_SETTID   0x01000000

static volatile int shared_word = 1;
static unsigned char big[64 * 4096];

static void sleep_ms(long ms) {
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
    nanosleep(&ts, 0);
}

/* The exit code of pid, or -1 (and a FAIL) if it did not exit normally. */
static int reap(pid_t pid) {
    int st = 0;
    pid_t r = waitpid(pid, &st, 0);
    if (r != pid || !WIFEXITED(st)) {
        printf("FAIL reap %d: waitpid=%d errno=%d status=%#x\n", pid, r, errno, st);
        failures++;
        return -1;
    }
    return WEXITSTATUS(st);
}

/* clone(CLONE_VM | CLONE_VFORK | SIGCHLD, stack): the child runs on the given
 * stack and exits 42 when rsp is exactly that stack, 43 otherwise. */
static long clone_vfork_on(void *stack_top) {
    long r;
    register long r10 __asm__("r10") = 0;
    register long r8 __asm__("r8") = 0;
    __asm__ volatile("syscall\n\t"
                     "test %%rax, %%rax\n\t"
                     "jnz 1f\n\t"
                     "mov $42, %%edi\n\t"
                     "cmp %%rsi, %%rsp\n\t"
                     "je 2f\n\t"
                     "mov $43, %%edi\n"
                     "2:\n\t"
                     "mov $60, %%eax\n\t"
                     "syscall\n\t"
                     "ud2\n"
                     "1:"
                     : "=a"(r)
                     : "a"(SYS_clone), "D"((long)(CLONE_VM | CLONE_VFORK | SIGCHLD)), "S"(stack_top), "d"(0L),
                       "r"(r10), "r"(r8)
                     : "rcx", "r11", "memory");
    return r;
}

/* A clone that must be refused: a child that appears anyway exits 99. */
static void refused(const char *what, long flags, void *stack) {
    long r = syscall(SYS_clone, flags, stack, 0, 0, 0);
    if (r == 0) _exit(99);
    int e = errno;
    if (r > 0) waitpid((pid_t)r, 0, 0);
    CHECK(what, r == -1 && e == EINVAL, "r=%ld errno=%d", r, e);
}

static void functional(void) {
    pid_t me = getpid();
    /* COW: both sides write the same word and the same pages. */
    memset(big, 0x11, sizeof big);
    shared_word = 1;
    pid_t c = fork();
    if (c == 0) {
        int ok = getppid() == me && getpid() != me && syscall(SYS_gettid) == getpid();
        shared_word = 2;
        memset(big, 0x22, sizeof big);
        sleep_ms(30); /* the parent writes meanwhile */
        for (size_t i = 0; i < sizeof big; i += 512) ok &= big[i] == 0x22;
        _exit(ok && shared_word == 2 ? 0 : 1);
    }
    CHECK("fork returns the child's pid", c > 0 && c != me, "c=%d", c);
    shared_word = 3;
    memset(big, 0x33, sizeof big);
    CHECK("child saw its own copy (and the right ids)", reap(c) == 0, "status");
    int ok = shared_word == 3;
    for (size_t i = 0; i < sizeof big; i += 512) ok &= big[i] == 0x33;
    CHECK("parent kept its own copy", ok, "word=%d", shared_word);

    /* mmap'd memory is copied too; the child's munmap is its own. */
    unsigned char *m = mmap(0, 8 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK("mmap before fork", m != MAP_FAILED, "errno=%d", errno);
    if (m != MAP_FAILED) {
        memset(m, 0x44, 8 * 4096);
        c = fork();
        if (c == 0) {
            int good = m[0] == 0x44 && m[8 * 4096 - 1] == 0x44;
            memset(m, 0x55, 8 * 4096);
            good &= munmap(m, 8 * 4096) == 0;
            _exit(good ? 0 : 1);
        }
        CHECK("the child sees, writes and unmaps its copy of a mapping", reap(c) == 0, "status");
        ok = 1;
        for (int i = 0; i < 8 * 4096; i += 256) ok &= m[i] == 0x44;
        CHECK("the parent's mapping is untouched", ok, "m[0]=%#x", m[0]);
        munmap(m, 8 * 4096);
    }

    /* vfork blocks the parent until the child exits. */
    c = vfork();
    if (c == 0) {
        sleep_ms(50);
        _exit(7);
    }
    int st = 0;
    pid_t r = waitpid(c, &st, WNOHANG);
    CHECK("vfork parent resumed only after the child exited", r == c && WIFEXITED(st) && WEXITSTATUS(st) == 7,
          "r=%d st=%#x", r, st);

    /* The posix_spawn clone: the child starts on the stack it was given. */
    static unsigned char stack[16384] __attribute__((aligned(16)));
    long cr = clone_vfork_on(stack + sizeof stack);
    CHECK("clone(VM|VFORK) runs the child on its stack", cr > 0 && reap((pid_t)cr) == 42, "cr=%ld", cr);

    /* posix_spawn (musl: the clone above, a CLOEXEC pipe for the exec error).
     * It needs pipe2, which comes with the signals and pipes work: until
     * then it reports ENOSYS, and the check says it was skipped. */
    char *sargv[] = { "t_fork", "exit7", 0 };
    pid_t sp;
    int se = posix_spawn(&sp, "/bin/t_fork", 0, 0, sargv, 0);
    if (se == ENOSYS) {
        printf("skip posix_spawn: no pipe2 yet\n");
    } else {
        CHECK("posix_spawn runs the program", se == 0 && reap(sp) == 7, "err=%d", se);
        se = posix_spawn(&sp, "/bin/no_such_program", 0, 0, sargv, 0);
        CHECK("posix_spawn of a missing program: ENOENT", se == ENOENT, "err=%d", se);
        if (se == 0) reap(sp);
    }

    /* glibc's fork: CHILD_SETTID writes the child's tid into the child. */
    static volatile int ctid = -1, ptid = -1;
    r = (pid_t)syscall(SYS_clone, CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | CLONE_PARENT_SETTID | SIGCHLD, 0,
                       &ptid, &ctid, 0);
    if (r == 0) _exit(ctid == getpid() ? 0 : 1);
    CHECK("clone CHILD_SETTID in the child", r > 0 && reap(r) == 0, "r=%d", r);
    CHECK("clone PARENT_SETTID in the parent", ptid == r && ctid == -1, "ptid=%d ctid=%d r=%d", ptid, ctid, r);

    refused("CLONE_THREAD refused", CLONE_VM | CLONE_SIGHAND | CLONE_THREAD | SIGCHLD, stack + sizeof stack);
    refused("CLONE_VM without VFORK refused", CLONE_VM | SIGCHLD, stack + sizeof stack);
    refused("CLONE_SIGHAND refused", CLONE_SIGHAND | SIGCHLD, 0);
    refused("CLONE_SETTLS refused", CLONE_SETTLS | SIGCHLD, 0);
    refused("CLONE_VM|VFORK without a stack refused", CLONE_VM | CLONE_VFORK | SIGCHLD, 0);
    refused("an exit signal other than SIGCHLD refused", SIGUSR1, 0);
    errno = 0;
    long c3 = syscall(435, 0, 0);
    CHECK("clone3 is ENOSYS", c3 == -1 && errno == ENOSYS, "r=%ld errno=%d", c3, errno);

    /* Many forks and waits, status by status. */
    int bad = 0;
    for (int i = 0; i < 100; i++) {
        c = fork();
        if (c == 0) _exit(i & 0xff);
        if (c < 0 || reap(c) != (i & 0xff)) bad++;
    }
    CHECK("100 fork/exit/wait rounds", bad == 0, "bad=%d", bad);
}

static int storm(int rounds) {
    for (int n = 0; n < rounds; n++) {
        pid_t kids[20];
        for (int i = 0; i < 20; i++) {
            kids[i] = fork();
            if (kids[i] == 0) {
                big[i * 4096] = (unsigned char)i; /* one COW copy each */
                _exit(i);
            }
            if (kids[i] < 0) { printf("FAIL storm fork errno=%d\n", errno); return 1; }
        }
        for (int i = 0; i < 20; i++)
            if (reap(kids[i]) != i) return 1;
    }
    printf("storm: %d rounds ok\n", rounds);
    return 0;
}

static int bomb(void) {
    int made = 0, eagain = 0;
    for (int i = 0; i < 1000; i++) {
        pid_t c = fork();
        if (c == 0) {
            pid_t g = fork(); /* the table is (nearly) full: most of these fail */
            if (g == 0) _exit(0);
            sleep_ms(300);
            _exit(g < 0 && errno != EAGAIN ? 1 : 0);
        }
        if (c < 0) {
            eagain = errno == EAGAIN;
            break;
        }
        made++;
    }
    int bad = 0, st;
    pid_t r;
    while ((r = wait(&st)) > 0)
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) bad++;
    CHECK("fork bomb ends in EAGAIN", eagain && made > 10, "made=%d", made);
    CHECK("every bomb child reaped cleanly", bad == 0 && errno == ECHILD, "bad=%d errno=%d", bad, errno);
    printf("bomb: %d children\n", made);
    return failures;
}

static int cowrace(int n) {
    memset(big, 0x5a, sizeof big);
    for (int i = 0; i < n; i++) {
        pid_t c = fork();
        if (c == 0) {
            int ok = 1;
            for (int round = 0; round < 4; round++) {
                for (size_t j = 0; j < sizeof big; j += 64) big[j] = (unsigned char)(i + round);
                sched_yield();
                for (size_t j = 0; j < sizeof big; j += 64) ok &= big[j] == (unsigned char)(i + round);
            }
            _exit(ok ? 0 : 1);
        }
        if (c < 0) { printf("FAIL cowrace fork errno=%d\n", errno); return 1; }
    }
    for (size_t j = 0; j < sizeof big; j += 64) big[j] = 0xa5; /* the parent races too */
    int bad = 0, st;
    while (wait(&st) > 0)
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) bad++;
    int ok = 1;
    for (size_t j = 0; j < sizeof big; j += 64) ok &= big[j] == 0xa5;
    CHECK("cowrace: every child saw only its own writes", bad == 0, "bad=%d", bad);
    CHECK("cowrace: the parent saw only its own", ok, "mismatch");
    return failures;
}

static int orphans(int n) {
    for (int i = 0; i < n; i++) {
        pid_t c = fork();
        if (c == 0) {
            pid_t g = fork();
            if (g == 0) {
                pid_t first = getppid();
                for (int t = 0; t < 200 && getppid() == first; t++) sleep_ms(5);
                _exit(getppid() == 1 ? 0 : 1); /* adopted by the kernel */
            }
            _exit(g > 0 ? 0 : 1);
        }
        if (c < 0 || reap(c) != 0) { printf("FAIL orphans: child %d\n", i); return 1; }
    }
    printf("orphans: %d left behind\n", n);
    return 0;
}

static int vforkhold(void) {
    pid_t c = vfork();
    if (c == 0) {
        sleep_ms(1500);
        _exit(0);
    }
    printf("vforkhold: resumed\n");
    int st = -1;
    pid_t r = waitpid(c, &st, 0);
    printf("vforkhold: child %d status %#x\n", r, st);
    return 0;
}

int main(int argc, char **argv) {
    check_init();
    if (argc == 2 && strcmp(argv[1], "vforkhold") == 0) return vforkhold();
    if (argc == 2 && strcmp(argv[1], "exit7") == 0) return 7;
    if (argc == 3 && strcmp(argv[1], "storm") == 0) return storm(atoi(argv[2]));
    if (argc == 2 && strcmp(argv[1], "bomb") == 0) return bomb();
    if (argc == 3 && strcmp(argv[1], "cowrace") == 0) return cowrace(atoi(argv[2]));
    if (argc == 3 && strcmp(argv[1], "orphans") == 0) return orphans(atoi(argv[2]));
    functional();
    return check_done("t_fork");
}
