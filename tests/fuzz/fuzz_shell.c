/* Fuzzes shell_split_line() (console/shell_parse.c) with the buffer sizes the
 * shell uses. The input, up to its first NUL, is the line; the words must be
 * exactly the line's space/tab separated tokens. */
#include "tests/fuzz/fuzz.h"
#include "console/shell_parse.h"
#include "lib/lineedit.h"

static int is_blank(char c) { return c == ' ' || c == '\t'; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *line = fuzz_strndup(data, size);
    char *buf = malloc(LINE_MAX_LEN + 1);
    char **argv = malloc((SHELL_MAX_ARGS + 1) * sizeof *argv); /* as documented */
    int argc = -1;
    CHECK(buf && argv);

    int r = shell_split_line(line, buf, LINE_MAX_LEN + 1, argv, &argc);
    CHECK(argc >= 0 && argc <= SHELL_MAX_ARGS);

    /* The reference: count the tokens of the line. */
    size_t len = strlen(line);
    int words = 0;
    for (size_t i = 0; i < len; i++)
        if (!is_blank(line[i]) && (i == 0 || is_blank(line[i - 1])))
            words++;

    if (len > LINE_MAX_LEN) {
        CHECK(r == SHELL_SPLIT_TOO_LONG);
    } else if (words > SHELL_MAX_ARGS) {
        CHECK(r == SHELL_SPLIT_TOO_MANY);
    } else {
        CHECK(r == SHELL_SPLIT_OK && argc == words && argv[argc] == NULL);
        const char *p = line;
        for (int i = 0; i < argc; i++) {
            size_t w = strlen(argv[i]);
            CHECK(argv[i] >= buf && argv[i] + w <= buf + len);
            CHECK(w > 0 && !strpbrk(argv[i], " \t"));
            while (is_blank(*p))
                p++;
            CHECK(strncmp(p, argv[i], w) == 0 && (p[w] == '\0' || is_blank(p[w])));
            p += w;
        }
    }
    free(line);
    free(buf);
    free(argv);
    return 0;
}
