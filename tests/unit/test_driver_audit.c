/* Host unit tests for dspace/audit.c: what is recorded, wrap-around
 * (newest kept, dropped counted), filters and their parser. */
#include "tests/unit/host_rename.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dspace/audit.h"
#include "dspace/device.h"
#include "secos/errno.h"

#define CAP 8

static audit_entry_t storage[CAP];
static audit_ring_t ring;

static int setup(void **state) {
    (void)state;
    memset(storage, 0xA5, sizeof storage); /* init must not rely on zeroed storage */
    audit_init(&ring, storage, CAP);
    return 0;
}

static int rec(uint64_t tick, int pid, uint32_t dev, uint32_t op, int result, uint32_t flags) {
    audit_entry_t e = { tick, pid, dev, op, result };
    return audit_record(&ring, &e, flags);
}

/* Ticks of the entries f matches, oldest first; returns how many. */
static int ticks(const audit_filter_t *f, uint64_t *out, int max) {
    uint32_t cur = 0;
    int n = 0;
    const audit_entry_t *e;
    while ((e = audit_next(&ring, &cur, f)) && n < max) out[n++] = e->tick;
    return n;
}

static void test_empty(void **state) {
    (void)state;
    uint32_t cur = 0;
    assert_null(audit_next(&ring, &cur, NULL));
    assert_int_equal(ring.count, 0);
    assert_int_equal(ring.dropped, 0);
}

static void test_what_is_recorded(void **state) {
    (void)state;
    assert_int_equal(rec(1, 5, 0, DRIVER_OP_READ_REG, DRV_OK, 0), 0);                 /* plain success: no */
    assert_int_equal(rec(2, 5, 0, DRIVER_OP_READ_REG, DRV_OK, DRIVER_FLAG_AUDIT), 1); /* flagged success */
    assert_int_equal(rec(3, 5, 0, DRIVER_OP_READ_REG, DRV_ERR_RANGE, 0), 1);          /* every error */
    assert_int_equal(rec(4, 5, 0, DRIVER_OP_READ_REG, DRV_ERR_RATE, 0), 1);
    assert_int_equal(rec(5, 5, DRIVER_DEV_NONE, 0, -EFAULT, 0), 1);
    assert_int_equal(rec(6, 5, 0, DRIVER_OP_READ_REG, DRV_ERR_ARGS, 0x80), 1);        /* junk flags too */
    assert_int_equal(ring.count, 5);
    assert_int_equal(ring.recorded, 5);
    uint64_t t[CAP];
    assert_int_equal(ticks(NULL, t, CAP), 5);
    assert_int_equal(t[0], 2);
    assert_int_equal(t[4], 6);
}

static void test_fields_kept(void **state) {
    (void)state;
    rec(77, 42, 3, DRIVER_OP_MAP_MEM, DRV_ERR_PERM, 0);
    uint32_t cur = 0;
    const audit_entry_t *e = audit_next(&ring, &cur, NULL);
    assert_non_null(e);
    assert_int_equal(e->tick, 77);
    assert_int_equal(e->pid, 42);
    assert_int_equal(e->device, 3);
    assert_int_equal(e->opcode, DRIVER_OP_MAP_MEM);
    assert_int_equal(e->result, DRV_ERR_PERM);
    assert_null(audit_next(&ring, &cur, NULL));
}

static void test_fill_exactly(void **state) {
    (void)state;
    for (int i = 0; i < CAP; i++) rec((uint64_t)i, 1, 0, 1, DRV_ERR_ARGS, 0);
    assert_int_equal(ring.count, CAP);
    assert_int_equal(ring.dropped, 0);
    uint64_t t[CAP];
    assert_int_equal(ticks(NULL, t, CAP), CAP);
    for (int i = 0; i < CAP; i++) assert_int_equal(t[i], (uint64_t)i);
}

static void test_wrap_keeps_newest(void **state) {
    (void)state;
    for (int i = 0; i < 3 * CAP + 3; i++) rec((uint64_t)i, 1, 0, 1, DRV_ERR_ARGS, 0);
    assert_int_equal(ring.count, CAP);
    assert_int_equal(ring.recorded, 3 * CAP + 3);
    assert_int_equal(ring.dropped, 2 * CAP + 3);
    uint64_t t[CAP];
    assert_int_equal(ticks(NULL, t, CAP), CAP);
    for (int i = 0; i < CAP; i++) assert_int_equal(t[i], (uint64_t)(2 * CAP + 3 + i)); /* oldest first */
}

static void test_wrap_by_one(void **state) {
    (void)state;
    for (int i = 0; i <= CAP; i++) rec((uint64_t)i, 1, 0, 1, DRV_ERR_ARGS, 0);
    assert_int_equal(ring.dropped, 1);
    uint64_t t[CAP];
    assert_int_equal(ticks(NULL, t, CAP), CAP);
    assert_int_equal(t[0], 1);
    assert_int_equal(t[CAP - 1], CAP);
}

static void test_clear(void **state) {
    (void)state;
    for (int i = 0; i < 2 * CAP; i++) rec((uint64_t)i, 1, 0, 1, DRV_ERR_ARGS, 0);
    audit_clear(&ring);
    assert_int_equal(ring.count, 0);
    assert_int_equal(ring.dropped, 0);
    rec(99, 1, 0, 1, DRV_ERR_ARGS, 0);
    uint64_t t[CAP];
    assert_int_equal(ticks(NULL, t, CAP), 1);
    assert_int_equal(t[0], 99);
}

static void test_zero_capacity(void **state) {
    (void)state;
    audit_init(&ring, storage, 0);
    assert_int_equal(rec(1, 1, 0, 1, DRV_ERR_ARGS, 0), 0);
    uint32_t cur = 0;
    assert_null(audit_next(&ring, &cur, NULL));
}

static void test_filters(void **state) {
    (void)state;
    rec(1, 10, 0, DRIVER_OP_READ_REG, DRV_OK, DRIVER_FLAG_AUDIT);
    rec(2, 10, 1, DRIVER_OP_MAP_MEM, DRV_ERR_PERM, 0);
    rec(3, 11, 0, DRIVER_OP_MAP_MEM, DRV_OK, DRIVER_FLAG_AUDIT);
    rec(4, 11, 2, DRIVER_OP_GET_INFO, DRV_ERR_BINDING, 0);
    rec(5, 12, DRIVER_DEV_NONE, 0, -EFAULT, 0);
    uint64_t t[CAP];
    audit_filter_t f;

    assert_int_equal(audit_filter_parse("errors", &f), 0);
    assert_int_equal(ticks(&f, t, CAP), 3);
    assert_int_equal(t[0], 2);
    assert_int_equal(t[1], 4);
    assert_int_equal(t[2], 5);

    assert_int_equal(audit_filter_parse("dev=0", &f), 0);
    assert_int_equal(ticks(&f, t, CAP), 2);
    assert_int_equal(t[0], 1);
    assert_int_equal(t[1], 3);

    assert_int_equal(audit_filter_parse("op=3", &f), 0);
    assert_int_equal(ticks(&f, t, CAP), 2);
    assert_int_equal(audit_filter_parse("op=map", &f), 0);
    assert_int_equal(ticks(&f, t, CAP), 2);
    assert_int_equal(t[1], 3);

    assert_int_equal(audit_filter_parse("pid=11", &f), 0);
    assert_int_equal(ticks(&f, t, CAP), 2);
    assert_int_equal(t[0], 3);

    assert_int_equal(audit_filter_parse("pid=999", &f), 0);
    assert_int_equal(ticks(&f, t, CAP), 0);

    assert_int_equal(audit_filter_parse("", &f), 0);
    assert_int_equal(ticks(&f, t, CAP), 5);
    assert_int_equal(audit_filter_parse(NULL, &f), 0);
    assert_int_equal(f.kind, AUDIT_ALL);
}

static void test_filters_after_wrap(void **state) {
    (void)state;
    for (int i = 0; i < 2 * CAP + 1; i++)
        rec((uint64_t)i, i % 2 ? 7 : 8, (uint32_t)(i % 3), 1, DRV_ERR_ARGS, 0);
    audit_filter_t f;
    assert_int_equal(audit_filter_parse("pid=7", &f), 0);
    uint64_t t[CAP];
    int n = ticks(&f, t, CAP);
    assert_int_equal(n, CAP / 2); /* ticks 9, 11, 13, 15 survive */
    for (int i = 0; i < n; i++) assert_int_equal(t[i], (uint64_t)(CAP + 1 + 2 * i));
}

static void test_filter_parse_errors(void **state) {
    (void)state;
    audit_filter_t f;
    static const char *const bad[] = {
        "error", "errors2", "dev=", "dev=x", "dev=-1", "dev=4294967296", "pid=", "pid=2147483648",
        "op=", "op=bogus", "foo=1", "dev", "=1", " dev=1",
    };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(audit_filter_parse(bad[i], &f), -1);
        assert_int_equal(f.kind, AUDIT_ALL); /* a refused filter shows nothing extra */
    }
    assert_int_equal(audit_filter_parse("dev=0x10", &f), 0);
    assert_int_equal(f.kind, AUDIT_DEV);
    assert_int_equal(f.value, 16);
    assert_int_equal(audit_filter_parse("dev=4294967295", &f), 0); /* DRIVER_DEV_NONE */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_empty, setup),
        cmocka_unit_test_setup(test_what_is_recorded, setup),
        cmocka_unit_test_setup(test_fields_kept, setup),
        cmocka_unit_test_setup(test_fill_exactly, setup),
        cmocka_unit_test_setup(test_wrap_keeps_newest, setup),
        cmocka_unit_test_setup(test_wrap_by_one, setup),
        cmocka_unit_test_setup(test_clear, setup),
        cmocka_unit_test_setup(test_zero_capacity, setup),
        cmocka_unit_test_setup(test_filters, setup),
        cmocka_unit_test_setup(test_filters_after_wrap, setup),
        cmocka_unit_test_setup(test_filter_parse_errors, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
