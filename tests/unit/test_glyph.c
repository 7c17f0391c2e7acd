/* UTF-8 decoding and glyph mapping for the 256-glyph displays. */
#include "tests/unit/host_rename.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/glyph.h"

/* Decodes s and renders it the way console.c does, into out. */
static void render(const char *s, int vga, char *out) {
    struct utf8_decoder d = {0};
    uint32_t cp;
    for (; *s; s++) {
        int r = utf8_feed(&d, (uint8_t)*s, &cp);
        if (r == UTF8_BAD) {
            *out++ = '?';
            if ((uint8_t)*s < 0x80) *out++ = *s;
        } else if (r == UTF8_DONE) {
            *out++ = (char)(vga ? glyph_cp437(cp) : glyph_latin1(cp));
        }
    }
    *out = 0;
}

static void test_ascii_passes(void **state) {
    (void)state;
    char out[64];
    render("hello, world\n", 1, out);
    assert_string_equal(out, "hello, world\n");
}

static void test_tree_drawing_vga(void **state) {
    (void)state;
    char out[64];
    render("\xe2\x94\x9c\xe2\x94\x80 a \xe2\x94\x82 \xe2\x94\x94\xe2\x94\x80", 1, out);
    assert_string_equal(out, "\xc3\xc4 a \xb3 \xc0\xc4"); /* code page 437 box glyphs */
}

static void test_tree_drawing_framebuffer(void **state) {
    (void)state;
    char out[64];
    render("\xe2\x94\x9c\xe2\x94\x80 \xe2\x94\x82 \xe2\x94\x94", 0, out);
    assert_string_equal(out, "+- | `");
}

static void test_latin1_and_unknown(void **state) {
    (void)state;
    char out[64];
    render("caf\xc3\xa9 \xe2\x82\xac", 0, out); /* é is Latin-1, € is not */
    assert_string_equal(out, "caf\xe9 ?");
    render("caf\xc3\xa9", 1, out);
    assert_string_equal(out, "caf?");
}

static void test_broken_sequences(void **state) {
    (void)state;
    char out[64];
    render("a\x80" "b", 1, out);        /* stray continuation */
    assert_string_equal(out, "a?b");
    render("\xe2\x94" "x", 1, out);       /* cut short by ASCII */
    assert_string_equal(out, "?x");
    render("\xe2\xc3\xa9", 0, out);       /* cut short by a new sequence */
    assert_string_equal(out, "?\xe9");
    render("\xff" "z", 1, out);
    assert_string_equal(out, "?z");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ascii_passes),
        cmocka_unit_test(test_tree_drawing_vga),
        cmocka_unit_test(test_tree_drawing_framebuffer),
        cmocka_unit_test(test_latin1_and_unknown),
        cmocka_unit_test(test_broken_sequences),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
