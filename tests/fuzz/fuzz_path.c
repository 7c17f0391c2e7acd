/* Fuzzes path_normalize() (fs/path.c). Input: cwd, NUL, path; with no NUL
 * the whole input is the path and cwd is NULL. A normalised path must be
 * absolute and clean (no "//", "/./", "/../", trailing '/'), within the
 * length limits, and a fixed point of normalisation. */
#include "tests/fuzz/fuzz.h"
#include "fs/path.h"
#include "secos/errno.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    char *cwd = nul ? fuzz_strndup(data, (size_t)(nul - data)) : NULL;
    char *path = nul ? fuzz_strndup(nul + 1, size - (size_t)(nul + 1 - data)) : fuzz_strndup(data, size);
    char out[VFS_PATH_MAX + 1];

    int r = path_normalize(cwd, path, out, sizeof out);
    if (r != 0) {
        CHECK(r == -ENOENT || r == -ENAMETOOLONG || r == -EINVAL);
        goto done;
    }
    size_t n = strlen(out);
    CHECK(out[0] == '/' && n <= VFS_PATH_MAX);
    CHECK(n == 1 || fuzz_clean_components(out + 1, VFS_NAME_MAX));

    /* Idempotent whatever the cwd (an absolute path ignores it), and n + 1
     * bytes are exactly enough. */
    char *again = malloc(n + 1);
    CHECK(again);
    CHECK(path_normalize(cwd, out, again, n + 1) == 0 && strcmp(again, out) == 0);
    CHECK(path_normalize(NULL, out, again, n) == -ERANGE);
    free(again);

    /* The helpers that work on normalised paths agree with it. */
    if (n > 1) {
        char parent[VFS_PATH_MAX + 1], joined[VFS_PATH_MAX + 1];
        const char *name = NULL;
        CHECK(path_split(out, parent, sizeof parent, &name) == 0);
        CHECK(name == path_basename(out) && name[0] && !strchr(name, '/'));
        CHECK(path_is_within(parent, out) && path_is_within("/", out) && path_is_within(out, out));
        CHECK(path_join(parent, name, joined, sizeof joined) == 0 && strcmp(joined, out) == 0);
    }
done:
    free(cwd);
    free(path);
    return 0;
}
