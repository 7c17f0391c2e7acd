/* t_jobs: job control from a musl program: stop and continue, wait4's
 * WUNTRACED / WCONTINUED, waitid, SIGCHLD's codes, orphaned groups. Prints
 * "ok <what>" or "FAIL <what>: ..." per check, then "t_jobs: N failed"; the
 * output is the same on Linux (tests/qemu/test_linux_jobs.py diffs them).
 *
 * Usage: t_jobs                the checks
 *        t_jobs storm <n>      n stop/continue rounds against a child, then
 *                              everything sent to a stopped one
 *        t_jobs stopme         prints "stopping", stops itself, prints "resumed"
 *        t_jobs --help         this text */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include "t_check.h"

static void sleep_ms(long ms) {
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}

/* waitpid, again after an interruption by a SIGCHLD handler. */
static pid_t wait_on(pid_t pid, int *st, int options) {
    pid_t r;
    while ((r = waitpid(pid, st, options)) == -1 && errno == EINTR) {
    }
    return r;
}

/* The state letter of /proc/<pid>/stat, or '?'. */
static char proc_state(pid_t pid) {
    char path[64], buf[256];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY);
    if (fd < 0) return '?';
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return '?';
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    return p && p[1] == ' ' ? p[2] : '?';
}

/* SIGCHLD events as the handler saw them. */
static volatile int nev, ev_code[16], ev_status[16], ev_pid[16];
static void on_chld(int sig, siginfo_t *si, void *uc) {
    (void)sig; (void)uc;
    if (nev < 16) {
        ev_code[nev] = si->si_code;
        ev_status[nev] = si->si_status;
        ev_pid[nev] = si->si_pid;
        nev++;
    }
}

static int saw(int code, int status, pid_t pid) {
    for (int i = 0; i < nev; i++)
        if (ev_code[i] == code && ev_status[i] == status && ev_pid[i] == pid) return 1;
    return 0;
}

static void chld_handler(int flags) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_chld;
    sa.sa_flags = SA_SIGINFO | SA_RESTART | flags;
    sigaction(SIGCHLD, &sa, 0);
    nev = 0;
}

static void chld_default(void) { signal(SIGCHLD, SIG_DFL); }

/* A child that stops itself with SIGSTOP and, once continued, exits with
 * code when the gate opens: the parent sees its continue before its exit
 * (a zombie would be reported instead, and Linux merges a SIGCHLD that
 * comes while one is pending). */
static pid_t self_stopper(int code, int *gate) {
    int p[2];
    if (pipe(p)) return -1;
    pid_t c = fork();
    if (c == 0) {
        close(p[1]);
        raise(SIGSTOP);
        char b;
        (void)!read(p[0], &b, 1);
        _exit(code);
    }
    close(p[0]);
    *gate = p[1];
    return c;
}

static void open_gate(int gate) { close(gate); }

static void stop_and_continue(void) {
    int gate;
    pid_t c = self_stopper(7, &gate);
    int st = 0;
    pid_t r = wait_on(c, &st, WUNTRACED);
    CHECK("WUNTRACED reports a stop", r == c && WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP, "r=%d st=%#x", r, st);
    CHECK("the stop as status 0x7f | sig << 8", st == (0x7f | SIGSTOP << 8), "st=%#x", st);
    CHECK("a stop is reported once", wait_on(c, &st, WUNTRACED | WNOHANG) == 0, "st=%#x", st);
    CHECK("/proc/<pid>/stat says T", proc_state(c) == 'T', "state %c", proc_state(c));
    sleep_ms(50);
    CHECK("a stopped process stays stopped", proc_state(c) == 'T', "state %c", proc_state(c));
    CHECK("without WUNTRACED a stop is not reported", wait_on(c, &st, WNOHANG) == 0, "st=%#x", st);
    kill(c, SIGCONT);
    r = wait_on(c, &st, WCONTINUED);
    CHECK("WCONTINUED reports a continue", r == c && WIFCONTINUED(st) && st == 0xffff, "r=%d st=%#x", r, st);
    open_gate(gate);
    r = wait_on(c, &st, 0);
    CHECK("the continued child runs to its exit", r == c && WIFEXITED(st) && WEXITSTATUS(st) == 7, "st=%#x", st);
}

/* SIGTSTP from the parent while the child sleeps in read(): the read is
 * interrupted by the stop and goes on after SIGCONT, unseen by the child. */
static void tstp_restarts_the_call(void) {
    int p[2];
    if (pipe(p)) { CHECK("pipe", 0, "errno=%d", errno); return; }
    pid_t c = fork();
    if (c == 0) {
        close(p[1]);
        setpgid(0, 0);
        char b;
        ssize_t n = read(p[0], &b, 1);
        _exit(n == 1 && b == 'x' ? 0 : n < 0 ? 100 + errno : 99);
    }
    close(p[0]);
    setpgid(c, c);
    sleep_ms(50); /* into its read */
    kill(c, SIGTSTP);
    int st = 0;
    pid_t r = wait_on(c, &st, WUNTRACED);
    CHECK("SIGTSTP stops a child in another group", r == c && WIFSTOPPED(st) && WSTOPSIG(st) == SIGTSTP,
          "r=%d st=%#x", r, st);
    kill(c, SIGCONT);
    sleep_ms(50);
    CHECK("continued, it is back in its read", wait_on(c, &st, WNOHANG) == 0, "st=%#x", st);
    (void)!write(p[1], "x", 1);
    r = wait_on(c, &st, 0);
    CHECK("the interrupted read finished without EINTR", r == c && WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "st=%#x", st);
    close(p[1]);
}

/* Until the handler saw code from pid (bounded). */
static void await_event(int code, int status, pid_t pid) {
    for (int i = 0; i < 2000 && !saw(code, status, pid); i++) sleep_ms(1);
}

static void sigchld_codes(void) {
    chld_handler(0);
    int gate;
    pid_t c = self_stopper(3, &gate);
    int st;
    wait_on(c, &st, WUNTRACED);
    await_event(CLD_STOPPED, SIGSTOP, c);
    kill(c, SIGCONT);
    wait_on(c, &st, WCONTINUED);
    await_event(CLD_CONTINUED, SIGCONT, c);
    open_gate(gate);
    wait_on(c, &st, 0);
    await_event(CLD_EXITED, 3, c);
    CHECK("SIGCHLD with CLD_STOPPED and the signal", saw(CLD_STOPPED, SIGSTOP, c), "%d events", nev);
    CHECK("SIGCHLD with CLD_CONTINUED and SIGCONT", saw(CLD_CONTINUED, SIGCONT, c), "%d events", nev);
    CHECK("SIGCHLD with CLD_EXITED and the code", saw(CLD_EXITED, 3, c), "%d events", nev);
    nev = 0;
    c = fork();
    if (c == 0) {
        raise(SIGTERM);
        _exit(1);
    }
    wait_on(c, &st, 0);
    await_event(CLD_KILLED, SIGTERM, c);
    CHECK("SIGCHLD with CLD_KILLED and the signal", saw(CLD_KILLED, SIGTERM, c), "%d events", nev);

    /* A waitpid asleep when its child exits returns the child, even though
     * the SIGCHLD that comes with the exit has a handler (no SA_RESTART). */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_chld;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGCHLD, &sa, 0);
    c = fork();
    if (c == 0) {
        sleep_ms(30);
        _exit(2);
    }
    errno = 0;
    pid_t r = waitpid(c, &st, 0);
    CHECK("the exit's own SIGCHLD does not make waitpid EINTR", r == c && WIFEXITED(st) && WEXITSTATUS(st) == 2,
          "r=%d errno=%d", r, errno);

    chld_handler(SA_NOCLDSTOP);
    c = self_stopper(4, &gate);
    wait_on(c, &st, WUNTRACED);
    kill(c, SIGCONT);
    open_gate(gate);
    wait_on(c, &st, 0);
    await_event(CLD_EXITED, 4, c);
    CHECK("SA_NOCLDSTOP: only the exit", nev == 1 && saw(CLD_EXITED, 4, c), "%d events, first code %d", nev,
          nev ? ev_code[0] : 0);
    chld_default();
}

static void kill_a_stopped_child(void) {
    int gate;
    pid_t c = self_stopper(5, &gate);
    int st;
    wait_on(c, &st, WUNTRACED);
    kill(c, SIGTERM); /* pending: a stopped process does not act on it */
    sleep_ms(30);
    CHECK("SIGTERM waits while stopped", proc_state(c) == 'T', "state %c", proc_state(c));
    kill(c, SIGKILL);
    pid_t r = wait_on(c, &st, 0);
    CHECK("SIGKILL ends a stopped child", r == c && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "st=%#x", st);
    open_gate(gate);
}

static volatile int conts;
static void on_cont(int sig) { (void)sig; conts++; }

/* The child blocks both, so that what stays pending shows. */
static void stop_and_continue_cancel(void) {
    int req[2], rep[2];
    if (pipe(req) || pipe(rep)) { CHECK("pipe", 0, "errno=%d", errno); return; }
    pid_t c = fork();
    if (c == 0) {
        sigset_t s;
        sigemptyset(&s);
        sigaddset(&s, SIGTSTP);
        sigaddset(&s, SIGCONT);
        sigprocmask(SIG_BLOCK, &s, 0);
        char b;
        (void)!write(rep[1], "r", 1);
        while (read(req[0], &b, 1) == 1) {
            sigpending(&s);
            char out = (char)('0' + (sigismember(&s, SIGTSTP) ? 1 : 0) + (sigismember(&s, SIGCONT) ? 2 : 0));
            (void)!write(rep[1], &out, 1);
        }
        _exit(0);
    }
    char b = 0;
    (void)!read(rep[0], &b, 1);
    kill(c, SIGTSTP);
    kill(c, SIGCONT);
    (void)!write(req[1], "?", 1);
    (void)!read(rep[0], &b, 1);
    CHECK("SIGCONT discards a pending SIGTSTP", b == '2', "pending %c", b);
    kill(c, SIGTSTP);
    (void)!write(req[1], "?", 1);
    (void)!read(rep[0], &b, 1);
    CHECK("SIGTSTP discards a pending SIGCONT", b == '1', "pending %c", b);
    close(req[1]);
    int st;
    kill(c, SIGKILL);
    wait_on(c, &st, 0);
    close(req[0]);
    close(rep[0]);
    close(rep[1]);

    /* A caught SIGCONT: continues, then the handler runs. */
    c = fork();
    if (c == 0) {
        signal(SIGCONT, on_cont);
        raise(SIGSTOP);
        _exit(conts == 1 ? 0 : 10 + conts);
    }
    wait_on(c, &st, WUNTRACED);
    kill(c, SIGCONT);
    wait_on(c, &st, 0);
    CHECK("a caught SIGCONT continues and its handler runs", WIFEXITED(st) && WEXITSTATUS(st) == 0, "st=%#x", st);
    /* An ignored one continues all the same. */
    c = fork();
    if (c == 0) {
        signal(SIGCONT, SIG_IGN);
        raise(SIGSTOP);
        _exit(6);
    }
    wait_on(c, &st, WUNTRACED);
    kill(c, SIGCONT);
    wait_on(c, &st, 0);
    CHECK("an ignored SIGCONT continues", WIFEXITED(st) && WEXITSTATUS(st) == 6, "st=%#x", st);
}

static void waitid_reports(void) {
    int gate;
    pid_t c = self_stopper(8, &gate);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    int r = waitid(P_PID, c, &si, WSTOPPED | WNOWAIT);
    CHECK("waitid WSTOPPED", r == 0 && si.si_pid == c && si.si_code == CLD_STOPPED && si.si_status == SIGSTOP &&
          si.si_signo == SIGCHLD, "r=%d code=%d status=%d", r, si.si_code, si.si_status);
    memset(&si, 0, sizeof si);
    r = waitid(P_PID, c, &si, WSTOPPED);
    CHECK("WNOWAIT left the report", r == 0 && si.si_pid == c && si.si_code == CLD_STOPPED, "r=%d", r);
    memset(&si, 0xff, sizeof si);
    r = waitid(P_PID, c, &si, WSTOPPED | WNOHANG);
    CHECK("waitid WNOHANG with nothing: si_pid 0", r == 0 && si.si_pid == 0 && si.si_signo == 0, "pid=%d",
          si.si_pid);
    kill(c, SIGCONT);
    r = waitid(P_PGID, 0, &si, WCONTINUED);
    CHECK("waitid WCONTINUED in my group", r == 0 && si.si_pid == c && si.si_code == CLD_CONTINUED, "r=%d code=%d",
          r, si.si_code);
    open_gate(gate);
    r = waitid(P_ALL, 0, &si, WEXITED);
    CHECK("waitid WEXITED", r == 0 && si.si_pid == c && si.si_code == CLD_EXITED && si.si_status == 8,
          "r=%d code=%d status=%d", r, si.si_code, si.si_status);
    errno = 0;
    CHECK("waitid without WEXITED/WSTOPPED/WCONTINUED: EINVAL", waitid(P_ALL, 0, &si, WNOHANG) == -1 &&
          errno == EINVAL, "errno=%d", errno);
    errno = 0;
    CHECK("waitid with no child: ECHILD", waitid(P_ALL, 0, &si, WEXITED) == -1 && errno == ECHILD, "errno=%d", errno);
    int st;
    errno = 0;
    CHECK("wait4 __WALL accepted", waitpid(-1, &st, __WALL | WNOHANG) == -1 && errno == ECHILD, "errno=%d", errno);
}

/* kill(-pgid) reaches every member. */
static void group_signals(void) {
    int p[2];
    if (pipe(p)) return;
    pid_t a = fork();
    if (a == 0) {
        setpgid(0, 0);
        for (;;) pause();
    }
    setpgid(a, a);
    pid_t b = fork();
    if (b == 0) {
        setpgid(0, a);
        for (;;) pause();
    }
    setpgid(b, a);
    kill(-a, SIGSTOP);
    int st1 = 0, st2 = 0;
    pid_t r1 = wait_on(a, &st1, WUNTRACED), r2 = wait_on(b, &st2, WUNTRACED);
    CHECK("kill(-pgid) stops every member", r1 == a && r2 == b && WIFSTOPPED(st1) && WIFSTOPPED(st2),
          "st=%#x %#x", st1, st2);
    kill(-a, SIGKILL);
    r1 = wait_on(a, &st1, 0);
    r2 = wait_on(b, &st2, 0);
    CHECK("kill(-pgid) kills every member", WIFSIGNALED(st1) && WIFSIGNALED(st2), "st=%#x %#x", st1, st2);
    errno = 0;
    CHECK("kill(-pgid) of an empty group: ESRCH", kill(-a, SIGCONT) == -1 && errno == ESRCH, "errno=%d", errno);
    close(p[0]);
    close(p[1]);
}

static int hup_fd = -1;
static void on_hup(int sig) {
    (void)sig;
    (void)!write(hup_fd, "H", 1);
}

/* POSIX orphaned groups: A leads a group with B in it (both link to us, the
 * group is not orphaned); B stops itself, A exits: the group is orphaned
 * with a stopped member, so B gets SIGHUP, then SIGCONT. */
static void orphaned_group(void) {
    int p[2];
    if (pipe(p)) return;
    pid_t a = fork();
    if (a == 0) {
        close(p[0]);
        setpgid(0, 0);
        pid_t b = fork();
        if (b == 0) {
            hup_fd = p[1];
            signal(SIGHUP, on_hup);
            raise(SIGSTOP);
            (void)!write(p[1], "E", 1);
            _exit(0);
        }
        int st;
        wait_on(b, &st, WUNTRACED);
        _exit(WIFSTOPPED(st) ? 0 : 1);
    }
    close(p[1]);
    int st;
    wait_on(a, &st, 0);
    CHECK("the group's leader saw its member stop", WIFEXITED(st) && WEXITSTATUS(st) == 0, "st=%#x", st);
    char buf[8] = { 0 };
    size_t n = 0;
    ssize_t k;
    while (n < sizeof buf - 1 && (k = read(p[0], buf + n, sizeof buf - 1 - n)) > 0) n += (size_t)k;
    CHECK("orphaned with a stopped member: SIGHUP, then SIGCONT", strcmp(buf, "HE") == 0, "got '%s'", buf);
    close(p[0]);

    /* Our own group is orphaned (we lead a session): a SIGTSTP to a member is
     * discarded, SIGSTOP still stops. */
    pid_t c = fork();
    if (c == 0) {
        raise(SIGTSTP);
        raise(SIGTTIN);
        raise(SIGTTOU);
        _exit(9);
    }
    pid_t r = wait_on(c, &st, WUNTRACED);
    CHECK("terminal stops in an orphaned group are discarded", r == c && WIFEXITED(st) && WEXITSTATUS(st) == 9,
          "st=%#x", st);
}

/* n rounds of stop and continue against a child that counts in ring 3 and
 * sleeps, then everything but SIGKILL and SIGCONT to it while stopped: once
 * continued, the synchronous signals come first (as Linux dequeues them),
 * and SIGILL, the lowest of them, ends it. */
static int storm(int n) {
    int p[2];
    if (pipe(p)) return 1;
    pid_t c = fork();
    if (c == 0) { /* running with its own mask (fork's is restored) before the storm starts */
        (void)!write(p[1], "r", 1);
        for (volatile unsigned long i = 0;; i++)
            if ((i & 0xffff) == 0) sleep_ms(1);
    }
    char b;
    (void)!read(p[0], &b, 1);
    close(p[0]);
    close(p[1]);
    int st, stops = 0;
    for (int i = 0; i < n; i++) {
        kill(c, SIGSTOP);
        if (wait_on(c, &st, WUNTRACED) == c && WIFSTOPPED(st)) stops++;
        kill(c, SIGCONT);
        wait_on(c, &st, WCONTINUED);
    }
    kill(c, SIGSTOP);
    wait_on(c, &st, WUNTRACED);
    for (int sig = 1; sig <= 64; sig++)
        if (sig != SIGKILL && sig != SIGCONT) kill(c, sig);
    int still = proc_state(c) == 'T';
    kill(c, SIGCONT);
    wait_on(c, &st, 0);
    printf("storm: %d rounds, %d stops, %s, then %s\n", n, stops, still ? "still stopped after everything" : "NOT stopped",
           WIFSIGNALED(st) ? strsignal(WTERMSIG(st)) : "exited");
    return stops == n && still && WIFSIGNALED(st) && WTERMSIG(st) == SIGILL ? 0 : 1;
}

int main(int argc, char **argv) {
    check_init();
    if (argc == 3 && strcmp(argv[1], "storm") == 0) return storm(atoi(argv[2]));
    if (argc == 2 && strcmp(argv[1], "stopme") == 0) {
        printf("stopping\n");
        raise(SIGSTOP);
        printf("resumed\n");
        return 0;
    }
    if (argc != 1) {
        fprintf(stderr, "usage: t_jobs [storm <rounds> | stopme]\n");
        return 2;
    }
    /* The same start on both kernels: we lead a session and group of our own. */
    if (getsid(0) != getpid()) setsid();
    stop_and_continue();
    tstp_restarts_the_call();
    sigchld_codes();
    kill_a_stopped_child();
    stop_and_continue_cancel();
    waitid_reports();
    group_signals();
    orphaned_group();
    return check_done("t_jobs");
}
