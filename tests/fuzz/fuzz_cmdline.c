/* Fuzzes cmdline_init_path() (kernel/cmdline.c): any command line. An
 * accepted init= path is absolute, within the limit, made of the allowed
 * characters only, with no empty, "." or ".." component. */
#include "tests/fuzz/fuzz.h"
#include "kernel/cmdline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *line = malloc(size + 1);
    CHECK(line);
    memcpy(line, data, size);
    line[size] = '\0';
    char out[CMDLINE_INIT_MAX];
    const char *why = NULL;
    int r = cmdline_init_path(line, out, sizeof out, &why);
    CHECK(r == -1 || r == 0 || r == 1);
    CHECK(why != NULL && (r != -1 || why[0]));
    if (r == 1) {
        size_t n = strlen(out);
        CHECK(n > 1 && n < CMDLINE_INIT_MAX && out[0] == '/' && out[n - 1] != '/');
        CHECK(!strstr(out, "//") && !strstr(out, "/./") && !strstr(out, "/../"));
        CHECK(strcmp(out + n - 2, "/.") != 0 && (n < 3 || strcmp(out + n - 3, "/..") != 0));
        for (size_t i = 0; i < n; i++) CHECK(strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+", out[i]));
        CHECK(strstr(line, out) != NULL);
    }
    free(line);
    return 0;
}
