/* Pure core of the kernel heap: segregated first-fit over ONE virtually
 * contiguous region [start, limit) that is backed on demand.
 *
 * No I/O and no globals: the caller supplies the memory (through grow) and
 * the reaction to fatal errors (through report). The kernel wrapper maps
 * fresh frames in grow() and panics in report(); the host unit test approves
 * growth inside a static arena and longjmps out of report(). Frames need not
 * be physically contiguous: the core only ever touches [start, end).
 *
 * Layout: blocks tile [start, end) with no gaps. Each starts with a 32-byte
 * header (magic, state, size, size of the previous block, and a check value
 * sealed over address + fields + the per-heap cookie), so both neighbours can
 * be found and a clobbered header is detected. Payloads are 16-byte aligned.
 * Free blocks keep their free-list links in the first 16 payload bytes, and
 * the seal covers those links too, so a write into freed memory is caught as
 * a corrupted header when that block is next touched. Adjacent free blocks
 * are always merged, so a free block's virtual neighbours are in use.
 *
 * Decisions:
 *  - size 0 (heap_alloc, heap_calloc, heap_realloc(NULL, 0)) returns NULL and
 *    allocates nothing: in a kernel a zero-length request is almost always a
 *    length bug, and failing closed beats handing out a 0-byte object.
 *    heap_realloc(p, 0) frees p and returns NULL.
 *  - align: 0 and 1..16 mean 16; anything else must be a power of two, or the
 *    call returns NULL. heap_realloc only guarantees 16-byte alignment.
 *  - NULL also means: the region is exhausted, grow() refused, or the size
 *    (or n*size) overflows.
 *
 * Fatal errors go to report(what, addr, ctx). `addr` is the pointer the
 * caller passed (free/realloc) or the payload address of the damaged block:
 *    "invalid free" / "invalid realloc"  pointer the heap never returned
 *                                        (outside the region, misaligned,
 *                                        or no block header there)
 *    "double free" / "realloc of freed block"
 *    "corrupted block header"            bad magic/seal/size/links
 *    "corrupted free list"               list links or coalescing broken
 *    "heap stats mismatch"               (heap_check only; addr = the heap)
 * The kernel's report() does not return. If it does (host tests), the
 * operation is abandoned: free does nothing, alloc/realloc return NULL,
 * heap_check returns -1. After a corruption report the heap is marked broken
 * and refuses all further allocation (heap_check still walks it).
 */
#ifndef MM_HEAP_CORE_H
#define MM_HEAP_CORE_H
#include <stddef.h>
#include <stdint.h>

#define HEAP_MIN_ALIGN 16
#define HEAP_HDR_SIZE  32   /* per-block overhead */
#define HEAP_NBINS     20   /* size classes 2^5 .. 2^23, the last one open-ended */

struct heap;
struct heap_block;

/* Back [h->end, new_end) with memory; 0 = done. new_end never exceeds limit
 * and is start + a multiple of grow_step, or limit itself: page-aligned
 * start/limit and a page-multiple grow_step give page-aligned requests. */
typedef int (*heap_grow_fn)(struct heap *h, uintptr_t new_end, void *ctx);
/* Fatal error (see above). The kernel panics here. */
typedef void (*heap_report_fn)(const char *what, const void *addr, void *ctx);
/* Optional page release (heap_set_release): the pages [from, to) lie inside
 * one free block, past its header and links, and nothing will read them
 * until reback() is called for them; release may take their memory away
 * (the kernel gives the frames back to the PMM). reback() must make
 * [from, to) usable memory again, whatever part of it was released; 0 = done,
 * otherwise the allocation that needed it fails. Both take page-aligned
 * ranges (HEAP_PAGE); the core never touches a released page before
 * reback() has covered it: headers, links and payloads of used blocks are
 * always backed. */
#define HEAP_PAGE 4096u
typedef void (*heap_release_fn)(struct heap *h, uintptr_t from, uintptr_t to, void *ctx);
typedef int (*heap_reback_fn)(struct heap *h, uintptr_t from, uintptr_t to, void *ctx);

struct heap_stats {
    size_t bytes_in_use;  /* bytes of used blocks, headers included */
    size_t blocks_in_use; /* == allocs - frees */
    size_t free_bytes;    /* bytes of free blocks; bytes_in_use + free_bytes == heap_size */
    size_t free_blocks;
    size_t heap_size;     /* end - start: what grow() has backed so far */
    size_t allocs;        /* blocks handed out (a moving realloc counts one alloc + one free) */
    size_t frees;
    size_t grows;         /* successful grow() calls */
};

struct heap {
    uintptr_t start, end, limit; /* blocks tile [start, end); end grows up to limit */
    size_t grow_step;
    heap_grow_fn grow;
    heap_report_fn report;
    void *ctx;
    /* Mixed into every header seal. heap_init derives it from addresses; the
     * kernel may overwrite it with real entropy right after heap_init, before
     * the first allocation, so an overflow cannot forge a valid header. */
    uint64_t cookie;
    int broken;                   /* set once corruption has been reported */
    struct heap_block *last;      /* block ending at end, NULL while empty */
    struct heap_block *bins[HEAP_NBINS]; /* LIFO free lists by size class */
    size_t free_bytes, free_blocks, allocs, frees, grows;
    heap_release_fn release;      /* NULL: free blocks keep their memory */
    heap_reback_fn reback;
    size_t release_min;           /* release only runs of at least this many bytes */
    int growing;                  /* grow_for's fresh tail is about to be used: keep it */
};

/* start is rounded up and limit down to 16 bytes; grow_step is rounded up to
 * 16 (0 means 4096). Nothing is backed until the first allocation. */
void heap_init(struct heap *h, uintptr_t start, uintptr_t limit, size_t grow_step,
               heap_grow_fn grow, heap_report_fn report, void *ctx);
/* Turns page release on (see heap_release_fn); call before the first
 * allocation. Runs shorter than min_bytes (rounded up to pages) are kept. */
void heap_set_release(struct heap *h, heap_release_fn release, heap_reback_fn reback, size_t min_bytes);
void *heap_alloc(struct heap *h, size_t size, size_t align);
void heap_free(struct heap *h, void *p); /* NULL is a no-op */
/* C semantics (see size 0 above); grows in place when the next block is free,
 * shrinks in place, otherwise allocates, copies and frees. On failure p is
 * left untouched and NULL is returned. */
void *heap_realloc(struct heap *h, void *p, size_t size);
void *heap_calloc(struct heap *h, size_t n, size_t size); /* zeroed, n*size overflow-checked */
void heap_get_stats(const struct heap *h, struct heap_stats *out);
/* Walks every block and every free list and compares them with the stats.
 * 0 = consistent; otherwise reports the first problem and returns -1. */
int heap_check(struct heap *h);

#endif
