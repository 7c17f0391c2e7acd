/* lib/trustlist.c: the sha256sum-format trust list, strict line by line. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "lib/trustlist.h"

#define H_A "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define H_B "0123456789abcdef0123456789abcdef0123456789abcdef0123456789ABCDEF"

static struct trustlist tl;
static unsigned bad_lines[16];
static const char *bad_why[16];
static unsigned nbad;

static void on_bad(unsigned line, const char *why, void *ctx)
{
    (void)ctx;
    if (nbad < 16) { bad_lines[nbad] = line; bad_why[nbad] = why; }
    nbad++;
}

static int parse(const char *s)
{
    nbad = 0;
    return trustlist_parse(s, strlen(s), &tl, on_bad, NULL);
}

static void digest_of(const char *hex, uint8_t d[32])
{
    for (int i = 0; i < 32; i++) {
        unsigned v;
        sscanf(hex + 2 * i, "%2x", &v);
        d[i] = (uint8_t)v;
    }
}

static void test_good_lines_comments_and_blanks(void **state)
{
    (void)state;
    assert_int_equal(parse("# trusted programs\n\n" H_A "  /bin/a\n" H_B " */bin/b"), 0);
    assert_int_equal(nbad, 0);
    assert_int_equal(tl.n, 2);
    uint8_t d[32];
    digest_of(H_A, d);
    assert_true(trustlist_contains(&tl, d));
    digest_of(H_B, d);                       /* upper-case hex accepted */
    assert_true(trustlist_contains(&tl, d));
    d[31] ^= 1;
    assert_false(trustlist_contains(&tl, d));
}

static void test_bad_lines_reported_rest_applies(void **state)
{
    (void)state;
    const char *t2 =
        H_A "  /bin/a\n"
        "xyz  /bin/short\n"
        H_A " /bin/one-space\n"
        "z3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  /bin/z\n"
        H_A "  /bin/cr\r\n"
        H_B "  /bin/b\n";
    assert_int_equal(parse(t2), 4);
    assert_int_equal(nbad, 4);
    assert_int_equal(bad_lines[0], 2);
    assert_int_equal(bad_lines[1], 3);
    assert_int_equal(bad_lines[2], 4);
    assert_string_equal(bad_why[2], "bad hex digit in the digest");
    assert_int_equal(bad_lines[3], 5);
    assert_string_equal(bad_why[3], "control character in the path");
    assert_int_equal(tl.n, 2);
}

static void test_empty_path_and_missing_path(void **state)
{
    (void)state;
    assert_int_equal(parse(H_A "  \n" H_A "\n" H_A "  x\n"), 2);
    assert_int_equal(bad_lines[0], 1);
    assert_int_equal(bad_lines[1], 2);
    assert_int_equal(tl.n, 1);
}

static void test_line_too_long(void **state)
{
    (void)state;
    static char buf[1024];
    memset(buf, 'p', sizeof buf - 1);
    memcpy(buf, H_A "  ", 66);
    buf[TRUSTLIST_MAX_LINE + 1] = '\0';
    assert_int_equal(parse(buf), 1);
    assert_string_equal(bad_why[0], "line too long");
    buf[TRUSTLIST_MAX_LINE] = '\0';          /* exactly the limit: fine */
    assert_int_equal(parse(buf), 0);
    assert_int_equal(tl.n, 1);
}

static void test_entry_limit(void **state)
{
    (void)state;
    size_t line = 64 + 2 + 2 + 1;
    size_t count = TRUSTLIST_MAX_ENTRIES + 3;
    char *buf = malloc(line * count + 1);
    assert_non_null(buf);
    for (size_t i = 0; i < count; i++)
        snprintf(buf + i * line, line + 1, "%064zx  /x\n", i);
    assert_int_equal(parse(buf), 3);
    assert_int_equal(tl.n, TRUSTLIST_MAX_ENTRIES);
    assert_int_equal(bad_lines[0], TRUSTLIST_MAX_ENTRIES + 1);
    assert_string_equal(bad_why[0], "too many entries");
    free(buf);
}

static void test_file_too_large(void **state)
{
    (void)state;
    char *buf = calloc(1, TRUSTLIST_MAX_BYTES + 1);
    assert_non_null(buf);
    nbad = 0;
    assert_int_equal(trustlist_parse(buf, TRUSTLIST_MAX_BYTES + 1, &tl, on_bad, NULL), -1);
    assert_int_equal(nbad, 1);
    assert_int_equal(bad_lines[0], 0);
    assert_int_equal(tl.n, 0);
    free(buf);
}

static void test_nul_in_text_is_a_bad_line(void **state)
{
    (void)state;
    static const char t[] = H_A "  /bin/a\0b\n";
    nbad = 0;
    assert_int_equal(trustlist_parse(t, sizeof t - 1, &tl, on_bad, NULL), 1);
    assert_int_equal(tl.n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_lines_comments_and_blanks),
        cmocka_unit_test(test_bad_lines_reported_rest_applies),
        cmocka_unit_test(test_empty_path_and_missing_path),
        cmocka_unit_test(test_line_too_long),
        cmocka_unit_test(test_entry_limit),
        cmocka_unit_test(test_file_too_large),
        cmocka_unit_test(test_nul_in_text_is_a_bad_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
