/* What the filesystem shell commands share: the working directory, turning
 * an argument into an absolute path, and printing errors and file bytes
 * safely. Kernel only (uses the console). */
#ifndef CONSOLE_SHELL_FS_H
#define CONSOLE_SHELL_FS_H
#include <stddef.h>
#include <stdint.h>
#include "fs/vfs.h"

/* arg relative to the working directory, normalised into out. On failure
 * prints "<cmd>: <arg>: <reason>" and returns the negative errno. */
int fs_shell_path(const char *cmd, const char *arg, char out[VFS_PATH_MAX + 1]);
void fs_shell_set_cwd(const char *abs);
const char *fs_shell_cwd(void);      /* the shell's working directory, absolute */

/* Runs a script through shell_run_line, one command per line ("#" comments
 * and blank lines are fine). Each failing line is reported as
 * "[<label>] line <n> failed: <line>"; the end as
 * "[<label>] done: <n> lines, <m> failed". Returns the number of failed
 * lines, or a negative errno if the script cannot be read (reported too). */
int fs_run_script(const char *path, const char *label);

/* Prints "<cmd>: <path>: <reason>" and returns -1 (the shell's failure status). */
int fs_fail(const char *cmd, const char *path, int err);

/* Writes bytes so that no file can drive the terminal: printable ASCII as
 * is, newline and tab as is unless quoted (then \n, \t, \", \\), anything
 * else as \xNN. */
void fs_print_safe(const void *buf, uint64_t n, int quoted);

/* Prints a file's bytes (safely), with a final newline if it lacks one;
 * errors as fs_fail. Returns 0 or -1. */
int fs_cat(const char *cmd, const char *path);

/* Prints "usage: <the command's usage line>" and returns -1. */
int fs_usage(const char *name);

/* argv[first..argc-1] joined by single spaces into out; returns the length,
 * or -1 if it does not fit (never cut short). */
long fs_join_words(int argc, char **argv, int first, char *out, size_t size);

#endif
