/* The physmap: all of physical memory (and the low 4 GiB of MMIO) mapped
 * linearly at a base chosen per boot (PHYSMAP_BASE plus a random number of
 * GiB, below the heap: mm/paging.c), NX and never USER. Before paging_init() runs the
 * boot identity map is still live, so phys_to_virt() returns identity
 * addresses until then. */
#ifndef MM_PHYSMAP_H
#define MM_PHYSMAP_H
#include <stdint.h>

#define PHYSMAP_BASE 0xffff800000000000ULL

extern uint64_t physmap_offset; /* 0 during early boot, the physmap's base after paging_init */

static inline void *phys_to_virt(uint64_t pa) { return (void *)(uintptr_t)(pa + physmap_offset); }
static inline uint64_t physmap_virt_to_phys(const void *va) { return (uint64_t)(uintptr_t)va - physmap_offset; }

/* Kernel image: virtual = physical - kernel_phys_base + SECOS_KERNEL_LINK_BASE + the KASLR slide. */
extern uint64_t kernel_phys_base;
uint64_t kernel_virt_to_phys(const void *va);

#endif
