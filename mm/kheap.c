#include "mm/kheap.h"
#include "mm/vmm.h"
#include "arch/x86_64/panic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/entropy.h"

static struct heap kheap;
/* Frames behind the heap now, and the most there ever were. */
static uint64_t backed_pages, backed_peak;

static void count_backed(int64_t delta) {
    backed_pages += (uint64_t)delta;
    if (backed_pages > backed_peak) backed_peak = backed_pages;
}

/* Backs [h->end, new_end) with fresh frames, one page at a time: the heap is
 * virtually contiguous, never physically. */
static int kheap_grow(struct heap *h, uintptr_t new_end, void *ctx) {
    (void)ctx;
    for (uintptr_t va = h->end; va < new_end; va += 4096) {
        if (vmm_map_new(&kernel_space, va, PTE_P | PTE_W | PTE_NX) != 0) {
            while (va > h->end) { va -= 4096; vmm_unmap(&kernel_space, va, 0); count_backed(-1); }
            return -1;
        }
        count_backed(1);
    }
    return 0;
}

/* Free runs of KHEAP_RELEASE_MIN or more give their frames back to the PMM
 * (heap_core never reads them until kheap_reback): a burst of RAMFS growth
 * no longer keeps its memory once the files are gone. */
#define KHEAP_RELEASE_MIN (16 * 1024)

/* Most of a large free block is usually released already: the range walk
 * costs one PTE read per such page. */
static void kheap_release(struct heap *h, uintptr_t from, uintptr_t to, void *ctx) {
    (void)h; (void)ctx;
    count_backed(-(int64_t)vmm_unmap_range(&kernel_space, from, to));
}

static int kheap_reback(struct heap *h, uintptr_t from, uintptr_t to, void *ctx) {
    (void)h; (void)ctx;
    for (uintptr_t va = from; va < to; va += 4096) {
        if (vmm_translate(&kernel_space, va, 0, 0) == 0) continue;
        if (vmm_map_new(&kernel_space, va, PTE_P | PTE_W | PTE_NX) != 0) return -1; /* the rest stays released */
        count_backed(1);
    }
    return 0;
}

static void kheap_report(const char *what, const void *addr, void *ctx) {
    (void)ctx;
    panic("heap: %s at %p", what, addr);
}

/* The heap starts at KHEAP_BASE plus a random multiple of 2 MiB below
 * 128 GiB (16 bits), so heap addresses differ from boot to boot; it grows
 * up to KHEAP_LIMIT in the same PML4 slot. */
static uint64_t kheap_base = KHEAP_BASE;

uint64_t kheap_base_addr(void) { return kheap_base; }

void kheap_init(void) {
    kheap_base = KHEAP_BASE + entropy_u64() % (1ULL << 16) * (2ULL << 20);
    heap_init(&kheap, kheap_base, KHEAP_LIMIT, 64 * 1024, kheap_grow, kheap_report, 0);
    heap_set_release(&kheap, kheap_release, kheap_reback, KHEAP_RELEASE_MIN);
    /* A per-boot cookie in every header check value: a forged header must
     * guess it. */
    kheap.cookie ^= entropy_u64();
}

/* The heap is used from interrupt context later (drivers), so each call runs
 * with interrupts off; on one CPU that is the whole lock. */
void *kmalloc_aligned(size_t size, size_t align) {
    uint64_t f = irq_save();
    void *p = heap_alloc(&kheap, size, align);
    irq_restore(f);
    return p;
}

void *kmalloc(size_t size) { return kmalloc_aligned(size, 16); }

void *kcalloc(size_t n, size_t size) {
    uint64_t f = irq_save();
    void *p = heap_calloc(&kheap, n, size);
    irq_restore(f);
    return p;
}

/* A pointer into a released run (a stale pointer into a freed block) has no
 * header page behind it: say so, instead of faulting inside heap_core. */
static void check_backed(const void *p, const char *what) {
    uintptr_t a = (uintptr_t)p;
    if (!p || a < kheap_base + HEAP_HDR_SIZE || a >= KHEAP_LIMIT) return; /* heap_core reports those */
    if (vmm_translate(&kernel_space, (a - HEAP_HDR_SIZE) & ~0xfffULL, 0, 0) != 0)
        panic("heap: %s at %p (no block there: freed memory that went back to the PMM)", what, p);
}

void *krealloc(void *p, size_t size) {
    check_backed(p, "invalid realloc");
    uint64_t f = irq_save();
    void *q = heap_realloc(&kheap, p, size);
    irq_restore(f);
    return q;
}

void kfree(void *p) {
    check_backed(p, "invalid free");
    uint64_t f = irq_save();
    heap_free(&kheap, p);
    irq_restore(f);
}

void kheap_stats(struct heap_stats *out) {
    uint64_t f = irq_save();
    heap_get_stats(&kheap, out);
    irq_restore(f);
}

void kheap_backing(uint64_t *pages, uint64_t *peak) {
    uint64_t f = irq_save();
    *pages = backed_pages;
    *peak = backed_peak;
    irq_restore(f);
}

int kheap_check(void) {
    uint64_t f = irq_save();
    int r = heap_check(&kheap);
    irq_restore(f);
    return r;
}
