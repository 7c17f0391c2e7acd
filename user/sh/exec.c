/* Running the tree. Lists, and-or and ! are decided here in the shell; a
 * command that is not a builtin, a pipeline, ( ... ) and a background list
 * run in forked children, each pipeline (or background list) one job
 * (jobs.c) whose processes share a process group when job control is on. */
#include "sh.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int status_of(int st) {
    if (WIFEXITED(st)) return WEXITSTATUS(st);
    if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
    if (WIFSTOPPED(st)) return 128 + WSTOPSIG(st);
    return 1;
}

char *read_file(const char *path, size_t max) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return NULL;
    char *s = read_fd(fd, max);
    int e = errno;
    close(fd);
    errno = e;
    return s;
}

char *read_fd(int fd, size_t max) {
    struct strbuf b = {0};
    char buf[4096];
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int e = errno;
            free(sb_take(&b));
            errno = e;
            return NULL;
        }
        if (n == 0) break;
        if (b.len + (size_t)n > max) {
            free(sb_take(&b));
            errno = EFBIG;
            return NULL;
        }
        sb_putn(&b, buf, (size_t)n);
    }
    return sb_take(&b);
}

/* ---- redirections ---------------------------------------------------- */

/* What a builtin's redirections replaced, to put back afterwards. */
struct saved_fd { int fd, copy; };
struct saved_fds { struct saved_fd v[16]; int n; };

static int parse_fd(const char *s) {
    if (!*s) return -1;
    int n = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || n > 100000) return -1;
        n = n * 10 + (*s - '0');
    }
    return n;
}

static void save_fd(struct saved_fds *save, int fd) {
    if (!save) return;
    for (int i = 0; i < save->n; i++)
        if (save->v[i].fd == fd) return; /* the first copy is the original */
    if (save->n == (int)(sizeof save->v / sizeof save->v[0])) return;
    save->v[save->n].fd = fd;
    save->v[save->n].copy = fcntl(fd, F_DUPFD_CLOEXEC, 10); /* -1: it was closed */
    save->n++;
}

static void restore_fds(struct saved_fds *save) {
    for (int i = save->n - 1; i >= 0; i--) {
        if (save->v[i].copy >= 0) {
            dup2(save->v[i].copy, save->v[i].fd);
            close(save->v[i].copy);
        } else {
            close(save->v[i].fd);
        }
    }
    save->n = 0;
}

/* Applies r in order; save is NULL in a child (nothing to put back).
 * Returns -1 after printing why one failed. */
static int apply_redirs(struct redir *r, struct saved_fds *save) {
    for (; r; r = r->next) {
        char *target = expand_string(r->target);
        int fd;
        if (r->kind == R_DUP_IN || r->kind == R_DUP_OUT) {
            if (strcmp(target, "-") == 0) {
                save_fd(save, r->fd);
                close(r->fd);
                free(target);
                continue;
            }
            int from = parse_fd(target);
            if (from < 0 || fcntl(from, F_GETFD) < 0) {
                sh_error("%s: bad file descriptor", target);
                free(target);
                return -1;
            }
            if (from != r->fd) {
                save_fd(save, r->fd);
                dup2(from, r->fd);
            }
            free(target);
            continue;
        }
        int flags = r->kind == R_IN ? O_RDONLY
                  : r->kind == R_OUT ? O_WRONLY | O_CREAT | O_TRUNC
                  : r->kind == R_APPEND ? O_WRONLY | O_CREAT | O_APPEND
                  : O_RDWR | O_CREAT;
        fd = open(target, flags | O_CLOEXEC, 0666);
        if (fd < 0) {
            sh_error("%s: %s", target, strerror(errno));
            free(target);
            return -1;
        }
        free(target);
        if (fd != r->fd) {
            save_fd(save, r->fd);
            if (dup2(fd, r->fd) < 0) {
                sh_error("%d: %s", r->fd, strerror(errno));
                close(fd);
                return -1;
            }
            close(fd);
        } else {
            fcntl(fd, F_SETFD, 0); /* it is the target itself: keep it across exec */
        }
    }
    return 0;
}

/* ---- simple commands ---------------------------------------------------- */

/* NAME=value before the command name. */
static int is_assignment(const char *w) {
    const char *eq = strchr(w, '=');
    return eq && var_valid_name(w, (size_t)(eq - w));
}

struct expanded {
    struct strvec argv;
    struct strvec assigns; /* "NAME=value", expanded */
};

static void expand_command(struct node *n, struct expanded *x) {
    memset(x, 0, sizeof *x);
    int i = 0;
    for (; i < n->nwords && is_assignment(n->words[i]); i++) {
        const char *eq = strchr(n->words[i], '=');
        char *value = expand_string(eq + 1);
        struct strbuf b = {0};
        sb_putn(&b, n->words[i], (size_t)(eq - n->words[i]) + 1);
        sb_puts(&b, value);
        free(value);
        sv_push(&x->assigns, sb_take(&b));
    }
    for (; i < n->nwords; i++) expand_word(n->words[i], &x->argv);
}

static void free_expanded(struct expanded *x) {
    sv_free(&x->argv);
    sv_free(&x->assigns);
}

static void set_assignments(struct strvec *a, int export) {
    for (int i = 0; i < a->n; i++) {
        char *eq = strchr(a->v[i], '=');
        *eq = '\0';
        var_set(a->v[i], eq + 1, export);
        *eq = '=';
    }
}

static void exec_failed(const char *name, int err) {
    if (err == ENOENT) {
        sh_error("%s: not found", name);
        sh_exit(127);
    }
    sh_error("%s: %s", name, err == EACCES ? "Permission denied" : strerror(err));
    sh_exit(126);
}

/* execve, and for a file the kernel does not take (no #! and not ELF) the
 * POSIX fallback: run it as a script of this shell. */
static void try_exec(const char *path, char **argv, char **envp) {
    execve(path, argv, envp);
    if (errno == ENOEXEC) {
        int n = 0;
        while (argv[n]) n++;
        char **av = xmalloc(sizeof(char *) * (size_t)(n + 2));
        av[0] = SH_NAME;
        av[1] = (char *)path;
        for (int i = 1; i <= n; i++) av[i + 1] = argv[i];
        execve("/proc/self/exe", av, envp);
        errno = ENOEXEC;
    }
}

void sh_exec_external(char **argv, char **envp) {
    const char *name = argv[0];
    if (strchr(name, '/')) {
        try_exec(name, argv, envp);
        exec_failed(name, errno);
    }
    const char *path = var_get("PATH");
    if (!path) path = "/bin:/usr/bin:/sbin:/usr/sbin";
    int err = ENOENT;
    while (*path) {
        const char *colon = strchr(path, ':');
        size_t dl = colon ? (size_t)(colon - path) : strlen(path);
        struct strbuf full = {0};
        sb_putn(&full, dl ? path : ".", dl ? dl : 1);
        sb_putc(&full, '/');
        sb_puts(&full, name);
        char *p = sb_take(&full);
        try_exec(p, argv, envp);
        if (errno != ENOENT && errno != ENOTDIR) err = errno;
        free(p);
        path += dl + (colon ? 1 : 0);
        if (!colon) break;
    }
    exec_failed(name, err);
}

/* In a child (fork done, job set up): runs one node of a pipeline or a
 * background list and exits. */
static void run_in_child(struct node *n) __attribute__((noreturn));
static void run_in_child(struct node *n) {
    enter_subshell();
    if (n->kind == N_SUBSHELL) {
        if (apply_redirs(n->redirs, NULL) < 0) sh_exit(1);
        sh_exit(run_node(n->left));
    }
    if (n->kind != N_CMD) sh_exit(run_node(n));
    struct expanded x;
    sh.subst_ran = 0;
    expand_command(n, &x);
    set_assignments(&x.assigns, 1);
    if (apply_redirs(n->redirs, NULL) < 0) sh_exit(1);
    if (x.argv.n == 0) sh_exit(sh.subst_ran ? sh.subst_status : 0);
    char **argv = x.argv.v;
    if (strcmp(argv[0], "exec") == 0 && !*++argv) sh_exit(0); /* we are about to exec anyway */
    builtin_fn b = builtin_lookup(x.argv.v[0]);
    if (b && argv == x.argv.v) sh_exit(b(x.argv.n, x.argv.v));
    char **env = vars_environ();
    sh_exec_external(argv, env);
    sh_exit(127); /* not reached: sh_exec_external exits */
}

/* The text `jobs` shows for a node without one of its own. */
static const char *node_text(struct node *n, struct strbuf *tmp) {
    if (n->text) return n->text;
    if (n->kind == N_CMD)
        for (int i = 0; i < n->nwords; i++) {
            if (i) sb_putc(tmp, ' ');
            sb_puts(tmp, n->words[i]);
        }
    if (!tmp->s) sb_puts(tmp, "(...)");
    return tmp->s;
}

/* Forks the processes of one job: cmds[0] | cmds[1] | ... Returns the
 * status of the last one (foreground) or 0 (background). */
static int launch_job(struct node **cmds, int n, const char *text, int background) {
    struct job *j = NULL;
    pid_t pgid = 0, last = 0;
    int in = -1;
    for (int i = 0; i < n; i++) {
        int p[2] = { -1, -1 };
        if (i < n - 1 && pipe2(p, O_CLOEXEC) < 0) {
            sh_error("pipe: %s", strerror(errno));
            break;
        }
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0) {
            sh_error("fork: %s", strerror(errno));
            if (p[0] >= 0) { close(p[0]); close(p[1]); }
            break;
        }
        if (pid == 0) {
            job_child_setup(pgid, background);
            if (in >= 0) { dup2(in, 0); close(in); }
            else if (background && !job_control_on()) {
                /* POSIX: without job control, & reads /dev/null, not the terminal. */
                int nul = open("/dev/null", O_RDONLY);
                if (nul >= 0 && nul != 0) { dup2(nul, 0); close(nul); }
            }
            if (p[1] >= 0) { dup2(p[1], 1); close(p[1]); close(p[0]); }
            run_in_child(cmds[i]);
        }
        if (!pgid) pgid = pid;
        if (job_control_on()) setpgid(pid, pgid); /* also in the child: whichever runs first */
        if (!j) j = job_new(pgid, text, background);
        job_add_pid(j, pid);
        last = pid;
        if (in >= 0) close(in);
        if (p[1] >= 0) close(p[1]);
        in = p[0];
    }
    if (in >= 0) close(in);
    if (!j) return 1;
    if (background) {
        sh.last_bg = last;
        job_report_background(j);
        return 0;
    }
    return job_wait_fg(j);
}

/* exec: without a command, its redirections stay for the rest of the
 * shell; with one, the shell becomes that program (no fork). */
static int run_exec(struct node *n, struct expanded *x) {
    int st = 0;
    set_assignments(&x->assigns, 1);
    if (apply_redirs(n->redirs, NULL) < 0) st = 1;
    else if (x->argv.n > 1) {
        fflush(NULL);
        input_restore_terminal();
        job_child_setup(-1, 0);
        char **env = vars_environ();
        sh_exec_external(x->argv.v + 1, env);
    }
    free_expanded(x);
    return st;
}

/* A command run by the shell itself: a builtin, or only assignments and
 * redirections. Redirections are undone afterwards. */
static int run_simple(struct node *n) {
    struct expanded x;
    sh.subst_ran = 0; /* a $(...) in the words sets it and its status */
    expand_command(n, &x);
    if (x.argv.n && strcmp(x.argv.v[0], "exec") == 0) return run_exec(n, &x);
    builtin_fn b = x.argv.n ? builtin_lookup(x.argv.v[0]) : NULL;
    if (x.argv.n && !b) {
        free_expanded(&x);
        struct strbuf tmp = {0};
        int st = launch_job(&n, 1, node_text(n, &tmp), 0);
        free(sb_take(&tmp));
        return st;
    }
    struct saved_fds save = { .n = 0 };
    int st;
    set_assignments(&x.assigns, 0);
    if (apply_redirs(n->redirs, &save) < 0) st = 1;
    else if (b) {
        st = b(x.argv.n, x.argv.v);
        fflush(stdout);
        fflush(stderr);
    } else st = sh.subst_ran ? sh.subst_status : 0;
    restore_fds(&save);
    free_expanded(&x);
    return st;
}

int run_node(struct node *n) {
    int st = 0;
    struct strbuf tmp = {0};
    if (!n) return sh.last_status;
    switch (n->kind) {
    case N_CMD: st = run_simple(n); break;
    case N_PIPE: st = launch_job(n->cmds, n->ncmds, node_text(n, &tmp), 0); break;
    case N_SUBSHELL: st = launch_job(&n, 1, node_text(n, &tmp), 0); break;
    case N_SEQ:
        run_node(n->left);
        st = run_node(n->right);
        break;
    case N_AND:
        st = run_node(n->left);
        if (st == 0) st = run_node(n->right);
        break;
    case N_OR:
        st = run_node(n->left);
        if (st != 0) st = run_node(n->right);
        break;
    case N_NOT: st = !run_node(n->left); break;
    case N_BG: {
        struct node *l = n->left;
        const char *text = node_text(n, &tmp);
        if (l->kind == N_PIPE) st = launch_job(l->cmds, l->ncmds, text, 1);
        else st = launch_job(&n->left, 1, text, 1);
        break;
    }
    }
    free(sb_take(&tmp));
    sh.last_status = st;
    return st;
}

static void syntax_error_report(struct parser *ps) {
    const struct token *t = &ps->tok;
    struct strbuf where = {0};
    if (sh.script) {
        sb_puts(&where, sh.script);
        sb_puts(&where, ": ");
    }
    char *w = sb_take(&where);
    if (ps->incomplete)
        sh_error("%sline %d, column %d: syntax error: %s (at end of input)", w, ps->errline, ps->errcol,
                 ps->errmsg);
    else if (t->kind == T_NEWLINE)
        sh_error("%sline %d, column %d: syntax error: %s (at newline)", w, ps->errline, ps->errcol, ps->errmsg);
    else
        sh_error("%sline %d, column %d: syntax error: %s near '%.*s'", w, ps->errline, ps->errcol, ps->errmsg,
                 (int)t->len, t->start);
    free(w);
}

int run_text(const char *text) {
    struct arena a = {0};
    struct parser ps;
    parser_init(&ps, text, &a);
    int st = 0;
    for (;;) {
        struct node *n;
        enum parse_result r = parse_next(&ps, &n);
        if (r == P_EOF) break;
        if (r != P_OK) {
            syntax_error_report(&ps);
            st = 2;
            break;
        }
        if (n) st = run_node(n);
        if (!sh.interactive) jobs_reap(0);
    }
    arena_free(&a);
    return st;
}

/* Parses one interactive line, asking for more while it is incomplete.
 * Returns 0 on P_OK, 1 at end of input. */
int run_interactive(char *line) {
    struct strbuf text = {0};
    sb_puts(&text, line);
    for (;;) {
        struct arena a = {0};
        struct parser ps;
        parser_init(&ps, text.s, &a);
        enum parse_result r;
        struct node *n;
        int count = 0;
        /* First parse everything, so an incomplete line runs nothing yet. */
        while ((r = parse_next(&ps, &n)) == P_OK) count++;
        if (r == P_INCOMPLETE) {
            arena_free(&a);
            char *more = input_read_line("> ");
            if (!more) {
                sh_error("syntax error: unexpected end of input");
                free(sb_take(&text));
                sh.last_status = 2;
                return 1;
            }
            sb_putc(&text, '\n');
            sb_puts(&text, more);
            free(more);
            continue;
        }
        if (r == P_ERROR) {
            syntax_error_report(&ps);
            sh.last_status = 2;
            arena_free(&a);
            break;
        }
        arena_free(&a);
        input_history_add(text.s);
        run_text(text.s);
        break;
    }
    free(sb_take(&text));
    return 0;
}
