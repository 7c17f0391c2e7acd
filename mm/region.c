/* The region array (see region.h). Linear scans: a process has at most a
 * few hundred regions and every caller is a system call or a page fault. */
#include "mm/region.h"
#include "lib/string.h"
#include "secos/errno.h"

#define PAGE_MASK 0xfffULL

void region_set_init(struct region_set *s, struct region *storage, uint32_t cap) {
    s->r = storage;
    s->n = 0;
    s->cap = cap;
}

static int range_ok(uint64_t start, uint64_t end) {
    return !(start & PAGE_MASK) && !(end & PAGE_MASK) && start < end;
}

int region_find(const struct region_set *s, uint64_t va) {
    for (uint32_t i = 0; i < s->n; i++) {
        if (va < s->r[i].start) return -1; /* sorted: nothing further can hold it */
        if (va < s->r[i].end) return (int)i;
    }
    return -1;
}

int region_overlaps(const struct region_set *s, uint64_t start, uint64_t end) {
    for (uint32_t i = 0; i < s->n; i++)
        if (s->r[i].start < end && start < s->r[i].end) return 1;
    return 0;
}

int region_covered(const struct region_set *s, uint64_t start, uint64_t end) {
    uint64_t at = start;
    for (uint32_t i = 0; i < s->n && at < end; i++) {
        if (s->r[i].end <= at) continue;
        if (s->r[i].start > at) return 0; /* a hole at `at` */
        at = s->r[i].end;
    }
    return at >= end;
}

static void open_slot(struct region_set *s, uint32_t i) {
    memmove(&s->r[i + 1], &s->r[i], (s->n - i) * sizeof s->r[0]);
    s->n++;
}

static void close_slot(struct region_set *s, uint32_t i) {
    memmove(&s->r[i], &s->r[i + 1], (s->n - i - 1) * sizeof s->r[0]);
    s->n--;
}

/* Kernel regions never merge: each keeps its own promise and is removed by
 * its own start. */
static int same(const struct region *a, uint64_t flags, uint32_t kind) {
    return a->flags == flags && a->kind == kind && kind != REGION_KERNEL && !a->committed;
}

int region_insert(struct region_set *s, uint64_t start, uint64_t end, uint64_t flags, uint32_t kind) {
    if (!range_ok(start, end)) return -EINVAL;
    if (region_overlaps(s, start, end)) return -EEXIST;
    uint32_t i = 0;
    while (i < s->n && s->r[i].start < start) i++; /* i: first region after the new one */
    int left = i > 0 && s->r[i - 1].end == start && same(&s->r[i - 1], flags, kind);
    int right = i < s->n && s->r[i].start == end && same(&s->r[i], flags, kind);
    if (left && right) {
        s->r[i - 1].end = s->r[i].end;
        close_slot(s, i);
        return 0;
    }
    if (left) { s->r[i - 1].end = end; return 0; }
    if (right) { s->r[i].start = start; return 0; }
    if (s->n >= s->cap) return -ENOMEM;
    open_slot(s, i);
    s->r[i] = (struct region){ start, end, flags, 0, kind, 0 };
    return 0;
}

/* Slots a cut at start and end would add: one per region cut strictly
 * inside (both cuts in one region add one, making three pieces of it,
 * minus the middle for a remove). */
static uint32_t splits(const struct region_set *s, uint64_t start, uint64_t end, int removing) {
    uint32_t extra = 0;
    for (uint32_t i = 0; i < s->n; i++) {
        const struct region *r = &s->r[i];
        int cut_start = r->start < start && start < r->end;
        int cut_end = r->start < end && end < r->end;
        if (removing) extra += (uint32_t)(cut_start && cut_end);
        else extra += (uint32_t)cut_start + (uint32_t)cut_end;
    }
    return extra;
}

/* Splits region i at va (strictly inside it); the caller checked a slot is free. */
static void split_at(struct region_set *s, uint32_t i, uint64_t va) {
    open_slot(s, i);
    s->r[i].end = va;
    s->r[i + 1].start = va;
    /* A promise stays with the first piece: it is released with it. */
    s->r[i + 1].committed = 0;
}

int region_remove(struct region_set *s, uint64_t start, uint64_t end) {
    if (!range_ok(start, end)) return -EINVAL;
    if (s->n + splits(s, start, end, 1) > s->cap) return -ENOMEM;
    for (uint32_t i = 0; i < s->n;) {
        struct region *r = &s->r[i];
        if (r->end <= start || r->start >= end) { i++; continue; }
        if (r->start < start && end < r->end) { /* a hole in the middle */
            split_at(s, i, end);
            s->r[i].end = start;
            return 0;
        }
        if (r->start < start) { r->end = start; i++; continue; }
        if (end < r->end) { r->start = end; i++; continue; }
        close_slot(s, i);
    }
    return 0;
}

int region_protect(struct region_set *s, uint64_t start, uint64_t end, uint64_t flags) {
    if (!range_ok(start, end)) return -EINVAL;
    if (s->n + splits(s, start, end, 0) > s->cap) return -ENOMEM;
    for (uint32_t i = 0; i < s->n; i++) {
        struct region *r = &s->r[i];
        if (r->end <= start || r->start >= end) continue;
        if (r->start < start) { split_at(s, i, start); continue; } /* the next round sees the piece inside */
        if (end < r->end) split_at(s, i, end);
        s->r[i].flags = flags;
    }
    return 0;
}

uint64_t region_find_gap(const struct region_set *s, uint64_t lo, uint64_t hi, uint64_t len, uint64_t guard) {
    if (!len || (len & PAGE_MASK) || (guard & PAGE_MASK)) return 0;
    uint64_t at = (lo + PAGE_MASK) & ~PAGE_MASK;
    if (at < lo) return 0;
    for (uint32_t i = 0; i <= s->n; i++) {
        uint64_t next = i < s->n ? s->r[i].start : hi;
        if (i < s->n && s->r[i].end + guard <= at) continue; /* wholly below (with its guard) */
        if (next > hi) next = hi;
        /* [at, at+len) must end guard bytes before the next region. */
        if (at <= next && len <= next - at && guard <= next - at - len) return at;
        if (i == s->n) break;
        uint64_t after = s->r[i].end + guard;
        if (after < s->r[i].end) return 0; /* wraps */
        if (after > at) at = after;
        if (at >= hi) return 0;
    }
    return 0;
}

int region_copy(struct region_set *dst, const struct region_set *src) {
    if (src->n > dst->cap) return -ENOMEM;
    memcpy(dst->r, src->r, src->n * sizeof src->r[0]);
    dst->n = src->n;
    return 0;
}
