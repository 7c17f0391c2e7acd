/* init: the first user process, when the kernel boots with init=/sbin/init.
 *   usage: init   (as PID 1 only)
 *
 *  1. runs /etc/rc with /bin/sh if there is one (mounts nothing yet);
 *  2. starts /bin/sh -i on the console as a session leader (setsid, and
 *     TIOCSCTTY where the terminal supports it) and starts a new one
 *     whenever it exits (a shell that keeps dying at once is restarted at
 *     most once a second);
 *  3. waits for every child, which includes every orphan (the kernel makes
 *     them init's children);
 *  4. on SIGUSR2 (poweroff) or SIGUSR1 (halt) or SIGTERM (reboot), as
 *     busybox init: SIGTERM to every other process, two seconds' grace,
 *     SIGKILL, then sync and reboot(2).
 * Signals are blocked except inside sigsuspend, so a request or a child's
 * end can never slip in between the check and the sleep. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SHELL "/bin/sh"
#define RC "/etc/rc"

static volatile sig_atomic_t request;  /* the signal asking us to stop, 0 if none */

static void on_request(int sig) { request = sig; }
static void on_child(int sig) { (void)sig; }

static void say(const char *fmt, const char *arg, long n) {
    fprintf(stderr, "init: ");
    fprintf(stderr, fmt, arg, n);
    fputc('\n', stderr);
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* In the child: signals back to normal, then exec. */
static pid_t start(char *const argv[], int session) {
    pid_t pid = fork();
    if (pid != 0) return pid;
    sigset_t none;
    sigemptyset(&none);
    signal(SIGUSR1, SIG_DFL);
    signal(SIGUSR2, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGCHLD, SIG_DFL);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (session) {
        setsid();
        ioctl(0, TIOCSCTTY, 0); /* a terminal without it (ENOTTY) still works as the console */
    }
    execv(argv[0], argv);
    fprintf(stderr, "init: cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

static const char *status_text(int st, long *n) {
    if (WIFSIGNALED(st)) { *n = WTERMSIG(st); return "killed by signal %ld"; }
    *n = WEXITSTATUS(st);
    return "status %ld";
}

/* Reaps every child that has ended; returns 1 if pid was among them. */
static int reap(pid_t pid, int *pid_status) {
    int st, found = 0;
    pid_t p;
    while ((p = waitpid(-1, &st, WNOHANG)) > 0)
        if (p == pid) { found = 1; *pid_status = st; }
    return found;
}

static void shutdown_all(int sig, const sigset_t *wait_mask) {
    const char *what = sig == SIGUSR2 ? "powering off" : sig == SIGUSR1 ? "halting" : "rebooting";
    say("%s: stopping every process", what, 0);
    kill(-1, SIGTERM);
    double until = now() + 2;
    int st;
    while (now() < until) {
        pid_t p = waitpid(-1, &st, WNOHANG);
        if (p < 0 && errno == ECHILD) break;
        if (p == 0) {
            struct timespec t = { 0, 50 * 1000 * 1000 };
            nanosleep(&t, NULL);
        }
    }
    kill(-1, SIGKILL);
    while (waitpid(-1, &st, WNOHANG) > 0) {}
    (void)wait_mask;
    sync();
    reboot(sig == SIGUSR2 ? RB_POWER_OFF : sig == SIGUSR1 ? RB_HALT_SYSTEM : RB_AUTOBOOT);
    say("reboot(2) failed: %s", strerror(errno), 0);
}

int main(int argc, char **argv) {
    (void)argv;
    if (argc > 1 || getpid() != 1) {
        fputs("usage: init\nRuns as PID 1 only: boot the kernel with init=/sbin/init.\n",
              argc > 1 && !strcmp(argv[1], "--help") ? stdout : stderr);
        return argc > 1 && !strcmp(argv[1], "--help") ? 0 : 1;
    }
    /* Handlers (not SIG_IGN): the kernel lets only those signals reach init. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_request;
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGUSR2, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = on_child;
    sigaction(SIGCHLD, &sa, NULL);
    sigset_t blocked, waiting;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGUSR1);
    sigaddset(&blocked, SIGUSR2);
    sigaddset(&blocked, SIGTERM);
    sigaddset(&blocked, SIGCHLD);
    sigprocmask(SIG_BLOCK, &blocked, &waiting);
    sigdelset(&waiting, SIGUSR1);
    sigdelset(&waiting, SIGUSR2);
    sigdelset(&waiting, SIGTERM);
    sigdelset(&waiting, SIGCHLD);
    say("SECoS init (pid %s%ld)", "", (long)getpid());

    pid_t rc = -1, shell = -1;
    int st;
    struct stat sb;
    if (stat(RC, &sb) == 0) {
        char *rc_argv[] = { SHELL, RC, NULL };
        rc = start(rc_argv, 0);
        say("running %s (pid %ld)", RC, rc);
    }
    double last_start = 0;
    for (;;) {
        if (request) {
            shutdown_all(request, &waiting);
            request = 0;
        }
        if (rc > 0 && reap(rc, &st)) {
            long n;
            const char *fmt = status_text(st, &n);
            fprintf(stderr, "init: %s ended, ", RC);
            fprintf(stderr, fmt, n);
            fputc('\n', stderr);
            rc = -1;
        }
        if (rc < 0 && shell < 0) {
            if (now() - last_start < 1) sleep(1); /* a shell that cannot start: not a busy loop */
            last_start = now();
            char *sh_argv[] = { SHELL, "-i", NULL };
            shell = start(sh_argv, 1);
            say("started %s (pid %ld)", SHELL, shell);
            continue;
        }
        if (shell > 0 && reap(shell, &st)) {
            long n;
            const char *fmt = status_text(st, &n);
            fprintf(stderr, "init: %s exited (", SHELL);
            fprintf(stderr, fmt, n);
            fprintf(stderr, "); starting a new one\n");
            shell = -1;
            continue;
        }
        sigsuspend(&waiting); /* until a child ends or a request comes */
    }
}
