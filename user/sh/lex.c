/* The lexer: source text into tokens. A word is kept exactly as written
 * (quotes, backslashes and $ forms included), because what it means depends
 * on variables at the time it runs (expand.c); the lexer only has to know
 * where it ends, which means skipping over quotes and nested $( ... ). */
#include "sh.h"
#include <string.h>

void lex_init(struct lexer *lx, const char *src) {
    lx->src = lx->p = src;
    lx->line = 1;
    lx->line_start = src;
}

static int is_meta(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '&' || c == '|' || c == '<' || c == '>' ||
           c == '(' || c == ')' || c == '\0';
}

/* Each scan_* starts just after an opening quote or $( and returns the
 * position just after its closing one, or NULL if the text ends first. */
static const char *scan_double(const char *p);
static const char *scan_subst(const char *p);
static const char *scan_brace(const char *p);

static const char *scan_single(const char *p) {
    const char *q = strchr(p, '\'');
    return q ? q + 1 : NULL;
}

static const char *scan_backquote(const char *p) {
    for (; *p; p++) {
        if (*p == '\\' && p[1]) p++;
        else if (*p == '`') return p + 1;
    }
    return NULL;
}

static const char *scan_brace(const char *p) {
    while (*p && *p != '}') {
        if (*p == '\\' && p[1]) p += 2;
        else if (*p == '\'') { if (!(p = scan_single(p + 1))) return NULL; }
        else if (*p == '"') { if (!(p = scan_double(p + 1))) return NULL; }
        else p++;
    }
    return *p ? p + 1 : NULL;
}

/* $ forms that have an end to find: $( ... ), ${ ... }. p is at the '$'. */
static const char *scan_dollar(const char *p) {
    if (p[1] == '(') return scan_subst(p + 2);
    if (p[1] == '{') return scan_brace(p + 2);
    return p + 1;
}

static const char *scan_double(const char *p) {
    while (*p && *p != '"') {
        if (*p == '\\' && p[1]) p += 2;
        else if (*p == '$') { if (!(p = scan_dollar(p))) return NULL; }
        else if (*p == '`') { if (!(p = scan_backquote(p + 1))) return NULL; }
        else p++;
    }
    return *p ? p + 1 : NULL;
}

/* Inside $( ... ): parentheses nest; quotes and comments hide them. */
static const char *scan_subst(const char *p) {
    int depth = 1;
    while (*p) {
        char c = *p;
        if (c == '\\' && p[1]) p += 2;
        else if (c == '\'') { if (!(p = scan_single(p + 1))) return NULL; }
        else if (c == '"') { if (!(p = scan_double(p + 1))) return NULL; }
        else if (c == '`') { if (!(p = scan_backquote(p + 1))) return NULL; }
        else if (c == '$') { if (!(p = scan_dollar(p))) return NULL; }
        else if (c == '(') { depth++; p++; }
        else if (c == ')') { p++; if (--depth == 0) return p; }
        else p++;
    }
    return NULL;
}

/* A word from p: returns its end, or NULL when a quote is not closed. */
static const char *scan_word(const char *p) {
    while (!is_meta(*p)) {
        if (*p == '\\') p += p[1] ? 2 : 1;
        else if (*p == '\'') { if (!(p = scan_single(p + 1))) return NULL; }
        else if (*p == '"') { if (!(p = scan_double(p + 1))) return NULL; }
        else if (*p == '`') { if (!(p = scan_backquote(p + 1))) return NULL; }
        else if (*p == '$') { if (!(p = scan_dollar(p))) return NULL; }
        else p++;
    }
    return p;
}

static void count_lines(struct lexer *lx, const char *from, const char *to) {
    for (const char *q = from; q < to; q++)
        if (*q == '\n') { lx->line++; lx->line_start = q + 1; }
}

int lex_next(struct lexer *lx, struct token *t, const char **err) {
    const char *p = lx->p;
    for (;;) { /* blanks, line continuations, comments */
        if (*p == ' ' || *p == '\t') p++;
        else if (p[0] == '\\' && p[1] == '\n') { p += 2; lx->line++; lx->line_start = p; }
        else if (*p == '#') { while (*p && *p != '\n') p++; }
        else break;
    }
    memset(t, 0, sizeof *t);
    t->start = p;
    t->line = lx->line;
    t->col = (int)(p - lx->line_start) + 1;
    t->rfd = -1;

    /* An IO number: digits right before < or >. */
    const char *d = p;
    while (*d >= '0' && *d <= '9') d++;
    if (d > p && d - p < 4 && (*d == '<' || *d == '>')) {
        t->rfd = 0;
        for (const char *q = p; q < d; q++) t->rfd = t->rfd * 10 + (*q - '0');
        p = d;
    }

    char c = *p;
    size_t n = 1;
    switch (c) {
    case '\0': t->kind = T_EOF; n = 0; break;
    case '\n': t->kind = T_NEWLINE; break;
    case ';': t->kind = T_SEMI; break;
    case '(': t->kind = T_LPAREN; break;
    case ')': t->kind = T_RPAREN; break;
    case '&':
        if (p[1] == '&') { t->kind = T_AND; n = 2; } else t->kind = T_AMP;
        break;
    case '|':
        if (p[1] == '|') { t->kind = T_OR; n = 2; } else t->kind = T_PIPE;
        break;
    case '<':
        t->kind = T_REDIR;
        if (p[1] == '&') { t->rkind = R_DUP_IN; n = 2; }
        else if (p[1] == '>') { t->rkind = R_RDWR; n = 2; }
        else t->rkind = R_IN;
        break;
    case '>':
        t->kind = T_REDIR;
        if (p[1] == '>') { t->rkind = R_APPEND; n = 2; }
        else if (p[1] == '&') { t->rkind = R_DUP_OUT; n = 2; }
        else if (p[1] == '|') { t->rkind = R_OUT; n = 2; }
        else t->rkind = R_OUT;
        break;
    default: {
        const char *end = scan_word(p);
        if (!end) {
            *err = "unterminated quote or $(";
            return -1;
        }
        t->kind = T_WORD;
        n = (size_t)(end - p);
        count_lines(lx, p, end);
        break;
    }
    }
    if (t->kind == T_NEWLINE) { lx->line++; lx->line_start = p + 1; }
    if (t->kind == T_REDIR && t->rfd < 0) t->rfd = (t->rkind == R_IN || t->rkind == R_DUP_IN || t->rkind == R_RDWR) ? 0 : 1;
    lx->p = p + n;
    t->len = (size_t)(lx->p - t->start);
    return 0;
}

const char *lex_skip_subst(const char *p) { return scan_subst(p); }
const char *lex_skip_brace(const char *p) { return scan_brace(p); }
const char *lex_skip_backquote(const char *p) { return scan_backquote(p); }
