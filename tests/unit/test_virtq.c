/* drivers/virtq.c with a simulated device: a request's chain is laid out
 * as submitted and completes once; a second submission while one is in
 * flight is refused; a device that completes a wrong id, claims more bytes
 * than it may write, or jumps the used index by more than one is reported
 * as broken, and nothing is written outside the rings. */
#include "tests/unit/host_rename.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "lib/string.h"
#include "drivers/virtq.h"

static uint8_t page[4096] __attribute__((aligned(4096)));
static struct virtq q;

static void setup(uint16_t size) {
    memset(page, 0, sizeof page);
    assert_int_equal(virtq_init(&q, page, size), 0);
}

/* The device: takes the next avail entry, completes it with (id, len). */
static void device_complete(uint32_t id, uint32_t len, uint16_t step) {
    uint16_t u = q.used->idx;
    q.used->ring[u & (q.size - 1)].id = id;
    q.used->ring[u & (q.size - 1)].len = len;
    q.used->idx = (uint16_t)(u + step);
}

static const struct virtq_buf req[3] = { { 0x1000, 16, 0 }, { 0x20000, 4096, 1 }, { 0x1040, 1, 1 } };

static void test_chain_and_completion(void **st) {
    (void)st;
    setup(8);
    assert_int_equal(virtq_init(&q, page, 6), -1);
    assert_int_equal(virtq_init(&q, page, 128), -1);
    setup(8);
    uint32_t len = 0;
    for (int round = 0; round < 20; round++) {      /* indices wrap the ring */
        assert_int_equal(virtq_poll(&q, &len), 0);
        assert_int_equal(virtq_submit(&q, req, 3), 0);
        assert_int_equal(virtq_submit(&q, req, 3), -1);   /* one in flight */
        assert_int_equal(q.avail->idx, round + 1);
        assert_int_equal(q.avail->ring[round & 7], 0);
        assert_true(q.desc[0].addr == 0x1000 && q.desc[0].len == 16 && q.desc[0].flags == VIRTQ_DESC_F_NEXT &&
                    q.desc[0].next == 1);
        assert_true(q.desc[1].flags == (VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE) && q.desc[1].next == 2);
        assert_true(q.desc[2].flags == VIRTQ_DESC_F_WRITE);
        device_complete(0, 4097, 1);
        assert_int_equal(virtq_poll(&q, &len), 1);
        assert_int_equal(len, 4097);
        assert_int_equal(virtq_poll(&q, &len), 0);
    }
}

static void test_bad_submissions(void **st) {
    (void)st;
    setup(2);
    assert_int_equal(virtq_submit(&q, req, 3), -1);      /* longer than the queue */
    assert_int_equal(virtq_submit(&q, req, 0), -1);
    struct virtq_buf z = { 0x1000, 0, 0 };
    assert_int_equal(virtq_submit(&q, &z, 1), -1);
}

static void test_device_breaks_protocol(void **st) {
    (void)st;
    uint32_t len;
    setup(8);
    assert_int_equal(virtq_submit(&q, req, 3), 0);
    device_complete(5, 1, 1);                          /* an id we never used */
    assert_int_equal(virtq_poll(&q, &len), -1);
    setup(8);
    assert_int_equal(virtq_submit(&q, req, 3), 0);
    device_complete(0, 4098, 1);                       /* more than the writable 4097 bytes */
    assert_int_equal(virtq_poll(&q, &len), -1);
    setup(8);
    assert_int_equal(virtq_submit(&q, req, 3), 0);
    device_complete(0, 1, 2);                          /* two completions for one request */
    assert_int_equal(virtq_poll(&q, &len), -1);
    setup(8);
    device_complete(0, 1, 1);                          /* a completion with nothing in flight */
    assert_int_equal(virtq_poll(&q, &len), -1);
    setup(8);
    device_complete(0, 0xffffffffu, 0xffff);          /* huge index jump: refused, rings untouched */
    assert_int_equal(virtq_poll(&q, &len), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chain_and_completion),
        cmocka_unit_test(test_bad_submissions),
        cmocka_unit_test(test_device_breaks_protocol),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
