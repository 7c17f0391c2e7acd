/* fs/poll_abi.c: the event bits poll and select report, the timeout
 * conversions (Linux's validity and normalisation rules, rounding up, the
 * clamp) and select's nfds bound. */
#include "tests/unit/host_rename.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fs/poll_abi.h"
#include "fs/file.h"
#include "secos/errno.h"

static void test_masks(void **state) {
    (void)state;
    assert_int_equal(poll_linux_mask(FILE_POLLIN), LINUX_POLLIN | LINUX_POLLRDNORM);
    assert_int_equal(poll_linux_mask(FILE_POLLOUT), LINUX_POLLOUT | LINUX_POLLWRNORM);
    assert_int_equal(poll_linux_mask(FILE_POLLERR | FILE_POLLHUP), LINUX_POLLERR | LINUX_POLLHUP);
    assert_int_equal(poll_linux_mask(0), 0);
    /* Only what was asked for, but ERR and HUP always. */
    assert_int_equal(poll_revents(FILE_POLLIN | FILE_POLLOUT, LINUX_POLLIN), LINUX_POLLIN);
    assert_int_equal(poll_revents(FILE_POLLIN | FILE_POLLOUT, LINUX_POLLOUT | LINUX_POLLWRNORM),
                     LINUX_POLLOUT | LINUX_POLLWRNORM);
    assert_int_equal(poll_revents(FILE_POLLHUP, 0), LINUX_POLLHUP);
    assert_int_equal(poll_revents(FILE_POLLERR | FILE_POLLOUT, LINUX_POLLIN), LINUX_POLLERR);
    assert_int_equal(poll_revents(FILE_POLLIN, (int16_t)0xffff), LINUX_POLLIN | LINUX_POLLRDNORM);
}

static void test_timespec(void **state) {
    (void)state;
    uint64_t ms = 7;
    struct poll_timespec ts = { 1, 500000000 };
    assert_int_equal(poll_timespec_ms(&ts, &ms), 0);
    assert_int_equal(ms, 1500);
    ts = (struct poll_timespec){ 0, 1 }; /* rounded up: never shorter than asked */
    assert_int_equal(poll_timespec_ms(&ts, &ms), 0);
    assert_int_equal(ms, 1);
    ts = (struct poll_timespec){ 0, 0 };
    assert_int_equal(poll_timespec_ms(&ts, &ms), 0);
    assert_int_equal(ms, 0);
    ts = (struct poll_timespec){ INT64_MAX, 999999999 };
    assert_int_equal(poll_timespec_ms(&ts, &ms), 0);
    assert_int_equal(ms, POLL_MAX_MS);
    ms = 7;
    ts = (struct poll_timespec){ 0, 1000000000 };
    assert_int_equal(poll_timespec_ms(&ts, &ms), -EINVAL);
    ts = (struct poll_timespec){ -1, 0 };
    assert_int_equal(poll_timespec_ms(&ts, &ms), -EINVAL);
    ts = (struct poll_timespec){ 0, -1 };
    assert_int_equal(poll_timespec_ms(&ts, &ms), -EINVAL);
    assert_int_equal(ms, 7); /* untouched on error */
}

static void test_timeval(void **state) {
    (void)state;
    uint64_t ms;
    struct poll_timeval tv = { 2, 250000 };
    assert_int_equal(poll_timeval_ms(&tv, &ms), 0);
    assert_int_equal(ms, 2250);
    tv = (struct poll_timeval){ 0, 2500000 }; /* a usec overflow carries, as Linux normalises */
    assert_int_equal(poll_timeval_ms(&tv, &ms), 0);
    assert_int_equal(ms, 2500);
    tv = (struct poll_timeval){ 0, 1 };
    assert_int_equal(poll_timeval_ms(&tv, &ms), 0);
    assert_int_equal(ms, 1);
    tv = (struct poll_timeval){ INT64_MAX, INT64_MAX };
    assert_int_equal(poll_timeval_ms(&tv, &ms), 0);
    assert_int_equal(ms, POLL_MAX_MS);
    tv = (struct poll_timeval){ 0, -1 };
    assert_int_equal(poll_timeval_ms(&tv, &ms), -EINVAL);
    tv = (struct poll_timeval){ -5, 0 };
    assert_int_equal(poll_timeval_ms(&tv, &ms), -EINVAL);
}

static void test_back_conversions(void **state) {
    (void)state;
    struct poll_timespec ts;
    struct poll_timeval tv;
    poll_ms_timespec(1234, &ts);
    assert_int_equal(ts.tv_sec, 1);
    assert_int_equal(ts.tv_nsec, 234000000);
    poll_ms_timeval(1234, &tv);
    assert_int_equal(tv.tv_sec, 1);
    assert_int_equal(tv.tv_usec, 234000);
}

static void test_select_nfds(void **state) {
    (void)state;
    uint32_t n = 99;
    assert_int_equal(poll_select_nfds(0, 256, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(poll_select_nfds(10, 256, &n), 0);
    assert_int_equal(n, 10);
    assert_int_equal(poll_select_nfds(1024, 256, &n), 0); /* clamped to the table */
    assert_int_equal(n, 256);
    n = 99;
    assert_int_equal(poll_select_nfds(1025, 256, &n), -EINVAL);
    assert_int_equal(poll_select_nfds(-1, 256, &n), -EINVAL);
    assert_int_equal(poll_select_nfds(INT64_MIN, 256, &n), -EINVAL);
    assert_int_equal(n, 99);
    assert_int_equal(poll_fdset_bytes(0), 0);
    assert_int_equal(poll_fdset_bytes(1), 8);
    assert_int_equal(poll_fdset_bytes(64), 8);
    assert_int_equal(poll_fdset_bytes(65), 16);
    assert_int_equal(poll_fdset_bytes(256), 32);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_masks),
        cmocka_unit_test(test_timespec),
        cmocka_unit_test(test_timeval),
        cmocka_unit_test(test_back_conversions),
        cmocka_unit_test(test_select_nfds),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
