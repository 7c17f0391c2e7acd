/* Host unit tests for tty/ldisc.c: canonical editing, signals, echo,
 * input and output mapping, raw mode, the bounded buffer. */
#include "tests/unit/host_rename.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "tty/ldisc.h"

static struct ldisc *ld;
static char echoed[65536];
static size_t echoed_len;

static int setup(void **state) {
    (void)state;
    ld = malloc(sizeof *ld);
    struct ktermios t;
    termios_default(&t);
    ldisc_init(ld, &t);
    echoed_len = 0;
    return 0;
}

static int teardown(void **state) {
    (void)state;
    free(ld);
    return 0;
}

static enum ldisc_event feed(const char *s, size_t n) {
    enum ldisc_event last = LDISC_NONE;
    for (size_t i = 0; i < n; i++) {
        last = ldisc_input(ld, (uint8_t)s[i]);
        assert_true(ld->echo_len <= LDISC_ECHO_MAX);
        if (echoed_len + ld->echo_len < sizeof echoed) {
            memcpy(echoed + echoed_len, ld->echo, ld->echo_len);
            echoed_len += ld->echo_len;
        }
    }
    return last;
}
#define FEED(s) feed((s), sizeof(s) - 1)

static size_t rd(char *out, uint32_t len, int *eof) { return ldisc_read(ld, (uint8_t *)out, len, eof); }

static void expect_line(const char *want) {
    char buf[LDISC_CAP + 1];
    int eof;
    size_t n = rd(buf, sizeof buf - 1, &eof);
    buf[n] = 0;
    assert_string_equal(buf, want);
    assert_int_equal(eof, 0);
}

static void set_lflag(uint32_t on, uint32_t off) {
    struct ktermios t = ld->t;
    t.c_lflag = (t.c_lflag | on) & ~off;
    ldisc_set_termios(ld, &t);
}

static void test_canonical_line_with_cr(void **state) {
    (void)state;
    FEED("abc");
    assert_int_equal(ldisc_readable(ld), 0);   /* no line yet */
    assert_false(ldisc_can_read(ld, 1));
    assert_int_equal(FEED("\r"), LDISC_DATA);  /* ICRNL */
    assert_true(ldisc_can_read(ld, 1));
    expect_line("abc\n");
    assert_memory_equal(echoed, "abc\r\n", 5);  /* ONLCR on the echo */
}

static void test_erase_kill_werase(void **state) {
    (void)state;
    FEED("abx\x7f" "c\n");
    expect_line("abc\n");
    FEED("junk words\x15" "ok\n");
    expect_line("ok\n");
    FEED("one two  \x17" "three\n");
    expect_line("one three\n");
    FEED("\x7f\x7f\n");   /* erase on an empty line: nothing */
    expect_line("\n");
}

static void test_erase_echo(void **state) {
    (void)state;
    FEED("ab\x7f");
    assert_int_equal(echoed_len, 5);
    assert_memory_equal(echoed, "ab\b \b", 5);
    echoed_len = 0;
    FEED("\x01\x7f");   /* ^A shows as two columns, erased as two */
    assert_memory_equal(echoed, "^A\b \b\b \b", 8);
}

static void test_eof(void **state) {
    (void)state;
    char buf[16];
    int eof;
    FEED("hi\x04");
    assert_int_equal(rd(buf, sizeof buf, &eof), 2);   /* VEOF ends the line, is not data */
    assert_memory_equal(buf, "hi", 2);
    assert_int_equal(eof, 0);
    FEED("\x04");
    assert_int_equal(rd(buf, sizeof buf, &eof), 0);
    assert_int_equal(eof, 1);
    assert_int_equal(ld->count, 0);
}

static void test_partial_read_keeps_rest_of_line(void **state) {
    (void)state;
    char buf[4];
    int eof;
    FEED("abcdef\nxy\n");
    assert_int_equal(rd(buf, 4, &eof), 4);
    assert_memory_equal(buf, "abcd", 4);
    expect_line("ef\n");
    expect_line("xy\n");
}

static void test_isig(void **state) {
    (void)state;
    FEED("typed");
    assert_int_equal(FEED("\x03"), LDISC_SIGINT);
    assert_int_equal(ld->count, 0);    /* flushed */
    assert_memory_equal(echoed + echoed_len - 2, "^C", 2);
    assert_int_equal(FEED("\x1c"), LDISC_SIGQUIT);
    assert_int_equal(FEED("\x1a"), LDISC_SIGTSTP);
    set_lflag(NOFLSH, 0);
    FEED("kept");
    assert_int_equal(FEED("\x03"), LDISC_SIGINT);
    assert_int_equal(ld->count, 4);
    set_lflag(0, ISIG);
    FEED("\x03\n");
    expect_line("kept\x03\n");
}

static void test_echo_off_and_echonl(void **state) {
    (void)state;
    set_lflag(0, ECHO);
    FEED("secret\n");
    assert_int_equal(echoed_len, 0);
    set_lflag(ECHONL, 0);
    FEED("x\n");
    assert_int_equal(echoed_len, 2);
    assert_memory_equal(echoed, "\r\n", 2);
}

static void test_input_mapping(void **state) {
    (void)state;
    struct ktermios t = ld->t;
    t.c_iflag = IGNCR;
    ldisc_set_termios(ld, &t);
    FEED("a\rb\n");
    expect_line("ab\n");
    t.c_iflag = INLCR;
    t.c_cc[VEOL] = '\r';
    ldisc_set_termios(ld, &t);
    FEED("c\n");   /* NL becomes CR, which is VEOL here */
    expect_line("c\r");
}

static void test_output_mapping(void **state) {
    (void)state;
    struct ktermios t = ld->t;
    uint8_t out[16];
    uint32_t used;
    assert_int_equal(ldisc_output(&t, (const uint8_t *)"a\nb", 3, out, sizeof out, &used), 4);
    assert_memory_equal(out, "a\r\nb", 4);
    t.c_oflag = OPOST | OCRNL | OLCUC;
    assert_int_equal(ldisc_output(&t, (const uint8_t *)"a\r\n", 3, out, sizeof out, &used), 3);
    assert_memory_equal(out, "A\n\n", 3);
    t.c_oflag = ONLCR;   /* without OPOST nothing is mapped */
    assert_int_equal(ldisc_output(&t, (const uint8_t *)"\n\n", 2, out, sizeof out, &used), 2);
    t.c_oflag = OPOST | ONLCR;
    assert_int_equal(ldisc_output(&t, (const uint8_t *)"x\n", 2, out, 2, &used), 1);
    assert_int_equal(used, 1);   /* the CR LF did not fit: the LF stays */
}

static void test_ixon(void **state) {
    (void)state;
    assert_int_equal(FEED("\x13"), LDISC_STOP);
    assert_true(ld->stopped);
    assert_int_equal(FEED("\x11"), LDISC_START);
    assert_false(ld->stopped);
    assert_int_equal(ld->count, 0);   /* neither is input */
}

static void test_raw_mode_byte_for_byte(void **state) {
    (void)state;
    struct ktermios t = ld->t;
    t.c_lflag &= ~(ICANON | ECHO | ISIG | IEXTEN);
    t.c_iflag = 0;
    ldisc_set_termios(ld, &t);
    char all[256], got[256];
    for (int i = 0; i < 256; i++) all[i] = (char)i;
    feed(all, 256);
    assert_int_equal(ldisc_readable(ld), 256);
    int eof;
    assert_int_equal(rd(got, 256, &eof), 256);
    assert_memory_equal(all, got, 256);
    assert_int_equal(echoed_len, 0);
}

static void test_mode_switch_makes_line_readable(void **state) {
    (void)state;
    FEED("half");
    set_lflag(0, ICANON);
    assert_int_equal(ldisc_readable(ld), 4);
    set_lflag(ICANON, 0);
    assert_int_equal(ldisc_readable(ld), 0);
    FEED("\n");
    expect_line("half\n");
}

static void test_full_canonical_buffer_drops_and_counts(void **state) {
    (void)state;
    for (int i = 0; i < LDISC_CAP + 100; i++) ldisc_input(ld, 'a' + i % 26);
    assert_int_equal(ld->count, LDISC_CAP - 1);
    assert_int_equal(ld->dropped, 101);
    assert_true(ldisc_room(ld) > 0);   /* no line yet: keep taking (and dropping) */
    ldisc_input(ld, '\n');             /* the kept slot */
    assert_int_equal(ld->count, LDISC_CAP);
    assert_int_equal(ldisc_room(ld), 0);
    char *buf = malloc(LDISC_CAP);
    int eof;
    assert_int_equal(rd(buf, LDISC_CAP, &eof), LDISC_CAP);
    for (int i = 0; i < LDISC_CAP - 1; i++) assert_int_equal(buf[i], 'a' + i % 26);   /* never overwritten */
    assert_int_equal(buf[LDISC_CAP - 1], '\n');
    free(buf);
    assert_int_equal(ldisc_room(ld), LDISC_CAP);
}

static void test_full_raw_buffer_waits(void **state) {
    (void)state;
    set_lflag(0, ICANON | ECHO);
    for (int i = 0; i < LDISC_CAP; i++) ldisc_input(ld, (uint8_t)('a' + i % 26));
    assert_int_equal(ldisc_room(ld), 0);
    ldisc_input(ld, 'x');
    assert_int_equal(ld->dropped, 1);
    char b[10];
    int eof;
    assert_int_equal(rd(b, 10, &eof), 10);
    assert_int_equal(ldisc_room(ld), 10);
    for (int i = 0; i < 10; i++) ldisc_input(ld, 'y');   /* wraps around the ring */
    assert_int_equal(ld->count, LDISC_CAP);
    assert_int_equal(ld->dropped, 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_canonical_line_with_cr, setup, teardown),
        cmocka_unit_test_setup_teardown(test_erase_kill_werase, setup, teardown),
        cmocka_unit_test_setup_teardown(test_erase_echo, setup, teardown),
        cmocka_unit_test_setup_teardown(test_eof, setup, teardown),
        cmocka_unit_test_setup_teardown(test_partial_read_keeps_rest_of_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_isig, setup, teardown),
        cmocka_unit_test_setup_teardown(test_echo_off_and_echonl, setup, teardown),
        cmocka_unit_test_setup_teardown(test_input_mapping, setup, teardown),
        cmocka_unit_test_setup_teardown(test_output_mapping, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ixon, setup, teardown),
        cmocka_unit_test_setup_teardown(test_raw_mode_byte_for_byte, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mode_switch_makes_line_readable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_full_canonical_buffer_drops_and_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_full_raw_buffer_waits, setup, teardown),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
