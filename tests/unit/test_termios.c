/* Host unit tests for tty/termios.c: the defaults and what TCSETS keeps. */
#include "tests/unit/host_rename.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tty/termios.h"
#include "secos/errno.h"

static void test_defaults_are_linux_cooked(void **state) {
    (void)state;
    struct ktermios t;
    termios_default(&t);
    assert_int_equal(t.c_iflag, 0x500);    /* ICRNL IXON, as stty sane on Linux's console */
    assert_int_equal(t.c_oflag, 0x5);      /* OPOST ONLCR */
    assert_int_equal(t.c_cflag, 0x4bf);    /* B38400 CS8 CREAD HUPCL */
    assert_int_equal(t.c_lflag, 0x8a3b);
    assert_int_equal(t.c_cc[VINTR], 3);
    assert_int_equal(t.c_cc[VERASE], 0x7f);
    assert_int_equal(t.c_cc[VMIN], 1);
    struct ktermios kept = t;
    assert_int_equal(termios_sanitize(&t), 0);
    assert_memory_equal(&kept, &t, sizeof t);   /* every default bit is a known one (IEXTEN too) */
}

static void test_every_flag_bit_set_is_clamped(void **state) {
    (void)state;
    struct ktermios t;
    termios_default(&t);
    t.c_iflag = t.c_oflag = t.c_lflag = 0xffffffffu;
    t.c_cflag = 0xffffffffu & ~CBAUD;   /* B0: a valid speed */
    t.c_line = 0x7f;
    assert_int_equal(termios_sanitize(&t), 0);
    assert_int_equal(t.c_iflag, TTY_IFLAG_ALL);
    assert_int_equal(t.c_oflag, TTY_OFLAG_ALL);
    assert_int_equal(t.c_lflag, TTY_LFLAG_ALL);
    assert_int_equal(TTY_LFLAG_ALL, 0x1ffff);   /* ISIG ... EXTPROC */
    assert_int_equal(t.c_cflag & ~TTY_CFLAG_ALL, 0);
    assert_int_equal(t.c_line, 0);
}

static void test_speed_codes(void **state) {
    (void)state;
    struct ktermios t;
    termios_default(&t);
    for (uint32_t code = 0; code <= 017; code++) {
        t.c_cflag = CS8 | CREAD | code;
        assert_int_equal(termios_sanitize(&t), 0);
        t.c_cflag = CS8 | CREAD | CBAUDEX | code;
        assert_int_equal(termios_sanitize(&t), code == 0 ? -EINVAL : 0);   /* BOTHER: no custom speeds */
    }
    t.c_cflag = ~(uint32_t)017;   /* every bit but the low speed bits: BOTHER */
    t.c_iflag = 0x1234;
    assert_int_equal(termios_sanitize(&t), -EINVAL);
    assert_int_equal(t.c_iflag, 0x1234);   /* refused: untouched */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_are_linux_cooked),
        cmocka_unit_test(test_every_flag_bit_set_is_clamped),
        cmocka_unit_test(test_speed_codes),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
