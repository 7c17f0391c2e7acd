/* Host unit tests for lib/lineedit.c.
 *
 * Bugs these tests found are fixed and kept as regression tests.
 */
#include "tests/unit/host_rename.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/lineedit.h"

/* A zero-filled editor (as a static one would be), then reset. */
static void fresh(struct line_editor *le) {
    memset(le, 0, sizeof *le);
    line_editor_init(le);
}

/* Feeds every byte of s but the last, expecting `each`, and returns the last
 * byte's event. */
static enum line_event feed_all(struct line_editor *le, const char *s, size_t n,
                                enum line_event each) {
    assert_true(n > 0);
    for (size_t i = 0; i + 1 < n; i++) {
        enum line_event e = line_editor_feed(le, (unsigned char)s[i]);
        if (e != each)
            fail_msg("byte %zu (0x%02x): event %d, want %d", i, (unsigned char)s[i], e, each);
    }
    return line_editor_feed(le, (unsigned char)s[n - 1]);
}

static void test_printable_echoed(void **state) {
    (void)state;
    struct line_editor le;
    fresh(&le);
    assert_int_equal(le.len, 0);
    /* Every printable ASCII byte, 0x20..0x7e, is appended and echoed. */
    for (unsigned c = 0x20; c <= 0x7e; c++) {
        assert_int_equal(line_editor_feed(&le, (unsigned char)c), LINE_ECHO);
        assert_int_equal(le.len, c - 0x20 + 1);
        assert_int_equal((unsigned char)le.buf[le.len - 1], c);
    }
    assert_int_equal(line_editor_feed(&le, '\r'), LINE_DONE);
    assert_int_equal(strlen(le.buf), 0x7e - 0x20 + 1);
    for (unsigned c = 0x20; c <= 0x7e; c++) assert_int_equal((unsigned char)le.buf[c - 0x20], c);
}

static void test_simple_lines(void **state) {
    (void)state;
    static const struct { const char *in; const char *want; } t[] = {
        {"help\r", "help"},
        {"help\n", "help"},
        {"ls -l /\r", "ls -l /"},
        {"\r", ""},
        {"\n", ""},
        {"  spaced  \n", "  spaced  "},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        struct line_editor le;
        fresh(&le);
        enum line_event e = feed_all(&le, t[i].in, strlen(t[i].in), LINE_ECHO);
        assert_int_equal(e, LINE_DONE);
        assert_string_equal(le.buf, t[i].want);
        assert_int_equal(le.len, strlen(t[i].want));
    }
}

static void test_backspace_and_del(void **state) {
    (void)state;
    static const unsigned char erase_keys[] = {'\b', 0x7f};
    for (size_t k = 0; k < 2; k++) {
        unsigned char bs = erase_keys[k];
        struct line_editor le;
        fresh(&le);

        /* On an empty line: nothing to erase, nothing shown, no underflow. */
        for (int i = 0; i < 3; i++) {
            assert_int_equal(line_editor_feed(&le, bs), LINE_NONE);
            assert_int_equal(le.len, 0);
        }
        assert_int_equal(line_editor_feed(&le, 'a'), LINE_ECHO);
        assert_int_equal(line_editor_feed(&le, 'b'), LINE_ECHO);
        assert_int_equal(line_editor_feed(&le, 'c'), LINE_ECHO);
        assert_int_equal(line_editor_feed(&le, bs), LINE_ERASE);
        assert_int_equal(le.len, 2);
        assert_int_equal(line_editor_feed(&le, 'X'), LINE_ECHO);
        assert_int_equal(line_editor_feed(&le, bs), LINE_ERASE);
        assert_int_equal(line_editor_feed(&le, bs), LINE_ERASE);
        assert_int_equal(line_editor_feed(&le, bs), LINE_ERASE);
        assert_int_equal(le.len, 0);
        assert_int_equal(line_editor_feed(&le, bs), LINE_NONE); /* empty again */
        assert_int_equal(line_editor_feed(&le, 'z'), LINE_ECHO);
        assert_int_equal(line_editor_feed(&le, '\n'), LINE_DONE);
        assert_string_equal(le.buf, "z");
    }
    /* Mixed: "abc" BS DEL "d" -> "ad". */
    struct line_editor le;
    fresh(&le);
    static const struct { unsigned char c; enum line_event e; } seq[] = {
        {'a', LINE_ECHO}, {'b', LINE_ECHO}, {'c', LINE_ECHO}, {'\b', LINE_ERASE},
        {0x7f, LINE_ERASE}, {'d', LINE_ECHO}, {'\r', LINE_DONE},
    };
    for (size_t i = 0; i < sizeof seq / sizeof seq[0]; i++)
        assert_int_equal(line_editor_feed(&le, seq[i].c), seq[i].e);
    assert_string_equal(le.buf, "ad");
}

static void test_crlf_is_one_line(void **state) {
    (void)state;
    struct line_editor le;
    fresh(&le);
    /* CR ends the line; the LF right after it is swallowed, even after the
     * caller has reset the editor for the next line. */
    assert_int_equal(line_editor_feed(&le, 'a'), LINE_ECHO);
    assert_int_equal(line_editor_feed(&le, '\r'), LINE_DONE);
    assert_string_equal(le.buf, "a");
    line_editor_reset(&le);
    assert_int_equal(line_editor_feed(&le, '\n'), LINE_NONE);
    assert_int_equal(line_editor_feed(&le, 'b'), LINE_ECHO);
    assert_int_equal(line_editor_feed(&le, '\r'), LINE_DONE);
    assert_string_equal(le.buf, "b");
    line_editor_reset(&le);
    assert_int_equal(line_editor_feed(&le, '\n'), LINE_NONE);

    /* An empty line sent as CRLF is one empty line, not two. */
    assert_int_equal(line_editor_feed(&le, '\r'), LINE_DONE);
    assert_string_equal(le.buf, "");
    line_editor_reset(&le);
    assert_int_equal(line_editor_feed(&le, '\n'), LINE_NONE);

    /* LF alone and CR alone each end a line; LF CR is two lines. */
    assert_int_equal(line_editor_feed(&le, '\n'), LINE_DONE);
    line_editor_reset(&le);
    assert_int_equal(line_editor_feed(&le, '\n'), LINE_DONE);
    line_editor_reset(&le);
    assert_int_equal(line_editor_feed(&le, '\r'), LINE_DONE);
    line_editor_reset(&le);
    assert_int_equal(line_editor_feed(&le, '\r'), LINE_DONE); /* CR CR: two lines */
    line_editor_reset(&le);
    assert_int_equal(line_editor_feed(&le, 'x'), LINE_ECHO);
    assert_int_equal(line_editor_feed(&le, '\n'), LINE_DONE); /* CR x LF: LF counts */
    assert_string_equal(le.buf, "x");

    /* Only an LF directly after the CR is swallowed: any byte in between,
     * even an ignored one, breaks the pair. */
    line_editor_reset(&le);
    assert_int_equal(line_editor_feed(&le, '\r'), LINE_DONE);
    line_editor_reset(&le);
    assert_int_equal(line_editor_feed(&le, 0x01), LINE_NONE);
    assert_int_equal(line_editor_feed(&le, '\n'), LINE_DONE);
}

static void test_crlf_stream(void **state) {
    (void)state;
    /* A whole session typed over a CRLF serial line. */
    static const char in[] = "help\r\nls\r\n\r\nversion\r\n";
    static const char *const want[] = {"help", "ls", "", "version"};
    struct line_editor le;
    fresh(&le);
    size_t nl = 0;
    for (size_t i = 0; i < sizeof in - 1; i++) {
        enum line_event e = line_editor_feed(&le, (unsigned char)in[i]);
        if (e == LINE_DONE) {
            assert_true(nl < 4);
            assert_string_equal(le.buf, want[nl]);
            nl++;
            line_editor_reset(&le);
        } else if (in[i] == '\n') {
            assert_int_equal(e, LINE_NONE);
        } else {
            assert_int_equal(e, LINE_ECHO);
        }
    }
    assert_int_equal(nl, 4);
}

static void test_ignored_bytes(void **state) {
    (void)state;
    struct line_editor le;
    fresh(&le);
    assert_int_equal(line_editor_feed(&le, 'a'), LINE_ECHO);
    /* Every control byte except BS, LF, CR and every byte above 0x7e. */
    for (unsigned c = 0; c < 256; c++) {
        if (c == '\b' || c == '\n' || c == '\r' || (c >= 0x20 && c <= 0x7f)) continue;
        enum line_event e = line_editor_feed(&le, (unsigned char)c);
        if (e != LINE_NONE) fail_msg("byte 0x%02x: event %d, want LINE_NONE", c, e);
        assert_int_equal(le.len, 1);
    }
    assert_int_equal(line_editor_feed(&le, 'b'), LINE_ECHO);
    assert_int_equal(line_editor_feed(&le, '\r'), LINE_DONE);
    assert_string_equal(le.buf, "ab");
}

static void test_max_length_accepted(void **state) {
    (void)state;
    struct line_editor le;
    fresh(&le);
    for (int i = 0; i < LINE_MAX_LEN; i++)
        assert_int_equal(line_editor_feed(&le, (unsigned char)('a' + i % 26)), LINE_ECHO);
    assert_int_equal(le.len, LINE_MAX_LEN);
    assert_int_equal(line_editor_feed(&le, '\r'), LINE_DONE);
    assert_int_equal(strlen(le.buf), LINE_MAX_LEN);
    for (int i = 0; i < LINE_MAX_LEN; i++) assert_int_equal(le.buf[i], 'a' + i % 26);

    /* Full, then one erased and one more typed: still fits. */
    fresh(&le);
    for (int i = 0; i < LINE_MAX_LEN; i++) line_editor_feed(&le, 'x');
    assert_int_equal(line_editor_feed(&le, 0x7f), LINE_ERASE);
    assert_int_equal(line_editor_feed(&le, 'y'), LINE_ECHO);
    assert_int_equal(line_editor_feed(&le, '\n'), LINE_DONE);
    assert_int_equal(strlen(le.buf), LINE_MAX_LEN);
    assert_int_equal(le.buf[LINE_MAX_LEN - 1], 'y');
}

static void test_too_long(void **state) {
    (void)state;
    static const int extra[] = {1, 2, 1000};
    for (size_t k = 0; k < 3; k++) {
        struct line_editor le;
        fresh(&le);
        for (int i = 0; i < LINE_MAX_LEN; i++)
            assert_int_equal(line_editor_feed(&le, 'q'), LINE_ECHO);
        /* Past the end: not echoed, the line is marked, not cut. */
        for (int i = 0; i < extra[k]; i++)
            assert_int_equal(line_editor_feed(&le, 'r'), LINE_NONE);
        assert_int_equal(le.len, LINE_MAX_LEN);
        /* Erasing does not rescue it: the line is refused whole. */
        assert_int_equal(line_editor_feed(&le, '\b'), LINE_NONE);
        assert_int_equal(line_editor_feed(&le, 0x7f), LINE_NONE);
        assert_int_equal(line_editor_feed(&le, '\r'), LINE_TOO_LONG);
        assert_true(le.len <= LINE_MAX_LEN);
        assert_int_equal(le.buf[le.len], '\0');

        /* Usable again after reset (the LF of the CRLF is still swallowed). */
        line_editor_reset(&le);
        assert_int_equal(line_editor_feed(&le, '\n'), LINE_NONE);
        assert_int_equal(line_editor_feed(&le, 'o'), LINE_ECHO);
        assert_int_equal(line_editor_feed(&le, 'k'), LINE_ECHO);
        assert_int_equal(line_editor_feed(&le, '\b'), LINE_ERASE);
        assert_int_equal(line_editor_feed(&le, 'k'), LINE_ECHO);
        assert_int_equal(line_editor_feed(&le, '\n'), LINE_DONE);
        assert_string_equal(le.buf, "ok");

        /* And a maximal line still fits after an overflowed one. */
        line_editor_reset(&le);
        for (int i = 0; i < LINE_MAX_LEN; i++)
            assert_int_equal(line_editor_feed(&le, 'm'), LINE_ECHO);
        assert_int_equal(line_editor_feed(&le, '\n'), LINE_DONE);
        assert_int_equal(strlen(le.buf), LINE_MAX_LEN);
    }
}

static void test_too_long_with_lf(void **state) {
    (void)state;
    struct line_editor le;
    fresh(&le);
    for (int i = 0; i < LINE_MAX_LEN + 1; i++) line_editor_feed(&le, 'w');
    assert_int_equal(line_editor_feed(&le, '\n'), LINE_TOO_LONG);
    line_editor_reset(&le);
    assert_int_equal(line_editor_feed(&le, '\n'), LINE_DONE); /* a real empty line */
    assert_string_equal(le.buf, "");
}

/* Whatever bytes arrive, len never leaves [0, LINE_MAX_LEN], buf stays in
 * bounds (ASan) and a line end always reports DONE or TOO_LONG. */
static void test_random_bytes(void **state) {
    (void)state;
    struct line_editor le;
    fresh(&le);
    uint32_t rng = 987654321u;
    size_t model_len = 0;
    int model_over = 0, prev_cr = 0;
    for (int i = 0; i < 200000; i++) {
        rng = rng * 1664525u + 1013904223u;
        unsigned char c;
        unsigned pick = (rng >> 24) % 8;
        if (pick < 5) c = (unsigned char)(0x20 + (rng >> 8) % 95);
        else if (pick == 5) c = (rng >> 8) & 1 ? '\b' : 0x7f;
        else if (pick == 6 && ((rng >> 8) % 64) == 0) c = (rng >> 16) & 1 ? '\r' : '\n';
        else c = (unsigned char)(rng >> 8);
        enum line_event e = line_editor_feed(&le, c);
        int after_cr = prev_cr;
        prev_cr = c == '\r';
        assert_true(le.len <= LINE_MAX_LEN);
        if (c == '\n' && after_cr) {
            assert_int_equal(e, LINE_NONE); /* the LF of a CRLF */
        } else if (c == '\r' || c == '\n') {
            assert_int_equal(e, model_over ? LINE_TOO_LONG : LINE_DONE);
            assert_int_equal(strlen(le.buf), le.len);
            assert_int_equal(le.len, model_len);
            line_editor_reset(&le);
            model_len = 0;
            model_over = 0;
        } else if (c == '\b' || c == 0x7f) {
            int erases = !model_over && model_len > 0;
            assert_int_equal(e, erases ? LINE_ERASE : LINE_NONE);
            if (erases) model_len--;
        } else if (c >= 0x20 && c <= 0x7e) {
            int fits = !model_over && model_len < LINE_MAX_LEN;
            assert_int_equal(e, fits ? LINE_ECHO : LINE_NONE);
            if (fits) model_len++;
            else model_over = 1;
        } else {
            assert_int_equal(e, LINE_NONE);
        }
        if (!model_over) assert_int_equal(le.len, model_len);
    }
}

/* BUG: line_editor_reset() is the only initializer, but it does not clear
 * last_was_cr. An editor in uninitialised memory (on the stack, or from an
 * allocator) that happens to hold a non-zero last_was_cr swallows the first
 * LF: the first empty line typed on an LF terminal is lost. */
/* Regression: reset used to be the only initialiser and kept a stale CR flag
 * from uninitialised memory, swallowing the first LF. */
static void test_init_on_garbage(void **state) {
    (void)state;
    struct line_editor le;
    memset(&le, 0xA5, sizeof le);
    line_editor_init(&le);
    assert_int_equal(line_editor_feed(&le, '\n'), LINE_DONE);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_printable_echoed),
        cmocka_unit_test(test_simple_lines),
        cmocka_unit_test(test_backspace_and_del),
        cmocka_unit_test(test_crlf_is_one_line),
        cmocka_unit_test(test_crlf_stream),
        cmocka_unit_test(test_ignored_bytes),
        cmocka_unit_test(test_max_length_accepted),
        cmocka_unit_test(test_too_long),
        cmocka_unit_test(test_too_long_with_lf),
        cmocka_unit_test(test_random_bytes),
        cmocka_unit_test(test_init_on_garbage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
