/* Kernel page tables. paging_init() replaces the loader's tables with the
 * kernel's own: the physmap, the kernel image mapped section by section with
 * exact permissions, and nothing in the lower half (the boot identity map is
 * gone, so a null or low-address access faults). */
#ifndef MM_PAGING_H
#define MM_PAGING_H
#include <stdint.h>

#define PTE_P   (1ULL << 0)
#define PTE_W   (1ULL << 1)
#define PTE_U   (1ULL << 2)
#define PTE_PWT (1ULL << 3)
#define PTE_PCD (1ULL << 4)
#define PTE_A   (1ULL << 5)
#define PTE_D   (1ULL << 6)
#define PTE_PS  (1ULL << 7)
#define PTE_G   (1ULL << 8)
#define PTE_NX  (1ULL << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ULL

#define PAGE_SIZE 4096ULL

void paging_init(void);
uint64_t paging_kernel_pml4_phys(void);
/* Page-table pages paging_init took from RAM (beyond its .bss pool), for the
 * PMM to keep reserved; bytes 0 when the pool sufficed. */
void paging_boot_tables_area(uint64_t *pa, uint64_t *bytes);

/* Result of walking every present entry of the active page tables. */
struct paging_audit {
    uint64_t pages_4k, pages_2m, pages_1g; /* leaf mappings by size */
    uint64_t wx_pages;          /* leaves both writable and executable (must be 0) */
    uint64_t user_kernel_half;  /* USER leaves in the kernel half (must be 0) */
    uint64_t lower_half_entries;/* present PML4 entries below the kernel half */
};
void paging_audit(struct paging_audit *out);

/* Clears W on every page of the ro_after_init section. Returns the number
 * of pages sealed. */
uint64_t paging_seal_ro_after_init(void);
/* Pages of that section and how many are still writable (0 once sealed). */
void paging_ro_after_init_state(uint64_t *pages, uint64_t *writable);

/* The physmap's base this boot (for the console's `info`). */
uint64_t paging_physmap_base(void);

#endif
