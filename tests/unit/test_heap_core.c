/* Kernel heap core (mm/heap_core.c) over a static arena that plays the part
 * of the kernel's heap window. grow() approves growth inside the arena and
 * fills the new space with garbage, as fresh frames would be; report()
 * records the error and, when armed, longjmps back to the test. */
#include "tests/unit/host_rename.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mm/heap_core.h"
#include "lib/string.h"
#include <sys/mman.h>

#define ARENA_SIZE (8u << 20)
static _Alignas(4096) unsigned char arena[ARENA_SIZE];
#define BASE ((uintptr_t)arena)

static struct {
    struct heap h;
    unsigned grow_calls;
    uintptr_t grow_last_end;
    int refuse_grow;
    jmp_buf jb;
    int armed; /* longjmp out of report() */
    const char *what;
    const void *addr;
    unsigned reports;
} E;
static struct heap *const H = &E.h;

static int grow_cb(struct heap *h, uintptr_t new_end, void *ctx) {
    assert_ptr_equal(ctx, &E);
    assert_ptr_equal(h, H);
    assert_true(new_end > h->end);
    assert_true(new_end <= h->limit);
    assert_true(new_end <= BASE + ARENA_SIZE);
    E.grow_calls++;
    if (E.refuse_grow)
        return -1;
    memset((void *)h->end, 0xA5, new_end - h->end); /* fresh frames are not zeroed */
    E.grow_last_end = new_end;
    return 0;
}

static void report_cb(const char *what, const void *addr, void *ctx) {
    assert_ptr_equal(ctx, &E);
    E.what = what;
    E.addr = addr;
    E.reports++;
    if (E.armed) {
        E.armed = 0;
        longjmp(E.jb, 1);
    }
}

/* Fresh heap of `size` bytes at the start of the arena. */
static void setup_heap(size_t size, size_t step) {
    assert_int_equal(mprotect(arena, sizeof arena, PROT_READ | PROT_WRITE), 0); /* after a release test */
    memset(arena, 0x5C, sizeof arena);
    E.grow_calls = 0;
    E.grow_last_end = 0;
    E.refuse_grow = 0;
    E.armed = 0;
    E.what = NULL;
    E.addr = NULL;
    E.reports = 0;
    heap_init(H, BASE, BASE + size, step, grow_cb, report_cb, &E);
}

/* stmt must reach report(msg, address); report() jumps back here. */
#define EXPECT_REPORT(stmt, msg, address)                       \
    do {                                                        \
        E.what = NULL;                                          \
        E.armed = 1;                                            \
        if (setjmp(E.jb) == 0) {                                \
            stmt;                                               \
            E.armed = 0;                                        \
            fail_msg("%s did not report \"%s\"", #stmt, msg);   \
        }                                                       \
        assert_non_null(E.what);                                \
        assert_string_equal(E.what, msg);                       \
        assert_ptr_equal(E.addr, (const void *)(address));      \
    } while (0)

static struct heap_stats stats(void) {
    struct heap_stats s;
    heap_get_stats(H, &s);
    return s;
}

static void assert_consistent(void) {
    assert_int_equal(heap_check(H), 0);
    struct heap_stats s = stats();
    assert_int_equal(s.bytes_in_use + s.free_bytes, s.heap_size);
    assert_int_equal(s.heap_size, H->end - H->start);
    assert_int_equal(s.blocks_in_use, s.allocs - s.frees);
    assert_true(H->end <= H->limit);
}

static void fill(void *p, size_t n, unsigned seed) {
    unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        c[i] = (unsigned char)(seed + i * 7);
}

static int filled(const void *p, size_t n, unsigned seed) {
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        if (c[i] != (unsigned char)(seed + i * 7))
            return 0;
    return 1;
}

static size_t block_of(size_t size) { return ((size + 15) & ~(size_t)15) + HEAP_HDR_SIZE; }

/* --- basics ------------------------------------------------------------ */

static void test_basic(void **state) {
    (void)state;
    setup_heap(1 << 20, 4096);
    assert_int_equal(stats().heap_size, 0);
    assert_null(heap_alloc(H, 0, 0)); /* size 0 allocates nothing */
    assert_int_equal(E.grow_calls, 0);
    heap_free(H, NULL);               /* no-op */

    char *p = heap_alloc(H, 1, 0);
    assert_non_null(p);
    assert_int_equal((uintptr_t)p % 16, 0);
    assert_true((uintptr_t)p >= H->start && (uintptr_t)p < H->end);
    char *q = heap_alloc(H, 100, 0);
    assert_true(q >= p + 16);
    struct heap_stats s = stats();
    assert_int_equal(s.blocks_in_use, 2);
    assert_int_equal(s.allocs, 2);
    assert_int_equal(s.grows, 1);
    assert_int_equal(s.heap_size, 4096);
    assert_int_equal(s.bytes_in_use, 48 + block_of(100));
    assert_consistent();

    heap_free(H, p);
    heap_free(H, q);
    s = stats();
    assert_int_equal(s.blocks_in_use, 0);
    assert_int_equal(s.free_blocks, 1);
    assert_int_equal(s.free_bytes, 4096);
    assert_consistent();

    struct heap h2;
    heap_init(&h2, BASE + 1, BASE + 1000, 0, grow_cb, report_cb, &E);
    assert_int_equal(h2.start, BASE + 16);
    assert_int_equal(h2.limit, BASE + 992);
    assert_int_equal(h2.grow_step, 4096); /* 0 means 4096 */
}

static void test_alignment(void **state) {
    (void)state;
    setup_heap(4 << 20, 4096);
    static const size_t aligns[] = {16, 64, 4096, 1 << 16};
    void *small[16];
    for (unsigned round = 0; round < 4; round++) {
        for (unsigned i = 0; i < 4; i++) {
            small[round * 4 + i] = heap_alloc(H, 24 + i * 40, 0); /* perturb the offset */
            assert_non_null(small[round * 4 + i]);
            char *p = heap_alloc(H, 100 + round * 1000, aligns[i]);
            assert_non_null(p);
            assert_int_equal((uintptr_t)p % aligns[i], 0);
            fill(p, 100 + round * 1000, i);
            assert_consistent();
        }
    }
    /* 0, 1 and 8 mean 16; non-powers of two are refused */
    for (size_t a = 0; a <= 8; a += 8) {
        void *p = heap_alloc(H, 10, a);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
    }
    assert_non_null(heap_alloc(H, 10, 1));
    assert_non_null(heap_alloc(H, 10, 3)); /* below 16: means 16 */
    assert_null(heap_alloc(H, 10, 24));
    assert_null(heap_alloc(H, 10, 48));
    assert_null(heap_alloc(H, 10, (size_t)1 << 40)); /* larger than the region */
    assert_consistent();
}

/* An aligned allocation leaves its leading gap as a free block, and that gap
 * is reused by later small allocations. */
static void test_alignment_gap_is_free(void **state) {
    (void)state;
    setup_heap(8192, 4096); /* no room to grow past two pages */
    char *a = heap_alloc(H, 16, 0); /* block at BASE, 48 bytes */
    assert_ptr_equal(a, (char *)BASE + HEAP_HDR_SIZE);
    char *p = heap_alloc(H, 64, 4096);
    assert_ptr_equal(p, (char *)BASE + 4096);
    struct heap_stats s = stats();
    assert_int_equal(s.free_blocks, 2); /* the gap and the tail */
    assert_int_equal(s.bytes_in_use, 48 + block_of(64));
    /* gap 4016 and tail 4032 bytes hold three 1032-byte blocks each: six
     * allocations only succeed if the gap is used */
    char *b[6];
    int in_gap = 0;
    for (int i = 0; i < 6; i++) {
        b[i] = heap_alloc(H, 1000, 0);
        assert_non_null(b[i]);
        in_gap += b[i] < p;
    }
    assert_int_equal(in_gap, 3);
    assert_null(heap_alloc(H, 1000, 0));
    assert_consistent();
    heap_free(H, p);
    heap_free(H, a);
    for (int i = 0; i < 6; i++)
        heap_free(H, b[i]);
    assert_int_equal(stats().free_blocks, 1);
    assert_consistent();
}

/* --- coalescing -------------------------------------------------------- */

static void test_coalesce_every_order(void **state) {
    (void)state;
    static const int order[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
    for (int guard = 0; guard < 2; guard++) {
        for (int o = 0; o < 6; o++) {
            setup_heap(1 << 20, 4096);
            char *blk[3];
            for (int i = 0; i < 3; i++)
                blk[i] = heap_alloc(H, 100 + 100 * (size_t)i, 0);
            char *g = guard ? heap_alloc(H, 64, 0) : NULL;
            for (int i = 0; i < 2; i++)
                assert_ptr_equal(blk[i + 1], blk[i] + block_of(100 + 100 * (size_t)i));
            for (int i = 0; i < 3; i++) {
                heap_free(H, blk[order[o][i]]);
                assert_consistent();
            }
            struct heap_stats s = stats();
            if (guard) {
                /* one block spanning a..guard, plus the tail after the guard */
                assert_int_equal(s.free_blocks, 2);
                assert_int_equal(s.bytes_in_use, block_of(64));
                size_t span = (size_t)(g - blk[0]);
                assert_ptr_equal(heap_alloc(H, span - HEAP_HDR_SIZE, 0), blk[0]);
            } else {
                assert_int_equal(s.free_blocks, 1); /* merged with the tail too */
                assert_int_equal(s.bytes_in_use, 0);
            }
            assert_consistent();
        }
    }
}

/* --- growth ------------------------------------------------------------ */

static void test_growth(void **state) {
    (void)state;
    setup_heap(64 * 1024, 4096);
    assert_non_null(heap_alloc(H, 100, 0));
    assert_int_equal(E.grow_calls, 1);
    assert_int_equal(E.grow_last_end, BASE + 4096);

    /* needs more than one step: the tail free block is extended, not left behind */
    assert_non_null(heap_alloc(H, 10000, 0));
    struct heap_stats s = stats();
    assert_int_equal(s.grows, 2);
    assert_int_equal(s.heap_size, 12288);
    assert_int_equal(s.heap_size % 4096, 0);
    assert_true(s.free_blocks <= 1);
    assert_consistent();

    /* exhaust the region */
    void *last = NULL;
    for (;;) {
        void *p = heap_alloc(H, 1000, 0);
        assert_true(H->end <= H->limit);
        if (!p)
            break;
        last = p;
        assert_consistent();
    }
    s = stats();
    assert_int_equal(s.heap_size, 64 * 1024);
    assert_true(s.free_bytes < block_of(1000));
    unsigned calls = E.grow_calls;
    assert_null(heap_alloc(H, 1000, 0));
    assert_null(heap_alloc(H, 100000, 0));
    assert_int_equal(E.grow_calls, calls); /* nothing left to ask for */
    heap_free(H, last);
    assert_non_null(heap_alloc(H, 1000, 0));
    assert_int_equal(E.grow_calls, calls);
    assert_consistent();
}

static void test_growth_limits(void **state) {
    (void)state;
    /* the last step is clamped to a limit that is not a multiple of grow_step */
    setup_heap(10000, 4096);
    assert_non_null(heap_alloc(H, 9000, 0));
    assert_int_equal(stats().heap_size, 10000);
    assert_null(heap_alloc(H, 2000, 0));
    assert_consistent();

    /* grow() refusing: NULL, nothing counted */
    setup_heap(1 << 20, 4096);
    E.refuse_grow = 1;
    assert_null(heap_alloc(H, 100, 0));
    assert_int_equal(E.grow_calls, 1);
    struct heap_stats s = stats();
    assert_int_equal(s.heap_size, 0);
    assert_int_equal(s.allocs, 0);
    assert_int_equal(s.grows, 0);
    E.refuse_grow = 0;
    assert_non_null(heap_alloc(H, 100, 0));
    assert_consistent();

    /* sizes that overflow or exceed the region never reach grow() */
    setup_heap(1 << 20, 4096);
    assert_null(heap_alloc(H, SIZE_MAX, 0));
    assert_null(heap_alloc(H, SIZE_MAX - 15, 0));
    assert_null(heap_alloc(H, SIZE_MAX / 2, 4096));
    assert_null(heap_alloc(H, (1 << 20) + 1, 0));
    assert_int_equal(E.grow_calls, 0);

    /* a large step is used as is; an allocation exactly filling it fits */
    setup_heap(1 << 20, 65536);
    assert_non_null(heap_alloc(H, 65536 - HEAP_HDR_SIZE, 0));
    assert_int_equal(stats().heap_size, 65536);
    assert_int_equal(stats().free_blocks, 0);
    assert_non_null(heap_alloc(H, 16, 0));
    assert_int_equal(stats().heap_size, 2 * 65536);
    assert_consistent();
}

/* --- calloc / realloc -------------------------------------------------- */

static void test_calloc_zeroes_and_overflow(void **state) {
    (void)state;
    setup_heap(1 << 20, 4096);
    unsigned char *p = heap_alloc(H, 256, 0);
    memset(p, 0xFF, 256);
    heap_free(H, p);
    unsigned char *q = heap_calloc(H, 16, 16);
    assert_ptr_equal(q, p); /* same memory, so the zeroing is real */
    for (int i = 0; i < 256; i++)
        assert_int_equal(q[i], 0);
    assert_null(heap_calloc(H, SIZE_MAX / 2, 3));
    assert_null(heap_calloc(H, (size_t)1 << 33, (size_t)1 << 33));
    assert_null(heap_calloc(H, 0, 5));
    assert_null(heap_calloc(H, 5, 0));
    assert_int_equal(stats().allocs, 2);
    assert_consistent();
}

static void test_realloc_cases(void **state) {
    (void)state;
    setup_heap(1 << 20, 4096);
    /* NULL and size 0 */
    assert_null(heap_realloc(H, NULL, 0));
    char *p = heap_realloc(H, NULL, 1000);
    assert_non_null(p);
    assert_int_equal(stats().allocs, 1);
    assert_null(heap_realloc(H, p, 0));
    assert_int_equal(stats().frees, 1);
    assert_int_equal(stats().blocks_in_use, 0);

    /* shrink in place: the tail is given back */
    char *a = heap_alloc(H, 1000, 0);
    char *g = heap_alloc(H, 16, 0);
    fill(a, 1000, 1);
    size_t in_use = stats().bytes_in_use;
    assert_ptr_equal(heap_realloc(H, a, 100), a);
    assert_true(filled(a, 100, 1));
    assert_int_equal(stats().bytes_in_use, in_use - (block_of(1000) - block_of(100)));
    assert_consistent();

    /* grow in place into the free space left by the shrink */
    fill(a, 100, 2);
    assert_ptr_equal(heap_realloc(H, a, 900), a);
    assert_true(filled(a, 100, 2));
    assert_consistent();

    /* grow when the next block is used: moves, copies, frees the old one */
    struct heap_stats before = stats();
    fill(a, 900, 3);
    char *b = heap_realloc(H, a, 3000);
    assert_non_null(b);
    assert_ptr_not_equal(b, a);
    assert_true(filled(b, 900, 3));
    assert_int_equal(stats().allocs, before.allocs + 1);
    assert_int_equal(stats().frees, before.frees + 1);
    assert_ptr_equal(heap_alloc(H, 900, 0), a); /* the old block was freed */
    assert_consistent();

    /* failure leaves the block alone */
    fill(b, 3000, 4);
    assert_null(heap_realloc(H, b, SIZE_MAX));
    assert_null(heap_realloc(H, b, 2 << 20));
    assert_true(filled(b, 3000, 4));
    heap_free(H, b);
    heap_free(H, g);
    assert_consistent();

    /* grow in place after a neighbour was freed, shrink by less than a block */
    char *x = heap_alloc(H, 100, 0);
    char *y = heap_alloc(H, 500, 0);
    assert_non_null(heap_alloc(H, 100, 0));
    heap_free(H, y);
    fill(x, 100, 5);
    before = stats();
    assert_ptr_equal(heap_realloc(H, x, 400), x);
    assert_ptr_equal(heap_realloc(H, x, 390), x);
    assert_true(filled(x, 100, 5));
    assert_int_equal(stats().allocs, before.allocs);
    assert_consistent();
}

/* --- randomised model check ------------------------------------------- */

#define SLOTS 48
struct live {
    unsigned char *p;
    size_t size, align;
    unsigned seed;
};

static uint64_t rng;
static uint64_t rnd(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void verify_model(const struct live *live, size_t allocs, size_t frees) {
    const struct live *sorted[SLOTS];
    size_t n = 0, min_bytes = 0;
    for (int i = 0; i < SLOTS; i++) {
        if (!live[i].p)
            continue;
        const struct live *l = &live[i];
        assert_int_equal((uintptr_t)l->p % (l->align < 16 ? 16 : l->align), 0);
        assert_true((uintptr_t)l->p >= H->start && (uintptr_t)l->p + l->size <= H->end);
        assert_true(filled(l->p, l->size, l->seed));
        min_bytes += block_of(l->size);
        size_t j = n++; /* insertion sort by address */
        while (j > 0 && sorted[j - 1]->p > l->p) {
            sorted[j] = sorted[j - 1];
            j--;
        }
        sorted[j] = l;
    }
    for (size_t i = 1; i < n; i++)
        assert_true(sorted[i - 1]->p + sorted[i - 1]->size + HEAP_HDR_SIZE <= sorted[i]->p);
    struct heap_stats s = stats();
    assert_int_equal(s.blocks_in_use, n);
    assert_int_equal(s.allocs, allocs);
    assert_int_equal(s.frees, frees);
    assert_true(s.bytes_in_use >= min_bytes);
    assert_int_equal(s.grows, E.grow_calls);
    assert_consistent();
}

static void run_random(uint64_t seed, size_t step, int ops) {
    static const size_t aligns[] = {0, 0, 0, 1, 8, 16, 32, 64, 256, 4096};
    struct live live[SLOTS] = {0};
    size_t allocs = 0, frees = 0;
    rng = seed;
    setup_heap(4 << 20, step);
    for (int op = 0; op < ops; op++) {
        struct live *l = &live[rnd() % SLOTS];
        size_t size = 1 + rnd() % 8192;
        unsigned pick = (unsigned)(rnd() % 10);
        if (!l->p) {
            l->align = aligns[rnd() % 10];
            l->p = pick == 0 ? heap_calloc(H, 1 + size / 16, 16) : heap_alloc(H, size, l->align);
            if (pick == 0) {
                l->align = 16;
                size = (1 + size / 16) * 16;
                for (size_t i = 0; i < size; i++)
                    assert_int_equal(l->p[i], 0);
            }
            assert_non_null(l->p);
            l->size = size;
            allocs++;
        } else if (pick < 5) {
            heap_free(H, l->p);
            l->p = NULL;
            frees++;
        } else if (pick == 5) {
            assert_null(heap_realloc(H, l->p, 0));
            l->p = NULL;
            frees++;
        } else {
            unsigned char *q = heap_realloc(H, l->p, size);
            assert_non_null(q);
            size_t keep = size < l->size ? size : l->size;
            assert_true(filled(q, keep, l->seed));
            if (q != l->p) {
                allocs++;
                frees++;
            }
            l->p = q;
            l->size = size;
            l->align = 16; /* realloc only promises 16 */
        }
        if (l->p) {
            l->seed = (unsigned)rnd();
            fill(l->p, l->size, l->seed);
        }
        verify_model(live, allocs, frees);
    }
    for (int i = 0; i < SLOTS; i++)
        heap_free(H, live[i].p);
    struct heap_stats s = stats();
    assert_int_equal(s.blocks_in_use, 0);
    assert_int_equal(s.free_blocks, 1);
    assert_consistent();
}

static void test_random_4k_step(void **state) {
    (void)state;
    run_random(0x9E3779B97F4A7C15ULL, 4096, 3000);
}

static void test_random_64k_step(void **state) {
    (void)state;
    run_random(0xD1B54A32D192ED03ULL, 65536, 3000);
}

static void test_random_tiny_step(void **state) {
    (void)state;
    run_random(12345, 16, 3000);
}

/* --- error paths ------------------------------------------------------- */

static void test_double_free(void **state) {
    (void)state;
    setup_heap(1 << 20, 4096);
    char *a = heap_alloc(H, 64, 0);
    char *g = heap_alloc(H, 64, 0);
    heap_free(H, a);
    EXPECT_REPORT(heap_free(H, a), "double free", a);
    assert_consistent(); /* reported before anything changed */
    EXPECT_REPORT(heap_realloc(H, a, 10), "realloc of freed block", a);
    heap_free(H, g);
    assert_consistent();
}

static void test_double_free_after_merge(void **state) {
    (void)state;
    setup_heap(1 << 20, 4096);
    char *a = heap_alloc(H, 64, 0);
    char *b = heap_alloc(H, 64, 0);
    char *c = heap_alloc(H, 64, 0);
    assert_non_null(heap_alloc(H, 64, 0));
    heap_free(H, a);
    heap_free(H, b); /* merged into a */
    heap_free(H, c); /* merged into a..b */
    EXPECT_REPORT(heap_free(H, b), "double free", b);
    EXPECT_REPORT(heap_free(H, c), "double free", c);
    EXPECT_REPORT(heap_free(H, a), "double free", a);
    assert_consistent();
}

static void test_invalid_free(void **state) {
    (void)state;
    setup_heap(1 << 20, 4096);
    char *p = heap_alloc(H, 256, 0);
    memset(p, 0, 256);
    assert_non_null(heap_alloc(H, 64, 0));
    int local = 0;
    _Alignas(16) char stackbuf[64] = {0};
    EXPECT_REPORT(heap_free(H, &local), "invalid free", &local);
    EXPECT_REPORT(heap_free(H, stackbuf + 32), "invalid free", stackbuf + 32);
    EXPECT_REPORT(heap_free(H, p + 8), "invalid free", p + 8);
    EXPECT_REPORT(heap_free(H, p + 16), "invalid free", p + 16);   /* aligned, inside a block */
    EXPECT_REPORT(heap_free(H, p + 128), "invalid free", p + 128);
    EXPECT_REPORT(heap_free(H, (char *)H->end), "invalid free", H->end); /* past the backed part */
    EXPECT_REPORT(heap_free(H, (char *)H->start), "invalid free", H->start);
    EXPECT_REPORT(heap_realloc(H, p + 8, 10), "invalid realloc", p + 8);
    assert_consistent();
    heap_free(H, p);
    assert_consistent();
}

/* Three adjacent 64-byte blocks a, b, c (block size 96) and a guard. */
static char *A, *B, *C;
static void three_blocks(void) {
    setup_heap(1 << 20, 4096);
    A = heap_alloc(H, 64, 0);
    B = heap_alloc(H, 64, 0);
    C = heap_alloc(H, 64, 0);
    assert_non_null(heap_alloc(H, 64, 0));
    assert_ptr_equal(B, A + 96);
    assert_ptr_equal(C, B + 96);
}

static void test_clobbered_header(void **state) {
    (void)state;
    three_blocks();
    memset(B - HEAP_HDR_SIZE, 0x41, HEAP_HDR_SIZE);
    EXPECT_REPORT(heap_free(H, B), "corrupted block header", B);

    three_blocks();
    memset(B - HEAP_HDR_SIZE, 0x41, HEAP_HDR_SIZE);
    EXPECT_REPORT(heap_check(H), "corrupted block header", B);

    three_blocks();
    memset(B - HEAP_HDR_SIZE, 0, HEAP_HDR_SIZE);
    EXPECT_REPORT(heap_realloc(H, B, 200), "corrupted block header", B);

    /* one bit of the size: the magic is intact, the seal is not */
    three_blocks();
    (B - HEAP_HDR_SIZE)[9] ^= 1;
    EXPECT_REPORT(heap_free(H, B), "corrupted block header", B);
}

/* An overflow from A runs into B's header: caught when A's free looks at its
 * neighbour, and when A grows in place. */
static void test_clobbered_neighbour(void **state) {
    (void)state;
    three_blocks();
    memset(A, 0x41, 64 + 8);
    EXPECT_REPORT(heap_free(H, A), "corrupted block header", B);

    three_blocks();
    memset(A, 0x41, 64 + 8);
    EXPECT_REPORT(heap_realloc(H, A, 100), "corrupted block header", B);

    three_blocks();
    memset(C - HEAP_HDR_SIZE, 0x41, 16);
    EXPECT_REPORT(heap_free(H, B), "corrupted block header", C);

    /* the previous neighbour is checked too */
    three_blocks();
    memset(A - HEAP_HDR_SIZE, 0x41, 16);
    EXPECT_REPORT(heap_free(H, B), "corrupted block header", A);
}

/* Writing into freed memory damages the free-list links (next at payload
 * offset 0, prev at 8), which are sealed with the header. */
static void use_after_free_at(size_t off) {
    three_blocks();
    heap_free(H, B);
    memset(B + off, 0x41, 8);
    EXPECT_REPORT(heap_alloc(H, 64, 0), "corrupted block header", B);

    three_blocks();
    heap_free(H, B);
    memset(B + off, 0x41, 8);
    EXPECT_REPORT(heap_check(H), "corrupted block header", B);
}

static void test_use_after_free(void **state) {
    (void)state;
    use_after_free_at(0);
    use_after_free_at(8);
}

/* When report() returns, the operation is abandoned; after corruption the
 * heap refuses to work, after a caller error it stays usable. */
static void test_report_returns(void **state) {
    (void)state;
    three_blocks();
    heap_free(H, A);
    heap_free(H, A);
    assert_string_equal(E.what, "double free");
    assert_int_equal(E.reports, 1);
    assert_int_equal(heap_check(H), 0);
    assert_non_null(heap_alloc(H, 64, 0));

    three_blocks();
    memset(B - HEAP_HDR_SIZE, 0x41, HEAP_HDR_SIZE);
    assert_int_equal(heap_check(H), -1);
    assert_string_equal(E.what, "corrupted block header");
    assert_ptr_equal(E.addr, B);
    assert_null(heap_alloc(H, 16, 0));
    heap_free(H, C); /* ignored */
    assert_int_equal(E.reports, 1);
    assert_int_equal(stats().frees, 0);
}

/* heap_check compares the walk with the bookkeeping, not just the headers. */
static void test_check_bookkeeping(void **state) {
    (void)state;
    three_blocks();
    H->free_bytes += 16;
    EXPECT_REPORT(heap_check(H), "heap stats mismatch", H);

    three_blocks();
    H->allocs++;
    EXPECT_REPORT(heap_check(H), "heap stats mismatch", H);

    three_blocks();
    H->last = (struct heap_block *)(A - HEAP_HDR_SIZE);
    EXPECT_REPORT(heap_check(H), "corrupted free list", A - HEAP_HDR_SIZE);

    /* a cookie set by the kernel right after heap_init is used from then on */
    setup_heap(1 << 20, 4096);
    H->cookie = 0x0123456789abcdefULL;
    void *p = heap_alloc(H, 100, 0);
    assert_consistent();
    H->cookie ^= 1; /* every seal now mismatches */
    EXPECT_REPORT(heap_free(H, p), "corrupted block header", p);
}

/* Page release: released pages become PROT_NONE, so any access the core
 * makes to them (or a payload it hands out unbacked) is a SIGSEGV. */
static size_t released_pages, rebacked_pages;

static void release_cb(struct heap *h, uintptr_t from, uintptr_t to, void *ctx) {
    (void)h; (void)ctx;
    assert_true(from % HEAP_PAGE == 0 && to % HEAP_PAGE == 0 && to > from);
    assert_true(from >= h->start && to <= h->end);
    assert_int_equal(mprotect((void *)from, to - from, PROT_NONE), 0);
    released_pages += (to - from) / HEAP_PAGE;
}

static int reback_cb(struct heap *h, uintptr_t from, uintptr_t to, void *ctx) {
    (void)h; (void)ctx;
    assert_true(from % HEAP_PAGE == 0 && to % HEAP_PAGE == 0 && to > from);
    assert_int_equal(mprotect((void *)from, to - from, PROT_READ | PROT_WRITE), 0);
    rebacked_pages += (to - from) / HEAP_PAGE;
    return 0;
}

static unsigned char pat(const void *p, size_t i) { return (unsigned char)(((uintptr_t)p >> 4) * 7 + i); }

static void test_release_returns_pages(void **state) {
    (void)state;
    setup_heap(ARENA_SIZE, 64 * 1024);
    heap_set_release(H, release_cb, reback_cb, 16 * 1024);
    released_pages = rebacked_pages = 0;
    enum { N = 64 };
    void *p[N] = { 0 };
    size_t sz[N] = { 0 };
    uint64_t rng = 0x243F6A8885A308D3ull;
    for (int round = 0; round < 4000; round++) {
        rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
        int i = (int)(rng % N);
        size_t size = (rng >> 20) % 4 == 0 ? 1 + (rng >> 32) % (300 * 1024) : 1 + (rng >> 32) % 2000;
        if (p[i]) {
            for (size_t k = 0; k < sz[i]; k += 97)
                assert_int_equal(((unsigned char *)p[i])[k], pat(p[i], k));
            if ((rng >> 40) % 3 == 0) {
                void *q = heap_realloc(H, p[i], size);
                if (q) {
                    size_t keep = size < sz[i] ? size : sz[i];
                    for (size_t k = 0; k < keep; k += 97)
                        assert_int_equal(((unsigned char *)q)[k], pat(p[i], k));
                    p[i] = q;
                    sz[i] = size;
                    for (size_t k = 0; k < size; k++) ((unsigned char *)q)[k] = pat(q, k);
                }
            } else {
                heap_free(H, p[i]);
                p[i] = NULL;
            }
        } else {
            p[i] = heap_alloc(H, size, (rng >> 50) % 5 == 0 ? 4096 : 0);
            if (p[i]) {
                sz[i] = size;
                for (size_t k = 0; k < size; k++) ((unsigned char *)p[i])[k] = pat(p[i], k);
            }
        }
        assert_int_equal(heap_check(H), 0);
    }
    for (int i = 0; i < N; i++) heap_free(H, p[i]);
    assert_int_equal(heap_check(H), 0);
    assert_true(released_pages > 0 && rebacked_pages > 0);
    /* Everything free: one block, all of it released but its first page. */
    struct heap_stats st;
    heap_get_stats(H, &st);
    assert_int_equal(st.free_blocks, 1);
    uintptr_t lo = (H->start + 48 + HEAP_PAGE - 1) & ~(uintptr_t)(HEAP_PAGE - 1);
    assert_int_equal(mprotect((void *)lo, H->end - lo, PROT_NONE), 0);   /* same state: no-op */
    void *again = heap_alloc(H, 100000, 0);                               /* rebacked on use */
    assert_non_null(again);
    memset(again, 1, 100000);
    heap_free(H, again);
    assert_int_equal(heap_check(H), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_release_returns_pages),
        cmocka_unit_test(test_basic),
        cmocka_unit_test(test_alignment),
        cmocka_unit_test(test_alignment_gap_is_free),
        cmocka_unit_test(test_coalesce_every_order),
        cmocka_unit_test(test_growth),
        cmocka_unit_test(test_growth_limits),
        cmocka_unit_test(test_calloc_zeroes_and_overflow),
        cmocka_unit_test(test_realloc_cases),
        cmocka_unit_test(test_random_4k_step),
        cmocka_unit_test(test_random_64k_step),
        cmocka_unit_test(test_random_tiny_step),
        cmocka_unit_test(test_double_free),
        cmocka_unit_test(test_double_free_after_merge),
        cmocka_unit_test(test_invalid_free),
        cmocka_unit_test(test_clobbered_header),
        cmocka_unit_test(test_clobbered_neighbour),
        cmocka_unit_test(test_use_after_free),
        cmocka_unit_test(test_report_returns),
        cmocka_unit_test(test_check_bookkeeping),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
