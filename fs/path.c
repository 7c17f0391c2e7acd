/* Lexical path normalisation; see path.h. */
#include "fs/path.h"
#include "lib/string.h"
#include "secos/errno.h"

/* Appends the components of src to the normalised path in buf (length *len,
 * at most VFS_PATH_MAX). Checking each intermediate result keeps buf bounded
 * without a second, larger buffer. */
static int absorb(char *buf, size_t *len, const char *src) {
    const char *p = src;
    for (;;) {
        while (*p == '/') p++;
        if (!*p) return 0;
        const char *start = p;
        while (*p && *p != '/') {
            unsigned char c = (unsigned char)*p;
            if (c < 0x20 || c == 0x7f) return -EINVAL;
            p++;
        }
        size_t n = (size_t)(p - start);
        if (n == 1 && start[0] == '.') continue;
        if (n == 2 && start[0] == '.' && start[1] == '.') {
            while (*len > 1 && buf[*len - 1] != '/') (*len)--;
            if (*len > 1) (*len)--;        /* the separator, unless it is the root */
            buf[*len] = '\0';
            continue;
        }
        if (n > VFS_NAME_MAX) return -ENAMETOOLONG;
        size_t sep = *len > 1 ? 1 : 0;
        if (*len + sep + n > VFS_PATH_MAX) return -ENAMETOOLONG;
        if (sep) buf[(*len)++] = '/';
        memcpy(buf + *len, start, n);
        *len += n;
        buf[*len] = '\0';
    }
}

int path_normalize(const char *cwd, const char *path, char *out, size_t size) {
    if (!path || !out) return -EINVAL;
    if (!path[0]) return -ENOENT;
    char buf[VFS_PATH_MAX + 1] = "/";
    size_t len = 1;
    if (path[0] != '/' && cwd && cwd[0]) {
        if (cwd[0] != '/') return -EINVAL;
        int r = absorb(buf, &len, cwd);
        if (r) return r;
    }
    int r = absorb(buf, &len, path);
    if (r) return r;
    if (len + 1 > size) return -ERANGE;
    memcpy(out, buf, len + 1);
    return 0;
}

int path_split(const char *path, char *parent, size_t size, const char **name) {
    if (path[0] != '/' || path[1] == '\0') return -EINVAL;
    const char *last = path + strlen(path);
    while (last[-1] != '/') last--;
    size_t plen = (size_t)(last - path) - 1;   /* without the separator */
    if (plen == 0) plen = 1;                   /* the parent is the root */
    if (plen + 1 > size) return -ERANGE;
    memcpy(parent, path, plen);
    parent[plen] = '\0';
    *name = last;
    return 0;
}

const char *path_basename(const char *path) {
    const char *last = path + strlen(path);
    while (last > path && last[-1] != '/') last--;
    return last;
}

int path_is_within(const char *base, const char *path) {
    size_t n = strlen(base);
    if (n == 1 && base[0] == '/') return path[0] == '/';
    return strncmp(base, path, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

int path_join(const char *dir, const char *name, char *out, size_t size) {
    size_t d = strlen(dir), n = strlen(name);
    if (d == 1 && dir[0] == '/') d = 0;        /* "/" + "x" is "/x", not "//x" */
    size_t total = d + 1 + n;
    if (total > VFS_PATH_MAX) return -ENAMETOOLONG;
    if (total + 1 > size) return -ERANGE;
    memmove(out, dir, d);
    out[d] = '/';
    memcpy(out + d + 1, name, n);
    out[total] = '\0';
    return 0;
}
