/* t_poll: poll, ppoll, select and pselect6 from a musl program, on pipes and
 * /dev nodes. Prints "ok <what>" or "FAIL <what>: ..." per check, then
 * "t_poll: N failed"; lines starting with "info:" carry measured times and
 * are not compared. The rest is the same on Linux
 * (tests/qemu/test_linux_jobs.py diffs them).
 *
 * Usage: t_poll            the checks
 *        t_poll attack     hostile arguments (SECoS's bounds: nfds above the
 *                          descriptor table, kernel and unmapped pointers)
 *        t_poll stdin      polls fd 0 (nothing ready yet, then up to 30 s for
 *                          a line) and prints what it got
 *        t_poll --help     this text */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "t_check.h"

static long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms) {
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}

static int poll1(int fd, short events, int timeout, short *revents) {
    struct pollfd p = { fd, events, 0 };
    int r = poll(&p, 1, timeout);
    *revents = p.revents;
    return r;
}

static void pipes(void) {
    int p[2];
    if (pipe(p)) { CHECK("pipe", 0, "errno=%d", errno); return; }
    short rev = 0;
    int r = poll1(p[0], POLLIN, 0, &rev);
    CHECK("an empty pipe is not readable", r == 0 && rev == 0, "r=%d revents=%#x", r, rev);
    r = poll1(p[1], POLLOUT, 0, &rev);
    CHECK("an empty pipe is writable", r == 1 && rev == POLLOUT, "r=%d revents=%#x", r, rev);
    (void)!write(p[1], "a", 1);
    r = poll1(p[0], POLLIN | POLLRDNORM, 0, &rev);
    CHECK("readable after a write (POLLIN|POLLRDNORM)", r == 1 && rev == (POLLIN | POLLRDNORM), "r=%d revents=%#x",
          r, rev);
    char c;
    (void)!read(p[0], &c, 1);

    /* Full: writes of PIPE_BUF until EAGAIN; one PIPE_BUF read makes room. */
    fcntl(p[1], F_SETFL, O_NONBLOCK);
    static char block[4096];
    int writes = 0;
    while (write(p[1], block, sizeof block) == (ssize_t)sizeof block) writes++;
    CHECK("the pipe holds 64 KiB", writes == 16, "%d writes", writes);
    r = poll1(p[1], POLLOUT, 0, &rev);
    CHECK("a full pipe is not writable", r == 0 && rev == 0, "r=%d revents=%#x", r, rev);
    (void)!read(p[0], block, sizeof block);
    r = poll1(p[1], POLLOUT | POLLWRNORM, 0, &rev);
    CHECK("writable again after a PIPE_BUF read", r == 1 && rev == (POLLOUT | POLLWRNORM), "r=%d revents=%#x", r,
          rev);

    /* The writer goes: POLLHUP, with POLLIN while data remains. */
    close(p[1]);
    r = poll1(p[0], POLLIN, 0, &rev);
    CHECK("writer closed, data left: POLLIN|POLLHUP", r == 1 && rev == (POLLIN | POLLHUP), "revents=%#x", rev);
    while (read(p[0], block, sizeof block) > 0) {
    }
    r = poll1(p[0], POLLIN, 0, &rev);
    CHECK("writer closed, drained: POLLHUP alone", r == 1 && rev == POLLHUP, "revents=%#x", rev);
    r = poll1(p[0], 0, 0, &rev);
    CHECK("POLLHUP even when not asked for", r == 1 && rev == POLLHUP, "revents=%#x", rev);
    close(p[0]);

    /* The reader goes: POLLERR on the write end. */
    if (pipe(p)) return;
    close(p[0]);
    r = poll1(p[1], POLLOUT, 0, &rev);
    CHECK("reader closed: POLLOUT|POLLERR", r == 1 && rev == (POLLOUT | POLLERR), "revents=%#x", rev);
    close(p[1]);

    r = poll1(p[1], POLLIN, 0, &rev);
    CHECK("a closed descriptor: POLLNVAL", r == 1 && rev == POLLNVAL, "r=%d revents=%#x", r, rev);
    r = poll1(-1, POLLIN, 0, &rev);
    CHECK("a negative fd is ignored", r == 0 && rev == 0, "r=%d revents=%#x", r, rev);
    int fd = open("/dev/null", O_RDWR);
    r = poll1(fd, POLLIN | POLLOUT, 0, &rev);
    CHECK("/dev/null is always ready", r == 1 && rev == (POLLIN | POLLOUT), "r=%d revents=%#x", r, rev);
    close(fd);
}

static void timeouts(void) {
    int p[2];
    if (pipe(p)) return;
    short rev;
    long t0 = now_ms();
    int r = poll1(p[0], POLLIN, 100, &rev);
    long t = now_ms() - t0;
    CHECK("poll times out with 0", r == 0 && rev == 0, "r=%d", r);
    CHECK("poll waited at least its timeout", t >= 95, "%ld ms", t);
    printf("info: poll 100 ms took %ld ms\n", t);

    struct timespec ts = { 0, 60 * 1000000L };
    struct pollfd pf = { p[0], POLLIN, 0 };
    t0 = now_ms();
    r = ppoll(&pf, 1, &ts, 0);
    t = now_ms() - t0;
    CHECK("ppoll times out with 0", r == 0, "r=%d", r);
    CHECK("ppoll waited at least its timeout", t >= 55, "%ld ms", t);
    printf("info: ppoll 60 ms took %ld ms\n", t);

    fd_set rd;
    FD_ZERO(&rd);
    FD_SET(p[0], &rd);
    struct timeval tv = { 0, 70000 };
    t0 = now_ms();
    r = select(p[0] + 1, &rd, 0, 0, &tv);
    t = now_ms() - t0;
    CHECK("select times out with 0 and an empty set", r == 0 && !FD_ISSET(p[0], &rd), "r=%d", r);
    CHECK("select waited at least its timeout", t >= 65, "%ld ms", t);
    printf("info: select 70 ms took %ld ms\n", t);

    /* A writer 50 ms later wakes a poll that would wait forever. */
    pid_t c = fork();
    if (c == 0) {
        sleep_ms(50);
        (void)!write(p[1], "w", 1);
        _exit(0);
    }
    r = poll1(p[0], POLLIN, -1, &rev);
    CHECK("a write wakes poll(-1)", r == 1 && rev == POLLIN, "r=%d revents=%#x", r, rev);
    waitpid(c, 0, 0);
    close(p[0]);
    close(p[1]);
}

static void selects(void) {
    int a[2], b[2];
    if (pipe(a) || pipe(b)) return;
    (void)!write(a[1], "x", 1);
    fd_set rd, wr;
    FD_ZERO(&rd);
    FD_ZERO(&wr);
    FD_SET(a[0], &rd);
    FD_SET(b[0], &rd);
    FD_SET(b[1], &wr);
    int n = (a[0] > b[1] ? a[0] : b[1]) + 1;
    struct timeval tv = { 1, 0 };
    int r = select(n, &rd, &wr, 0, &tv);
    CHECK("select: one readable, one writable", r == 2 && FD_ISSET(a[0], &rd) && !FD_ISSET(b[0], &rd) &&
          FD_ISSET(b[1], &wr), "r=%d", r);
    FD_ZERO(&rd);
    FD_SET(b[0], &rd);
    close(b[1]);
    r = select(n, &rd, 0, 0, &tv);
    CHECK("select: a pipe without writers is readable (EOF)", r == 1 && FD_ISSET(b[0], &rd), "r=%d", r);
    close(b[0]);
    FD_ZERO(&rd);
    FD_SET(b[0], &rd);
    errno = 0;
    r = select(n, &rd, 0, 0, &tv);
    CHECK("select on a closed descriptor: EBADF", r == -1 && errno == EBADF, "r=%d errno=%d", r, errno);
    errno = 0;
    r = select(-1, 0, 0, 0, &tv);
    CHECK("select nfds < 0: EINVAL", r == -1 && errno == EINVAL, "r=%d errno=%d", r, errno);
    struct timeval bad = { 0, -1 };
    errno = 0;
    r = select(0, 0, 0, 0, &bad);
    CHECK("select with a negative timeout: EINVAL", r == -1 && errno == EINVAL, "r=%d errno=%d", r, errno);
    struct timeval zero = { 0, 0 };
    r = select(0, 0, 0, 0, &zero);
    CHECK("select with nothing and 0: 0", r == 0, "r=%d", r);

    sigset_t none;
    sigemptyset(&none);
    FD_ZERO(&rd);
    FD_SET(a[0], &rd);
    struct timespec ts = { 1, 0 };
    r = pselect(a[0] + 1, &rd, 0, 0, &ts, &none);
    CHECK("pselect: readable", r == 1 && FD_ISSET(a[0], &rd), "r=%d", r);
    close(a[0]);
    close(a[1]);
}

static volatile int usr1;
static void on_usr1(int sig) { (void)sig; usr1++; }

static int usr1_blocked(void) {
    sigset_t s;
    sigprocmask(SIG_BLOCK, 0, &s);
    return sigismember(&s, SIGUSR1);
}

static void masks_and_signals(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1; /* no SA_RESTART: an interrupted poll returns EINTR */
    sigaction(SIGUSR1, &sa, 0);
    sigset_t blk, none;
    sigemptyset(&blk);
    sigaddset(&blk, SIGUSR1);
    sigemptyset(&none);

    /* Pending and blocked; ppoll's mask lets it in: EINTR after the handler,
     * and the old mask is back. */
    sigprocmask(SIG_BLOCK, &blk, 0);
    raise(SIGUSR1);
    usr1 = 0;
    struct timespec ts = { 2, 0 };
    errno = 0;
    int r = ppoll(0, 0, &ts, &none);
    CHECK("ppoll's mask admits a pending signal: EINTR", r == -1 && errno == EINTR && usr1 == 1, "r=%d errno=%d usr1=%d",
          r, errno, usr1);
    CHECK("ppoll put the old mask back", usr1_blocked(), "SIGUSR1 not blocked");
    sigprocmask(SIG_UNBLOCK, &blk, 0);

    /* ppoll's mask keeps one out for the wait (a signal that came before
     * the call ran its handler already: that passes too, never falsely
     * fails); the write then ends the wait, and the signal is delivered as
     * the call returns. */
    int p[2];
    if (pipe(p)) return;
    pid_t me = getpid();
    usr1 = 0;
    pid_t c = fork();
    if (c == 0) {
        sleep_ms(30);
        kill(me, SIGUSR1);
        sleep_ms(30);
        (void)!write(p[1], "w", 1);
        _exit(0);
    }
    struct pollfd pf = { p[0], POLLIN, 0 };
    r = ppoll(&pf, 1, 0, &blk);
    CHECK("a signal ppoll's mask blocks does not interrupt it", r == 1 && pf.revents == POLLIN, "r=%d errno=%d", r,
          errno);
    CHECK("it is delivered as the call returns", usr1 == 1 && !usr1_blocked(), "usr1=%d", usr1);
    waitpid(c, 0, 0);
    char b;
    (void)!read(p[0], &b, 1);

    /* EINTR from poll(-1) and select(NULL) when a handler runs: the child
     * signals until it is killed, so the wait is interrupted whenever it
     * starts. */
    for (int which = 0; which < 2; which++) {
        usr1 = 0;
        c = fork();
        if (c == 0) {
            for (;;) {
                sleep_ms(30);
                kill(me, SIGUSR1);
            }
        }
        errno = 0;
        if (which == 0) {
            r = poll(&pf, 1, -1);
        } else {
            fd_set rd;
            FD_ZERO(&rd);
            FD_SET(p[0], &rd);
            r = select(p[0] + 1, &rd, 0, 0, 0);
        }
        int e = errno;
        CHECK(which ? "select interrupted by a handler: EINTR" : "poll interrupted by a handler: EINTR",
              r == -1 && e == EINTR && usr1 >= 1, "r=%d errno=%d usr1=%d", r, e, usr1);
        kill(c, SIGKILL);
        waitpid(c, 0, 0);
    }
    close(p[0]);
    close(p[1]);
    signal(SIGUSR1, SIG_DFL);
}

/* Raw calls, so that libc does not check or copy anything first. */
static long sys(long nr, long a, long b, long c, long d, long e, long f) { return syscall(nr, a, b, c, d, e, f); }

static int attack(void) {
    struct pollfd pf[2] = { { 0, POLLIN, 0 }, { 1, POLLOUT, 0 } };
    long r;
    r = sys(SYS_poll, (long)pf, 1L << 31, 0, 0, 0, 0);
    CHECK("poll nfds 2^31: EINVAL", r == -1 && errno == EINVAL, "r=%ld errno=%d", r, errno);
    r = sys(SYS_poll, (long)pf, 257, 0, 0, 0, 0);
    CHECK("poll nfds above the descriptor table: EINVAL", r == -1 && errno == EINVAL, "r=%ld errno=%d", r, errno);
    r = sys(SYS_poll, (long)0xffff800000000000UL, 1, 0, 0, 0, 0);
    CHECK("poll fds in the kernel half: EFAULT", r == -1 && errno == EFAULT, "r=%ld errno=%d", r, errno);
    r = sys(SYS_poll, (long)0x00007ffffffffffcUL, 2, 0, 0, 0, 0);
    CHECK("poll fds crossing into the kernel half: EFAULT", r == -1 && errno == EFAULT, "r=%ld errno=%d", r, errno);
    r = sys(SYS_poll, 0x10000, 4, 0, 0, 0, 0);
    CHECK("poll fds unmapped: EFAULT", r == -1 && errno == EFAULT, "r=%ld errno=%d", r, errno);
    static const struct pollfd ro = { 1, POLLOUT, 0 };
    r = sys(SYS_poll, (long)&ro, 1, 0, 0, 0, 0);
    CHECK("poll fds read-only (revents cannot be written): EFAULT", r == -1 && errno == EFAULT, "r=%ld errno=%d", r,
          errno);
    static struct pollfd many[256];
    for (int i = 0; i < 256; i++) many[i] = (struct pollfd){ -1, POLLIN, 0 };
    r = sys(SYS_poll, (long)many, 256, 0, 0, 0, 0);
    CHECK("poll over the whole table, all ignored: 0", r == 0, "r=%ld errno=%d", r, errno);
    for (int i = 0; i < 256; i++) many[i] = (struct pollfd){ 1000 + i, POLLIN, 0 };
    r = sys(SYS_poll, (long)many, 256, -1, 0, 0, 0);
    CHECK("256 descriptors that do not exist: 256 POLLNVAL", r == 256 && many[255].revents == POLLNVAL, "r=%ld", r);

    fd_set all;
    memset(&all, 0xff, sizeof all);
    r = sys(SYS_select, 1025, 0, 0, 0, 0, 0);
    CHECK("select nfds 1025: EINVAL", r == -1 && errno == EINVAL, "r=%ld errno=%d", r, errno);
    r = sys(SYS_select, 0x7fffffff, (long)&all, 0, 0, 0, 0);
    CHECK("select nfds INT_MAX: EINVAL", r == -1 && errno == EINVAL, "r=%ld errno=%d", r, errno);
    r = sys(SYS_select, 1024, (long)&all, 0, 0, 0, 0);
    CHECK("select of 1024 set bits, few open: EBADF (bounded by the table)", r == -1 && errno == EBADF, "r=%ld errno=%d",
          r, errno);
    r = sys(SYS_select, 64, (long)0xffffffff80100000UL, 0, 0, 0, 0);
    CHECK("select set in the kernel image: EFAULT", r == -1 && errno == EFAULT, "r=%ld errno=%d", r, errno);
    struct timeval tv = { 0, 0 };
    r = sys(SYS_select, 64, 0, 0, 0, (long)0xffff800000001000UL, 0);
    CHECK("select timeout in the physmap: EFAULT", r == -1 && errno == EFAULT, "r=%ld errno=%d", r, errno);
    r = sys(SYS_select, 0, 0, 0, 0, (long)&tv, 0);
    CHECK("select with nothing: 0", r == 0, "r=%ld", r);

    struct timespec bad = { 0, 1000000000L }, neg = { -1, 0 }, zero = { 0, 0 };
    uint64_t mask = 0;
    r = sys(SYS_ppoll, (long)pf, 1, (long)&bad, 0, 8, 0);
    CHECK("ppoll tv_nsec 1e9: EINVAL", r == -1 && errno == EINVAL, "r=%ld errno=%d", r, errno);
    r = sys(SYS_ppoll, (long)pf, 1, (long)&neg, 0, 8, 0);
    CHECK("ppoll negative timeout: EINVAL", r == -1 && errno == EINVAL, "r=%ld errno=%d", r, errno);
    r = sys(SYS_ppoll, (long)pf, 1, (long)&zero, (long)&mask, 4, 0);
    CHECK("ppoll sigsetsize 4: EINVAL", r == -1 && errno == EINVAL, "r=%ld errno=%d", r, errno);
    r = sys(SYS_ppoll, (long)pf, 1, (long)&zero, 0x10000, 8, 0);
    CHECK("ppoll mask unmapped: EFAULT", r == -1 && errno == EFAULT, "r=%ld errno=%d", r, errno);
    r = sys(SYS_pselect6, 1, 0, 0, 0, (long)&zero, (long)0xffff800000000000UL);
    CHECK("pselect6 sigmask argument in the kernel half: EFAULT", r == -1 && errno == EFAULT, "r=%ld errno=%d", r,
          errno);
    /* A mask that tries to block SIGKILL: still killable (the test's parent kills us). */
    mask = ~0ULL;
    r = sys(SYS_ppoll, (long)pf, 0, (long)&zero, (long)&mask, 8, 0);
    CHECK("ppoll with every signal in its mask: 0", r == 0, "r=%ld errno=%d", r, errno);
    return check_done("t_poll attack");
}

int main(int argc, char **argv) {
    check_init();
    if (argc == 2 && strcmp(argv[1], "attack") == 0) return attack();
    if (argc == 2 && strcmp(argv[1], "stdin") == 0) {
        short rev;
        int r0 = poll1(0, POLLIN, 0, &rev);
        printf("stdin before: r=%d revents=%#x\n", r0, rev);
        int r = poll1(0, POLLIN, 30000, &rev);
        char line[64] = { 0 };
        ssize_t n = r == 1 ? read(0, line, sizeof line - 1) : -1;
        printf("stdin: r=%d revents=%#x read %zd bytes '%.*s'\n", r, rev, n, n > 0 ? (int)strcspn(line, "\r\n") : 0,
               line);
        return r == 1 && r0 == 0 ? 0 : 1;
    }
    if (argc != 1) {
        fprintf(stderr, "usage: t_poll [attack | stdin]\n");
        return 2;
    }
    pipes();
    timeouts();
    selects();
    masks_and_signals();
    return check_done("t_poll");
}
