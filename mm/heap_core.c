/* Kernel heap core: see heap_core.h for the contract and the block layout.
 *
 * Invariants the code relies on (and heap_check verifies):
 *  - blocks tile [start, end); each size is a multiple of 16, >= MIN_BLOCK;
 *  - every header's prev_size equals the previous block's size (0 first);
 *  - h->last is the block ending at end;
 *  - no two free blocks are adjacent, so carving a free block never needs a
 *    merge and a freed block merges with at most one block on each side;
 *  - every free block is on exactly one list, the one for its size class.
 * A header is resealed after every change, and always checked before it is
 * trusted or changed, so resealing never launders a clobbered header.
 */
#include "mm/heap_core.h"
#include "lib/string.h"
#include <stdbool.h>

#define HDR        ((size_t)HEAP_HDR_SIZE)
#define MIN_BLOCK  (HDR + 2 * sizeof(void *)) /* room for the free-list links */
#define MAGIC      0x5EC0B10Cu
#define USED       0x55u
#define FREE       0xFEu

struct heap_block {
    uint32_t magic;
    uint32_t state;
    size_t size;      /* whole block, header included */
    size_t prev_size; /* previous block's size, 0 for the first block */
    uint64_t check;   /* seal_of() */
};
_Static_assert(sizeof(struct heap_block) == HEAP_HDR_SIZE, "header must keep payloads 16-aligned");

/* A free block: the links live in the first payload bytes. */
struct free_block {
    struct heap_block hdr;
    struct heap_block *next, *prev;
};

#define FB(b)      ((struct free_block *)(b))
#define ADDR(b)    ((uintptr_t)(b))
#define BLK(a)     ((struct heap_block *)(a))
#define PAYLOAD(b) ((void *)(ADDR(b) + HDR))

/* splitmix64 finaliser: cheap, and every input bit affects every output bit. */
static uint64_t mix(uint64_t x) {
    x ^= x >> 30; x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27; x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static uint64_t seal_of(const struct heap *h, const struct heap_block *b) {
    uint64_t x = mix(h->cookie ^ ADDR(b));
    x = mix(x ^ b->size);
    x = mix(x ^ b->prev_size);
    x = mix(x ^ ((uint64_t)b->magic << 32 | b->state));
    if (b->state == FREE) {
        x = mix(x ^ ADDR(FB(b)->next));
        x = mix(x ^ ADDR(FB(b)->prev));
    }
    return x;
}

static void seal(const struct heap *h, struct heap_block *b) { b->check = seal_of(h, b); }

/* Pure validity test of the header at b; reads nothing outside [start, end). */
static bool hdr_valid(const struct heap *h, const struct heap_block *b) {
    uintptr_t a = ADDR(b);
    if (a % HEAP_MIN_ALIGN || a < h->start || a >= h->end || h->end - a < MIN_BLOCK)
        return false;
    if (b->magic != MAGIC || (b->state != USED && b->state != FREE))
        return false;
    if (b->size % HEAP_MIN_ALIGN || b->size < MIN_BLOCK || b->size > h->end - a)
        return false;
    if (b->prev_size % HEAP_MIN_ALIGN || b->prev_size > a - h->start)
        return false;
    return b->check == seal_of(h, b); /* links are in range: size >= MIN_BLOCK */
}

static bool fail(struct heap *h, const char *what, const void *addr) {
    h->broken = 1;
    h->report(what, addr, h->ctx);
    return false;
}

/* Trust b only if its header is intact (state 0 = either state). */
static bool want(struct heap *h, struct heap_block *b, uint32_t state) {
    if (!hdr_valid(h, b) || (state && b->state != state))
        return fail(h, "corrupted block header", PAYLOAD(b));
    return true;
}

static unsigned bin_of(size_t size) {
    unsigned log2 = 63u - (unsigned)__builtin_clzll((unsigned long long)size);
    unsigned i = log2 - 5; /* size >= MIN_BLOCK = 48, so log2 >= 5 */
    return i < HEAP_NBINS ? i : HEAP_NBINS - 1;
}

static struct heap_block *next_of(const struct heap *h, struct heap_block *b) {
    uintptr_t n = ADDR(b) + b->size;
    return n == h->end ? NULL : BLK(n);
}

/* After b's size changed: tell the following block (or h->last). */
static void link_next(struct heap *h, struct heap_block *b) {
    struct heap_block *n = next_of(h, b);
    if (!n) {
        h->last = b;
        return;
    }
    n->prev_size = b->size;
    seal(h, n);
}

static uintptr_t page_dn(uintptr_t a) { return a & ~(uintptr_t)(HEAP_PAGE - 1); }
static uintptr_t page_upr(uintptr_t a) { return (a + HEAP_PAGE - 1) & ~(uintptr_t)(HEAP_PAGE - 1); }

/* The whole pages of free block b past its header and links go back. */
static void release_interior(struct heap *h, struct heap_block *b) {
    if (!h->release || h->growing)
        return;
    uintptr_t lo = page_upr(ADDR(b) + MIN_BLOCK), hi = page_dn(ADDR(b) + b->size);
    if (hi > lo && hi - lo >= h->release_min)
        h->release(h, lo, hi, h->ctx);
}

/* [from, to) (inside one block, clipped by the caller) is about to be
 * written: make sure its pages are backed. */
static bool reback(struct heap *h, uintptr_t from, uintptr_t to) {
    if (!h->reback || to <= from)
        return true;
    return h->reback(h, page_dn(from), page_upr(to), h->ctx) == 0;
}

/* Push b (size set, not on any list) onto its list; marks it FREE. */
static bool list_push(struct heap *h, struct heap_block *b) {
    unsigned i = bin_of(b->size);
    struct heap_block *head = h->bins[i];
    if (head && !want(h, head, FREE))
        return false;
    b->magic = MAGIC;
    b->state = FREE;
    FB(b)->next = head;
    FB(b)->prev = NULL;
    seal(h, b);
    if (head) {
        FB(head)->prev = b;
        seal(h, head);
    }
    h->bins[i] = b;
    h->free_bytes += b->size;
    h->free_blocks++;
    release_interior(h, b);
    return true;
}

/* Take the (already validated) free block b off its list. Its neighbours on
 * the list are checked first and must point back at b (safe unlinking). */
static bool list_remove(struct heap *h, struct heap_block *b) {
    struct heap_block *nx = FB(b)->next, *pv = FB(b)->prev;
    struct heap_block **head = &h->bins[bin_of(b->size)];
    if (nx && !want(h, nx, FREE))
        return false;
    if (pv && !want(h, pv, FREE))
        return false;
    if ((nx && FB(nx)->prev != b) || (pv ? FB(pv)->next != b : *head != b))
        return fail(h, "corrupted free list", PAYLOAD(b));
    if (pv) {
        FB(pv)->next = nx;
        seal(h, pv);
    } else {
        *head = nx;
    }
    if (nx) {
        FB(nx)->prev = pv;
        seal(h, nx);
    }
    h->free_bytes -= b->size;
    h->free_blocks--;
    return true;
}

static bool add_ok(uintptr_t a, uintptr_t b, uintptr_t *out) { return !__builtin_add_overflow(a, b, out); }

/* Where a block of `need` bytes whose payload is `align`-aligned can start
 * inside a free area beginning at a: at a itself, or far enough in that the
 * leading gap is a valid free block. 0 if the arithmetic overflows. */
static uintptr_t place(uintptr_t a, size_t align) {
    uintptr_t p;
    if (!add_ok(a, HDR + align - 1, &p))
        return 0;
    p &= ~(uintptr_t)(align - 1);
    if (p - HDR != a && p - HDR - a < MIN_BLOCK) {
        if (!add_ok(a, HDR + MIN_BLOCK + align - 1, &p))
            return 0;
        p &= ~(uintptr_t)(align - 1);
    }
    return p - HDR;
}

/* Does the free block b hold the request? Returns the block start or 0. */
static uintptr_t fits(struct heap_block *b, size_t need, size_t align) {
    uintptr_t u = place(ADDR(b), align), e;
    if (!u || !add_ok(u, need, &e) || e > ADDR(b) + b->size)
        return 0;
    return u;
}

/* Make the used block b exactly `need` bytes if the surplus can stand alone
 * as a free block (merged with a free block after it: only a shrinking
 * realloc has one, and has validated it). Otherwise b keeps the surplus. */
static bool trim(struct heap *h, struct heap_block *b, size_t need) {
    size_t surplus = b->size - need;
    struct heap_block *n = next_of(h, b);
    if (n && !want(h, n, 0))
        return false;
    b->magic = MAGIC;
    b->state = USED;
    if (surplus < MIN_BLOCK) {
        seal(h, b);
        link_next(h, b);
        return true;
    }
    b->size = need;
    seal(h, b);
    struct heap_block *r = BLK(ADDR(b) + need);
    r->size = surplus;
    r->prev_size = need;
    if (n && n->state == FREE) {
        if (!list_remove(h, n))
            return false;
        r->size += n->size;
    }
    if (!list_push(h, r))
        return false;
    link_next(h, r);
    return true;
}

/* Allocate from the validated free block b at block address u (from fits). */
static void *carve(struct heap *h, struct heap_block *b, uintptr_t u, size_t need) {
    uintptr_t end = ADDR(b) + b->size;
    size_t prev = b->prev_size;
    /* The new block and the header of the remainder trim may write. */
    if (!reback(h, u, u + need + MIN_BLOCK < end ? u + need + MIN_BLOCK : end))
        return NULL;
    if (!list_remove(h, b))
        return NULL;
    if (u != ADDR(b)) { /* leading alignment gap stays free */
        b->size = u - ADDR(b);
        if (!list_push(h, b))
            return NULL;
        prev = b->size;
    }
    struct heap_block *ub = BLK(u);
    ub->size = end - u;
    ub->prev_size = prev;
    if (!trim(h, ub, need))
        return NULL;
    h->allocs++;
    return PAYLOAD(ub);
}

/* Back more of the region so that a block of `need` fits at the tail;
 * returns the (merged) trailing free block, or NULL. */
static struct heap_block *grow_for(struct heap *h, size_t need, size_t align) {
    if (h->last && !want(h, h->last, 0))
        return NULL;
    struct heap_block *tail = h->last && h->last->state == FREE ? h->last : NULL;
    uintptr_t u = place(tail ? ADDR(tail) : h->end, align), want_end, new_end;
    if (!u || !add_ok(u, need, &want_end) || want_end <= h->end || want_end > h->limit || !h->grow)
        return NULL;
    /* max(grow_step, needed) rounded up to grow_step, clamped to the limit */
    size_t delta = want_end - h->end;
    delta += (h->grow_step - delta % h->grow_step) % h->grow_step;
    if (!add_ok(h->end, delta, &new_end) || new_end > h->limit)
        new_end = h->limit;
    if (h->grow(h, new_end, h->ctx) != 0)
        return NULL;
    uintptr_t old_end = h->end;
    h->end = new_end;
    h->grows++;
    if (tail) {
        if (!list_remove(h, tail))
            return NULL;
        tail->size += new_end - old_end;
    } else {
        tail = BLK(old_end);
        tail->size = new_end - old_end;
        tail->prev_size = h->last ? h->last->size : 0;
    }
    h->growing = 1;   /* the fresh pages are about to be carved: do not release them */
    bool ok = list_push(h, tail);
    h->growing = 0;
    if (!ok)
        return NULL;
    h->last = tail;
    return tail;
}

/* Block size for a payload of `size`, 0 if it cannot be represented. */
static size_t block_size(const struct heap *h, size_t size) {
    if (size == 0 || size > h->limit - h->start)
        return 0;
    size_t need = ((size + HEAP_MIN_ALIGN - 1) & ~(size_t)(HEAP_MIN_ALIGN - 1)) + HDR;
    return need < MIN_BLOCK ? MIN_BLOCK : need;
}

void heap_init(struct heap *h, uintptr_t start, uintptr_t limit, size_t grow_step,
               heap_grow_fn grow, heap_report_fn report, void *ctx) {
    memset(h, 0, sizeof *h);
    h->start = (start + HEAP_MIN_ALIGN - 1) & ~(uintptr_t)(HEAP_MIN_ALIGN - 1);
    if (h->start < start) /* wrapped */
        h->start = limit;
    h->limit = limit & ~(uintptr_t)(HEAP_MIN_ALIGN - 1);
    if (h->limit < h->start)
        h->limit = h->start;
    h->end = h->start;
    if (grow_step == 0)
        grow_step = 4096;
    h->grow_step = (grow_step + HEAP_MIN_ALIGN - 1) & ~(size_t)(HEAP_MIN_ALIGN - 1);
    h->grow = grow;
    h->report = report;
    h->ctx = ctx;
    h->cookie = mix(mix(h->start ^ 0x5EC05EC05EC05EC0ULL) ^ h->limit) ^ ADDR(h);
}

void heap_set_release(struct heap *h, heap_release_fn release, heap_reback_fn reback, size_t min_bytes) {
    h->release = release;
    h->reback = reback;
    h->release_min = page_upr(min_bytes ? min_bytes : HEAP_PAGE);
}

void *heap_alloc(struct heap *h, size_t size, size_t align) {
    if (align < HEAP_MIN_ALIGN)
        align = HEAP_MIN_ALIGN;
    size_t need = block_size(h, size);
    if (h->broken || !need || (align & (align - 1)) || align > h->limit - h->start)
        return NULL;
    /* First fit, starting with the class that could hold need; every list
     * entry is validated before use. */
    for (unsigned i = bin_of(need); i < HEAP_NBINS; i++) {
        for (struct heap_block *b = h->bins[i]; b; b = FB(b)->next) {
            if (!want(h, b, FREE))
                return NULL;
            uintptr_t u = fits(b, need, align);
            if (u)
                return carve(h, b, u, need);
        }
    }
    struct heap_block *t = grow_for(h, need, align);
    if (!t)
        return NULL;
    return carve(h, t, fits(t, need, align), need);
}

/* The used block behind a caller's pointer, or NULL after a report. */
static struct heap_block *user_block(struct heap *h, void *p, const char *invalid, const char *freed) {
    uintptr_t a = ADDR(p);
    if (a % HEAP_MIN_ALIGN || a < h->start || a - h->start < HDR || a > h->end ||
        h->end - a < MIN_BLOCK - HDR) {
        h->report(invalid, p, h->ctx);
        return NULL;
    }
    struct heap_block *b = BLK(a - HDR);
    if (hdr_valid(h, b)) {
        if (b->state == USED)
            return b;
        /* Freed (merged-away headers are left sealed as FREE for this). */
        h->report(freed, p, h->ctx);
        return NULL;
    }
    /* No valid header: a pointer we never returned, or one whose header was
     * clobbered? Walk the chain from the start (error path only, so the
     * cost does not matter) and see whether a block starts at b. */
    uintptr_t x = h->start;
    while (x < ADDR(b)) {
        if (!hdr_valid(h, BLK(x))) {
            fail(h, "corrupted block header", PAYLOAD(x));
            return NULL;
        }
        x += BLK(x)->size;
    }
    if (x == ADDR(b))
        fail(h, "corrupted block header", p);
    else
        h->report(invalid, p, h->ctx);
    return NULL;
}

void heap_free(struct heap *h, void *p) {
    if (!p || h->broken)
        return;
    struct heap_block *b = user_block(h, p, "invalid free", "double free");
    if (!b)
        return;
    /* Validate both neighbours before changing anything. */
    struct heap_block *n = next_of(h, b), *pb = NULL;
    if (n && !want(h, n, 0))
        return;
    if (b->prev_size) {
        pb = BLK(ADDR(b) - b->prev_size);
        if (!want(h, pb, 0))
            return;
        if (pb->size != b->prev_size) {
            fail(h, "corrupted block header", PAYLOAD(pb));
            return;
        }
    }
    h->frees++;
    if (n && n->state == FREE) {
        if (!list_remove(h, n))
            return;
        b->size += n->size; /* n's header stays behind, sealed FREE */
    }
    if (pb && pb->state == FREE) {
        if (!list_remove(h, pb))
            return;
        /* Leave b's header sealed as FREE so a second free of p is still
         * recognised as a double free, not as a foreign pointer. */
        b->state = FREE;
        FB(b)->next = FB(b)->prev = NULL;
        seal(h, b);
        pb->size += b->size;
        b = pb;
    }
    if (list_push(h, b))
        link_next(h, b);
}

void *heap_realloc(struct heap *h, void *p, size_t size) {
    if (!p)
        return heap_alloc(h, size, 0);
    if (size == 0) {
        heap_free(h, p);
        return NULL;
    }
    if (h->broken)
        return NULL;
    struct heap_block *b = user_block(h, p, "invalid realloc", "realloc of freed block");
    if (!b)
        return NULL;
    size_t need = block_size(h, size);
    if (!need)
        return NULL;
    struct heap_block *n = next_of(h, b);
    if (n && !want(h, n, 0))
        return NULL;
    if (need <= b->size) /* shrink in place; a free next block absorbs the tail */
        return trim(h, b, need) ? p : NULL;
    if (n && n->state == FREE && b->size + n->size >= need) { /* grow in place */
        uintptr_t n_end = ADDR(n) + n->size, w = ADDR(b) + need + MIN_BLOCK;
        if (!reback(h, ADDR(n), w < n_end ? w : n_end))
            return NULL;
        if (!list_remove(h, n))
            return NULL;
        b->size += n->size;
        return trim(h, b, need) ? p : NULL;
    }
    void *q = heap_alloc(h, size, 0);
    if (!q)
        return NULL;
    memcpy(q, p, b->size - HDR); /* need > b->size: the old payload fits */
    heap_free(h, p);
    return q;
}

void *heap_calloc(struct heap *h, size_t n, size_t size) {
    size_t total;
    if (__builtin_mul_overflow(n, size, &total))
        return NULL;
    void *p = heap_alloc(h, total, 0);
    if (p)
        memset(p, 0, total);
    return p;
}

void heap_get_stats(const struct heap *h, struct heap_stats *out) {
    out->heap_size = h->end - h->start;
    out->free_bytes = h->free_bytes;
    out->free_blocks = h->free_blocks;
    out->bytes_in_use = out->heap_size - h->free_bytes;
    out->blocks_in_use = h->allocs - h->frees;
    out->allocs = h->allocs;
    out->frees = h->frees;
    out->grows = h->grows;
}

static int check_fail(struct heap *h, const char *what, const void *addr) {
    fail(h, what, addr);
    return -1;
}

int heap_check(struct heap *h) {
    size_t used = 0, nfree = 0, free_bytes = 0, prev_size = 0;
    bool prev_free = false;
    struct heap_block *b = NULL;
    for (uintptr_t x = h->start; x < h->end; x += b->size) {
        b = BLK(x);
        if (!hdr_valid(h, b) || b->prev_size != prev_size)
            return check_fail(h, "corrupted block header", PAYLOAD(b));
        bool is_free = b->state == FREE;
        if (is_free && prev_free)
            return check_fail(h, "corrupted free list", PAYLOAD(b)); /* missed merge */
        if (is_free) {
            nfree++;
            free_bytes += b->size;
        } else {
            used++;
        }
        prev_free = is_free;
        prev_size = b->size;
    }
    if (h->last != b)
        return check_fail(h, "corrupted free list", h->last);
    /* Every list holds only valid free blocks of its class, doubly linked;
     * the count bound stops a cycle. */
    size_t listed = 0;
    for (unsigned i = 0; i < HEAP_NBINS; i++) {
        struct heap_block *prev = NULL;
        for (struct heap_block *f = h->bins[i]; f; prev = f, f = FB(f)->next) {
            if (!hdr_valid(h, f) || f->state != FREE)
                return check_fail(h, "corrupted block header", PAYLOAD(f));
            if (bin_of(f->size) != i || FB(f)->prev != prev || ++listed > nfree)
                return check_fail(h, "corrupted free list", PAYLOAD(f));
        }
    }
    if (listed != nfree || nfree != h->free_blocks || free_bytes != h->free_bytes ||
        used != h->allocs - h->frees)
        return check_fail(h, "heap stats mismatch", h);
    return 0;
}
