/* Host unit tests for dspace/rate_limit.c: token buckets per
 * (process, opcode), driven by a fake tick count. */
#include "tests/unit/host_rename.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dspace/rate_limit.h"

#define HZ 1000
#define READ DRIVER_OP_READ_REG
#define INFO DRIVER_OP_GET_INFO

/* How many calls in a row succeed at tick now. */
static int drain(rl_table_t *t, int pid, uint32_t op, uint64_t now) {
    int n = 0;
    while (n < 1000000 && rl_allow(t, pid, op, now)) n++;
    return n;
}

static void test_config_limits(void **state) {
    (void)state;
    rl_table_t t;
    assert_int_equal(rl_init(&t, 0, 1, HZ), -1);
    assert_int_equal(rl_init(&t, 1, 0, HZ), -1);
    assert_int_equal(rl_init(&t, 1, 1, 0), -1);
    assert_int_equal(rl_init(&t, RL_MAX_PER_SECOND + 1, 1, HZ), -1);
    assert_int_equal(rl_init(&t, 1, RL_MAX_BURST + 1, HZ), -1);
    assert_int_equal(rl_init(&t, RL_MAX_PER_SECOND, RL_MAX_BURST, RL_MAX_HZ), 0);
    assert_int_equal(rl_init(&t, 10, 5, HZ), 0);
    assert_int_equal(rl_configure(&t, 0, 5), -1);
    assert_int_equal(t.cfg.per_second, 10); /* unchanged after a refused configure */
    assert_int_equal(rl_configure(&t, 20, 3), 0);
    assert_int_equal(t.cfg.per_second, 20);
    assert_int_equal(t.cfg.burst, 3);
}

static void test_burst_then_refused(void **state) {
    (void)state;
    rl_table_t t;
    rl_init(&t, 10, 5, HZ);
    assert_int_equal(drain(&t, 1, READ, 1000), 5);
    assert_false(rl_allow(&t, 1, READ, 1000));
    assert_true(t.limited >= 2);
}

static void test_refill_rate(void **state) {
    (void)state;
    rl_table_t t;
    rl_init(&t, 10, 5, HZ); /* one call per 100 ticks */
    assert_int_equal(drain(&t, 1, READ, 0), 5);
    assert_false(rl_allow(&t, 1, READ, 99));
    assert_true(rl_allow(&t, 1, READ, 100));  /* 99 + 1 ticks since the last refill */
    assert_false(rl_allow(&t, 1, READ, 100));
    assert_int_equal(drain(&t, 1, READ, 350), 2); /* 250 ticks: 2.5 calls */
    assert_int_equal(drain(&t, 1, READ, 400), 1); /* the half carried over */
    /* A long pause fills the bucket, but never beyond the burst. */
    assert_int_equal(drain(&t, 1, READ, 1000000), 5);
    assert_int_equal(drain(&t, 1, READ, UINT64_MAX), 5);
}

static void test_per_pid_and_opcode(void **state) {
    (void)state;
    rl_table_t t;
    rl_init(&t, 1, 2, HZ);
    assert_int_equal(drain(&t, 1, READ, 0), 2);
    assert_int_equal(drain(&t, 1, INFO, 0), 2); /* another opcode: its own bucket */
    assert_int_equal(drain(&t, 2, READ, 0), 2); /* another process: its own buckets */
    assert_false(rl_allow(&t, 1, READ, 0));
}

static void test_bad_opcode_refused(void **state) {
    (void)state;
    rl_table_t t;
    rl_init(&t, 100, 10, HZ);
    assert_false(rl_allow(&t, 1, DRIVER_OP_COUNT, 0));
    assert_false(rl_allow(&t, 1, 0xffffffffu, 0));
}

static void test_table_full_fails_closed(void **state) {
    (void)state;
    rl_table_t t;
    rl_init(&t, 100, 10, HZ);
    for (int pid = 0; pid < RL_SLOTS; pid++) assert_true(rl_allow(&t, 100 + pid, READ, 0));
    assert_false(rl_allow(&t, 999, READ, 0)); /* no slot: refused, not unmetered */
    rl_forget(&t, 100);
    assert_true(rl_allow(&t, 999, READ, 0));
}

static void test_forget_refills(void **state) {
    (void)state;
    rl_table_t t;
    rl_init(&t, 1, 3, HZ);
    assert_int_equal(drain(&t, 5, READ, 0), 3);
    rl_forget(&t, 5);
    assert_int_equal(drain(&t, 5, READ, 0), 3);
    rl_forget(&t, 12345); /* unknown pid: nothing happens */
}

static void test_configure_caps_tokens(void **state) {
    (void)state;
    rl_table_t t;
    rl_init(&t, 1, 100, HZ);
    assert_true(rl_allow(&t, 1, READ, 0)); /* 99 left */
    rl_configure(&t, 1, 2);
    assert_int_equal(drain(&t, 1, READ, 0), 2);
    rl_configure(&t, 1, 50); /* growing the bucket does not add tokens */
    assert_int_equal(drain(&t, 1, READ, 0), 0);
}

static void test_clock_backwards(void **state) {
    (void)state;
    rl_table_t t;
    rl_init(&t, 10, 2, HZ);
    assert_int_equal(drain(&t, 1, READ, 5000), 2);
    assert_false(rl_allow(&t, 1, READ, 10)); /* earlier tick: no refill, no crash */
    assert_true(rl_allow(&t, 1, READ, 110));  /* counts from the earlier tick on */
}

static void test_bucket_extremes(void **state) {
    (void)state;
    rl_config_t c = { RL_MAX_PER_SECOND, RL_MAX_BURST, RL_MAX_HZ };
    rl_bucket_t b;
    rl_bucket_fill(&b, &c, 0);
    int n = 0;
    while (rl_bucket_take(&b, &c, 0)) n++;
    assert_int_equal(n, RL_MAX_BURST);
    /* elapsed * per_second just below the cap: no overflow, exact */
    assert_true(rl_bucket_take(&b, &c, 1));          /* 1e6 units = one call */
    assert_false(rl_bucket_take(&b, &c, 1));
    assert_true(rl_bucket_take(&b, &c, (uint64_t)RL_MAX_BURST * RL_MAX_HZ - 1));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_limits),
        cmocka_unit_test(test_burst_then_refused),
        cmocka_unit_test(test_refill_rate),
        cmocka_unit_test(test_per_pid_and_opcode),
        cmocka_unit_test(test_bad_opcode_refused),
        cmocka_unit_test(test_table_full_fails_closed),
        cmocka_unit_test(test_forget_refills),
        cmocka_unit_test(test_configure_caps_tokens),
        cmocka_unit_test(test_clock_backwards),
        cmocka_unit_test(test_bucket_extremes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
