/* Host tests for the scancode set 1 decoder (lib/kbd_decode.c). */
#include "tests/unit/host_rename.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/kbd_decode.h"

enum {
    A = 0x1e, Q = 0x10, Z = 0x2c, ONE = 0x02, TWO = 0x03, SLASH = 0x35,
    LSHIFT = 0x2a, RSHIFT = 0x36, LCTRL = 0x1d, CAPS = 0x3a,
    ENTER = 0x1c, BKSP = 0x0e, TAB = 0x0f, ESC = 0x01, SPACE = 0x39,
    REL = 0x80,
};

static int setup(void **state) {
    static struct kbd_state st;
    kbd_reset(&st);
    *state = &st;
    return 0;
}

/* Feeds a byte sequence and returns the result of the last byte; every
 * earlier byte must produce nothing. */
static int feed_seq(struct kbd_state *st, const uint8_t *seq, size_t n) {
    for (size_t i = 0; i + 1 < n; i++) assert_int_equal(kbd_feed(st, seq[i]), KBD_NONE);
    return kbd_feed(st, seq[n - 1]);
}
#define FEED(st, ...) feed_seq((st), (const uint8_t[]){__VA_ARGS__}, \
                               sizeof((const uint8_t[]){__VA_ARGS__}))

static void test_letters_digits_punct(void **state) {
    struct kbd_state *st = *state;
    assert_int_equal(kbd_feed(st, A), 'a');
    assert_int_equal(kbd_feed(st, Q), 'q');
    assert_int_equal(kbd_feed(st, Z), 'z');
    assert_int_equal(kbd_feed(st, 0x32), 'm');
    assert_int_equal(kbd_feed(st, ONE), '1');
    assert_int_equal(kbd_feed(st, 0x0b), '0');
    assert_int_equal(kbd_feed(st, SLASH), '/');
    assert_int_equal(kbd_feed(st, 0x2b), '\\');
    assert_int_equal(kbd_feed(st, 0x28), '\'');
    assert_int_equal(kbd_feed(st, 0x29), '`');
    assert_int_equal(kbd_feed(st, SPACE), ' ');
}

static void test_control_keys(void **state) {
    struct kbd_state *st = *state;
    assert_int_equal(kbd_feed(st, ENTER), '\n');
    assert_int_equal(kbd_feed(st, BKSP), '\b');
    assert_int_equal(kbd_feed(st, TAB), '\t');
    assert_int_equal(kbd_feed(st, ESC), 0x1b);
}

static void test_shift(void **state) {
    struct kbd_state *st = *state;
    assert_int_equal(FEED(st, LSHIFT, A), 'A');
    assert_int_equal(kbd_feed(st, ONE), '!');
    assert_int_equal(kbd_feed(st, TWO), '@');
    assert_int_equal(kbd_feed(st, SLASH), '?');
    assert_int_equal(kbd_feed(st, LSHIFT | REL), KBD_NONE);
    assert_int_equal(kbd_feed(st, A), 'a');

    assert_int_equal(FEED(st, RSHIFT, 0x29), '~');
    assert_int_equal(FEED(st, RSHIFT | REL, 0x29), '`');
}

static void test_both_shifts(void **state) {
    struct kbd_state *st = *state;
    /* Releasing one shift while the other is still held keeps shift on. */
    assert_int_equal(FEED(st, LSHIFT, RSHIFT, LSHIFT | REL, A), 'A');
    assert_int_equal(FEED(st, RSHIFT | REL, A), 'a');
}

static void test_caps_lock(void **state) {
    struct kbd_state *st = *state;
    assert_int_equal(FEED(st, CAPS, CAPS | REL, A), 'A');
    assert_int_equal(kbd_feed(st, ONE), '1');   /* digits unaffected */
    assert_int_equal(kbd_feed(st, SLASH), '/'); /* punctuation unaffected */
    assert_int_equal(FEED(st, CAPS, CAPS | REL, A), 'a'); /* toggled off */
}

static void test_caps_lock_repeat(void **state) {
    struct kbd_state *st = *state;
    /* Holding Caps Lock sends repeated make codes: toggle once only. */
    assert_int_equal(FEED(st, CAPS, CAPS, CAPS | REL, A), 'A');
    assert_int_equal(FEED(st, CAPS, CAPS, CAPS, CAPS | REL, A), 'a');
}

static void test_caps_and_shift(void **state) {
    struct kbd_state *st = *state;
    assert_int_equal(FEED(st, CAPS, CAPS | REL, LSHIFT, A), 'a');
    assert_int_equal(kbd_feed(st, ONE), '!');
    assert_int_equal(FEED(st, LSHIFT | REL, A), 'A');
}

static void test_releases_ignored(void **state) {
    struct kbd_state *st = *state;
    assert_int_equal(kbd_feed(st, A | REL), KBD_NONE);
    assert_int_equal(kbd_feed(st, ENTER | REL), KBD_NONE);
    assert_int_equal(kbd_feed(st, 0xff), KBD_NONE);
    assert_int_equal(kbd_feed(st, A), 'a');
}

static void test_e0_prefix(void **state) {
    struct kbd_state *st = *state;
    assert_int_equal(FEED(st, 0xe0, ENTER), '\n');           /* keypad Enter */
    assert_int_equal(FEED(st, 0xe0, ENTER | REL), KBD_NONE);
    assert_int_equal(FEED(st, 0xe0, 0x48), KBD_NONE);        /* up arrow */
    assert_int_equal(FEED(st, 0xe0, 0x35), KBD_NONE);        /* keypad / */
    assert_int_equal(FEED(st, 0xe0, 0x38), KBD_NONE);        /* right Alt */
    /* The prefix applies to one byte only. */
    assert_int_equal(kbd_feed(st, 0x48), KBD_NONE); /* keypad 8: Num Lock unknown */
    assert_int_equal(kbd_feed(st, A), 'a');
}

static void test_e0_fake_shift(void **state) {
    struct kbd_state *st = *state;
    /* E0 2A / E0 AA wrap some extended keys: they are not a real shift. */
    assert_int_equal(FEED(st, 0xe0, LSHIFT, 0xe0, 0x47, 0xe0, 0xc7, A), 'a');
    /* ...and a fake release must not cancel a real held shift. */
    assert_int_equal(FEED(st, LSHIFT, 0xe0, LSHIFT | REL, A), 'A');
}

static void test_pause_sequence(void **state) {
    struct kbd_state *st = *state;
    /* Pause: E1 1D 45 E1 9D C5; the 1D must not be taken for Ctrl. */
    assert_int_equal(FEED(st, 0xe1, 0x1d, 0x45, A), 'a');
    assert_int_equal(FEED(st, 0xe1, 0x9d, 0xc5, A), 'a');
}

static void test_ctrl(void **state) {
    struct kbd_state *st = *state;
    assert_int_equal(FEED(st, LCTRL, 0x2e), 0x03); /* Ctrl+C */
    assert_int_equal(FEED(st, LCTRL | REL, 0x2e), 'c');
    assert_int_equal(FEED(st, 0xe0, LCTRL, 0x16), 0x15); /* right Ctrl+U */
    assert_int_equal(FEED(st, 0xe0, LCTRL | REL, 0x16), 'u');
}

static void test_unknown_codes(void **state) {
    struct kbd_state *st = *state;
    assert_int_equal(kbd_feed(st, 0x00), KBD_NONE); /* error/overrun */
    assert_int_equal(kbd_feed(st, 0x3b), KBD_NONE); /* F1 */
    assert_int_equal(kbd_feed(st, 0x58), KBD_NONE); /* F12 */
    assert_int_equal(kbd_feed(st, 0x59), KBD_NONE); /* past the table */
    assert_int_equal(kbd_feed(st, 0x7f), KBD_NONE);
    assert_int_equal(kbd_feed(st, 0xfa), KBD_NONE); /* controller ACK */
    assert_int_equal(kbd_feed(st, LCTRL), KBD_NONE);
    assert_int_equal(kbd_feed(st, 0x38), KBD_NONE); /* left Alt */
    /* Every byte is safe to feed and results stay in 7-bit ASCII. */
    for (int i = 0; i < 256; i++) {
        int c = kbd_feed(st, (uint8_t)i);
        assert_true(c == KBD_NONE || (c >= 0 && c < 0x80));
    }
}

static void test_reset(void **state) {
    struct kbd_state *st = *state;
    assert_int_equal(FEED(st, LSHIFT, CAPS, 0xe0), KBD_NONE);
    kbd_reset(st);
    assert_int_equal(kbd_feed(st, A), 'a'); /* no shift, no caps, no E0 */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_letters_digits_punct, setup),
        cmocka_unit_test_setup(test_control_keys, setup),
        cmocka_unit_test_setup(test_shift, setup),
        cmocka_unit_test_setup(test_both_shifts, setup),
        cmocka_unit_test_setup(test_caps_lock, setup),
        cmocka_unit_test_setup(test_caps_lock_repeat, setup),
        cmocka_unit_test_setup(test_caps_and_shift, setup),
        cmocka_unit_test_setup(test_releases_ignored, setup),
        cmocka_unit_test_setup(test_e0_prefix, setup),
        cmocka_unit_test_setup(test_e0_fake_shift, setup),
        cmocka_unit_test_setup(test_pause_sequence, setup),
        cmocka_unit_test_setup(test_ctrl, setup),
        cmocka_unit_test_setup(test_unknown_codes, setup),
        cmocka_unit_test_setup(test_reset, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
