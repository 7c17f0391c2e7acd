/* Bitmap frame allocator core; see pmm_core.h for the bit encoding and the
 * set-up order. All frame arithmetic stays below PMM_MAX_FRAMES (2^52), so
 * frame * 64-bit-word and frame * PMM_FRAME_SIZE never overflow; byte ranges
 * coming from firmware may wrap and are clipped before they become frames. */
#include "mm/pmm_core.h"
#include "lib/string.h"

#define FRAME_SHIFT 12

static uint64_t clip_frames(uint64_t nframes) {
    return nframes > PMM_MAX_FRAMES ? PMM_MAX_FRAMES : nframes;
}

uint64_t pmm_core_bitmap_words(uint64_t nframes) {
    nframes = clip_frames(nframes);
    return nframes / 64 + (nframes % 64 != 0);
}

/* Bits of word w that fall inside frames [from, to); needs from < to. */
static uint64_t word_mask(uint64_t w, uint64_t from, uint64_t to) {
    uint64_t base = w * 64;
    uint64_t lo = from > base ? from - base : 0;
    uint64_t hi = to - base >= 64 ? 64 : to - base;
    uint64_t m = hi == 64 ? ~0ULL : (1ULL << hi) - 1;
    return m & ~((1ULL << lo) - 1);
}

/* First frame in [from, to) whose bit in map equals want, or to. Whole words
 * without a match cost one load and a compare. */
static uint64_t find_bit(const uint64_t *map, int want, uint64_t from, uint64_t to) {
    while (from < to) {
        uint64_t w = from / 64;
        uint64_t bits = (want ? map[w] : ~map[w]) & word_mask(w, from, to);
        if (bits) return w * 64 + (uint64_t)__builtin_ctzll(bits);
        from = (w + 1) * 64;
    }
    return to;
}

/* Open-coded: __builtin_popcountll without -mpopcnt becomes a libgcc call,
 * and the kernel links without libgcc. */
static uint64_t popcount64(uint64_t x) {
    x = x - ((x >> 1) & 0x5555555555555555ULL);
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
    return (x * 0x0101010101010101ULL) >> 56;
}

void pmm_core_init(struct pmm_core *p, uint64_t *ram, uint64_t *used, uint64_t nframes) {
    uint64_t words = pmm_core_bitmap_words(nframes);
    p->ram = ram;
    p->used = used;
    p->nframes = clip_frames(nframes);
    p->managed_frames = p->free_frames = p->reserved_frames = p->hint = 0;
    /* Padding bits past nframes stay "not RAM, used" forever, so word scans
     * never need to special-case the last word. */
    memset(ram, 0, (size_t)words * sizeof *ram);
    memset(used, 0xff, (size_t)words * sizeof *used);
}

/* End of the byte range [base, base+len) in frames, rounded down or up; a
 * range that wraps past 2^64 ends at frame 2^52. */
static uint64_t range_end_frame(uint64_t base, uint64_t len, int round_up) {
    if (len > UINT64_MAX - base) return PMM_MAX_FRAMES;
    uint64_t end = base + len;
    return (end >> FRAME_SHIFT) + (round_up && (end & (PMM_FRAME_SIZE - 1)));
}

void pmm_core_add_free(struct pmm_core *p, uint64_t base, uint64_t len) {
    /* Only whole frames: a partial frame at either edge may share its page
     * with firmware data or MMIO. */
    uint64_t first = (base >> FRAME_SHIFT) + ((base & (PMM_FRAME_SIZE - 1)) != 0);
    uint64_t end = range_end_frame(base, len, 0);
    if (end > p->nframes) end = p->nframes;
    while (first < end) {
        uint64_t w = first / 64;
        uint64_t add = word_mask(w, first, end) & ~p->ram[w]; /* not yet managed */
        uint64_t n = popcount64(add);
        p->ram[w] |= add;
        p->used[w] &= ~add;
        p->managed_frames += n;
        p->free_frames += n;
        first = (w + 1) * 64;
    }
}

void pmm_core_reserve(struct pmm_core *p, uint64_t base, uint64_t len) {
    if (len == 0) return;
    /* Any overlap at all: a frame holding one byte of the kernel is the kernel's. */
    uint64_t first = base >> FRAME_SHIFT;
    uint64_t end = range_end_frame(base, len, 1);
    if (end > p->nframes) end = p->nframes;
    while (first < end) {
        uint64_t w = first / 64;
        /* Managed and free only: an allocated frame still belongs to its
         * owner, whose pmm_core_free must keep working. */
        uint64_t take = word_mask(w, first, end) & p->ram[w] & ~p->used[w];
        uint64_t n = popcount64(take);
        p->ram[w] &= ~take;
        p->used[w] |= take;
        p->managed_frames -= n;
        p->free_frames -= n;
        p->reserved_frames += n;
        first = (w + 1) * 64;
    }
}

int pmm_core_alloc(struct pmm_core *p, uint64_t *pa) {
    if (!pa) return PMM_ERR_ARGS;
    if (p->free_frames == 0) return PMM_ERR_EXHAUSTED;
    /* Next-fit: continue where the last allocation left off and wrap once.
     * A clear used bit always means free RAM (see the header). */
    uint64_t start = p->hint * 64;
    if (start >= p->nframes) start = 0;
    uint64_t f = find_bit(p->used, 0, start, p->nframes);
    if (f == p->nframes) f = find_bit(p->used, 0, 0, start);
    if (f >= p->nframes) return PMM_ERR_EXHAUSTED; /* only if the counters lie */
    p->used[f / 64] |= 1ULL << (f % 64);
    p->free_frames--;
    p->hint = f / 64; /* the word may still have free bits */
    *pa = f << FRAME_SHIFT;
    return PMM_OK;
}

int pmm_core_alloc_contig(struct pmm_core *p, uint64_t count, uint64_t align_frames,
                          uint64_t max_pa, uint64_t *pa) {
    if (!pa || count == 0 || align_frames == 0 || (align_frames & (align_frames - 1)))
        return PMM_ERR_ARGS;
    /* Runs must end at or before limit (a frame index); max_pa is exclusive. */
    uint64_t limit = p->nframes;
    if (max_pa != 0 && (max_pa >> FRAME_SHIFT) < limit) limit = max_pa >> FRAME_SHIFT;
    if (count > p->free_frames || count > limit) return PMM_ERR_EXHAUSTED;

    /* First fit from frame 0: low runs are the scarce ones for DMA, but
     * searching low first keeps the answer predictable. Each step either
     * finds a run or jumps past a used frame, so this terminates. */
    uint64_t s = 0;
    for (;;) {
        /* Align up without overflow: s < 2^52 and align_frames <= 2^63. */
        if (s & (align_frames - 1)) s = (s | (align_frames - 1)) + 1;
        if (s > limit - count) return PMM_ERR_EXHAUSTED;
        uint64_t u = find_bit(p->used, 1, s, s + count);
        if (u == s + count) break;
        s = find_bit(p->used, 0, u + 1, limit); /* next free frame after the obstacle */
    }

    for (uint64_t f = s, end = s + count; f < end;) {
        uint64_t w = f / 64;
        p->used[w] |= word_mask(w, f, end);
        f = (w + 1) * 64;
    }
    p->free_frames -= count;
    *pa = s << FRAME_SHIFT;
    return PMM_OK;
}

/* Error pmm_core_free would give for frame f, or PMM_OK if it may be freed. */
static int check_free(const struct pmm_core *p, uint64_t f) {
    if (f >= p->nframes || !((p->ram[f / 64] >> (f % 64)) & 1)) return PMM_ERR_NOT_RAM;
    if (!((p->used[f / 64] >> (f % 64)) & 1)) return PMM_ERR_DOUBLE_FREE;
    return PMM_OK;
}

int pmm_core_free(struct pmm_core *p, uint64_t pa) {
    return pmm_core_free_contig(p, pa, 1);
}

int pmm_core_free_contig(struct pmm_core *p, uint64_t pa, uint64_t count) {
    if (pa & (PMM_FRAME_SIZE - 1)) return PMM_ERR_UNALIGNED;
    if (count == 0) return PMM_ERR_ARGS;
    uint64_t first = pa >> FRAME_SHIFT;
    /* Validate everything before touching anything, so a bad call leaves the
     * bitmaps exactly as they were. A run past nframes fails at its first
     * frame beyond the end (or earlier), without computing first + count. */
    for (uint64_t i = 0; i < count; i++) {
        int err = check_free(p, first + i);
        if (err) return err;
    }
    for (uint64_t i = 0; i < count; i++)
        p->used[(first + i) / 64] &= ~(1ULL << ((first + i) % 64));
    /* The hint is left alone: a freed frame is picked up again when the
     * next-fit scan comes back round to its word, not necessarily at once. */
    p->free_frames += count;
    return PMM_OK;
}

int pmm_core_is_allocated(const struct pmm_core *p, uint64_t pa) {
    return check_free(p, pa >> FRAME_SHIFT) == PMM_OK;
}

const char *pmm_err_str(int err) {
    switch (err) {
    case PMM_OK: return "ok";
    case PMM_ERR_EXHAUSTED: return "out of physical memory";
    case PMM_ERR_NOT_RAM: return "not managed RAM";
    case PMM_ERR_DOUBLE_FREE: return "double free";
    case PMM_ERR_UNALIGNED: return "unaligned frame address";
    case PMM_ERR_ARGS: return "invalid arguments";
    default: return "unknown pmm error";
    }
}
