/* t_wait: wait4's selectors and status encoding, process groups and
 * sessions under the Linux personality.
 * Usage: t_wait          the checks
 *        t_wait nap      (internal) sleeps 200 ms and exits 0 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "t_check.h"

static void sleep_ms(long ms) {
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
    nanosleep(&ts, 0);
}

static pid_t child_exiting(int code, long delay_ms) {
    pid_t c = fork();
    if (c == 0) {
        if (delay_ms) sleep_ms(delay_ms);
        _exit(code);
    }
    return c;
}

static void crash(int how) {
    switch (how) {
    case 0: *(volatile int *)0 = 1; break;               /* #PF */
    case 1: __asm__ volatile("ud2"); break;               /* #UD */
    case 2: __asm__ volatile("int3"); break;              /* #BP */
    case 3: __asm__ volatile("xor %%ecx, %%ecx\n\tdiv %%ecx" ::: "eax", "ecx", "edx"); break; /* #DE */
    case 4: __asm__ volatile("hlt"); break;               /* #GP in ring 3 */
    }
    _exit(0);
}

static void statuses(void) {
    static const int codes[] = { 0, 1, 42, 255 };
    for (unsigned i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        pid_t c = child_exiting(codes[i], 0);
        int st = -1;
        pid_t r = waitpid(c, &st, 0);
        char what[48];
        snprintf(what, sizeof what, "exit %d: WEXITSTATUS", codes[i]);
        CHECK(what, r == c && WIFEXITED(st) && WEXITSTATUS(st) == codes[i] && st == codes[i] << 8,
              "r=%d st=%#x", r, st);
    }
    static const int sigs[] = { 11, 4, 5, 8, 11 };
    for (int how = 0; how < 5; how++) {
        pid_t c = fork();
        if (c == 0) crash(how);
        int st = -1;
        pid_t r = waitpid(c, &st, 0);
        char what[48];
        snprintf(what, sizeof what, "crash %d: WTERMSIG %d", how, sigs[how]);
        CHECK(what, r == c && WIFSIGNALED(st) && WTERMSIG(st) == sigs[how] && st == sigs[how], "r=%d st=%#x", r,
              st);
    }
}

static void options(void) {
    pid_t c = child_exiting(9, 100);
    int st = -1;
    CHECK("WNOHANG on a running child returns 0", waitpid(c, &st, WNOHANG) == 0, "errno=%d", errno);
    CHECK("WUNTRACED accepted", waitpid(c, &st, WUNTRACED) == c && WEXITSTATUS(st) == 9, "st=%#x", st);
    errno = 0;
    CHECK("no children: ECHILD", waitpid(-1, &st, 0) == -1 && errno == ECHILD, "errno=%d", errno);
    errno = 0;
    CHECK("not my child: ECHILD", waitpid(1, &st, 0) == -1 && errno == ECHILD, "errno=%d", errno);
    errno = 0;
    CHECK("bad options: EINVAL", waitpid(-1, &st, 0x100) == -1 && errno == EINVAL, "errno=%d", errno);
    c = child_exiting(3, 0);
    errno = 0;
    CHECK("bad status pointer: EFAULT, child kept", waitpid(c, (int *)8, 0) == -1 && errno == EFAULT,
          "errno=%d", errno);
    struct rusage ru;
    memset(&ru, 0xff, sizeof ru);
    long r = syscall(SYS_wait4, c, &st, 0, &ru);
    static const struct rusage zero;
    /* The kernel's struct rusage is 144 bytes; musl's adds reserved words. */
    CHECK("wait4 fills rusage with zeros", r == c && WEXITSTATUS(st) == 3 && memcmp(&ru, &zero, 144) == 0,
          "r=%ld st=%#x", r, st);
}

static void groups(void) {
    pid_t me = getpid();
    CHECK("started by the kernel: own session and group", getpgrp() == me && getsid(0) == me && getpgid(0) == me,
          "pgrp=%d sid=%d", getpgrp(), getsid(0));
    errno = 0;
    CHECK("a session leader cannot setsid: EPERM", setsid() == -1 && errno == EPERM, "errno=%d", errno);
    errno = 0;
    CHECK("setpgid negative pgid: EINVAL", setpgid(0, -1) == -1 && errno == EINVAL, "errno=%d", errno);
    errno = 0;
    CHECK("setpgid on a stranger: ESRCH", setpgid(1, 0) == -1 && errno == ESRCH, "errno=%d", errno);
    errno = 0;
    CHECK("getpgid of nobody: ESRCH", getpgid(99999) == -1 && errno == ESRCH, "errno=%d", errno);

    /* A in a group of its own, B in ours: wait(0) and wait(-pgid) pick them. */
    pid_t a = fork();
    if (a == 0) {
        setpgid(0, 0);
        sleep_ms(100);
        _exit(getpgrp() == getpid() && getppid() == me ? 3 : 30);
    }
    int r = setpgid(a, a); /* both sides, as shells do: no race */
    CHECK("setpgid on a child", r == 0 && getpgid(a) == a, "r=%d errno=%d", r, errno);
    pid_t b = child_exiting(4, 0);
    CHECK("a child inherits the group and session", getpgid(b) == me && getsid(b) == me, "pgid=%d", getpgid(b));
    int st = -1;
    CHECK("waitpid(0) takes a child of my group", waitpid(0, &st, 0) == b && WEXITSTATUS(st) == 4, "st=%#x", st);
    errno = 0;
    CHECK("waitpid(0) ignores other groups: ECHILD", waitpid(0, &st, WNOHANG) == -1 && errno == ECHILD,
          "errno=%d", errno);
    CHECK("waitpid(-pgid) takes that group", waitpid(-a, &st, 0) == a && WEXITSTATUS(st) == 3, "st=%#x", st);
    errno = 0;
    CHECK("setpgid to a group that does not exist: EPERM", setpgid(0, 99999) == -1 && errno == EPERM,
          "errno=%d", errno);

    /* A child that starts a session: out of reach of the parent's setpgid. */
    pid_t s = fork();
    if (s == 0) {
        pid_t sid = setsid();
        int ok = sid == getpid() && getsid(0) == sid && getpgrp() == sid;
        sleep_ms(100);
        _exit(ok ? 0 : 1);
    }
    sleep_ms(30);
    errno = 0;
    r = setpgid(s, s);
    CHECK("setpgid on a child in another session: EPERM", r == -1 && errno == EPERM, "r=%d errno=%d", r, errno);
    CHECK("setsid in a child", waitpid(s, &st, 0) == s && WIFEXITED(st) && WEXITSTATUS(st) == 0, "st=%#x", st);

    /* A child past execve is out of reach of setpgid too. */
    pid_t e = fork();
    if (e == 0) {
        char *nap[] = { "t_wait", "nap", 0 };
        execve("/bin/t_wait", nap, 0);
        _exit(1);
    }
    sleep_ms(50);
    errno = 0;
    r = setpgid(e, e);
    CHECK("setpgid on a child that exec'd: EACCES", r == -1 && errno == EACCES, "r=%d errno=%d", r, errno);
    CHECK("the exec'd child ends well", waitpid(e, &st, 0) == e && WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "st=%#x", st);
}

/* A child leaves a grandchild behind: the grandchild is adopted by the
 * kernel (getppid 1) and reaped by it; the parent cannot wait for it. */
static void orphan(void) {
    pid_t c = fork();
    if (c == 0) {
        pid_t g = fork();
        if (g == 0) {
            for (int t = 0; t < 200 && getppid() != 1; t++) sleep_ms(5);
            printf("orphan: ppid=%d\n", getppid());
            _exit(0);
        }
        _exit(g > 0 ? 0 : 1);
    }
    int st = -1;
    CHECK("orphan's parent exits", waitpid(c, &st, 0) == c && WEXITSTATUS(st) == 0, "st=%#x", st);
    errno = 0;
    CHECK("the grandchild is nobody's child here", waitpid(-1, &st, 0) == -1 && errno == ECHILD, "errno=%d", errno);
    sleep_ms(200);
}

int main(int argc, char **argv) {
    check_init();
    if (argc == 2 && strcmp(argv[1], "nap") == 0) {
        sleep_ms(200);
        return 0;
    }
    statuses();
    options();
    groups();
    orphan();
    return check_done("t_wait");
}
