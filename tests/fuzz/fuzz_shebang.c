/* Fuzzes shebang_parse() (kernel/shebang.c): any file contents. An accepted
 * line gives an absolute interpreter without blanks or control bytes and an
 * argument without blanks at its ends, both found in the input's first
 * SHEBANG_LINE_MAX bytes. */
#include "tests/fuzz/fuzz.h"
#include "kernel/shebang.h"
#include "secos/errno.h"

/* Whether needle occurs in the first n bytes of hay. */
static int occurs(const uint8_t *hay, size_t n, const char *needle, size_t len)
{
    for (size_t i = 0; i + len <= n; i++)
        if (memcmp(hay + i, needle, len) == 0) return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct shebang sb;
    int r = shebang_parse(data, size, &sb);
    CHECK(r == 0 || r == 1 || r == -ENOEXEC);
    CHECK(r != 0 || size < 2 || data[0] != '#' || data[1] != '!');
    if (r != 1) return 0;
    size_t il = strlen(sb.interp), al = strlen(sb.arg);
    CHECK(il > 0 && il < SHEBANG_LINE_MAX && sb.interp[0] == '/');
    CHECK(al < SHEBANG_LINE_MAX && sb.has_arg == (al > 0));
    for (size_t i = 0; i < il; i++) CHECK((unsigned char)sb.interp[i] > ' ' && sb.interp[i] != 0x7f);
    if (al) CHECK(sb.arg[0] != ' ' && sb.arg[0] != '\t' && sb.arg[al - 1] != ' ' && sb.arg[al - 1] != '\t');
    CHECK(il + al + 2 <= (size < SHEBANG_LINE_MAX ? size : SHEBANG_LINE_MAX));
    CHECK(occurs(data, size < SHEBANG_LINE_MAX ? size : SHEBANG_LINE_MAX, sb.interp, il));
    return 0;
}
