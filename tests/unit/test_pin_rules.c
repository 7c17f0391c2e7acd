/* Host tests for the pinned loader's rules (uefi/pin_rules.c): the exact
 * PIN MISMATCH message the secure-boot tests look for, and the
 * \cmdline.txt allow-list (init= only; trust= and everything else refused). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "uefi/pin_rules.h"

static void fill(uint8_t h[PIN_SHA256_LEN], uint8_t start)
{
    for (int i = 0; i < PIN_SHA256_LEN; i++)
        h[i] = (uint8_t)(start + i);
}

static void test_equal_hashes_pass(void **state)
{
    (void)state;
    uint8_t e[32], a[32];
    char msg[PIN_MSG_MAX] = "junk";
    fill(e, 0x10);
    fill(a, 0x10);
    assert_int_equal(pin_compare("\\kernel.elf", e, a, msg, sizeof msg), 0);
    assert_string_equal(msg, "");
}

static void test_mismatch_names_file_and_both_hashes(void **state)
{
    (void)state;
    uint8_t e[32], a[32];
    char msg[PIN_MSG_MAX];
    fill(e, 0x00);
    fill(a, 0x00);
    a[31] ^= 0xff; /* only the last byte differs */
    assert_int_equal(pin_compare("\\kernel.elf", e, a, msg, sizeof msg), -1);
    assert_string_equal(msg,
        "[UEFI] PIN MISMATCH \\kernel.elf expected "
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f actual "
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1ee0");
}

static void test_missing_file_is_a_mismatch(void **state)
{
    (void)state;
    uint8_t e[32];
    char msg[PIN_MSG_MAX];
    fill(e, 0xa0);
    assert_int_equal(pin_compare("\\initrd.cpio", e, NULL, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "PIN MISMATCH \\initrd.cpio expected a0a1"));
    assert_non_null(strstr(msg, " actual missing"));
}

static void test_message_truncated_not_overrun(void **state)
{
    (void)state;
    uint8_t e[32] = { 0 }, a[32] = { 1 };
    char msg[24];
    memset(msg, 'x', sizeof msg);
    assert_int_equal(pin_compare("\\kernel.elf", e, a, msg, 20), -1);
    assert_int_equal(strlen(msg), 19);
    assert_int_equal(msg[20], 'x');
}

static void test_cmdline_allows_init_only(void **state)
{
    (void)state;
    char msg[PIN_MSG_MAX];
    const char *ok[] = { "", "   ", "init=/sbin/init", " init=/bin/sh\tinit=/sbin/init " };
    for (unsigned i = 0; i < sizeof ok / sizeof ok[0]; i++)
        assert_int_equal(pin_cmdline_allowed(ok[i], strlen(ok[i]), msg, sizeof msg), 0);
}

static void test_cmdline_refuses_trust_and_others(void **state)
{
    (void)state;
    char msg[PIN_MSG_MAX];
    assert_int_equal(pin_cmdline_allowed("init=/sbin/init trust=off", 25, msg, sizeof msg), -1);
    assert_string_equal(msg, "[UEFI] \\cmdline.txt option \"trust=off\" refused: "
                             "a pinned loader accepts only init=");
    const char *bad[] = { "trust=", "kernel.elf", "init", "initx=/a", "INIT=/sbin/init", "debug init=/x" };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(pin_cmdline_allowed(bad[i], strlen(bad[i]), msg, sizeof msg), -1);
}

static void test_cmdline_len_bounds_the_scan(void **state)
{
    (void)state;
    char msg[PIN_MSG_MAX];
    /* The bad word lies past len: not looked at. */
    assert_int_equal(pin_cmdline_allowed("init=/a trust=1", 7, msg, sizeof msg), 0);
    /* A long refused word is cut in the message. */
    char longw[300];
    memset(longw, 'a', sizeof longw);
    assert_int_equal(pin_cmdline_allowed(longw, sizeof longw, msg, sizeof msg), -1);
    assert_true(strlen(msg) < PIN_MSG_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_equal_hashes_pass),
        cmocka_unit_test(test_mismatch_names_file_and_both_hashes),
        cmocka_unit_test(test_missing_file_is_a_mismatch),
        cmocka_unit_test(test_message_truncated_not_overrun),
        cmocka_unit_test(test_cmdline_allows_init_only),
        cmocka_unit_test(test_cmdline_refuses_trust_and_others),
        cmocka_unit_test(test_cmdline_len_bounds_the_scan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
