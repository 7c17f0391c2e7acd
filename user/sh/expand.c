/* Word expansion, when a command runs: a raw word as the lexer kept it
 * becomes zero or more fields.
 *
 *   'text'        literal
 *   "text"        literal except $..., `...` and \ before $ ` " \ newline
 *   \c            c, literal
 *   $NAME ${NAME} the variable; ${NAME:-word} ${NAME-word} ${NAME:=word}
 *                 ${NAME:+word} ${#NAME}
 *   $? $$ $! $#   last status, the shell's pid, last background pid, count
 *   $0..$9 $@ $*  the positional parameters ("$@" one field each)
 *   $(cmd) `cmd`  the output of cmd, trailing newlines removed
 *   ~ ~/...       $HOME at the start of a word
 *
 * What comes out of an unquoted expansion is split into fields at blanks
 * (space, tab, newline) and, like unquoted * ? [ in the word, matched
 * against file names (glob(3)); a pattern that matches nothing stays as it
 * is. Quoted characters are never split or matched. */
#include "sh.h"
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct expander {
    struct strvec *out;   /* fields; NULL: one string, no splitting */
    struct strbuf field;
    struct strbuf pattern; /* the field with quoted * ? [ \ escaped, for glob */
    int have_field;       /* a field exists even if empty ("" counts) */
    int glob;             /* an unquoted * ? [ is in the field */
};

static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\n'; }

static void add_char(struct expander *e, char c, int quoted) {
    sb_putc(&e->field, c);
    if (quoted && strchr("*?[\\", c)) sb_putc(&e->pattern, '\\');
    sb_putc(&e->pattern, c);
    if (!quoted && strchr("*?[", c)) e->glob = 1;
    e->have_field = 1;
}

static void end_field(struct expander *e) {
    if (!e->out || !e->have_field) return;
    glob_t g;
    if (e->glob && e->pattern.s && glob(e->pattern.s, 0, NULL, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc; i++) sv_push(e->out, xstrdup(g.gl_pathv[i]));
        globfree(&g);
        free(sb_take(&e->field));
    } else {
        sv_push(e->out, sb_take(&e->field));
    }
    free(sb_take(&e->pattern));
    e->have_field = e->glob = 0;
}

/* The result of an expansion: split at blanks unless quoted. */
static void add_expansion(struct expander *e, const char *s, int quoted) {
    for (; *s; s++) {
        if (!quoted && e->out && is_blank(*s)) end_field(e);
        else add_char(e, *s, quoted);
    }
}

static char *number(long v) {
    char buf[32];
    snprintf(buf, sizeof buf, "%ld", v);
    return xstrdup(buf);
}

/* A special or named parameter's value (malloc'd), NULL if unset. $@ and $*
 * joined with spaces here; "$@" is handled by the caller. */
static char *param_value(const char *name, size_t n) {
    if (n == 1) {
        switch (name[0]) {
        case '?': return number(sh.last_status);
        case '$': return number(sh.pid);
        case '!': return sh.last_bg ? number(sh.last_bg) : NULL;
        case '#': return number(pos.argc > 0 ? pos.argc - 1 : 0);
        case '@': case '*': {
            struct strbuf b = {0};
            for (int i = 1; i < pos.argc; i++) {
                if (i > 1) sb_putc(&b, ' ');
                sb_puts(&b, pos.argv[i]);
            }
            return sb_take(&b);
        }
        }
    }
    if (name[0] >= '0' && name[0] <= '9') {
        int i = 0;
        for (size_t k = 0; k < n; k++) {
            if (name[k] < '0' || name[k] > '9') return NULL;
            i = i * 10 + (name[k] - '0');
            if (i > 100000) return NULL;
        }
        return i < pos.argc ? xstrdup(pos.argv[i]) : NULL;
    }
    char *key = xstrndup(name, n);
    const char *v = var_get(key);
    free(key);
    return v ? xstrdup(v) : NULL;
}

static int is_special(char c) { return c && strchr("?$!#@*", c) != NULL; }

static void expand_into(struct expander *e, const char *p, const char *end, int in_dq);

/* "$@": one field per positional parameter. */
static void add_all_params(struct expander *e) {
    for (int i = 1; i < pos.argc; i++) {
        if (i > 1) end_field(e);
        e->have_field = 1;
        add_expansion(e, pos.argv[i], 1);
    }
}

/* ${ ... }: body is the text between the braces. */
static void expand_brace(struct expander *e, const char *body, size_t len, int in_dq) {
    if (len > 1 && body[0] == '#') { /* ${#NAME} */
        char *v = param_value(body + 1, len - 1);
        char *n = number(v ? (long)strlen(v) : 0);
        add_expansion(e, n, in_dq);
        free(n);
        free(v);
        return;
    }
    size_t n = 0;
    if (len && is_special(body[0])) n = 1;
    else while (n < len && (body[n] == '_' || (body[n] >= 'A' && body[n] <= 'Z') || (body[n] >= 'a' && body[n] <= 'z') ||
                             (body[n] >= '0' && body[n] <= '9'))) n++;
    if (n == 0) {
        sh_error("bad substitution: ${%.*s}", (int)len, body);
        return;
    }
    char *v = param_value(body, n);
    const char *op = body + n, *opend = body + len;
    int colon = op < opend && *op == ':';
    if (colon) op++;
    if (op < opend && strchr("-=+", *op)) {
        int empty = !v || (colon && !*v);
        const char *word = op + 1;
        if ((*op == '-' && empty) || (*op == '=' && empty) || (*op == '+' && !empty)) {
            if (*op == '=') { /* assign the expanded word, then use it */
                struct expander sub = {0};
                expand_into(&sub, word, opend, 0);
                char *w = sb_take(&sub.field);
                free(sb_take(&sub.pattern));
                char *key = xstrndup(body, n);
                var_set(key, w, 0);
                free(key);
                add_expansion(e, w, in_dq);
                free(w);
            } else {
                expand_into(e, word, opend, in_dq);
            }
        } else if (*op != '+' && v) {
            add_expansion(e, v, in_dq);
        }
    } else if (op == opend && !colon) {
        if (v) add_expansion(e, v, in_dq);
    } else {
        sh_error("bad substitution: ${%.*s}", (int)len, body);
    }
    free(v);
}

/* p at '$': expands it and returns the position after it. */
static const char *expand_dollar(struct expander *e, const char *p, const char *end, int in_dq) {
    const char *q = p + 1;
    if (q < end && *q == '(') {
        const char *close = lex_skip_subst(q + 1);
        if (!close || close > end) close = end;
        size_t len = (size_t)(close - (q + 1));
        if (len > 0 && close[-1] == ')') len--;
        char *out = command_subst(q + 1, len);
        add_expansion(e, out, in_dq);
        free(out);
        return close;
    }
    if (q < end && *q == '{') {
        const char *close = lex_skip_brace(q + 1);
        if (!close || close > end) close = end;
        size_t len = (size_t)(close - (q + 1));
        if (len > 0 && close[-1] == '}') len--;
        expand_brace(e, q + 1, len, in_dq);
        return close;
    }
    if (q < end && *q == '@' && in_dq) {
        add_all_params(e);
        return q + 1;
    }
    size_t n = 0;
    if (q < end && (is_special(*q) || (*q >= '0' && *q <= '9'))) n = 1;
    else while (q + n < end && var_valid_name(q, n + 1)) n++;
    if (n == 0) { /* a lone $ is literal */
        add_char(e, '$', in_dq);
        return q;
    }
    char *v = param_value(q, n);
    if (v) add_expansion(e, v, in_dq);
    free(v);
    return q + n;
}

/* `cmd`: backslash quotes only $ ` and \ inside. */
static const char *expand_backquote(struct expander *e, const char *p, const char *end, int in_dq) {
    const char *close = lex_skip_backquote(p + 1);
    if (!close || close > end) close = end;
    struct strbuf cmd = {0};
    const char *stop = close > p + 1 && close[-1] == '`' ? close - 1 : close;
    for (const char *c = p + 1; c < stop; c++) {
        if (*c == '\\' && c + 1 < close && strchr("$`\\", c[1])) c++;
        sb_putc(&cmd, *c);
    }
    char *text = sb_take(&cmd);
    char *out = command_subst(text, strlen(text));
    add_expansion(e, out, in_dq);
    free(out);
    free(text);
    return close;
}

static void expand_into(struct expander *e, const char *p, const char *end, int in_dq) {
    const char *word_start = p;
    while (p < end) {
        char c = *p;
        if (c == '\'' && !in_dq) {
            e->have_field = 1;
            for (p++; p < end && *p != '\''; p++) add_char(e, *p, 1);
            if (p < end) p++;
        } else if (c == '"') {
            e->have_field = 1;
            in_dq = !in_dq;
            p++;
        } else if (c == '\\') {
            if (p + 1 >= end) { add_char(e, '\\', in_dq); p++; }
            else if (p[1] == '\n') p += 2; /* line continuation */
            else if (!in_dq || strchr("$`\"\\", p[1])) { add_char(e, p[1], 1); p += 2; }
            else { add_char(e, '\\', 1); p++; }
        } else if (c == '$') {
            p = expand_dollar(e, p, end, in_dq);
        } else if (c == '`') {
            p = expand_backquote(e, p, end, in_dq);
        } else if (c == '~' && p == word_start && !in_dq && (p + 1 == end || p[1] == '/')) {
            const char *home = var_get("HOME");
            add_expansion(e, home ? home : "~", 1);
            p++;
        } else {
            add_char(e, c, in_dq);
            p++;
        }
    }
}

void expand_word(const char *raw, struct strvec *out) {
    struct expander e = { .out = out };
    expand_into(&e, raw, raw + strlen(raw), 0);
    end_field(&e);
    free(sb_take(&e.field));
    free(sb_take(&e.pattern));
}

char *expand_string(const char *raw) {
    struct expander e = {0};
    expand_into(&e, raw, raw + strlen(raw), 0);
    free(sb_take(&e.pattern));
    return sb_take(&e.field);
}

char *command_subst(const char *text, size_t len) {
    int fds[2];
    if (pipe(fds) < 0) {
        sh_error("cannot make a pipe for $(...): %s", strerror(errno));
        return xstrdup("");
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        sh_error("fork: %s", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return xstrdup("");
    }
    if (pid == 0) {
        close(fds[0]);
        if (fds[1] != 1) {
            dup2(fds[1], 1);
            close(fds[1]);
        }
        job_child_setup(-1, 0);
        enter_subshell();
        char *copy = xstrndup(text, len);
        sh_exit(run_text(copy));
    }
    close(fds[1]);
    struct strbuf b = {0};
    char buf[4096];
    for (;;) {
        ssize_t n = read(fds[0], buf, sizeof buf);
        if (n > 0) sb_putn(&b, buf, (size_t)n);
        else if (n == 0 || errno != EINTR) break;
    }
    close(fds[0]);
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    sh.subst_status = status_of(st);
    sh.subst_ran = 1;
    char *s = sb_take(&b);
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == '\n') s[--n] = '\0';
    return s;
}
