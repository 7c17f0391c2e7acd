/* Host unit tests for lib/ringbuf.c. */
#include "tests/unit/host_rename.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/ringbuf.h"

/* Fills the whole struct with garbage first: init must not rely on zeroed memory. */
static void fresh(struct ringbuf *rb) {
    memset(rb, 0xA5, sizeof *rb);
    ringbuf_init(rb);
}

static void test_power_of_two(void **state) {
    (void)state;
    /* The uint32_t index wrap-around relies on this. */
    assert_true(RINGBUF_SIZE > 0 && (RINGBUF_SIZE & (RINGBUF_SIZE - 1)) == 0);
}

static void test_init_empty(void **state) {
    (void)state;
    struct ringbuf rb;
    fresh(&rb);
    assert_int_equal(ringbuf_count(&rb), 0);
    assert_int_equal(rb.dropped, 0);
    uint8_t b = 0x77;
    assert_int_equal(ringbuf_get(&rb, &b), -1);
    assert_int_equal(b, 0x77); /* untouched when empty */
    assert_int_equal(ringbuf_get(&rb, &b), -1);
    assert_int_equal(ringbuf_count(&rb), 0);
}

static void test_fifo_order(void **state) {
    (void)state;
    struct ringbuf rb;
    fresh(&rb);
    for (int i = 0; i < 10; i++) {
        assert_int_equal(ringbuf_put(&rb, (uint8_t)(i * 3)), 0);
        assert_int_equal(ringbuf_count(&rb), (size_t)i + 1);
    }
    for (int i = 0; i < 10; i++) {
        uint8_t b;
        assert_int_equal(ringbuf_get(&rb, &b), 0);
        assert_int_equal(b, (uint8_t)(i * 3));
        assert_int_equal(ringbuf_count(&rb), (size_t)(9 - i));
    }
    uint8_t b;
    assert_int_equal(ringbuf_get(&rb, &b), -1);
}

static void test_all_byte_values(void **state) {
    (void)state;
    struct ringbuf rb;
    fresh(&rb);
    for (int v = 0; v < 256; v++) {
        uint8_t b;
        assert_int_equal(ringbuf_put(&rb, (uint8_t)v), 0);
        assert_int_equal(ringbuf_get(&rb, &b), 0);
        assert_int_equal(b, v);
    }
}

static void test_full_and_dropped(void **state) {
    (void)state;
    struct ringbuf rb;
    fresh(&rb);
    for (int i = 0; i < RINGBUF_SIZE; i++) assert_int_equal(ringbuf_put(&rb, (uint8_t)i), 0);
    assert_int_equal(ringbuf_count(&rb), RINGBUF_SIZE);
    assert_int_equal(rb.dropped, 0);

    /* Full: new bytes are refused and counted, never overwrite unread ones. */
    for (int i = 1; i <= 5; i++) {
        assert_int_equal(ringbuf_put(&rb, 0xEE), -1);
        assert_int_equal(rb.dropped, (uint32_t)i);
        assert_int_equal(ringbuf_count(&rb), RINGBUF_SIZE);
    }
    for (int i = 0; i < RINGBUF_SIZE; i++) {
        uint8_t b;
        assert_int_equal(ringbuf_get(&rb, &b), 0);
        assert_int_equal(b, (uint8_t)i);
    }
    uint8_t b;
    assert_int_equal(ringbuf_get(&rb, &b), -1);
    assert_int_equal(ringbuf_count(&rb), 0);

    /* One slot freed: exactly one put succeeds. */
    for (int i = 0; i < RINGBUF_SIZE; i++) assert_int_equal(ringbuf_put(&rb, (uint8_t)i), 0);
    assert_int_equal(ringbuf_get(&rb, &b), 0);
    assert_int_equal(b, 0);
    assert_int_equal(ringbuf_put(&rb, 0x42), 0);
    assert_int_equal(ringbuf_put(&rb, 0x43), -1);
    assert_int_equal(rb.dropped, 6); /* the counter is cumulative */
    for (int i = 1; i < RINGBUF_SIZE; i++) {
        assert_int_equal(ringbuf_get(&rb, &b), 0);
        assert_int_equal(b, (uint8_t)i);
    }
    assert_int_equal(ringbuf_get(&rb, &b), 0);
    assert_int_equal(b, 0x42);
    assert_int_equal(ringbuf_get(&rb, &b), -1);

    /* init clears the counter. */
    ringbuf_init(&rb);
    assert_int_equal(rb.dropped, 0);
    assert_int_equal(ringbuf_count(&rb), 0);
}

/* Random-length bursts against a simple model, over many laps of the buffer. */
static void test_wraparound_model(void **state) {
    (void)state;
    struct ringbuf rb;
    fresh(&rb);
    uint8_t model[RINGBUF_SIZE];
    size_t mhead = 0, mcount = 0;
    uint32_t dropped = 0;
    uint32_t rng = 12345;
    uint8_t next = 0;
    unsigned long long total_put = 0;

    for (int round = 0; round < 20000; round++) {
        rng = rng * 1103515245u + 12345u;
        unsigned burst = (rng >> 16) % (RINGBUF_SIZE + 40);
        if ((rng >> 8) & 1) {
            for (unsigned i = 0; i < burst; i++) {
                int r = ringbuf_put(&rb, next);
                if (mcount == RINGBUF_SIZE) {
                    assert_int_equal(r, -1);
                    dropped++;
                } else {
                    assert_int_equal(r, 0);
                    model[(mhead + mcount) % RINGBUF_SIZE] = next;
                    mcount++;
                    total_put++;
                }
                next++;
                assert_int_equal(ringbuf_count(&rb), mcount);
                assert_int_equal(rb.dropped, dropped);
            }
        } else {
            for (unsigned i = 0; i < burst; i++) {
                uint8_t b = 0;
                int r = ringbuf_get(&rb, &b);
                if (mcount == 0) {
                    assert_int_equal(r, -1);
                } else {
                    assert_int_equal(r, 0);
                    assert_int_equal(b, model[mhead]);
                    mhead = (mhead + 1) % RINGBUF_SIZE;
                    mcount--;
                }
                assert_int_equal(ringbuf_count(&rb), mcount);
            }
        }
    }
    /* The indices really went round the buffer many times. */
    assert_true(total_put > 100ULL * RINGBUF_SIZE);
    assert_true(dropped > 0);
}

/* Steady one-in-one-out over many laps, with the ring kept partly full. */
static void test_many_cycles(void **state) {
    (void)state;
    struct ringbuf rb;
    fresh(&rb);
    uint8_t b;
    for (int i = 0; i < 100; i++) assert_int_equal(ringbuf_put(&rb, (uint8_t)i), 0);
    for (unsigned i = 100; i < 100 + 1000 * RINGBUF_SIZE; i++) {
        assert_int_equal(ringbuf_put(&rb, (uint8_t)i), 0);
        assert_int_equal(ringbuf_get(&rb, &b), 0);
        assert_int_equal(b, (uint8_t)(i - 100));
        assert_int_equal(ringbuf_count(&rb), 100);
    }
    assert_int_equal(rb.dropped, 0);
}

/* head and tail are free-running uint32_t: crossing 2^32 must change nothing. */
static void test_index_overflow(void **state) {
    (void)state;
    static const uint32_t starts[] = {UINT32_MAX - 3, UINT32_MAX, UINT32_MAX - RINGBUF_SIZE,
                                      0x80000000u - 1};
    for (size_t s = 0; s < sizeof starts / sizeof starts[0]; s++) {
        struct ringbuf rb;
        fresh(&rb);
        rb.head = rb.tail = starts[s];
        assert_int_equal(ringbuf_count(&rb), 0);
        uint8_t b;
        assert_int_equal(ringbuf_get(&rb, &b), -1);
        for (int i = 0; i < RINGBUF_SIZE; i++) {
            assert_int_equal(ringbuf_put(&rb, (uint8_t)(i ^ 0x5a)), 0);
            assert_int_equal(ringbuf_count(&rb), (size_t)i + 1);
        }
        assert_int_equal(ringbuf_put(&rb, 0), -1);
        assert_int_equal(rb.dropped, 1);
        for (int i = 0; i < RINGBUF_SIZE; i++) {
            assert_int_equal(ringbuf_get(&rb, &b), 0);
            assert_int_equal(b, (uint8_t)(i ^ 0x5a));
            assert_int_equal(ringbuf_count(&rb), (size_t)(RINGBUF_SIZE - 1 - i));
        }
        assert_int_equal(ringbuf_get(&rb, &b), -1);
        assert_int_equal(rb.head, starts[s] + RINGBUF_SIZE);
        assert_int_equal(rb.tail, starts[s] + RINGBUF_SIZE);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_power_of_two),
        cmocka_unit_test(test_init_empty),
        cmocka_unit_test(test_fifo_order),
        cmocka_unit_test(test_all_byte_values),
        cmocka_unit_test(test_full_and_dropped),
        cmocka_unit_test(test_wraparound_model),
        cmocka_unit_test(test_many_cycles),
        cmocka_unit_test(test_index_overflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
