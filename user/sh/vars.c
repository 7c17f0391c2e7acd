/* Shell variables: one table of name, value and export flag. The
 * environment a program gets is built from it at each exec, so `export`
 * and assignments need no second copy to keep in step. */
#include "sh.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct var {
    char *name, *value;
    int exported;
};

static struct var *vars;
static int nvars, capvars;
struct positional pos;

int var_valid_name(const char *s, size_t n) {
    if (n == 0 || !(s[0] == '_' || (s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z'))) return 0;
    for (size_t i = 1; i < n; i++) {
        char c = s[i];
        if (!(c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return 0;
    }
    return 1;
}

static struct var *find(const char *name) {
    for (int i = 0; i < nvars; i++)
        if (strcmp(vars[i].name, name) == 0) return &vars[i];
    return NULL;
}

const char *var_get(const char *name) {
    struct var *v = find(name);
    return v && v->value ? v->value : NULL;
}

/* export: 1 marks it exported, 0 leaves the flag as it was. */
int var_set(const char *name, const char *value, int export) {
    if (!var_valid_name(name, strlen(name))) return -1;
    struct var *v = find(name);
    if (!v) {
        if (nvars == capvars) {
            capvars = capvars ? capvars * 2 : 32;
            vars = xrealloc(vars, sizeof *vars * (size_t)capvars);
        }
        v = &vars[nvars++];
        v->name = xstrdup(name);
        v->value = NULL;
        v->exported = 0;
    }
    if (value) {
        char *copy = xstrdup(value);
        free(v->value);
        v->value = copy;
    }
    if (export) v->exported = 1;
    return 0;
}

int var_export(const char *name) { return var_set(name, NULL, 1); }

int var_unset(const char *name) {
    struct var *v = find(name);
    if (!v) return 0;
    free(v->name);
    free(v->value);
    *v = vars[--nvars];
    return 0;
}

void vars_import(char **envp) {
    for (; envp && *envp; envp++) {
        const char *eq = strchr(*envp, '=');
        if (!eq) continue;
        char *name = xstrndup(*envp, (size_t)(eq - *envp));
        var_set(name, eq + 1, 1);
        free(name);
    }
}

char **vars_environ(void) {
    struct strvec env = {0};
    for (int i = 0; i < nvars; i++) {
        if (!vars[i].exported || !vars[i].value) continue;
        struct strbuf b = {0};
        sb_puts(&b, vars[i].name);
        sb_putc(&b, '=');
        sb_puts(&b, vars[i].value);
        sv_push(&env, sb_take(&b));
    }
    if (!env.v) {
        env.v = xmalloc(sizeof(char *));
        env.v[0] = NULL;
    }
    return env.v;
}

void vars_free_environ(char **env) {
    for (char **e = env; *e; e++) free(*e);
    free(env);
}

static int by_name(const void *a, const void *b) {
    return strcmp(((const struct var *)a)->name, ((const struct var *)b)->name);
}

void vars_print_exported(void) {
    qsort(vars, (size_t)nvars, sizeof *vars, by_name);
    for (int i = 0; i < nvars; i++) {
        if (!vars[i].exported) continue;
        if (!vars[i].value) { printf("export %s\n", vars[i].name); continue; }
        printf("export %s='", vars[i].name);
        for (const char *c = vars[i].value; *c; c++) {
            if (*c == '\'') fputs("'\\''", stdout);
            else putchar(*c);
        }
        printf("'\n");
    }
    fflush(stdout);
}
