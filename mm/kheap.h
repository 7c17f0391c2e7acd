/* The kernel heap: kmalloc and friends over heap_core, in its own virtual
 * range (KHEAP_BASE) that grows page by page from the PMM. Heap misuse
 * (double free, foreign pointer, clobbered header) panics with the address. */
#ifndef MM_KHEAP_H
#define MM_KHEAP_H
#include <stddef.h>
#include "mm/heap_core.h"

void kheap_init(void);
void *kmalloc(size_t size);
void *kmalloc_aligned(size_t size, size_t align);
void *kcalloc(size_t n, size_t size);
void *krealloc(void *p, size_t size);
void kfree(void *p);
void kheap_stats(struct heap_stats *out);
/* Frames behind the heap now and at most so far (free runs go back). */
void kheap_backing(uint64_t *pages, uint64_t *peak);
int kheap_check(void);

/* Where the heap starts this boot (random: kheap.c). */
uint64_t kheap_base_addr(void);

#endif
