/* Physical memory manager core: bitmap set-up from a memory map with holes,
 * reservation, single and contiguous allocation, error paths that must not
 * change any state, and a randomised run checked against a per-frame model. */
#include "tests/unit/host_rename.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/string.h"
#include "mm/pmm_core.h"

#define KiB 1024ULL
#define MiB (1024 * KiB)
#define GiB (1024 * MiB)
#define FS PMM_FRAME_SIZE
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* One core per test, bitmaps on the heap so ASan sees every overrun. */
static struct pmm_core pc;
static uint64_t *ram_bm, *used_bm;

static void core_new(uint64_t nframes) {
    uint64_t words = pmm_core_bitmap_words(nframes);
    free(ram_bm);
    free(used_bm);
    ram_bm = malloc((words ? words : 1) * 8);
    used_bm = malloc((words ? words : 1) * 8);
    assert_non_null(ram_bm);
    assert_non_null(used_bm);
    pmm_core_init(&pc, ram_bm, used_bm, nframes);
}

static int teardown(void **state) {
    (void)state;
    free(ram_bm);
    free(used_bm);
    ram_bm = used_bm = NULL;
    return 0;
}

static int bit(const uint64_t *map, uint64_t f) { return (int)((map[f / 64] >> (f % 64)) & 1); }

/* Recounts everything from the bitmaps: managed frames never lack the ram
 * bit (ram=0 implies used=1), padding past nframes is "not RAM, used", and
 * the counters match. */
static void check_invariants(const struct pmm_core *p) {
    uint64_t words = pmm_core_bitmap_words(p->nframes), managed = 0, nfree = 0;
    for (uint64_t w = 0; w < words; w++) {
        uint64_t ram = p->ram[w], used = p->used[w];
        assert_int_equal(~ram & ~used, 0);
        managed += (uint64_t)__builtin_popcountll(ram);
        nfree += (uint64_t)__builtin_popcountll(ram & ~used);
    }
    for (uint64_t f = p->nframes; f < words * 64; f++) {
        assert_int_equal(bit(p->ram, f), 0);
        assert_int_equal(bit(p->used, f), 1);
    }
    assert_int_equal(managed, p->managed_frames);
    assert_int_equal(nfree, p->free_frames);
}

struct snap {
    uint64_t managed, nfree, reserved;
    uint64_t *ram, *used;
    size_t bytes;
};

static void snap_take(struct snap *s) {
    s->bytes = pmm_core_bitmap_words(pc.nframes) * 8;
    s->managed = pc.managed_frames;
    s->nfree = pc.free_frames;
    s->reserved = pc.reserved_frames;
    s->ram = malloc(s->bytes);
    s->used = malloc(s->bytes);
    memcpy(s->ram, pc.ram, s->bytes);
    memcpy(s->used, pc.used, s->bytes);
}

/* Asserts nothing changed since snap_take, then releases the snapshot. */
static void snap_same(struct snap *s) {
    assert_int_equal(pc.managed_frames, s->managed);
    assert_int_equal(pc.free_frames, s->nfree);
    assert_int_equal(pc.reserved_frames, s->reserved);
    assert_memory_equal(pc.ram, s->ram, s->bytes);
    assert_memory_equal(pc.used, s->used, s->bytes);
    free(s->ram);
    free(s->used);
}

/* --- set-up ------------------------------------------------------------ */

static void test_bitmap_words(void **state) {
    (void)state;
    static const struct { uint64_t nframes, words; } t[] = {
        {0, 0}, {1, 1}, {63, 1}, {64, 1}, {65, 2}, {8 * GiB / FS, 32768},
        {PMM_MAX_FRAMES, PMM_MAX_FRAMES / 64},
        {UINT64_MAX, PMM_MAX_FRAMES / 64}, /* clipped: no overflow, no 2^58 words */
    };
    for (size_t i = 0; i < ARRAY_LEN(t); i++)
        assert_int_equal(pmm_core_bitmap_words(t[i].nframes), t[i].words);
}

static void test_init_is_empty(void **state) {
    (void)state;
    uint64_t pa = 0x5a5a;
    static const uint64_t sizes[] = {0, 1, 100, 128};
    for (size_t i = 0; i < ARRAY_LEN(sizes); i++) {
        core_new(sizes[i]);
        assert_int_equal(pc.nframes, sizes[i]);
        assert_int_equal(pc.managed_frames, 0);
        assert_int_equal(pc.free_frames, 0);
        assert_int_equal(pc.reserved_frames, 0);
        check_invariants(&pc);
        assert_int_equal(pmm_core_alloc(&pc, &pa), PMM_ERR_EXHAUSTED);
        assert_int_equal(pmm_core_alloc_contig(&pc, 1, 1, 0, &pa), PMM_ERR_EXHAUSTED);
        assert_int_equal(pa, 0x5a5a); /* untouched on failure */
        assert_int_equal(pmm_core_free(&pc, 0), PMM_ERR_NOT_RAM);
        assert_int_equal(pmm_core_is_allocated(&pc, 0), 0);
        pmm_core_add_free(&pc, 0, 0);
        pmm_core_reserve(&pc, 0, UINT64_MAX);
        check_invariants(&pc);
    }
}

/* add_free takes only frames lying fully inside the byte range. */
static void test_add_free_edges(void **state) {
    (void)state;
    static const struct {
        uint64_t base, len, n, first; /* n frames first..first+n-1 become managed */
    } t[] = {
        {0, FS, 1, 0},
        {0, 0, 0, 0},
        {1, FS, 0, 0},                    /* covers no frame fully */
        {1, 2 * FS - 1, 1, 1},            /* [1, 0x2000): frame 1 */
        {FS - 1, 2 * FS + 2, 2, 1},       /* [0xfff, 0x3001): frames 1, 2 */
        {16 * FS, 16 * FS, 16, 16},
        {63 * FS, 2 * FS, 2, 63},         /* crosses a bitmap word */
        {128 * FS, 1 * MiB, 128, 128},    /* clipped to nframes = 256 */
        {255 * FS, UINT64_MAX, 1, 255},   /* base + len wraps */
        {UINT64_MAX - FS + 1, 2 * FS, 0, 0}, /* wraps, entirely past nframes */
        {UINT64_MAX, UINT64_MAX, 0, 0},
        {0, UINT64_MAX, 256, 0},
    };
    for (size_t i = 0; i < ARRAY_LEN(t); i++) {
        core_new(256);
        pmm_core_add_free(&pc, t[i].base, t[i].len);
        check_invariants(&pc);
        assert_int_equal(pc.managed_frames, t[i].n);
        assert_int_equal(pc.free_frames, t[i].n);
        assert_int_equal(pc.reserved_frames, 0);
        for (uint64_t f = 0; f < 256; f++) {
            int in = f >= t[i].first && f < t[i].first + t[i].n;
            assert_int_equal(bit(pc.ram, f), in);
            assert_int_equal(bit(pc.used, f), !in);
        }
    }
}

static void test_add_free_idempotent(void **state) {
    (void)state;
    uint64_t pa;
    core_new(256);
    pmm_core_add_free(&pc, 0, 64 * KiB);
    pmm_core_add_free(&pc, 0, 64 * KiB);
    pmm_core_add_free(&pc, 32 * KiB, 64 * KiB); /* overlaps: 8 new frames */
    assert_int_equal(pc.managed_frames, 24);
    assert_int_equal(pc.free_frames, 24);
    check_invariants(&pc);

    /* Re-adding an allocated frame must not make it free behind its owner's back. */
    assert_int_equal(pmm_core_alloc(&pc, &pa), PMM_OK);
    pmm_core_add_free(&pc, 0, 1 * MiB);
    assert_int_equal(pc.managed_frames, 256);
    assert_int_equal(pc.free_frames, 255);
    assert_int_equal(pmm_core_is_allocated(&pc, pa), 1);
    check_invariants(&pc);
}

/* reserve takes every managed free frame the byte range touches. */
static void test_reserve_edges(void **state) {
    (void)state;
    static const struct { uint64_t base, len, n, first; } t[] = {
        {FS, 1, 1, 1},
        {FS - 1, 2, 2, 0},                 /* one byte in each of frames 0 and 1 */
        {0, 0, 0, 0},
        {5 * FS, 0, 0, 0},
        {63 * FS + 0x800, FS, 2, 63},      /* crosses a bitmap word */
        {255 * FS + 0x800, UINT64_MAX, 1, 255}, /* wraps */
        {2 * MiB, FS, 0, 0},               /* past nframes */
        {0, UINT64_MAX, 256, 0},
    };
    for (size_t i = 0; i < ARRAY_LEN(t); i++) {
        core_new(256);
        pmm_core_add_free(&pc, 0, 1 * MiB);
        pmm_core_reserve(&pc, t[i].base, t[i].len);
        pmm_core_reserve(&pc, t[i].base, t[i].len); /* twice: counted once */
        check_invariants(&pc);
        assert_int_equal(pc.reserved_frames, t[i].n);
        assert_int_equal(pc.managed_frames, 256 - t[i].n);
        assert_int_equal(pc.free_frames, 256 - t[i].n);
        for (uint64_t f = 0; f < 256; f++) {
            int in = f >= t[i].first && f < t[i].first + t[i].n;
            assert_int_equal(bit(pc.ram, f), !in);
            assert_int_equal(pmm_core_free(&pc, f * FS), in ? PMM_ERR_NOT_RAM : PMM_ERR_DOUBLE_FREE);
        }
    }
}

static void test_reserve_leaves_holes_and_allocated(void **state) {
    (void)state;
    uint64_t pa;
    core_new(256);
    pmm_core_add_free(&pc, 0, 64 * KiB);         /* frames 0..15 */
    assert_int_equal(pmm_core_alloc(&pc, &pa), PMM_OK);
    assert_int_equal(pa, 0);
    pmm_core_reserve(&pc, 0, 1 * MiB);           /* frame 0 allocated, 16..255 holes */
    assert_int_equal(pc.reserved_frames, 15);
    assert_int_equal(pc.managed_frames, 1);
    assert_int_equal(pc.free_frames, 0);
    check_invariants(&pc);
    assert_int_equal(pmm_core_free(&pc, 0), PMM_OK); /* the owner can still free it */
    assert_int_equal(pc.free_frames, 1);
    check_invariants(&pc);
}

/* --- a PC-like memory map ------------------------------------------------ */

/* 8 GiB of address space: 640 KiB low memory (ending mid-frame), 1-512 MiB,
 * 2-3 GiB with unaligned edges, holes elsewhere (3-4 GiB PCI hole), 4-8 GiB.
 * Then the low 1 MiB and a kernel at 2 MiB are reserved. */
#define MAP_FRAMES (8 * GiB / FS)
#define KERNEL_PA 0x200000ULL
#define KERNEL_LEN 0x123456ULL /* frames 512..803 */

static int map_managed(uint64_t f) {
    if (f < 256) return 0;                                     /* low 1 MiB reserved */
    if (f >= KERNEL_PA / FS && f < 804) return 0;              /* kernel */
    if (f < 512 * MiB / FS) return 1;
    if (f > 2 * GiB / FS && f < 3 * GiB / FS - 1) return 1;   /* partial edge frames dropped */
    return f >= 4 * GiB / FS && f < MAP_FRAMES;
}

#define MAP_MANAGED (130816 - 292 + 262142 + 1048576ULL)

static void build_map(void) {
    core_new(MAP_FRAMES);
    pmm_core_add_free(&pc, 0, 0x9fc00);                        /* 159 frames */
    pmm_core_add_free(&pc, 1 * MiB, 511 * MiB);                /* 130816 */
    pmm_core_add_free(&pc, 2 * GiB + 0x800, 1 * GiB - 0x810);  /* 262142 */
    pmm_core_add_free(&pc, 4 * GiB, 4 * GiB);                  /* 1048576 */
    pmm_core_add_free(&pc, 8 * GiB, 8 * GiB);                  /* past nframes */
    assert_int_equal(pc.managed_frames, 159 + 130816 + 262142 + 1048576);
    pmm_core_reserve(&pc, 0, 1 * MiB);
    pmm_core_reserve(&pc, KERNEL_PA, KERNEL_LEN);
    pmm_core_reserve(&pc, 3 * GiB + 0x1234, 256 * MiB);        /* a hole: nothing */
    assert_int_equal(pc.managed_frames, MAP_MANAGED);
    assert_int_equal(pc.free_frames, MAP_MANAGED);
    assert_int_equal(pc.reserved_frames, 159 + 292);
    check_invariants(&pc);
    for (uint64_t f = 0; f < MAP_FRAMES; f++) assert_int_equal(bit(pc.ram, f), map_managed(f));
}

static void test_map_alloc_everything(void **state) {
    (void)state;
    uint64_t pa, n = 0, high = 0;
    build_map();
    uint8_t *seen = calloc(MAP_FRAMES, 1);
    assert_non_null(seen);
    while (pmm_core_alloc(&pc, &pa) == PMM_OK) {
        assert_int_equal(pa % FS, 0);
        uint64_t f = pa / FS;
        assert_true(f < MAP_FRAMES);
        assert_true(map_managed(f)); /* never a hole or a reserved frame */
        assert_int_equal(seen[f], 0); /* never twice */
        seen[f] = 1;
        n++;
        high += pa >= 4 * GiB;
        assert_int_equal(pc.free_frames, MAP_MANAGED - n);
    }
    assert_int_equal(n, MAP_MANAGED); /* so every managed frame came out once */
    assert_int_equal(high, 1048576);
    assert_int_equal(pc.free_frames, 0);
    assert_int_equal(pmm_core_alloc(&pc, &pa), PMM_ERR_EXHAUSTED);
    assert_int_equal(pmm_core_alloc_contig(&pc, 1, 1, 0, &pa), PMM_ERR_EXHAUSTED);
    assert_int_equal(pc.managed_frames, MAP_MANAGED);
    check_invariants(&pc);

    /* Free one frame in each region: exactly those come back. */
    static const uint64_t back[] = {300 * MiB, 2 * GiB + 4 * FS, 6 * GiB};
    for (size_t i = 0; i < ARRAY_LEN(back); i++) assert_int_equal(pmm_core_free(&pc, back[i]), PMM_OK);
    assert_int_equal(pc.free_frames, ARRAY_LEN(back));
    memset(seen, 0, MAP_FRAMES);
    for (size_t i = 0; i < ARRAY_LEN(back); i++) {
        assert_int_equal(pmm_core_alloc(&pc, &pa), PMM_OK);
        assert_true(pa == back[0] || pa == back[1] || pa == back[2]);
        assert_int_equal(seen[pa / FS]++, 0);
    }
    assert_int_equal(pmm_core_alloc(&pc, &pa), PMM_ERR_EXHAUSTED);

    /* Give everything back. */
    for (uint64_t f = 0; f < MAP_FRAMES; f++)
        if (map_managed(f)) assert_int_equal(pmm_core_free(&pc, f * FS), PMM_OK);
    assert_int_equal(pc.free_frames, MAP_MANAGED);
    check_invariants(&pc);
    free(seen);
}

static void test_map_contig_dma(void **state) {
    (void)state;
    uint64_t pa, pb;
    build_map();
    /* 2 MiB aligned, below 4 GiB: 1 MiB.. is free but 2 MiB..+2 MiB holds the
     * kernel, so first fit is 4 MiB. */
    assert_int_equal(pmm_core_alloc_contig(&pc, 512, 512, 4 * GiB, &pa), PMM_OK);
    assert_int_equal(pa, 4 * MiB);
    /* Below 16 MiB (ISA DMA style), 64 KiB aligned: 1 MiB itself fits. */
    assert_int_equal(pmm_core_alloc_contig(&pc, 16, 16, 16 * MiB, &pb), PMM_OK);
    assert_int_equal(pb, 1 * MiB);
    /* A run that only fits above 4 GiB: 3 GiB of frames. */
    assert_int_equal(pmm_core_alloc_contig(&pc, 3 * GiB / FS, 1, 4 * GiB, &pb), PMM_ERR_EXHAUSTED);
    assert_int_equal(pmm_core_alloc_contig(&pc, 3 * GiB / FS, 1, 0, &pb), PMM_OK);
    assert_int_equal(pb, 4 * GiB);
    assert_int_equal(pc.free_frames, MAP_MANAGED - 512 - 16 - 3 * GiB / FS);
    check_invariants(&pc);
    assert_int_equal(pmm_core_free_contig(&pc, pb, 3 * GiB / FS), PMM_OK);
    assert_int_equal(pmm_core_free_contig(&pc, pa, 512), PMM_OK);
    assert_int_equal(pmm_core_free_contig(&pc, 1 * MiB, 16), PMM_OK);
    assert_int_equal(pc.free_frames, MAP_MANAGED);
    check_invariants(&pc);
}

/* --- single frames --------------------------------------------------------- */

static void test_next_fit_and_realloc(void **state) {
    (void)state;
    uint64_t pa;
    core_new(128);
    pmm_core_add_free(&pc, 0, 128 * FS);
    for (uint64_t f = 0; f < 128; f++) {
        assert_int_equal(pmm_core_alloc(&pc, &pa), PMM_OK);
        assert_int_equal(pa, f * FS); /* empty map: ascending order */
    }
    assert_int_equal(pmm_core_alloc(&pc, &pa), PMM_ERR_EXHAUSTED);
    assert_int_equal(pmm_core_free(&pc, 5 * FS), PMM_OK);
    assert_int_equal(pmm_core_free(&pc, 70 * FS), PMM_OK);
    assert_int_equal(pc.free_frames, 2);
    /* The hint sits on word 1 (frame 127): 70 first, then wrap round to 5. */
    assert_int_equal(pmm_core_alloc(&pc, &pa), PMM_OK);
    assert_int_equal(pa, 70 * FS);
    assert_int_equal(pmm_core_alloc(&pc, &pa), PMM_OK);
    assert_int_equal(pa, 5 * FS);
    assert_int_equal(pmm_core_alloc(&pc, &pa), PMM_ERR_EXHAUSTED);
    assert_int_equal(pc.free_frames, 0);
    assert_int_equal(pmm_core_alloc(&pc, NULL), PMM_ERR_ARGS);
    check_invariants(&pc);
}

/* A map with a hole (1-2 MiB), a reserved frame (1) and some allocated frames;
 * every failing free must leave counters and bitmaps untouched. */
static void build_small_map(void) {
    uint64_t pa;
    core_new(1024); /* 4 MiB */
    pmm_core_add_free(&pc, 0, 1 * MiB);
    pmm_core_add_free(&pc, 2 * MiB, 2 * MiB);
    pmm_core_reserve(&pc, FS, FS);
    for (int i = 0; i < 8; i++) assert_int_equal(pmm_core_alloc(&pc, &pa), PMM_OK); /* 0, 2..8 */
    assert_int_equal(pc.free_frames, 767 - 8);
}

static void test_free_errors(void **state) {
    (void)state;
    static const struct { uint64_t pa; int err; } t[] = {
        {0x1234, PMM_ERR_UNALIGNED},
        {1, PMM_ERR_UNALIGNED},
        {UINT64_MAX, PMM_ERR_UNALIGNED},
        {FS, PMM_ERR_NOT_RAM},                   /* reserved */
        {1 * MiB, PMM_ERR_NOT_RAM},              /* hole */
        {2 * MiB - FS, PMM_ERR_NOT_RAM},         /* hole */
        {4 * MiB, PMM_ERR_NOT_RAM},              /* first frame past nframes */
        {UINT64_MAX & ~(FS - 1), PMM_ERR_NOT_RAM},
        {9 * FS, PMM_ERR_DOUBLE_FREE},           /* managed, never allocated */
        {3 * MiB, PMM_ERR_DOUBLE_FREE},
    };
    for (size_t i = 0; i < ARRAY_LEN(t); i++) {
        struct snap s;
        build_small_map();
        snap_take(&s);
        assert_int_equal(pmm_core_free(&pc, t[i].pa), t[i].err);
        snap_same(&s);
    }

    /* The classic double free. */
    struct snap s;
    build_small_map();
    assert_int_equal(pmm_core_free(&pc, 4 * FS), PMM_OK);
    snap_take(&s);
    assert_int_equal(pmm_core_free(&pc, 4 * FS), PMM_ERR_DOUBLE_FREE);
    snap_same(&s);
    check_invariants(&pc);
}

static void test_is_allocated(void **state) {
    (void)state;
    static const struct { uint64_t pa; int want; } t[] = {
        {0, 1}, {0xfff, 1},            /* any address inside an allocated frame */
        {2 * FS + 0x10, 1},
        {FS, 0},                       /* reserved */
        {9 * FS, 0},                   /* free */
        {1 * MiB + 0x123, 0},          /* hole */
        {4 * MiB, 0}, {UINT64_MAX, 0}, /* out of range */
    };
    build_small_map();
    for (size_t i = 0; i < ARRAY_LEN(t); i++)
        assert_int_equal(pmm_core_is_allocated(&pc, t[i].pa), t[i].want);
}

/* --- contiguous runs ------------------------------------------------------- */

static void test_contig_args(void **state) {
    (void)state;
    static const struct { uint64_t count, align, max_pa; int null_pa, err; } t[] = {
        {0, 1, 0, 0, PMM_ERR_ARGS},
        {1, 0, 0, 0, PMM_ERR_ARGS},
        {1, 3, 0, 0, PMM_ERR_ARGS},
        {1, 6, 0, 0, PMM_ERR_ARGS},
        {1, UINT64_MAX, 0, 0, PMM_ERR_ARGS},
        {1, 1, 0, 1, PMM_ERR_ARGS},
        {UINT64_MAX, 1, 0, 0, PMM_ERR_EXHAUSTED},
        {UINT64_MAX, 1ULL << 63, UINT64_MAX, 0, PMM_ERR_EXHAUSTED},
        {257, 1, 0, 0, PMM_ERR_EXHAUSTED},        /* more than there is */
        {1, 1, FS - 1, 0, PMM_ERR_EXHAUSTED},     /* no whole frame below max_pa */
        {9, 1, 9 * FS - 1, 0, PMM_ERR_EXHAUSTED}, /* the 9th frame would cross max_pa */
    };
    for (size_t i = 0; i < ARRAY_LEN(t); i++) {
        struct snap s;
        uint64_t pa = 0x5a5a;
        core_new(256);
        pmm_core_add_free(&pc, 0, 1 * MiB);
        snap_take(&s);
        assert_int_equal(pmm_core_alloc_contig(&pc, t[i].count, t[i].align, t[i].max_pa,
                                               t[i].null_pa ? NULL : &pa), t[i].err);
        assert_int_equal(pa, 0x5a5a);
        snap_same(&s);
    }
}

/* A sequence on one empty 256-frame map; each step sees the previous ones. */
static void test_contig_alignment_sequence(void **state) {
    (void)state;
    static const struct { uint64_t count, align, max_pa; int err; uint64_t frame; } t[] = {
        {1, 1, 0, PMM_OK, 0},
        {4, 16, 0, PMM_OK, 16},
        {1, 1, 0, PMM_OK, 1},           /* first fit fills the gap */
        {16, 16, 0, PMM_OK, 32},
        {14, 1, 0, PMM_OK, 2},          /* exactly the 2..15 gap */
        {12, 1, 0, PMM_OK, 20},         /* 20..31 */
        {64, 64, 0, PMM_OK, 64},        /* one whole bitmap word */
        {100, 2, 0, PMM_OK, 128},       /* crosses words */
        {1, 1ULL << 63, 0, PMM_ERR_EXHAUSTED, 0}, /* frame 0 taken; aligning up must not wrap */
        {8, 8, 48 * FS, PMM_ERR_EXHAUSTED, 0},    /* everything below 48 is used */
        {16, 16, 64 * FS, PMM_OK, 48},  /* run ending exactly at max_pa */
        {28, 4, 0, PMM_OK, 228},
        {1, 1, 0, PMM_ERR_EXHAUSTED, 0},
    };
    uint64_t used = 0;
    core_new(256);
    pmm_core_add_free(&pc, 0, 1 * MiB);
    for (size_t i = 0; i < ARRAY_LEN(t); i++) {
        uint64_t pa = 0;
        int err = pmm_core_alloc_contig(&pc, t[i].count, t[i].align, t[i].max_pa, &pa);
        assert_int_equal(err, t[i].err);
        if (err == PMM_OK) {
            assert_int_equal(pa, t[i].frame * FS);
            for (uint64_t f = t[i].frame; f < t[i].frame + t[i].count; f++)
                assert_int_equal(pmm_core_is_allocated(&pc, f * FS), 1);
            used += t[i].count;
        }
        assert_int_equal(pc.free_frames, 256 - used);
        check_invariants(&pc);
    }
}

/* Fragmented: all 256 frames allocated except a few free ranges; each row
 * starts from that same state. */
static void test_contig_fragmented(void **state) {
    (void)state;
    static const uint64_t holes[][2] = {{10, 13}, {20, 26}, {40, 48}, {60, 70}, {100, 101}};
    static const struct { uint64_t count, align, max_pa; int err; uint64_t frame; } t[] = {
        {1, 1, 0, PMM_OK, 10},
        {3, 1, 0, PMM_OK, 10},
        {4, 1, 0, PMM_OK, 20},
        {4, 4, 0, PMM_OK, 20},
        {2, 4, 0, PMM_OK, 20},          /* 12 is aligned but 13 is used */
        {2, 8, 0, PMM_OK, 24},
        {6, 1, 0, PMM_OK, 20},
        {7, 1, 0, PMM_OK, 40},
        {8, 8, 0, PMM_OK, 40},
        {9, 1, 0, PMM_OK, 60},          /* crosses a bitmap word */
        {10, 1, 0, PMM_OK, 60},
        {11, 1, 0, PMM_ERR_EXHAUSTED, 0},
        {1, 32, 0, PMM_OK, 64},         /* 32 is used, 64 is inside the 60..69 hole */
        {1, 4, 0, PMM_OK, 12},
        {3, 1, 13 * FS, PMM_OK, 10},
        {4, 1, 24 * FS, PMM_OK, 20},
        {4, 1, 24 * FS - 1, PMM_ERR_EXHAUSTED, 0},
        {1, 1, 10 * FS, PMM_ERR_EXHAUSTED, 0},
        {1, 2, 0, PMM_OK, 10},
        {4, 64, 0, PMM_OK, 64},
        {1, 128, 0, PMM_ERR_EXHAUSTED, 0}, /* 0 and 128 are used */
        {2, 2, 0, PMM_OK, 10},
    };
    for (size_t i = 0; i < ARRAY_LEN(t); i++) {
        uint64_t pa = 0, nfree = 0;
        core_new(256);
        pmm_core_add_free(&pc, 0, 1 * MiB);
        assert_int_equal(pmm_core_alloc_contig(&pc, 256, 1, 0, &pa), PMM_OK);
        for (size_t h = 0; h < ARRAY_LEN(holes); h++) {
            assert_int_equal(pmm_core_free_contig(&pc, holes[h][0] * FS, holes[h][1] - holes[h][0]), PMM_OK);
            nfree += holes[h][1] - holes[h][0];
        }
        assert_int_equal(pc.free_frames, nfree);
        int err = pmm_core_alloc_contig(&pc, t[i].count, t[i].align, t[i].max_pa, &pa);
        if (err != t[i].err) print_message("row %zu: got pa %#llx\n", i, (unsigned long long)pa);
        assert_int_equal(err, t[i].err);
        if (err == PMM_OK) {
            assert_int_equal(pa, t[i].frame * FS);
            nfree -= t[i].count;
        }
        assert_int_equal(pc.free_frames, nfree);
        check_invariants(&pc);
    }
}

static void test_free_contig_atomic(void **state) {
    (void)state;
    uint64_t pa;
    static const struct { uint64_t pa, count; int err; } t[] = {
        {16 * FS, 8, PMM_ERR_DOUBLE_FREE},  /* frame 21 inside the run is free */
        {16 * FS + 8, 2, PMM_ERR_UNALIGNED},
        {16 * FS, 0, PMM_ERR_ARGS},
        {248 * FS, 16, PMM_ERR_NOT_RAM},    /* runs past nframes */
        {40 * FS, 16, PMM_ERR_NOT_RAM},     /* runs into the hole at 48.. */
        {0, 3, PMM_ERR_NOT_RAM},            /* frame 1 is reserved */
        {16 * FS, UINT64_MAX, PMM_ERR_DOUBLE_FREE}, /* huge count: no wrap, no hang */
        {UINT64_MAX & ~(FS - 1), 2, PMM_ERR_NOT_RAM},
        {300 * FS, 1, PMM_ERR_NOT_RAM},
    };
    for (size_t i = 0; i < ARRAY_LEN(t); i++) {
        struct snap s;
        core_new(256);
        pmm_core_add_free(&pc, 0, 48 * FS);
        pmm_core_add_free(&pc, 64 * FS, 192 * FS);
        pmm_core_reserve(&pc, FS, 1);
        assert_int_equal(pmm_core_alloc_contig(&pc, 46, 1, 0, &pa), PMM_OK); /* 2..47 */
        assert_int_equal(pmm_core_alloc_contig(&pc, 192, 1, 0, &pa), PMM_OK); /* 64..255 */
        assert_int_equal(pmm_core_alloc(&pc, &pa), PMM_OK);                   /* 0 */
        assert_int_equal(pc.free_frames, 0);
        assert_int_equal(pmm_core_free(&pc, 21 * FS), PMM_OK);
        snap_take(&s);
        assert_int_equal(pmm_core_free_contig(&pc, t[i].pa, t[i].count), t[i].err);
        snap_same(&s);
        /* After the failed call the valid parts still free normally. */
        assert_int_equal(pmm_core_free_contig(&pc, 16 * FS, 5), PMM_OK);
        assert_int_equal(pmm_core_free_contig(&pc, 22 * FS, 26), PMM_OK);
        assert_int_equal(pmm_core_free_contig(&pc, 64 * FS, 192), PMM_OK);
        assert_int_equal(pc.free_frames, 5 + 1 + 26 + 192);
        check_invariants(&pc);
    }
}

/* --- randomised run against a model ------------------------------------- */

enum { M_NONE, M_FREE, M_USED };
#define RND_FRAMES 1000 /* not a multiple of 64 */
static uint8_t model[RND_FRAMES];
static uint64_t m_reserved, m_hint;
static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(uint64_t n) { /* xorshift64*, fixed seed: reproducible */
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return (rng * 0x2545f4914f6cdd1dULL) % n;
}

/* The byte-range rules of pmm_core.h, written the slow obvious way. */
static void model_add(uint64_t base, uint64_t len) {
    for (uint64_t f = 0; f < RND_FRAMES; f++)
        if (f * FS >= base && f * FS + FS <= base + len && model[f] == M_NONE) model[f] = M_FREE;
}

static void model_reserve(uint64_t base, uint64_t len) {
    for (uint64_t f = 0; f < RND_FRAMES; f++)
        if (f * FS < base + len && f * FS + FS > base && model[f] == M_FREE) {
            model[f] = M_NONE;
            m_reserved++;
        }
}

static int model_free_err(uint64_t pa, uint64_t count) {
    if (pa % FS) return PMM_ERR_UNALIGNED;
    if (count == 0) return PMM_ERR_ARGS;
    for (uint64_t f = pa / FS; f < pa / FS + count; f++) {
        if (f >= RND_FRAMES || model[f] == M_NONE) return PMM_ERR_NOT_RAM;
        if (model[f] == M_FREE) return PMM_ERR_DOUBLE_FREE;
    }
    return PMM_OK;
}

/* Lowest aligned all-free run ending at or below limit, or UINT64_MAX. */
static uint64_t model_contig(uint64_t count, uint64_t align, uint64_t max_pa) {
    uint64_t limit = max_pa && max_pa / FS < RND_FRAMES ? max_pa / FS : RND_FRAMES;
    for (uint64_t s = 0; s + count <= limit; s += align) {
        uint64_t k = 0;
        while (k < count && model[s + k] == M_FREE) k++;
        if (k == count) return s;
    }
    return UINT64_MAX;
}

static void model_check(void) {
    uint64_t managed = 0, nfree = 0;
    for (uint64_t f = 0; f < RND_FRAMES; f++) {
        managed += model[f] != M_NONE;
        nfree += model[f] == M_FREE;
        assert_int_equal(bit(pc.ram, f), model[f] != M_NONE);
        assert_int_equal(pmm_core_is_allocated(&pc, f * FS), model[f] == M_USED);
    }
    assert_int_equal(pc.managed_frames, managed);
    assert_int_equal(pc.free_frames, nfree);
    assert_int_equal(pc.reserved_frames, m_reserved);
    assert_int_equal(pc.hint, m_hint);
    check_invariants(&pc);
}

/* A byte range around the map, edges often not frame aligned. */
static void rnd_range(uint64_t *base, uint64_t *len) {
    *base = rnd(RND_FRAMES + 20) * FS + (rnd(4) ? 0 : rnd(FS));
    *len = rnd(200) * FS + (rnd(4) ? 0 : rnd(FS));
}

static void test_random_against_model(void **state) {
    (void)state;
    uint64_t base, len, pa;
    core_new(RND_FRAMES);
    memset(model, M_NONE, sizeof model);
    m_reserved = m_hint = 0;
    for (int i = 0; i < 12; i++) {
        rnd_range(&base, &len);
        pmm_core_add_free(&pc, base, len);
        model_add(base, len);
    }
    for (int i = 0; i < 4; i++) {
        rnd_range(&base, &len);
        len /= 8;
        pmm_core_reserve(&pc, base, len);
        model_reserve(base, len);
    }
    model_check();
    assert_true(pc.managed_frames > 200);

    for (int step = 0; step < 6000; step++) {
        uint64_t op = rnd(100);
        if (op < 40) { /* single alloc: next-fit from the hint word, wrapping */
            uint64_t want = UINT64_MAX;
            for (uint64_t k = 0; k < RND_FRAMES && want == UINT64_MAX; k++) {
                uint64_t f = (m_hint * 64 + k) % RND_FRAMES;
                if (model[f] == M_FREE) want = f;
            }
            int err = pmm_core_alloc(&pc, &pa);
            if (want == UINT64_MAX) {
                assert_int_equal(err, PMM_ERR_EXHAUSTED);
            } else {
                assert_int_equal(err, PMM_OK);
                assert_int_equal(pa, want * FS);
                model[want] = M_USED;
                m_hint = want / 64;
            }
        } else if (op < 55) { /* contiguous: lowest fitting run */
            uint64_t count = 1 + rnd(rnd(2) ? 4 : 40), align = 1ULL << rnd(6);
            uint64_t max_pa = rnd(3) ? 0 : rnd(RND_FRAMES + 50) * FS + rnd(2) * rnd(FS);
            uint64_t want = model_contig(count, align, max_pa);
            int err = pmm_core_alloc_contig(&pc, count, align, max_pa, &pa);
            if (want == UINT64_MAX) {
                assert_int_equal(err, PMM_ERR_EXHAUSTED);
            } else {
                assert_int_equal(err, PMM_OK);
                assert_int_equal(pa, want * FS);
                memset(model + want, M_USED, count);
            }
        } else if (op < 90) { /* free: usually an allocated frame, sometimes garbage */
            uint64_t f = rnd(RND_FRAMES + 10);
            for (uint64_t k = 0; k < 30 && rnd(8) && !(f < RND_FRAMES && model[f] == M_USED); k++)
                f = rnd(RND_FRAMES);
            uint64_t count = rnd(3) ? 1 : rnd(6);
            pa = f * FS + (rnd(20) ? 0 : 1 + rnd(FS - 1));
            int want = model_free_err(pa, count);
            int err = count == 1 && rnd(2) ? pmm_core_free(&pc, pa)
                                           : pmm_core_free_contig(&pc, pa, count);
            assert_int_equal(err, want);
            if (want == PMM_OK) memset(model + f, M_FREE, count);
        } else if (op < 97) { /* reserve more (only free frames go) */
            rnd_range(&base, &len);
            len /= 16;
            pmm_core_reserve(&pc, base, len);
            model_reserve(base, len);
        } else { /* add more RAM; may bring reserved frames back (see header) */
            rnd_range(&base, &len);
            pmm_core_add_free(&pc, base, len);
            model_add(base, len);
        }
        model_check();
    }
}

static void test_err_str(void **state) {
    (void)state;
    static const int errs[] = {PMM_OK, PMM_ERR_EXHAUSTED, PMM_ERR_NOT_RAM, PMM_ERR_DOUBLE_FREE,
                               PMM_ERR_UNALIGNED, PMM_ERR_ARGS};
    const char *unknown = pmm_err_str(-99);
    assert_non_null(unknown);
    assert_string_equal(pmm_err_str(12345), unknown);
    for (size_t i = 0; i < ARRAY_LEN(errs); i++) {
        const char *s = pmm_err_str(errs[i]);
        assert_non_null(s);
        assert_true(strcmp(s, unknown) != 0);
        for (size_t j = 0; j < i; j++) assert_true(strcmp(s, pmm_err_str(errs[j])) != 0);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_bitmap_words, teardown),
        cmocka_unit_test_teardown(test_init_is_empty, teardown),
        cmocka_unit_test_teardown(test_add_free_edges, teardown),
        cmocka_unit_test_teardown(test_add_free_idempotent, teardown),
        cmocka_unit_test_teardown(test_reserve_edges, teardown),
        cmocka_unit_test_teardown(test_reserve_leaves_holes_and_allocated, teardown),
        cmocka_unit_test_teardown(test_map_alloc_everything, teardown),
        cmocka_unit_test_teardown(test_map_contig_dma, teardown),
        cmocka_unit_test_teardown(test_next_fit_and_realloc, teardown),
        cmocka_unit_test_teardown(test_free_errors, teardown),
        cmocka_unit_test_teardown(test_is_allocated, teardown),
        cmocka_unit_test_teardown(test_contig_args, teardown),
        cmocka_unit_test_teardown(test_contig_alignment_sequence, teardown),
        cmocka_unit_test_teardown(test_contig_fragmented, teardown),
        cmocka_unit_test_teardown(test_free_contig_atomic, teardown),
        cmocka_unit_test_teardown(test_random_against_model, teardown),
        cmocka_unit_test_teardown(test_err_str, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
