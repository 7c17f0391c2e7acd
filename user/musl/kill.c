/* kill: send a signal to processes or process groups.
 *   usage: kill [-s SIG | -SIG] pid | -pgid ...
 *          kill -l [status]
 * SIG is a name (TERM, SIGTERM) or a number; the default is TERM. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct { const char *name; int sig; } names[] = {
    { "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT }, { "ILL", SIGILL }, { "TRAP", SIGTRAP },
    { "ABRT", SIGABRT }, { "BUS", SIGBUS }, { "FPE", SIGFPE }, { "KILL", SIGKILL }, { "USR1", SIGUSR1 },
    { "SEGV", SIGSEGV }, { "USR2", SIGUSR2 }, { "PIPE", SIGPIPE }, { "ALRM", SIGALRM }, { "TERM", SIGTERM },
    { "CHLD", SIGCHLD }, { "CONT", SIGCONT }, { "STOP", SIGSTOP }, { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN },
    { "TTOU", SIGTTOU }, { "URG", SIGURG }, { "WINCH", SIGWINCH },
};
#define NNAMES (sizeof names / sizeof names[0])

static int usage(FILE *f, int status) {
    fputs("usage: kill [-s SIG | -SIG] pid | -pgid ...\n       kill -l [exit-status]\n"
          "Sends SIG (a name like TERM or a number; default TERM) to each process, or to the group -pgid.\n", f);
    return status;
}

static int parse_signal(const char *s) {
    char *end;
    long n = strtol(s, &end, 10);
    if (*s && !*end) return n >= 0 && n < 65 ? (int)n : -1;
    if (!strncmp(s, "SIG", 3)) s += 3;
    for (size_t i = 0; i < NNAMES; i++)
        if (!strcmp(s, names[i].name)) return names[i].sig;
    return -1;
}

static int list(const char *status) {
    if (status) { /* kill -l 143: the signal that ended a process with $? 143 */
        int n = atoi(status);
        if (n > 128) n -= 128;
        for (size_t i = 0; i < NNAMES; i++)
            if (names[i].sig == n) { printf("%s\n", names[i].name); return 0; }
        fprintf(stderr, "kill: %s: no such signal\n", status);
        return 1;
    }
    for (size_t i = 0; i < NNAMES; i++) printf("%2d) SIG%s\n", names[i].sig, names[i].name);
    return 0;
}

int main(int argc, char **argv) {
    int sig = SIGTERM, i = 1;
    if (argc < 2) return usage(stderr, 2);
    if (!strcmp(argv[1], "--help")) return usage(stdout, 0);
    if (!strcmp(argv[1], "-l")) return list(argc > 2 ? argv[2] : NULL);
    if (!strcmp(argv[1], "-s")) {
        if (argc < 3 || (sig = parse_signal(argv[2])) < 0) return usage(stderr, 2);
        i = 3;
    } else if (!strcmp(argv[1], "--")) {
        i = 2;
    } else if (argv[1][0] == '-' && argc > 2) { /* -SIG (a lone -N is a group) */
        if ((sig = parse_signal(argv[1] + 1)) < 0) {
            fprintf(stderr, "kill: %s: unknown signal\n", argv[1] + 1);
            return 2;
        }
        i = 2;
        if (i < argc && !strcmp(argv[i], "--")) i++;
    }
    if (i >= argc) return usage(stderr, 2);
    int status = 0;
    for (; i < argc; i++) {
        char *end;
        long pid = strtol(argv[i], &end, 10);
        if (!*argv[i] || *end || pid == 0) {
            fprintf(stderr, "kill: %s: not a process id\n", argv[i]);
            status = 1;
            continue;
        }
        if (kill((pid_t)pid, sig) < 0) {
            fprintf(stderr, "kill: %ld: %s\n", pid, strerror(errno));
            status = 1;
        }
    }
    return status;
}
