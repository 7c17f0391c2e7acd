/* The kernel shell. Commands register themselves with SHELL_COMMAND next to
 * the code they drive; the linker gathers them into one table. */
#ifndef CONSOLE_SHELL_H
#define CONSOLE_SHELL_H

#include "console/shell_parse.h" /* SHELL_MAX_ARGS */

#define SHELL_PROMPT "secos> "

struct shell_command {
    const char *name;
    const char *usage;   /* e.g. "sleep <ms>" */
    const char *help;    /* one line */
    int (*run)(int argc, char **argv); /* 0 = success */
};

#define SHELL_COMMAND(ident, name_, usage_, help_, fn_)                                   \
    static const struct shell_command shell_cmd_##ident                                   \
        __attribute__((section(".shell_cmds"), used, aligned(8))) = { name_, usage_, help_, fn_ }

/* Splits line into words (in place) and runs the command. Returns the
 * command's status, or -1 for an empty/unknown/malformed line (after printing
 * why). Scripts (init.rc) and the interactive loop both come through here. */
int shell_run_line(const char *line);
void shell_main(void) __attribute__((noreturn));

const struct shell_command *shell_find(const char *name);
/* Starts a program as the console's child ("error: cannot start ..." on
 * failure): its pid, or a negative errno. It runs once the console sleeps. */
int shell_start_program(int argc, char **argv);
/* Waits for it, Ctrl-C kills it; prints "[EXIT] pid=N status=S". 0 if it
 * exited with status 0, else -1. */
int shell_wait_foreground(int pid);
/* The same for a program that is a terminal session of its own (`sh`):
 * Ctrl-C is its business (SIGINT to its foreground group), not a kill. */
int shell_wait_session(int pid);
/* Reaps (and reports) the console's finished background programs. */
void shell_reap_children(void);
/* Commands in name order, for help: returns the count, fills up to max. */
int shell_commands_sorted(const struct shell_command **out, int max);

#endif
