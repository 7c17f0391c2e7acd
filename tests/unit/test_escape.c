/* lib/escape.c: what may reach a terminal from an untrusted name, and %pE. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "lib/escape.h"
#include "lib/printf.h"

struct out { char buf[512]; size_t n; };

static void collect(char c, void *p) {
    struct out *o = p;
    if (o->n + 1 < sizeof o->buf) o->buf[o->n++] = c;
    o->buf[o->n] = '\0';
}

static const char *esc_n(const char *s, size_t n) {
    static struct out o;
    o.n = 0;
    o.buf[0] = '\0';
    size_t r = escape_untrusted(s, n, collect, &o);
    assert_int_equal(r, o.n);
    assert_int_equal(escape_untrusted(s, n, NULL, NULL), r); /* counting agrees */
    return o.buf;
}
#define ESC(lit) esc_n(lit, sizeof(lit) - 1)

static void test_plain_ascii_unchanged(void **state) {
    (void)state;
    assert_string_equal(ESC("hello world ~!@#$%^&*()"), "hello world ~!@#$%^&*()");
    assert_string_equal(ESC(""), "");
}

static void test_c0_del_and_backslash(void **state) {
    (void)state;
    assert_string_equal(ESC("a\x1b[2Jb"), "a\\x1b[2Jb");
    assert_string_equal(ESC("\n\r\t\x07\x7f"), "\\x0a\\x0d\\x09\\x07\\x7f");
    assert_string_equal(ESC("a\\x41"), "a\\\\x41");
    assert_string_equal(esc_n("a\0b", 3), "a\\x00b");
}

static void test_raw_c1_bytes(void **state) {
    (void)state;
    assert_string_equal(ESC("\x9b" "31m"), "\\x9b31m");
    assert_string_equal(ESC("\x80\x85\x9f"), "\\x80\\x85\\x9f");
}

static void test_utf8_encoded_c1(void **state) {
    (void)state;
    assert_string_equal(ESC("\xc2\x9b" "2J"), "\\xc2\\x9b2J");        /* U+009B CSI */
    assert_string_equal(ESC("\xc2\x80\xc2\x9f"), "\\xc2\\x80\\xc2\\x9f");
}

static void test_good_utf8_passes(void **state) {
    (void)state;
    assert_string_equal(ESC("caf\xc3\xa9"), "caf\xc3\xa9");           /* é */
    assert_string_equal(ESC("\xc2\xa0"), "\xc2\xa0");                 /* U+00A0, first allowed */
    assert_string_equal(ESC("\xe2\x94\x82"), "\xe2\x94\x82");         /* box drawing */
    assert_string_equal(ESC("\xf0\x9f\x98\x80"), "\xf0\x9f\x98\x80"); /* emoji */
}

static void test_bidi_and_separators(void **state) {
    (void)state;
    assert_string_equal(ESC("\xe2\x80\xae"), "\\xe2\\x80\\xae");      /* U+202E RLO */
    assert_string_equal(ESC("\xe2\x81\xa6"), "\\xe2\\x81\\xa6");      /* U+2066 LRI */
    assert_string_equal(ESC("\xe2\x80\xa8"), "\\xe2\\x80\\xa8");      /* U+2028 */
    assert_string_equal(ESC("\xe2\x80\x8f"), "\\xe2\\x80\\x8f");      /* U+200F RLM */
}

static void test_malformed_utf8(void **state) {
    (void)state;
    assert_string_equal(ESC("\xc0\x9b"), "\\xc0\\x9b");               /* overlong CSI */
    assert_string_equal(ESC("\xe0\x82\x9b"), "\\xe0\\x82\\x9b");      /* 3-byte overlong */
    assert_string_equal(ESC("\xed\xa0\x80"), "\\xed\\xa0\\x80");      /* surrogate */
    assert_string_equal(ESC("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80"); /* > U+10FFFF */
    assert_string_equal(ESC("\xc3"), "\\xc3");                        /* truncated */
    assert_string_equal(ESC("\xe2\x94"), "\\xe2\\x94");
    assert_string_equal(ESC("\xc3" "A"), "\\xc3A");
    assert_string_equal(esc_n("\xc3\xa9", 1), "\\xc3");               /* cut by the length */
}

static void test_printf_pE(void **state) {
    (void)state;
    char buf[128];
    ksnprintf(buf, sizeof buf, "name=%pE reason=%s", "x\x1b]0;t\x07\xc2\x9b", "ok");
    assert_string_equal(buf, "name=x\\x1b]0;t\\x07\\xc2\\x9b reason=ok");
    ksnprintf(buf, sizeof buf, "[%-6pE][%6pE][%-3pE]", "a\x01", "b", "c");
    assert_string_equal(buf, "[a\\x01 ][     b][c  ]"); /* padded to the escaped width */
    ksnprintf(buf, sizeof buf, "%pE", (const char *)0);
    assert_string_equal(buf, "(null)");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_ascii_unchanged),
        cmocka_unit_test(test_c0_del_and_backslash),
        cmocka_unit_test(test_raw_c1_bytes),
        cmocka_unit_test(test_utf8_encoded_c1),
        cmocka_unit_test(test_good_utf8_passes),
        cmocka_unit_test(test_bidi_and_separators),
        cmocka_unit_test(test_malformed_utf8),
        cmocka_unit_test(test_printf_pE),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
