/* fs/path.c: lexical normalisation, table-driven, and the split/join helpers. */
#include "tests/unit/host_rename.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fs/path.h"
#include "lib/string.h"
#include "secos/errno.h"

struct norm_case {
    const char *cwd, *path;
    int err;              /* 0: expect `want` */
    const char *want;
};

static const struct norm_case cases[] = {
    { "/", "/", 0, "/" },
    { "/", "/a/b", 0, "/a/b" },
    { "/", "//a//b/./c/..", 0, "/a/b" },
    { "/", "/a/b/", 0, "/a/b" },
    { "/", "/..", 0, "/" },
    { "/", "/../../..", 0, "/" },
    { "/", "/../a", 0, "/a" },
    { "/", "/a/../../b", 0, "/b" },
    { "/", ".", 0, "/" },
    { "/", "..", 0, "/" },
    { "/", "./a/./b/.", 0, "/a/b" },
    { "/", "...", 0, "/..." },            /* only "." and ".." are special */
    { "/", ".hidden/..x", 0, "/.hidden/..x" },
    { "/docs", "readme.txt", 0, "/docs/readme.txt" },
    { "/docs", "../etc", 0, "/etc" },
    { "/docs/sub", "../../..", 0, "/" },
    { "/docs", "/abs", 0, "/abs" },       /* an absolute path ignores cwd */
    { "//docs/./x/..", "f", 0, "/docs/f" }, /* cwd is normalised too */
    { NULL, "a", 0, "/a" },
    { "", "a", 0, "/a" },
    { "/", "a b/c", 0, "/a b/c" },
    { "/", "", -ENOENT, NULL },
    { NULL, "", -ENOENT, NULL },
    { "docs", "a", -EINVAL, NULL },       /* a relative cwd */
    { "docs", "/a", 0, "/a" },            /* ... does not matter for an absolute path */
    { "/", "a\tb", -EINVAL, NULL },
    { "/", "a\x1b[2J", -EINVAL, NULL },
    { "/", "a\x7f", -EINVAL, NULL },
};

static void test_normalize_table(void **state) {
    (void)state;
    char out[VFS_PATH_MAX + 1];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct norm_case *c = &cases[i];
        memset(out, 'X', sizeof out);
        int r = path_normalize(c->cwd, c->path, out, sizeof out);
        if (r != c->err)
            fail_msg("case %zu: cwd=%s path=%s: got %d, want %d", i, c->cwd ? c->cwd : "(null)", c->path, r, c->err);
        if (c->want) assert_string_equal(out, c->want);
    }
}

static void fill(char *s, char c, size_t n) {
    memset(s, c, n);
    s[n] = '\0';
}

static void test_name_length_limit(void **state) {
    (void)state;
    char name[VFS_NAME_MAX + 3], path[VFS_NAME_MAX + 8], out[VFS_PATH_MAX + 1];
    fill(name, 'n', VFS_NAME_MAX);
    snprintf(path, sizeof path, "/%s", name);
    assert_int_equal(path_normalize("/", path, out, sizeof out), 0);
    assert_string_equal(out, path);
    fill(name, 'n', VFS_NAME_MAX + 1);
    assert_int_equal(path_normalize("/", name, out, sizeof out), -ENAMETOOLONG);
    /* Even a name that ".." would remove is refused. */
    snprintf(path, sizeof path, "/%s/..", name);
    assert_int_equal(path_normalize("/", path, out, sizeof out), -ENAMETOOLONG);
    /* ... and so is one in cwd. */
    snprintf(path, sizeof path, "/%s", name);
    assert_int_equal(path_normalize(path, "x", out, sizeof out), -ENAMETOOLONG);
}

static void test_path_length_limit(void **state) {
    (void)state;
    enum { L = VFS_PATH_MAX - 1 };                 /* even: L / 2 times "/a" */
    _Static_assert((VFS_PATH_MAX - 1) % 2 == 0, "the test builds the path from \"/a\" pairs");
    char path[VFS_PATH_MAX + 100], out[VFS_PATH_MAX + 1];
    /* L / 2 x "/a" is L bytes; then the last name grows by one byte at a time. */
    size_t n = 0;
    for (int i = 0; i < L / 2; i++) { path[n++] = '/'; path[n++] = 'a'; }
    path[n] = '\0';
    assert_int_equal(strlen(path), L);
    assert_int_equal(path_normalize("/", path, out, sizeof out), 0);
    strcpy(path + L - 2, "/bc");                   /* VFS_PATH_MAX bytes: the maximum */
    assert_int_equal(strlen(path), VFS_PATH_MAX);
    assert_int_equal(path_normalize("/", path, out, sizeof out), 0);
    assert_string_equal(out, path);
    strcpy(path + L - 2, "/bcd");                  /* one more */
    assert_int_equal(path_normalize("/", path, out, sizeof out), -ENAMETOOLONG);
    /* Relative: cwd + path together are what count. */
    path[L - 2] = '\0';                            /* L - 2 bytes */
    assert_int_equal(path_normalize(path, "x", out, sizeof out), 0);       /* L */
    assert_int_equal(path_normalize(path, "xy", out, sizeof out), 0);      /* VFS_PATH_MAX */
    assert_int_equal(path_normalize(path, "xyz", out, sizeof out), -ENAMETOOLONG);
    assert_int_equal(path_normalize(path, "../xyz", out, sizeof out), 0);  /* shorter again */
    /* A long input that collapses to something short is fine: each
     * intermediate result stays within the limit. */
    n = 0;
    for (int i = 0; i < 200; i++) { memcpy(path + n, "/a/..", 5); n += 5; }
    path[n] = '\0';
    assert_int_equal(path_normalize("/", path, out, sizeof out), 0);
    assert_string_equal(out, "/");
}

static void test_small_output_buffer(void **state) {
    (void)state;
    char out[4];
    assert_int_equal(path_normalize("/", "/abc", out, sizeof out), -ERANGE);
    assert_int_equal(path_normalize("/", "/ab", out, sizeof out), 0);
    assert_string_equal(out, "/ab");
    assert_int_equal(path_normalize("/", "/", out, 1), -ERANGE);
    assert_int_equal(path_normalize("/", NULL, out, sizeof out), -EINVAL);
    assert_int_equal(path_normalize("/", "a", NULL, 0), -EINVAL);
}

static void test_split(void **state) {
    (void)state;
    char parent[VFS_PATH_MAX + 1];
    const char *name;
    assert_int_equal(path_split("/a/b/c", parent, sizeof parent, &name), 0);
    assert_string_equal(parent, "/a/b");
    assert_string_equal(name, "c");
    assert_int_equal(path_split("/x", parent, sizeof parent, &name), 0);
    assert_string_equal(parent, "/");
    assert_string_equal(name, "x");
    assert_int_equal(path_split("/", parent, sizeof parent, &name), -EINVAL);
    assert_int_equal(path_split("/a/b", parent, 2, &name), -ERANGE);
    assert_string_equal(path_basename("/a/bc"), "bc");
    assert_string_equal(path_basename("/"), "");
}

static void test_within(void **state) {
    (void)state;
    assert_true(path_is_within("/", "/"));
    assert_true(path_is_within("/", "/a/b"));
    assert_true(path_is_within("/a", "/a"));
    assert_true(path_is_within("/a", "/a/b"));
    assert_false(path_is_within("/a", "/ab"));
    assert_false(path_is_within("/a/b", "/a"));
    assert_false(path_is_within("/mnt", "/"));
}

static void test_join(void **state) {
    (void)state;
    char out[VFS_PATH_MAX + 1], dir[VFS_PATH_MAX + 1];
    assert_int_equal(path_join("/", "x", out, sizeof out), 0);
    assert_string_equal(out, "/x");
    assert_int_equal(path_join("/a/b", "c", out, sizeof out), 0);
    assert_string_equal(out, "/a/b/c");
    fill(dir, 'd', VFS_PATH_MAX - 5);
    dir[0] = '/';
    assert_int_equal(path_join(dir, "abcd", out, sizeof out), 0);   /* VFS_PATH_MAX */
    assert_int_equal(path_join(dir, "abcde", out, sizeof out), -ENAMETOOLONG);
    assert_int_equal(path_join("/a", "b", out, 4), -ERANGE);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalize_table),
        cmocka_unit_test(test_name_length_limit),
        cmocka_unit_test(test_path_length_limit),
        cmocka_unit_test(test_small_output_buffer),
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_within),
        cmocka_unit_test(test_join),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
