/* mm/region.c: insert with merging, partial remove and protect (splits at
 * either end and in the middle), the slot limit (a failing call changes
 * nothing), gap search with guards, copy, and a randomised run against a
 * per-page model (tests/fuzz/region_model.h). */
#include "tests/unit/host_rename.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "lib/string.h"
#include "mm/region.h"
#include "secos/errno.h"
#include "tests/fuzz/region_model.h"

#define A(p) (MODEL_BASE + (uint64_t)(p) * PG)

static struct region slots[4];
static struct region_set s;

static void fresh(void) { memset(slots, 0xa5, sizeof slots); region_set_init(&s, slots, 4); }

static void test_insert_merge_overlap(void **st) {
    (void)st;
    fresh();
    assert_int_equal(region_insert(&s, A(0), A(2), 1, REGION_ANON), 0);
    assert_int_equal(region_insert(&s, A(2), A(4), 1, REGION_ANON), 0); /* merges */
    assert_int_equal(s.n, 1);
    assert_int_equal(s.r[0].end, A(4));
    assert_int_equal(region_insert(&s, A(4), A(5), 3, REGION_ANON), 0); /* other flags: no merge */
    assert_int_equal(region_insert(&s, A(6), A(7), 1, REGION_HEAP), 0);
    assert_int_equal(s.n, 3);
    assert_int_equal(region_insert(&s, A(8), A(9), 1, REGION_KERNEL), 0);
    /* Kernel regions never merge: the touching one needs a slot, and there is none. */
    assert_int_equal(region_insert(&s, A(9), A(10), 1, REGION_KERNEL), -ENOMEM);
    assert_int_equal(region_remove(&s, A(8), A(9)), 0);
    assert_int_equal(s.n, 3);
    assert_int_equal(region_insert(&s, A(3), A(6), 1, REGION_ANON), -EEXIST);
    assert_int_equal(region_insert(&s, A(9), A(9), 1, REGION_ANON), -EINVAL);
    assert_int_equal(region_insert(&s, A(9) + 1, A(10), 1, REGION_ANON), -EINVAL);
    assert_int_equal(region_find(&s, A(4)), 1);
    assert_int_equal(region_find(&s, A(5)), -1);
    assert_true(region_covered(&s, A(0), A(5)));
    assert_false(region_covered(&s, A(0), A(6)));
}

static void test_remove_splits_and_limit(void **st) {
    (void)st;
    fresh();
    assert_int_equal(region_insert(&s, A(0), A(16), 1, REGION_ANON), 0);
    assert_int_equal(region_remove(&s, A(4), A(5)), 0); /* hole in the middle */
    assert_int_equal(s.n, 2);
    assert_int_equal(region_remove(&s, A(8), A(9)), 0);
    assert_int_equal(region_remove(&s, A(12), A(13)), 0);
    assert_int_equal(s.n, 4);
    struct region before[4];
    memcpy(before, slots, sizeof slots);
    assert_int_equal(region_remove(&s, A(14), A(15)), -ENOMEM); /* a fifth piece does not fit */
    assert_memory_equal(before, slots, sizeof slots);
    assert_int_equal(region_remove(&s, A(0), A(1)), 0);       /* trimming needs no slot */
    assert_int_equal(region_remove(&s, A(3), A(10)), 0);      /* across two regions and a hole */
    assert_int_equal(s.n, 3);
    assert_int_equal(s.r[0].start, A(1));
    assert_int_equal(s.r[0].end, A(3));
    assert_int_equal(s.r[1].start, A(10));
    assert_int_equal(region_remove(&s, A(0), A(64)), 0);
    assert_int_equal(s.n, 0);
}

static void test_protect(void **st) {
    (void)st;
    fresh();
    assert_int_equal(region_insert(&s, A(0), A(8), 3, REGION_IMAGE), 0);
    assert_int_equal(region_protect(&s, A(2), A(4), 1), 0);
    assert_int_equal(s.n, 3);
    assert_int_equal(s.r[1].flags, 1);
    assert_int_equal(s.r[1].kind, REGION_IMAGE);
    assert_int_equal(s.r[0].flags, 3);
    assert_int_equal(s.r[2].flags, 3);
    assert_int_equal(region_protect(&s, A(5), A(7), 0), -ENOMEM); /* two cuts, one slot left */
    assert_int_equal(region_protect(&s, A(5), A(8), 0), 0);
    assert_int_equal(s.n, 4);
    assert_int_equal(region_protect(&s, A(1), A(2), 0), -ENOMEM);
    assert_int_equal(region_protect(&s, A(0), A(8), 1), 0); /* whole pieces: no slot needed */
    for (uint32_t i = 0; i < s.n; i++) assert_int_equal(s.r[i].flags, 1);
}

static void test_find_gap(void **st) {
    (void)st;
    fresh();
    assert_int_equal(region_find_gap(&s, A(0), A(64), 4 * PG, 0), A(0));
    assert_int_equal(region_insert(&s, A(0), A(4), 1, REGION_ANON), 0);
    assert_int_equal(region_insert(&s, A(6), A(8), 1, REGION_ANON), 0);
    assert_int_equal(region_find_gap(&s, A(0), A(64), 2 * PG, 0), A(4));
    assert_int_equal(region_find_gap(&s, A(0), A(64), 2 * PG, PG), A(9)); /* a guard page each side */
    assert_int_equal(region_find_gap(&s, A(0), A(64), 3 * PG, 0), A(8));
    assert_int_equal(region_find_gap(&s, A(0), A(10), 3 * PG, 0), 0);
    assert_int_equal(region_find_gap(&s, A(0), A(64), 0, 0), 0);
    assert_int_equal(region_find_gap(&s, A(60), A(64), 4 * PG, 0), A(60));
    assert_int_equal(region_find_gap(&s, ~0ULL - 0x1000, ~0ULL, PG, PG), 0);
}

static void test_copy(void **st) {
    (void)st;
    fresh();
    struct region small[1];
    struct region_set d;
    region_set_init(&d, small, 1);
    assert_int_equal(region_insert(&s, A(0), A(1), 1, REGION_ANON), 0);
    assert_int_equal(region_insert(&s, A(2), A(3), 1, REGION_ANON), 0);
    assert_int_equal(region_copy(&d, &s), -ENOMEM);
    assert_int_equal(region_remove(&s, A(2), A(3)), 0);
    assert_int_equal(region_copy(&d, &s), 0);
    assert_int_equal(d.n, 1);
    assert_int_equal(d.r[0].end, A(1));
}

static void test_random_against_model(void **st) {
    (void)st;
    struct region big[12];
    struct region_set b;
    struct region_model m;
    memset(&m, 0, sizeof m);
    region_set_init(&b, big, 12);
    srand(7);
    for (int step = 0; step < 20000; step++) {
        uint32_t first = (uint32_t)rand() % MODEL_PAGES, count = 1 + (uint32_t)rand() % 12;
        if (first + count > MODEL_PAGES) count = MODEL_PAGES - first;
        uint64_t flags = (uint64_t)rand() % 3;
        int op = rand() % 3, r;
        if (op == 0) {
            r = region_insert(&b, A(first), A(first + count), flags, REGION_ANON);
            if (!r) for (uint32_t p = first; p < first + count; p++) m.page[p] = flags + 1;
        } else if (op == 1) {
            r = region_remove(&b, A(first), A(first + count));
            if (!r) for (uint32_t p = first; p < first + count; p++) m.page[p] = 0;
        } else {
            r = region_protect(&b, A(first), A(first + count), flags);
            if (!r) for (uint32_t p = first; p < first + count; p++) if (m.page[p]) m.page[p] = flags + 1;
        }
        assert_true(r == 0 || r == -EEXIST || r == -ENOMEM);
        assert_true(region_model_matches(&b, &m));
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_insert_merge_overlap),
        cmocka_unit_test(test_remove_splits_and_limit),
        cmocka_unit_test(test_protect),
        cmocka_unit_test(test_find_gap),
        cmocka_unit_test(test_copy),
        cmocka_unit_test(test_random_against_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
