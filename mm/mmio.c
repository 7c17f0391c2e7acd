/* The MMIO window: a bump allocator of kernel virtual space, 4 KiB pages. */
#include "mm/mmio.h"
#include "mm/vmm.h"
#include "arch/x86_64/cpu.h"

static uint64_t next_va = KMMIO_BASE;

volatile void *mmio_map(uint64_t pa, uint64_t len) {
    if (len == 0 || pa + len < pa || pa + len > (1ULL << 52)) return 0;
    uint64_t first = pa & ~0xfffULL, end = (pa + len + 0xfff) & ~0xfffULL;
    uint64_t f = irq_save();
    uint64_t va = next_va;
    if (end - first > KMMIO_LIMIT - va) { irq_restore(f); return 0; }
    next_va += end - first;
    irq_restore(f);
    for (uint64_t off = 0; off < end - first; off += PAGE_SIZE)
        /* On failure the window's pages so far stay mapped and unused:
         * harmless, and only page-table exhaustion gets here. */
        if (vmm_map(&kernel_space, va + off, first + off, PTE_P | PTE_W | PTE_NX | PTE_PCD | PTE_PWT) != 0) return 0;
    return (volatile void *)(uintptr_t)(va + (pa - first));
}
