/* A process's virtual memory regions: a sorted array of disjoint, page-aligned
 * [start, end) ranges, each with the leaf flags its pages get and a kind.
 * Pure (no globals, no allocation: the caller gives the storage), so the
 * host unit tests and the fuzzer run the same code. Invariants after every
 * call, success or failure: sorted by start, disjoint, start < end, both
 * page aligned, n <= cap. A call that fails changes nothing. */
#ifndef MM_REGION_H
#define MM_REGION_H
#include <stdint.h>

enum region_kind {
    REGION_ANON = 0, /* anonymous mapping (mmap) */
    REGION_IMAGE,    /* an ELF segment's demand-zero tail (bss) */
    REGION_STACK,
    REGION_HEAP,     /* the program break (brk) */
    REGION_KERNEL,   /* kernel-half demand-zero scratch */
};

/* Every page of a region is demand-zero: a fault on a missing page maps a
 * zeroed frame with `flags` (unless flags lacks PTE_U: PROT_NONE). Pages
 * mapped eagerly (ELF file bytes, the first stack page) need no region.
 * committed: frames promised to the region (kernel regions only). */
struct region {
    uint64_t start, end, flags, committed;
    uint32_t kind, _pad;
};

struct region_set {
    struct region *r;
    uint32_t n, cap;
};

void region_set_init(struct region_set *s, struct region *storage, uint32_t cap);
/* Index of the region holding va, or -1. */
int region_find(const struct region_set *s, uint64_t va);
/* 1 if any region overlaps [start, end). */
int region_overlaps(const struct region_set *s, uint64_t start, uint64_t end);
/* 1 if every page of [start, end) is in some region. */
int region_covered(const struct region_set *s, uint64_t start, uint64_t end);
/* Adds [start, end); merges with a neighbour it touches that has the same
 * flags and kind (never REGION_KERNEL, and no promise). 0, -EINVAL (bad range), -EEXIST
 * (overlap), -ENOMEM (no free slot). */
int region_insert(struct region_set *s, uint64_t start, uint64_t end, uint64_t flags, uint32_t kind);
/* Takes [start, end) out of every region, splitting those it cuts; pages
 * in no region are fine. 0, -EINVAL, -ENOMEM (a split needs a slot). */
int region_remove(struct region_set *s, uint64_t start, uint64_t end);
/* Gives [start, end) the flags `flags` wherever a region covers it,
 * splitting at the ends. 0, -EINVAL, -ENOMEM. */
int region_protect(struct region_set *s, uint64_t start, uint64_t end, uint64_t flags);
/* The lowest page-aligned start >= lo such that [start, start+len) lies
 * below hi and overlaps no region, leaving `guard` bytes free on each side;
 * 0 if none. */
uint64_t region_find_gap(const struct region_set *s, uint64_t lo, uint64_t hi, uint64_t len, uint64_t guard);
/* dst := src (dst's own storage). -ENOMEM if it does not fit. */
int region_copy(struct region_set *dst, const struct region_set *src);

#endif
