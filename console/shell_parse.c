#include "console/shell_parse.h"
#include "lib/string.h"

int shell_split_line(const char *line, char *buf, size_t size, char **argv, int *argc) {
    *argc = 0;
    argv[0] = 0;
    if (strlcpy(buf, line, size) >= size) return SHELL_SPLIT_TOO_LONG;
    for (char *p = buf; *p;) {
        while (*p == ' ' || *p == '\t') *p++ = '\0';
        if (!*p) break;
        if (*argc == SHELL_MAX_ARGS) return SHELL_SPLIT_TOO_MANY;
        argv[(*argc)++] = p;
        while (*p && *p != ' ' && *p != '\t') p++;
    }
    argv[*argc] = 0;
    return SHELL_SPLIT_OK;
}
