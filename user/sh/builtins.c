/* The builtins: commands that must change the shell itself (cd, exit,
 * export, unset, shift, ., the job commands) or are cheap enough to save a
 * fork (echo, pwd, true, false, :). Each takes argc/argv like main. */
#include "sh.h"
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct { const char *name; int sig; } signals[] = {
    { "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT }, { "ILL", SIGILL }, { "TRAP", SIGTRAP },
    { "ABRT", SIGABRT }, { "BUS", SIGBUS }, { "FPE", SIGFPE }, { "KILL", SIGKILL }, { "USR1", SIGUSR1 },
    { "SEGV", SIGSEGV }, { "USR2", SIGUSR2 }, { "PIPE", SIGPIPE }, { "ALRM", SIGALRM }, { "TERM", SIGTERM },
    { "CHLD", SIGCHLD }, { "CONT", SIGCONT }, { "STOP", SIGSTOP }, { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN },
    { "TTOU", SIGTTOU }, { "URG", SIGURG }, { "WINCH", SIGWINCH },
};

int signal_from_name(const char *s) {
    char *end;
    long n = strtol(s, &end, 10);
    if (*s && !*end) return n >= 0 && n < 65 ? (int)n : -1;
    if (strncmp(s, "SIG", 3) == 0) s += 3;
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++)
        if (strcmp(s, signals[i].name) == 0) return signals[i].sig;
    return -1;
}

const char *signal_name(int sig) {
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++)
        if (signals[i].sig == sig) return signals[i].name;
    return NULL;
}

static int b_cd(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : var_get("HOME");
    if (argc > 2) {
        sh_error("usage: cd [dir | -]");
        return 2;
    }
    if (!dir) dir = "/";
    int print = 0;
    if (strcmp(dir, "-") == 0) {
        dir = var_get("OLDPWD");
        if (!dir) {
            sh_error("cd: OLDPWD not set");
            return 1;
        }
        print = 1;
    }
    char *target = xstrdup(dir);
    if (chdir(target) < 0) {
        sh_error("cd: %s: %s", target, strerror(errno));
        free(target);
        return 1;
    }
    free(target);
    char buf[PATH_MAX];
    const char *old = var_get("PWD");
    if (old) var_set("OLDPWD", old, 0);
    if (getcwd(buf, sizeof buf)) {
        var_set("PWD", buf, 0);
        if (print) printf("%s\n", buf);
    }
    return 0;
}

static int b_pwd(int argc, char **argv) {
    (void)argc;
    (void)argv;
    char buf[PATH_MAX];
    if (!getcwd(buf, sizeof buf)) {
        sh_error("pwd: %s", strerror(errno));
        return 1;
    }
    printf("%s\n", buf);
    return 0;
}

static int b_exit(int argc, char **argv) {
    int st = sh.last_status;
    if (argc > 1) {
        char *end;
        long n = strtol(argv[1], &end, 10);
        if (!*argv[1] || *end) {
            sh_error("exit: %s: numeric argument required", argv[1]);
            st = 2;
        } else {
            st = (int)(n & 0xff);
        }
    }
    sh_exit(st);
}

static int b_export(int argc, char **argv) {
    if (argc == 1 || (argc == 2 && strcmp(argv[1], "-p") == 0)) {
        vars_print_exported();
        return 0;
    }
    int st = 0;
    for (int i = 1; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        size_t n = eq ? (size_t)(eq - argv[i]) : strlen(argv[i]);
        if (!var_valid_name(argv[i], n)) {
            sh_error("export: %s: not a valid name", argv[i]);
            st = 1;
            continue;
        }
        char *name = xstrndup(argv[i], n);
        var_set(name, eq ? eq + 1 : NULL, 1);
        free(name);
    }
    return st;
}

static int b_unset(int argc, char **argv) {
    int st = 0;
    for (int i = 1; i < argc; i++) {
        if (!var_valid_name(argv[i], strlen(argv[i]))) {
            sh_error("unset: %s: not a valid name", argv[i]);
            st = 1;
            continue;
        }
        var_unset(argv[i]);
    }
    return st;
}

static int b_shift(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 1;
    if (n < 0 || n > pos.argc - 1) {
        sh_error("shift: can't shift that many");
        return 1;
    }
    for (int i = 1; i + n <= pos.argc; i++) pos.argv[i] = pos.argv[i + n];
    pos.argc -= n;
    return 0;
}

static int b_dot(int argc, char **argv) {
    if (argc < 2) {
        sh_error("usage: . file");
        return 2;
    }
    char *text = read_file(argv[1], 1 << 20);
    if (!text) {
        sh_error("%s: %s", argv[1], strerror(errno));
        return 1;
    }
    int st = run_text(text);
    free(text);
    return st;
}

static int b_echo(int argc, char **argv) {
    int i = 1, newline = 1;
    if (i < argc && strcmp(argv[i], "-n") == 0) { newline = 0; i++; }
    for (; i < argc; i++) {
        fputs(argv[i], stdout);
        if (i + 1 < argc) putchar(' ');
    }
    if (newline) putchar('\n');
    return fflush(stdout) == 0 ? 0 : 1;
}

static int b_true(int argc, char **argv) { (void)argc; (void)argv; return 0; }
static int b_false(int argc, char **argv) { (void)argc; (void)argv; return 1; }

static int kill_usage(void) {
    sh_error("usage: kill [-s SIG | -SIG] pid | -pgid | %%job ...   or   kill -l");
    return 2;
}

static int b_kill(int argc, char **argv) {
    int sig = SIGTERM, i = 1;
    if (argc < 2) return kill_usage();
    if (strcmp(argv[1], "-l") == 0) {
        for (size_t k = 0; k < sizeof signals / sizeof signals[0]; k++)
            printf("%2d) SIG%s\n", signals[k].sig, signals[k].name);
        return 0;
    }
    if (strcmp(argv[1], "-s") == 0) {
        if (argc < 4 || (sig = signal_from_name(argv[2])) < 0) return kill_usage();
        i = 3;
    } else if (argv[1][0] == '-' && argv[1][1] && (argv[1][1] < '0' || argv[1][1] > '9' || argc > 2)) {
        /* -SIG; a lone negative number is a process group, as kill(1) */
        if ((sig = signal_from_name(argv[1] + 1)) < 0) {
            sh_error("kill: %s: unknown signal", argv[1] + 1);
            return 2;
        }
        i = 2;
    }
    if (i == 2 && argc == 2) return kill_usage();
    int st = 0;
    for (; i < argc; i++) {
        const char *t = argv[i];
        int r;
        if (t[0] == '%') {
            r = job_kill(t, sig);
            if (r == -2) { st = 1; continue; } /* no such job: said so */
        } else {
            char *end;
            long pid = strtol(t, &end, 10);
            if (!*t || *end) {
                sh_error("kill: %s: not a pid or job", t);
                st = 1;
                continue;
            }
            r = kill((pid_t)pid, sig);
        }
        if (r < 0) {
            sh_error("kill: %s: %s", t, strerror(errno));
            st = 1;
        }
    }
    return st;
}

static int b_help(int argc, char **argv);

static const struct { const char *name; builtin_fn fn; const char *usage; } builtins[] = {
    { "cd", b_cd, "cd [dir | -]" },
    { "pwd", b_pwd, "pwd" },
    { "echo", b_echo, "echo [-n] [word...]" },
    { "exit", b_exit, "exit [status]" },
    { "export", b_export, "export [name[=value]...]" },
    { "unset", b_unset, "unset name..." },
    { "shift", b_shift, "shift [n]" },
    { ".", b_dot, ". file" },
    { "source", b_dot, "source file" },
    { "jobs", jobs_builtin, "jobs" },
    { "fg", fg_builtin, "fg [%job]" },
    { "bg", bg_builtin, "bg [%job]" },
    { "wait", wait_builtin, "wait [pid | %job ...]" },
    { "kill", b_kill, "kill [-s SIG | -SIG] pid | -pgid | %job ... | kill -l" },
    { "true", b_true, "true" },
    { "false", b_false, "false" },
    { ":", b_true, ": [word...]" },
    { "help", b_help, "help" },
};

/* Handled by exec.c itself (it needs the command's redirections), listed
 * here for help. */
static const char *const special_usage[] = {
    "exec [command [arg...]]   (without a command: keep the redirections)",
};

static int b_help(int argc, char **argv) {
    (void)argc;
    (void)argv;
    printf("sh builtins:\n");
    for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++) printf("  %s\n", builtins[i].usage);
    for (size_t i = 0; i < sizeof special_usage / sizeof special_usage[0]; i++) printf("  %s\n", special_usage[i]);
    return 0;
}

builtin_fn builtin_lookup(const char *name) {
    for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
        if (strcmp(name, builtins[i].name) == 0) return builtins[i].fn;
    return NULL;
}
