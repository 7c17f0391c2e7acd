/* Host unit tests for lib/lineedit.c.
 *
 * Every test also drives a model terminal with what the editor asks to
 * show (printable bytes written at the cursor, BS moving left), and checks
 * that the screen holds exactly the buffer with the cursor at `pos`: what
 * the user sees is what the line is. Bugs these tests found are fixed and
 * kept as regression tests.
 */
#include "tests/unit/host_rename.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/lineedit.h"

#define COLS (2 * LINE_MAX_LEN + 8)

struct term {
    char cell[COLS];
    size_t cur, width; /* width: cells ever written */
};

static struct line_editor le_storage;
static struct term term;

static struct line_editor *fresh(void) {
    memset(&le_storage, 0, sizeof le_storage);
    line_editor_init(&le_storage);
    memset(&term, 0, sizeof term);
    return &le_storage;
}

static void term_show(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\b') {
            if (term.cur == 0) fail_msg("BS at column 0 (byte %zu)", i);
            term.cur--;
        } else {
            if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e) fail_msg("shows byte 0x%02x", (unsigned char)s[i]);
            assert_true(term.cur < COLS);
            term.cell[term.cur++] = s[i];
            if (term.cur > term.width) term.width = term.cur;
        }
    }
}

/* The screen shows buf (then only blanks) and the cursor sits at pos. */
static void check_screen(const struct line_editor *le) {
    for (size_t i = 0; i < le->len; i++)
        if (term.cell[i] != le->buf[i]) fail_msg("column %zu shows '%c', line has '%c' (line \"%s\")", i, term.cell[i], le->buf[i], le->buf);
    for (size_t i = le->len; i < term.width; i++)
        if (term.cell[i] != ' ') fail_msg("column %zu past the end shows '%c' (line \"%s\")", i, term.cell[i], le->buf);
    assert_int_equal(term.cur, le->pos);
}

static enum line_event feed(struct line_editor *le, unsigned char c) {
    enum line_event e = line_editor_feed(le, c);
    if (e != LINE_CANCEL) term_show(le->out, le->out_len);
    if (e == LINE_NONE) check_screen(le);
    return e;
}

/* Feeds all of s; every byte but the last must give LINE_NONE. */
static enum line_event type(struct line_editor *le, const char *s, size_t n) {
    assert_true(n > 0);
    for (size_t i = 0; i + 1 < n; i++) {
        enum line_event e = feed(le, (unsigned char)s[i]);
        if (e != LINE_NONE) fail_msg("byte %zu (0x%02x): event %d", i, (unsigned char)s[i], e);
    }
    return feed(le, (unsigned char)s[n - 1]);
}
#define TYPE(le, lit) type((le), (lit), sizeof(lit) - 1)

static void next_line(struct line_editor *le) {
    line_editor_reset(le);
    memset(&term, 0, sizeof term);
}

static void expect_line(const char *in, size_t n, const char *want) {
    struct line_editor *le = fresh();
    enum line_event e = type(le, in, n);
    if (e != LINE_DONE) fail_msg("input %zu bytes: event %d, want DONE", n, e);
    if (strcmp(le->buf, want) != 0) fail_msg("got \"%s\", want \"%s\"", le->buf, want);
}
#define EXPECT(lit, want) expect_line((lit), sizeof(lit) - 1, (want))

static void test_printable_inserted(void **state) {
    (void)state;
    struct line_editor *le = fresh();
    for (unsigned c = 0x20; c <= 0x7e; c++) {
        assert_int_equal(feed(le, (unsigned char)c), LINE_NONE);
        assert_int_equal(le->out_len, 1);
        assert_int_equal((unsigned char)le->out[0], c);
    }
    assert_int_equal(feed(le, '\r'), LINE_DONE);
    assert_int_equal(strlen(le->buf), 0x7e - 0x20 + 1);
}

static void test_simple_lines(void **state) {
    (void)state;
    EXPECT("help\r", "help");
    EXPECT("help\n", "help");
    EXPECT("ls -l /\r", "ls -l /");
    EXPECT("\r", "");
    EXPECT("  spaced  \n", "  spaced  ");
}

static void test_backspace_and_del_bytes(void **state) {
    (void)state;
    EXPECT("abc\b\x7f" "d\r", "ad");
    EXPECT("\b\b\x7f\x7fok\r", "ok");
    /* At the end of the line a backspace shows "\b \b", as terminals expect. */
    struct line_editor *le = fresh();
    TYPE(le, "ab");
    feed(le, 0x7f);
    assert_int_equal(le->out_len, 3);
    assert_memory_equal(le->out, "\b \b", 3);
}

static void test_cursor_keys_csi_ss3_and_ctrl(void **state) {
    (void)state;
    EXPECT("helo\x1b[Dl\r", "hello");            /* left, insert */
    EXPECT("helo\x1bODl\r", "hello");            /* SS3 left */
    EXPECT("helo\x02l\r", "hello");              /* Ctrl-B */
    EXPECT("ello\x1b[Hh\r", "hello");            /* Home */
    EXPECT("ello\x1b[1~h\r", "hello");           /* Home, VT style */
    EXPECT("ello\x1b[7~h\r", "hello");           /* Home, rxvt */
    EXPECT("ello\x1bOHh\r", "hello");            /* Home, SS3 */
    EXPECT("ello\x01h\r", "hello");              /* Ctrl-A */
    EXPECT("hell\x01\x1b[F" "o\r", "hello");     /* Home then End */
    EXPECT("hell\x01\x1b[4~o\r", "hello");       /* End, VT style */
    EXPECT("hell\x01\x05o\r", "hello");          /* Ctrl-E */
    EXPECT("hxello\x01\x1b[C\x1b[3~\r", "hello"); /* Right, Delete */
    EXPECT("hxello\x01\x06\x04\r", "hello");     /* Ctrl-F, Ctrl-D */
    EXPECT("ab\x1b[C\x1b[C\x1b[C" "c\r", "abc"); /* Right at the end: nothing */
    EXPECT("\x1b[D\x1b[Dab\r", "ab");            /* Left at the start: nothing */
    EXPECT("ab\x1b[3~\x04\r", "ab");             /* Delete at the end: nothing */
}

static void test_kill_keys(void **state) {
    (void)state;
    EXPECT("garbage\x15ok\r", "ok");                    /* Ctrl-U */
    EXPECT("keep drop\x1b[D\x1b[D\x1b[D\x1b[D\x0b\r", "keep "); /* Ctrl-K */
    EXPECT("echo one two\x17three\r", "echo one three");  /* Ctrl-W */
    EXPECT("echo one two  \x17three\r", "echo one three"); /* trailing blanks go with the word */
    EXPECT("a b\x01\x17\r", "a b");                     /* Ctrl-W at the start: nothing */
    EXPECT("abc def\x1b[D\x1b[D\x15X\r", "Xef");        /* Ctrl-U before the cursor only */
}

static void test_unknown_escapes_consumed(void **state) {
    (void)state;
    EXPECT("a\x1b[5~" "b\r", "ab");          /* PgUp */
    EXPECT("a\x1b[2~" "b\r", "ab");          /* Insert */
    EXPECT("a\x1b[1;5C" "b\r", "ab");        /* Ctrl-Right: parameters with ';' */
    EXPECT("a\x1b[15~" "b\r", "ab");         /* F5 */
    EXPECT("a\x1bOP" "b\r", "ab");           /* F1 (SS3) */
    EXPECT("a\x1bxb\r", "axb");              /* ESC then a plain byte: the ESC is dropped */
    EXPECT("a\x1b\x1b[Db\r", "ba");          /* ESC ESC [ D: the second ESC starts the sequence */
    EXPECT("a\x1b[\r", "a");                 /* CR ends the line even inside a sequence */
    /* A sequence with hundreds of parameter bytes is swallowed whole, no overflow. */
    struct line_editor *le = fresh();
    feed(le, 'a');
    feed(le, 0x1b);
    feed(le, '[');
    for (int i = 0; i < 1000; i++) assert_int_equal(feed(le, '9'), LINE_NONE);
    assert_int_equal(feed(le, '~'), LINE_NONE);
    assert_int_equal(TYPE(le, "b\r"), LINE_DONE);
    assert_string_equal(le->buf, "ab");
}

static void test_history(void **state) {
    (void)state;
    struct line_editor *le = fresh();
    assert_int_equal(TYPE(le, "one\r"), LINE_DONE);
    line_editor_history_add(le, le->buf);
    next_line(le);
    assert_int_equal(TYPE(le, "\n"), LINE_NONE); /* the LF of CRLF */
    assert_int_equal(TYPE(le, "two\r"), LINE_DONE);
    line_editor_history_add(le, le->buf);
    line_editor_history_add(le, "two"); /* the same again: not a second entry */
    line_editor_history_add(le, "");    /* empty lines are not remembered */
    next_line(le);
    TYPE(le, "par");
    TYPE(le, "\x1b[A");
    assert_string_equal(le->buf, "two");
    TYPE(le, "\x1b[A");
    assert_string_equal(le->buf, "one");
    TYPE(le, "\x1b[A"); /* oldest: stays */
    assert_string_equal(le->buf, "one");
    TYPE(le, "\x1b[B");
    assert_string_equal(le->buf, "two");
    TYPE(le, "\x0e"); /* Ctrl-N: back to the line being typed */
    assert_string_equal(le->buf, "par");
    TYPE(le, "\x1b[B"); /* newest: stays */
    assert_string_equal(le->buf, "par");
    TYPE(le, "\x10"); /* Ctrl-P */
    assert_int_equal(TYPE(le, "!\r"), LINE_DONE);
    assert_string_equal(le->buf, "two!");

    /* More lines than the history holds: the oldest go. */
    le = fresh();
    char line[16];
    for (int i = 0; i < LINE_HISTORY + 5; i++) {
        snprintf(line, sizeof line, "l%d", i);
        line_editor_history_add(le, line);
    }
    for (int i = 0; i < LINE_HISTORY + 5; i++) TYPE(le, "\x1b[A");
    snprintf(line, sizeof line, "l%d", 5);
    assert_string_equal(le->buf, line);
}

static void test_cancel(void **state) {
    (void)state;
    struct line_editor *le = fresh();
    TYPE(le, "half typed");
    assert_int_equal(feed(le, 0x03), LINE_CANCEL);
    assert_memory_equal(le->out, "^C", 2);
    next_line(le);
    assert_int_equal(TYPE(le, "ok\r"), LINE_DONE);
    assert_string_equal(le->buf, "ok");
}

static void test_crlf_is_one_line(void **state) {
    (void)state;
    struct line_editor *le = fresh();
    assert_int_equal(TYPE(le, "a\r"), LINE_DONE);
    next_line(le);
    assert_int_equal(feed(le, '\n'), LINE_NONE); /* swallowed, even after reset */
    assert_int_equal(TYPE(le, "b\r"), LINE_DONE);
    assert_string_equal(le->buf, "b");
    next_line(le);
    assert_int_equal(feed(le, '\n'), LINE_NONE);
    assert_int_equal(feed(le, '\r'), LINE_DONE); /* an empty CRLF line is one line */
    next_line(le);
    assert_int_equal(feed(le, '\n'), LINE_NONE);
    assert_int_equal(feed(le, '\n'), LINE_DONE); /* LF alone ends a line */
    next_line(le);
    assert_int_equal(feed(le, '\r'), LINE_DONE);
    next_line(le);
    assert_int_equal(feed(le, '\r'), LINE_DONE); /* CR CR: two lines */
    next_line(le);
    /* Only an LF right after the CR is swallowed. */
    assert_int_equal(feed(le, 0x07), LINE_NONE);
    assert_int_equal(feed(le, '\n'), LINE_DONE);
}

static void test_ignored_bytes(void **state) {
    (void)state;
    static const unsigned char used[] = {'\b', '\n', '\r', 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0b,
                                         0x0e, 0x10, 0x15, 0x17, 0x1b, 0x7f};
    struct line_editor *le = fresh();
    feed(le, 'a');
    for (unsigned c = 0; c < 256; c++) {
        if (c >= 0x20 && c <= 0x7e) continue;
        if (memchr(used, (int)c, sizeof used)) continue;
        assert_int_equal(feed(le, (unsigned char)c), LINE_NONE);
        assert_int_equal(le->out_len, 0);
        assert_int_equal(le->len, 1);
    }
    assert_int_equal(TYPE(le, "b\r"), LINE_DONE);
    assert_string_equal(le->buf, "ab");
}

static void test_max_length(void **state) {
    (void)state;
    struct line_editor *le = fresh();
    for (int i = 0; i < LINE_MAX_LEN; i++) feed(le, (unsigned char)('a' + i % 26));
    assert_int_equal(feed(le, '\r'), LINE_DONE);
    assert_int_equal(strlen(le->buf), LINE_MAX_LEN);
    /* Full, one erased in the middle, one more typed there: still fits. */
    le = fresh();
    for (int i = 0; i < LINE_MAX_LEN; i++) feed(le, 'x');
    TYPE(le, "\x01\x1b[C\x7f" "y");
    assert_int_equal(feed(le, '\n'), LINE_DONE);
    assert_int_equal(strlen(le->buf), LINE_MAX_LEN);
    assert_int_equal(le->buf[0], 'y');
}

static void test_too_long(void **state) {
    (void)state;
    static const int extra[] = {1, 2, 1000};
    for (size_t k = 0; k < 3; k++) {
        struct line_editor *le = fresh();
        for (int i = 0; i < LINE_MAX_LEN; i++) feed(le, 'q');
        for (int i = 0; i < extra[k]; i++) {
            assert_int_equal(line_editor_feed(le, 'r'), LINE_NONE);
            assert_int_equal(le->out_len, 0); /* not shown */
        }
        /* Editing does not rescue it: the line is refused whole. */
        assert_int_equal(line_editor_feed(le, '\b'), LINE_NONE);
        assert_int_equal(line_editor_feed(le, 0x15), LINE_NONE);
        assert_int_equal(line_editor_feed(le, 0x1b), LINE_NONE);
        assert_int_equal(line_editor_feed(le, '['), LINE_NONE);
        assert_int_equal(line_editor_feed(le, 'D'), LINE_NONE);
        assert_int_equal(le->out_len, 0);
        assert_int_equal(line_editor_feed(le, '\r'), LINE_TOO_LONG);
        assert_true(le->len <= LINE_MAX_LEN);
        next_line(le);
        assert_int_equal(line_editor_feed(le, '\n'), LINE_NONE);
        assert_int_equal(TYPE(le, "ok\r"), LINE_DONE);
        assert_string_equal(le->buf, "ok");
    }
}

static void test_render(void **state) {
    (void)state;
    struct line_editor *le = fresh();
    TYPE(le, "hello\x1b[D\x1b[D");
    char out[2 * LINE_MAX_LEN];
    size_t n = line_editor_render(le, out, sizeof out);
    assert_int_equal(n, 7);
    assert_memory_equal(out, "hello\b\b", 7);
}

/* Whatever bytes arrive (random keys, sequences, garbage), len and pos stay
 * in bounds (ASan watches buf and out), the screen matches the line after
 * every byte, and a line end always reports DONE or TOO_LONG. */
static void test_random_bytes(void **state) {
    (void)state;
    static const char *const seqs[] = {"\x1b[A", "\x1b[B", "\x1b[C", "\x1b[D", "\x1b[H", "\x1b[F",
                                       "\x1b[3~", "\x1b[1~", "\x1b[4~", "\x1bOH", "\x1b[1;5C", "\x1b"};
    struct line_editor *le = fresh();
    uint32_t rng = 987654321u;
    for (int i = 0; i < 300000; i++) {
        rng = rng * 1664525u + 1013904223u;
        unsigned pick = (rng >> 24) % 16;
        if (pick < 8) {
            feed(le, (unsigned char)(0x20 + (rng >> 8) % 95));
        } else if (pick < 11) {
            const char *s = seqs[(rng >> 8) % (sizeof seqs / sizeof seqs[0])];
            for (; *s; s++) feed(le, (unsigned char)*s);
        } else if (pick < 14) {
            static const unsigned char ctl[] = {'\b', 0x7f, 0x01, 0x02, 0x04, 0x05, 0x06, 0x0b, 0x0e,
                                                0x10, 0x15, 0x17, 0x00, 0xff, 0x9b};
            feed(le, ctl[(rng >> 8) % sizeof ctl]);
        } else if ((rng >> 8) % 32 == 0) {
            enum line_event e = feed(le, (rng >> 16) & 1 ? '\r' : '\n');
            if (e == LINE_DONE || e == LINE_TOO_LONG) {
                assert_true(e == LINE_TOO_LONG || strlen(le->buf) == le->len);
                if (e == LINE_DONE) line_editor_history_add(le, le->buf);
                next_line(le);
            }
        }
        assert_true(le->len <= LINE_MAX_LEN && le->pos <= le->len);
        assert_true(le->out_len <= LINE_OUT_MAX);
    }
}

/* Regression: reset used to be the only initialiser and kept a stale CR flag
 * from uninitialised memory, swallowing the first LF. */
static void test_init_on_garbage(void **state) {
    (void)state;
    memset(&le_storage, 0xA5, sizeof le_storage);
    line_editor_init(&le_storage);
    assert_int_equal(line_editor_feed(&le_storage, '\n'), LINE_DONE);
    line_editor_reset(&le_storage);
    assert_int_equal(line_editor_feed(&le_storage, 0x1b), LINE_NONE);
    assert_int_equal(line_editor_feed(&le_storage, '[') , LINE_NONE);
    assert_int_equal(line_editor_feed(&le_storage, 'A'), LINE_NONE); /* empty history: nothing */
    assert_int_equal(le_storage.len, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_printable_inserted),
        cmocka_unit_test(test_simple_lines),
        cmocka_unit_test(test_backspace_and_del_bytes),
        cmocka_unit_test(test_cursor_keys_csi_ss3_and_ctrl),
        cmocka_unit_test(test_kill_keys),
        cmocka_unit_test(test_unknown_escapes_consumed),
        cmocka_unit_test(test_history),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_crlf_is_one_line),
        cmocka_unit_test(test_ignored_bytes),
        cmocka_unit_test(test_max_length),
        cmocka_unit_test(test_too_long),
        cmocka_unit_test(test_render),
        cmocka_unit_test(test_random_bytes),
        cmocka_unit_test(test_init_on_garbage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
