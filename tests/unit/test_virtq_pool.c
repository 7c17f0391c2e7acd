/* drivers/virtq_pool.c with a simulated device: buffers posted in any
 * order come back by id in the order the device completes them; a buffer
 * cannot be posted twice while the device holds it; a device that returns
 * an id it was not given, one twice, a length above what it may write, or
 * more completions than posted buffers is reported as broken. */
#include "tests/unit/host_rename.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "lib/string.h"
#include "drivers/virtq_pool.h"

static uint8_t page[4096] __attribute__((aligned(4096)));
static struct virtq_pool q;
static uint16_t dev_seen;   /* avail entries the simulated device consumed */

static void setup(uint16_t size) {
    memset(page, 0, sizeof page);
    dev_seen = 0;
    assert_int_equal(vqp_init(&q, page, size), 0);
}

/* The device takes the next avail entry (the id the driver published). */
static uint16_t device_next(void) {
    assert_true((uint16_t)(q.avail->idx - dev_seen) > 0);
    return q.avail->ring[dev_seen++ & (q.size - 1)];
}

static void device_complete(uint32_t id, uint32_t len) {
    uint16_t u = q.used->idx;
    q.used->ring[u & (q.size - 1)].id = id;
    q.used->ring[u & (q.size - 1)].len = len;
    q.used->idx = (uint16_t)(u + 1);
}

static void test_sizes(void **st) {
    (void)st;
    assert_int_equal(vqp_init(&q, page, 0), -1);
    assert_int_equal(vqp_init(&q, page, 6), -1);
    assert_int_equal(vqp_init(&q, page, 128), -1);
    assert_int_equal(vqp_init(&q, page, 64), 0);
}

static void test_many_in_flight_out_of_order(void **st) {
    (void)st;
    setup(8);
    uint16_t id;
    uint32_t len;
    for (int round = 0; round < 50; round++) {       /* indices wrap many times */
        for (uint16_t i = 0; i < 8; i++) assert_int_equal(vqp_post(&q, i, 0x10000 + i * 2048u, 2048, 1), 0);
        assert_int_equal(vqp_post(&q, 3, 0x1000, 10, 1), -1);   /* the device holds it */
        uint16_t got[8];
        for (int i = 0; i < 8; i++) got[i] = device_next();
        for (int i = 0; i < 8; i++) {
            assert_int_equal(got[i], i);
            assert_true(q.desc[i].addr == 0x10000 + i * 2048u && q.desc[i].len == 2048 &&
                        q.desc[i].flags == VIRTQ_DESC_F_WRITE);
        }
        for (int i = 7; i >= 0; i--) device_complete((uint32_t)i, (uint32_t)(60 + i));   /* reverse order */
        for (int i = 7; i >= 0; i--) {
            assert_int_equal(vqp_take(&q, &id, &len), 1);
            assert_int_equal(id, i);
            assert_int_equal(len, 60 + i);
        }
        assert_int_equal(vqp_take(&q, &id, &len), 0);
    }
}

static void test_read_only_buffers(void **st) {
    (void)st;
    setup(4);
    uint16_t id;
    uint32_t len;
    assert_int_equal(vqp_post(&q, 1, 0x5000, 100, 0), 0);
    assert_int_equal(q.desc[1].flags, 0);
    device_next();
    device_complete(1, 0);
    assert_int_equal(vqp_take(&q, &id, &len), 1);
    assert_true(id == 1 && len == 0);
    assert_int_equal(vqp_post(&q, 4, 0x5000, 100, 0), -1);   /* out of range */
    assert_int_equal(vqp_post(&q, 0, 0x5000, 0, 0), -1);     /* empty */
}

static void broken(void (*device)(void)) {
    setup(4);
    uint16_t id;
    uint32_t len;
    assert_int_equal(vqp_post(&q, 0, 0x1000, 64, 1), 0);
    assert_int_equal(vqp_post(&q, 1, 0x2000, 64, 0), 0);
    device();
    assert_int_equal(vqp_take(&q, &id, &len), -1);
}
static void wrong_id(void) { device_complete(2, 10); }
static void out_of_range_id(void) { device_complete(4000, 10); }
static void too_long(void) { device_complete(0, 65); }
static void writes_read_only(void) { device_complete(1, 1); }
static void too_many(void) { q.used->idx = 3; }

static void test_broken_devices(void **st) {
    (void)st;
    broken(wrong_id);
    broken(out_of_range_id);
    broken(too_long);
    broken(writes_read_only);
    broken(too_many);
    /* the same id twice: the second is not the device's any more */
    setup(4);
    uint16_t id;
    uint32_t len;
    assert_int_equal(vqp_post(&q, 0, 0x1000, 64, 1), 0);
    assert_int_equal(vqp_post(&q, 1, 0x2000, 64, 1), 0);
    device_complete(0, 10);
    device_complete(0, 10);
    assert_int_equal(vqp_take(&q, &id, &len), 1);
    assert_int_equal(vqp_take(&q, &id, &len), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_many_in_flight_out_of_order),
        cmocka_unit_test(test_read_only_buffers),
        cmocka_unit_test(test_broken_devices),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
