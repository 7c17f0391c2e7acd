/* The parser: tokens into a tree, by recursive descent over this grammar
 * (POSIX sh's, without the compound commands if/while/for/case):
 *
 *   line     := list (NEWLINE | EOF)
 *   list     := andor ((';' | '&') andor)* [';' | '&']
 *   andor    := pipeline (('&&' | '||') newline* pipeline)*
 *   pipeline := ['!'] command ('|' newline* command)*
 *   command  := '(' list ')' redir*  |  (word | redir)+
 *   redir    := [n] ('<' | '>' | '>>' | '<&' | '>&' | '<>') word
 *
 * '&' makes the and-or list before it a background job. Every node and
 * string of one line lives in the caller's arena. */
#include "sh.h"
#include <string.h>

static int advance(struct parser *ps) {
    const char *err;
    if (lex_next(&ps->lx, &ps->tok, &err) < 0) {
        ps->errmsg = err;
        ps->errline = ps->tok.line; /* lex_next set where the bad word starts */
        ps->errcol = ps->tok.col;
        ps->incomplete = 1;
        return -1;
    }
    return 0;
}

void parser_init(struct parser *ps, const char *src, struct arena *arena) {
    memset(ps, 0, sizeof *ps);
    lex_init(&ps->lx, src);
    ps->arena = arena;
    ps->tok.kind = T_NEWLINE; /* nothing read yet: parse_next reads the first */
    ps->tok.start = src;
    ps->tok.len = 0;
}

/* A syntax error at the current token. */
static struct node *syntax_error(struct parser *ps, const char *what) {
    if (ps->errmsg) return NULL; /* the first error is the one to report */
    ps->errmsg = what;
    ps->errline = ps->tok.line;
    ps->errcol = ps->tok.col;
    ps->incomplete = ps->tok.kind == T_EOF;
    return NULL;
}

static struct node *new_node(struct parser *ps, enum node_kind kind) {
    struct node *n = arena_alloc(ps->arena, sizeof *n);
    n->kind = kind;
    return n;
}

static struct node *pair(struct parser *ps, enum node_kind kind, struct node *l, struct node *r) {
    if (!l) return r;
    struct node *n = new_node(ps, kind);
    n->left = l;
    n->right = r;
    return n;
}

static int is_bang(const struct token *t) {
    return t->kind == T_WORD && t->len == 1 && t->start[0] == '!';
}

static int skip_newlines(struct parser *ps) {
    while (ps->tok.kind == T_NEWLINE)
        if (advance(ps) < 0) return -1;
    return 0;
}

static struct node *parse_list(struct parser *ps, int in_parens);

/* A redirection token and its target word. */
static struct redir *parse_redir(struct parser *ps) {
    struct redir *r = arena_alloc(ps->arena, sizeof *r);
    r->kind = ps->tok.rkind;
    r->fd = ps->tok.rfd;
    if (advance(ps) < 0) return NULL;
    if (ps->tok.kind != T_WORD) {
        syntax_error(ps, "a redirection needs a file name or descriptor");
        return NULL;
    }
    r->target = arena_strndup(ps->arena, ps->tok.start, ps->tok.len);
    if (advance(ps) < 0) return NULL;
    return r;
}

static int parse_redirs(struct parser *ps, struct redir ***tail) {
    while (ps->tok.kind == T_REDIR) {
        struct redir *r = parse_redir(ps);
        if (!r) return -1;
        **tail = r;
        *tail = &r->next;
    }
    return 0;
}

static struct node *parse_command(struct parser *ps) {
    struct node *n;
    struct redir **tail;
    if (ps->tok.kind == T_LPAREN) {
        if (advance(ps) < 0) return NULL;
        n = new_node(ps, N_SUBSHELL);
        n->left = parse_list(ps, 1);
        if (!n->left) return ps->errmsg ? NULL : syntax_error(ps, "empty ( )");
        if (ps->tok.kind != T_RPAREN) return syntax_error(ps, "missing )");
        if (advance(ps) < 0) return NULL;
        tail = &n->redirs;
        if (parse_redirs(ps, &tail) < 0) return NULL;
        return n;
    }
    n = new_node(ps, N_CMD);
    tail = &n->redirs;
    const char *words[256];
    int nw = 0;
    while (ps->tok.kind == T_WORD || ps->tok.kind == T_REDIR) {
        if (ps->tok.kind == T_REDIR) {
            if (parse_redirs(ps, &tail) < 0) return NULL;
            continue;
        }
        if (nw == (int)(sizeof words / sizeof words[0]) - 1) return syntax_error(ps, "too many words in one command");
        words[nw++] = arena_strndup(ps->arena, ps->tok.start, ps->tok.len);
        if (advance(ps) < 0) return NULL;
    }
    if (nw == 0 && !n->redirs) return syntax_error(ps, "a command was expected");
    n->words = arena_alloc(ps->arena, sizeof(char *) * (size_t)(nw + 1));
    memcpy(n->words, words, sizeof(char *) * (size_t)nw);
    n->nwords = nw;
    return n;
}

static struct node *parse_pipeline(struct parser *ps) {
    int negate = 0;
    if (is_bang(&ps->tok)) {
        negate = 1;
        if (advance(ps) < 0) return NULL;
    }
    struct node *cmds[64];
    int n = 0;
    for (;;) {
        if (n == (int)(sizeof cmds / sizeof cmds[0])) return syntax_error(ps, "pipeline too long");
        if (!(cmds[n++] = parse_command(ps))) return NULL;
        if (ps->tok.kind != T_PIPE) break;
        if (advance(ps) < 0 || skip_newlines(ps) < 0) return NULL;
    }
    struct node *p = cmds[0];
    if (n > 1) {
        p = new_node(ps, N_PIPE);
        p->cmds = arena_alloc(ps->arena, sizeof(struct node *) * (size_t)n);
        memcpy(p->cmds, cmds, sizeof(struct node *) * (size_t)n);
        p->ncmds = n;
    }
    if (negate) {
        struct node *x = new_node(ps, N_NOT);
        x->left = p;
        p = x;
    }
    return p;
}

static struct node *parse_andor(struct parser *ps) {
    const char *start = ps->tok.start;
    struct node *n = parse_pipeline(ps);
    while (n && (ps->tok.kind == T_AND || ps->tok.kind == T_OR)) {
        enum node_kind k = ps->tok.kind == T_AND ? N_AND : N_OR;
        if (advance(ps) < 0 || skip_newlines(ps) < 0) return NULL;
        struct node *r = parse_pipeline(ps);
        if (!r) return NULL;
        n = pair(ps, k, n, r);
    }
    if (!n) return NULL;
    /* The job's text, for `jobs`: from its first token to its last. */
    const char *end = ps->tok.start;
    while (end > start && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n')) end--;
    n->text = arena_strndup(ps->arena, start, (size_t)(end - start));
    return n;
}

/* A list ends at a newline (top level) or at ')' (in parentheses, where
 * newlines separate like ';'). */
static struct node *parse_list(struct parser *ps, int in_parens) {
    struct node *list = NULL;
    for (;;) {
        if (in_parens && skip_newlines(ps) < 0) return NULL;
        enum tok_kind k = ps->tok.kind;
        if (k == T_EOF || k == T_NEWLINE || (in_parens && k == T_RPAREN)) break;
        struct node *a = parse_andor(ps);
        if (!a) return NULL;
        if (ps->tok.kind == T_AMP) {
            struct node *bg = new_node(ps, N_BG);
            bg->left = a;
            bg->text = a->text;
            a = bg;
        }
        list = pair(ps, N_SEQ, list, a);
        if (ps->tok.kind == T_SEMI || ps->tok.kind == T_AMP) {
            if (advance(ps) < 0) return NULL;
            continue;
        }
        k = ps->tok.kind;
        if (k == T_EOF || k == T_NEWLINE || (in_parens && k == T_RPAREN)) break;
        return syntax_error(ps, "unexpected token");
    }
    return list;
}

enum parse_result parse_next(struct parser *ps, struct node **out) {
    *out = NULL;
    if (ps->errmsg) return P_ERROR;
    if (ps->tok.kind == T_EOF) return P_EOF;
    if (advance(ps) < 0) return P_INCOMPLETE; /* the token after the last line's end */
    if (ps->tok.kind == T_EOF) return P_EOF;
    if (ps->tok.kind == T_NEWLINE) return P_OK;
    struct node *n = parse_list(ps, 0);
    if (ps->errmsg) return ps->incomplete ? P_INCOMPLETE : P_ERROR;
    if (ps->tok.kind == T_RPAREN) {
        syntax_error(ps, "unexpected )");
        return P_ERROR;
    }
    *out = n;
    return P_OK;
}
