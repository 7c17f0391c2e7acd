/* sh: SECoS's user-space shell, a small POSIX-like sh written to be read.
 *
 * The pipeline of one command line, in the order the files do the work:
 *   input.c   a line from the terminal (raw mode, lib/lineedit.c) or a whole
 *             script / -c string
 *   lex.c     the text into tokens: words (kept raw, quotes and $ intact),
 *             operators, redirections
 *   parse.c   the tokens into a tree (xv6 sh's shape: list, and-or,
 *             pipeline, command), all nodes in one arena per command line
 *   exec.c    runs the tree: fork, pipes, redirections, the PATH search
 *   expand.c  at run time, each raw word into fields: $VAR, ${..}, $(..),
 *             `..`, ~, quote removal, field splitting, globbing
 *   vars.c    shell variables, the environment, positional parameters
 *   jobs.c    the job table and job control (process groups, tcsetpgrp,
 *             stop/continue reporting)
 *   builtins.c cd, exit, export, unset, jobs, fg, bg, wait, kill, ., ...
 *   main.c    arguments, the read-parse-run loop, the prompt */
#ifndef SH_H
#define SH_H
#include <stddef.h>
#include <sys/types.h>

#define SH_NAME "sh"

/* ---- util.c: memory that cannot fail (the shell exits on OOM), growable
 * strings, and the per-command-line arena the tree lives in. */
void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

struct strbuf { char *s; size_t len, cap; };
void sb_putc(struct strbuf *b, char c);
void sb_puts(struct strbuf *b, const char *s);
void sb_putn(struct strbuf *b, const char *s, size_t n);
char *sb_take(struct strbuf *b); /* the NUL-terminated string; b is empty again */

struct arena { struct arena_block *head; };
void *arena_alloc(struct arena *a, size_t n);
char *arena_strndup(struct arena *a, const char *s, size_t n);
void arena_free(struct arena *a);

/* A growable NULL-terminated array of malloc'd strings (argv, fields). */
struct strvec { char **v; int n, cap; };
void sv_push(struct strvec *sv, char *s);   /* takes ownership of s */
void sv_free(struct strvec *sv);

/* ---- lex.c */
enum tok_kind {
    T_WORD, T_NEWLINE, T_EOF,
    T_SEMI, T_AMP, T_PIPE, T_AND, T_OR, T_BANG, T_LPAREN, T_RPAREN,
    T_REDIR,
};
enum redir_kind {
    R_IN,      /* n<word   (default fd 0) */
    R_OUT,     /* n>word   (default fd 1) */
    R_APPEND,  /* n>>word  */
    R_DUP_IN,  /* n<&word  (word: a fd number or -) */
    R_DUP_OUT, /* n>&word  */
    R_RDWR,    /* n<>word  */
};
struct token {
    enum tok_kind kind;
    const char *start;   /* into the source text */
    size_t len;
    int line, col;       /* 1-based, for error messages */
    enum redir_kind rkind;
    int rfd;             /* T_REDIR: the fd, -1 when not given */
};
struct lexer {
    const char *src, *p;
    int line;
    const char *line_start;
};
void lex_init(struct lexer *lx, const char *src);
/* Fills t and returns 0, or returns -1 with *err set when the input ends
 * inside a quote or $( ... ) (incomplete: more input may complete it). */
int lex_next(struct lexer *lx, struct token *t, const char **err);
/* From just after "$(", "${" or "`": just after the matching close, or NULL
 * when the text ends first (expand.c finds the same ends the lexer did). */
const char *lex_skip_subst(const char *p);
const char *lex_skip_brace(const char *p);
const char *lex_skip_backquote(const char *p);

/* ---- parse.c: the tree. */
enum node_kind { N_CMD, N_PIPE, N_AND, N_OR, N_SEQ, N_BG, N_SUBSHELL, N_NOT };
struct redir {
    struct redir *next;
    enum redir_kind kind;
    int fd;               /* the descriptor it changes */
    const char *target;   /* raw word, expanded when it runs */
};
struct node {
    enum node_kind kind;
    /* N_CMD */
    const char **words;   /* raw words, NULL-terminated (assignments first) */
    int nwords;
    struct redir *redirs; /* N_CMD and N_SUBSHELL */
    /* N_PIPE: cmds[0..ncmds) ; N_AND/N_OR/N_SEQ: left, right; N_BG,
     * N_SUBSHELL, N_NOT: left */
    struct node **cmds;
    int ncmds;
    struct node *left, *right;
    const char *text;     /* the source text of a job (for `jobs`) */
};
enum parse_result { P_OK, P_EOF, P_ERROR, P_INCOMPLETE };
struct parser {
    struct lexer lx;
    struct token tok;     /* the current (lookahead) token */
    struct arena *arena;
    const char *errmsg;
    int errline, errcol;
    int incomplete;       /* the error was running out of input */
};
void parser_init(struct parser *ps, const char *src, struct arena *arena);
/* The next complete command (up to an unquoted newline at the top level).
 * *out is NULL for an empty line. */
enum parse_result parse_next(struct parser *ps, struct node **out);

/* ---- vars.c */
void vars_import(char **envp);
const char *var_get(const char *name);
int var_set(const char *name, const char *value, int export);
int var_unset(const char *name);
int var_export(const char *name);
int var_valid_name(const char *s, size_t n);
char **vars_environ(void);            /* malloc'd; free with sv_free-like free_environ */
void vars_free_environ(char **env);
void vars_print_exported(void);
/* $0 and $1..: the script's name and arguments. */
struct positional { char **argv; int argc; };  /* argv[0] is $0 */
extern struct positional pos;

/* ---- expand.c */
/* The fields of one raw word (field splitting and globbing apply). */
void expand_word(const char *raw, struct strvec *out);
/* One string: no field splitting, no globbing (assignments, redirection
 * targets, case words). */
char *expand_string(const char *raw);
/* The text between $( and ), run in a subshell; its output minus trailing
 * newlines. */
char *command_subst(const char *text, size_t len);

/* ---- exec.c */
int run_node(struct node *n);
/* Parses and runs a whole text (a script, -c, `.`, a $(...)); returns the
 * last status. name is for error messages. */
int run_text(const char *text);
/* One line typed at the prompt (more are read while it is incomplete). */
int run_interactive(char *line);
/* Reads a whole file into a malloc'd string; NULL with errno set. */
char *read_file(const char *path, size_t max);
char *read_fd(int fd, size_t max);
/* A forked child that goes on running shell code ($(...), ( ), a
 * background list): no job control, no terminal, no job table. */
void enter_subshell(void);
/* A wait status as $? sees it: the exit code, or 128 + the signal. */
int status_of(int wstatus);

/* ---- jobs.c */
struct job;
void jobs_init(int interactive);
int job_control_on(void);             /* interactive and the terminal is ours */
int shell_tty(void);
pid_t shell_pgid(void);
/* Starts tracking a foreground or background job whose first process is
 * pgid; add each process with job_add_pid. */
/* In a freshly forked child of a job: its process group (pgid 0: its own;
 * -1: leave it, for $(...)), the terminal if it is the foreground, and the
 * signals the shell ignores back to their defaults. */
void job_child_setup(pid_t pgid, int background);
struct job *job_new(pid_t pgid, const char *text, int background);
void job_add_pid(struct job *j, pid_t pid);
/* Waits until the job is done or stopped; returns the status of its last
 * process (128+sig for a signal, 128+SIGTSTP... when stopped). */
int job_wait_fg(struct job *j);
void job_report_background(struct job *j);
void jobs_reap(int report);           /* collect finished children, no blocking */
int jobs_builtin(int argc, char **argv);
int fg_builtin(int argc, char **argv);
int bg_builtin(int argc, char **argv);
int wait_builtin(int argc, char **argv);
/* kill(2) for a job: its process group, or each process without job
 * control; -2 (message printed) if there is no such job. */
void jobs_hangup(void);      /* at exit of an interactive shell: SIGHUP + SIGCONT to every job */
int job_kill(const char *spec, int sig);
void jobs_forget(void);               /* a subshell does not own its parent's jobs */

/* ---- builtins.c */
typedef int (*builtin_fn)(int argc, char **argv);
builtin_fn builtin_lookup(const char *name);
int signal_from_name(const char *s);  /* "TERM", "SIGTERM", "15" -> 15; -1 */
const char *signal_name(int sig);

/* ---- input.c */
/* Interactive: the next line (without the newline) into a malloc'd string,
 * or NULL at end of input (Ctrl-D on an empty line). */
char *input_read_line(const char *prompt);
void input_init(void);
void input_history_add(const char *line);
void input_restore_terminal(void);

/* ---- main.c: the shell's global state. */
struct shell {
    int interactive;
    int last_status;      /* $? */
    pid_t last_bg;        /* $!, 0 if none */
    pid_t pid;            /* $$: the top-level shell's pid, also in subshells */
    int in_subshell;      /* a forked child running part of the tree */
    const char *script;   /* for messages: "-c", a file name or NULL */
    int subst_status;     /* the status of the last $(...) ... */
    int subst_ran;        /* ... if one ran in the current command's words */
};
extern struct shell sh;
/* "sh: " + message on stderr (printf-style). */
void sh_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Leaves the shell (or subshell) now with status. */
void sh_exit(int status) __attribute__((noreturn));

#endif
