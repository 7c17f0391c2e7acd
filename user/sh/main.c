/* sh's entry: the options, then one of three loops over the same
 * read-parse-run steps: a -c string, a script file (or standard input that
 * is not a terminal), or the interactive prompt. */
#include "sh.h"
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct shell sh;

static const char usage_text[] =
    "usage: sh [-i] [file [arg...]]\n"
    "       sh [-i] -c command [name [arg...]]\n"
    "       sh --help\n"
    "Runs commands from file, from the string command (-c), or from standard input;\n"
    "interactive (prompt, line editing, job control) when standard input is a terminal\n"
    "or with -i. Builtins: cd pwd echo exit export unset shift . source jobs fg bg wait\n"
    "kill true false : help.\n";

void sh_error(const char *fmt, ...) {
    va_list ap;
    fflush(stdout);
    fputs(SH_NAME ": ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
}

void sh_exit(int status) {
    fflush(NULL);
    if (!sh.in_subshell) {
        jobs_hangup();
        input_restore_terminal();
    }
    _exit(status & 0xff);
}

static void set_positional(char **argv, int argc) {
    pos.argv = argv;
    pos.argc = argc;
}

static void prompt(char *buf, size_t cap) {
    const char *ps1 = var_get("PS1");
    if (ps1) {
        snprintf(buf, cap, "%s", ps1);
        return;
    }
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd)) strcpy(cwd, "?");
    snprintf(buf, cap, "%s $ ", cwd);
}

static int interactive_loop(void) {
    jobs_init(1);
    input_init();
    for (;;) {
        jobs_reap(1);
        char p[PATH_MAX + 16];
        prompt(p, sizeof p);
        char *line = input_read_line(p);
        if (!line) break;
        run_interactive(line);
        free(line);
    }
    return sh.last_status;
}

int main(int argc, char **argv) {
    extern char **environ;
    int i = 1, force_interactive = 0;
    const char *command = NULL;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage_text, stdout);
            return 0;
        }
        if (!strcmp(a, "--")) { i++; break; }
        if (!strcmp(a, "-i")) { force_interactive = 1; continue; }
        if (!strcmp(a, "-c")) {
            if (i + 1 >= argc) {
                sh_error("-c: option requires an argument");
                fputs(usage_text, stderr);
                return 2;
            }
            command = argv[++i];
            i++;
            break;
        }
        sh_error("%s: unknown option", a);
        fputs(usage_text, stderr);
        return 2;
    }
    sh.pid = getpid();
    vars_import(environ);
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof cwd)) var_set("PWD", cwd, 1);
    var_set("IFS", " \t\n", 0); /* as every POSIX shell; splitting uses these three */
    if (!var_get("PATH")) var_set("PATH", "/bin:/usr/bin:/sbin:/usr/sbin", 1);

    if (command) { /* sh -c command [name [arg...]]: name is $0 */
        static char *dflt[] = { SH_NAME, NULL };
        if (i < argc) set_positional(argv + i, argc - i);
        else set_positional(dflt, 1);
        sh.script = "-c";
        sh_exit(run_text(command));
    }
    if (i < argc) { /* sh file [arg...] */
        set_positional(argv + i, argc - i);
        sh.script = argv[i];
        char *text = read_file(argv[i], 16u << 20);
        if (!text) {
            sh_error("%s: %s", argv[i], strerror(errno));
            sh_exit(errno == ENOENT ? 127 : 126);
        }
        sh_exit(run_text(text));
    }
    set_positional(argv, 1);
    sh.interactive = force_interactive || (isatty(0) && isatty(2));
    if (sh.interactive) sh_exit(interactive_loop());
    char *text = read_fd(0, 16u << 20);
    if (!text) {
        sh_error("standard input: %s", strerror(errno));
        sh_exit(2);
    }
    sh_exit(run_text(text));
}
