/* Parsing the "#!" line; the rules are in kernel/shebang.h. */
#include "kernel/shebang.h"
#include "lib/string.h"
#include "secos/errno.h"

static int is_blank(uint8_t c) { return c == ' ' || c == '\t'; }

int shebang_parse(const void *file, uint64_t size, struct shebang *sb) {
    const uint8_t *p = file;
    if (size < 2 || p[0] != '#' || p[1] != '!') return 0;
    /* The line: bytes 2 .. end (exclusive), end at the newline or the file's end. */
    uint64_t limit = size < SHEBANG_LINE_MAX ? size : SHEBANG_LINE_MAX;
    uint64_t end = 2;
    while (end < limit && p[end] != '\n') end++;
    if (end == limit && limit < size) return -ENOEXEC; /* no newline within the limit */
    for (uint64_t i = 2; i < end; i++)
        if ((p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7f) return -ENOEXEC;
    uint64_t i = 2;
    while (i < end && is_blank(p[i])) i++;
    uint64_t s = i;
    while (i < end && !is_blank(p[i])) i++;
    if (i == s || p[s] != '/') return -ENOEXEC;
    memcpy(sb->interp, p + s, i - s);  /* i - s < SHEBANG_LINE_MAX: the line is shorter */
    sb->interp[i - s] = '\0';
    while (i < end && is_blank(p[i])) i++;
    uint64_t e = end;
    while (e > i && is_blank(p[e - 1])) e--;
    memcpy(sb->arg, p + i, e - i);
    sb->arg[e - i] = '\0';
    sb->has_arg = e > i;
    return 1;
}
