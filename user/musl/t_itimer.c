/* alarm(2), setitimer(2) and getitimer(2) (ITIMER_REAL): SIGALRM arrives
 * once, or every interval, never early; alarm returns the seconds that were
 * left; a fork child starts without a timer; pause() ends with the signal;
 * the CPU-time timers and bad values are refused.
 *
 * usage: t_itimer */
#include "t_check.h"
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile int alarms;
static void on_alarm(int sig) { (void)sig; alarms++; }

static long ms_since(const struct timespec *t0) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

int main(void) {
    check_init();
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, 0);

    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    unsigned first = alarm(1);
    CHECK("alarm(1) with none pending returns 0", first == 0, "%u", first);
    unsigned left = alarm(1);
    CHECK("a second alarm returns the seconds left", left == 1, "%u", left);
    pause();
    long ms = ms_since(&t0);
    CHECK("pause() ends with SIGALRM, not early", alarms == 1 && ms >= 990 && ms < 3000, "alarms %d after %ld ms", alarms, ms);

    alarm(5);
    unsigned was = alarm(0);
    CHECK("alarm(0) cancels and returns what was left", was == 5, "%u", was);
    struct itimerval v;
    CHECK("getitimer after the cancel: disarmed", getitimer(ITIMER_REAL, &v) == 0 && v.it_value.tv_sec == 0 &&
          v.it_value.tv_usec == 0, "%ld.%06ld", (long)v.it_value.tv_sec, (long)v.it_value.tv_usec);

    alarms = 0;
    struct itimerval every = { { 0, 50000 }, { 0, 50000 } };
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK("setitimer 50 ms interval", setitimer(ITIMER_REAL, &every, 0) == 0, "%s", strerror(errno));
    while (alarms < 5 && ms_since(&t0) < 5000) pause();
    ms = ms_since(&t0);
    CHECK("five SIGALRMs, one per interval", alarms >= 5 && ms >= 245, "alarms %d in %ld ms", alarms, ms);
    struct itimerval old;
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    CHECK("setitimer gives back the interval it replaces", setitimer(ITIMER_REAL, &off, &old) == 0 &&
          old.it_interval.tv_usec == 50000 && old.it_value.tv_usec <= 50000, "%ld", (long)old.it_interval.tv_usec);
    int n = alarms;
    usleep(200000);
    CHECK("disarmed: no more signals", alarms == n, "%d -> %d", n, alarms);

    alarm(30);
    pid_t pid = fork();
    if (pid == 0) {
        struct itimerval c;
        _exit(getitimer(ITIMER_REAL, &c) == 0 && c.it_value.tv_sec == 0 && c.it_value.tv_usec == 0 ? 0 : 1);
    }
    int st;
    waitpid(pid, &st, 0);
    CHECK("a fork child starts without the parent's timer", WIFEXITED(st) && WEXITSTATUS(st) == 0, "%#x", st);
    CHECK("the parent's is still armed", getitimer(ITIMER_REAL, &v) == 0 && v.it_value.tv_sec >= 28, "%ld",
          (long)v.it_value.tv_sec);
    alarm(0);

    errno = 0;
    CHECK("ITIMER_VIRTUAL is refused", setitimer(ITIMER_VIRTUAL, &every, 0) == -1 && errno == EINVAL, "%s", strerror(errno));
    struct itimerval bad = { { 0, 0 }, { 0, 1000000 } };
    errno = 0;
    CHECK("tv_usec of a million is refused", setitimer(ITIMER_REAL, &bad, 0) == -1 && errno == EINVAL, "%s", strerror(errno));
    return check_done("t_itimer");
}
