/* Reading the kernel command line; the rules are in kernel/cmdline.h. */
#include "kernel/cmdline.h"
#include "lib/string.h"

static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

int cmdline_find(const char *cmdline, const char *key, const char **val, size_t *len) {
    size_t klen = strlen(key);
    int found = 0;
    if (!cmdline || klen == 0) return 0;
    for (const char *p = cmdline; *p;) {
        while (is_blank(*p)) p++;
        const char *w = p;
        while (*p && !is_blank(*p)) p++;
        size_t wl = (size_t)(p - w);
        if (wl > klen && strncmp(w, key, klen) == 0 && w[klen] == '=') {
            *val = w + klen + 1;
            *len = wl - klen - 1;
            found = 1;
        }
    }
    return found;
}

static int path_char_ok(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' || c == '.' ||
           c == '_' || c == '-' || c == '+';
}

int cmdline_init_path(const char *cmdline, char *out, size_t cap, const char **why) {
    const char *v;
    size_t n;
    *why = "";
    if (!cmdline_find(cmdline, "init", &v, &n) || n == 0) return 0;
    if (n >= CMDLINE_INIT_MAX || n >= cap) { *why = "the path is too long"; return -1; }
    if (v[0] != '/') { *why = "the path must be absolute"; return -1; }
    for (size_t i = 0; i < n; i++)
        if (!path_char_ok(v[i])) { *why = "the path has a character outside [A-Za-z0-9/._+-]"; return -1; }
    /* Component by component: none empty (//, a trailing /), none . or .. */
    for (size_t i = 1; i <= n;) {
        size_t s = i;
        while (i < n && v[i] != '/') i++;
        size_t cl = i - s;
        if (cl == 0 || (cl == 1 && v[s] == '.') || (cl == 2 && v[s] == '.' && v[s + 1] == '.')) {
            *why = "the path has an empty, . or .. component";
            return -1;
        }
        i++;
    }
    memcpy(out, v, n);
    out[n] = '\0';
    return 1;
}
