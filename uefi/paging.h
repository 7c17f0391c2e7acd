/* The kernel's first page tables, built by the loader.
 *
 * Pure C: "physical" addresses are used directly as pointers, which is true
 * inside UEFI (identity-mapped boot services) and lets the host unit test
 * build tables in an ordinary buffer and walk them back.
 */
#ifndef UEFI_PAGING_H
#define UEFI_PAGING_H

#include <stdint.h>

#define PTE_P  0x001ULL  /* present */
#define PTE_W  0x002ULL  /* writable */
#define PTE_PS 0x080ULL  /* 2 MiB page (in a page directory entry) */
#define PTE_ADDR 0x000ffffffffff000ULL

/* Page-table pages come from one pre-allocated run: after the final
 * GetMemoryMap the loader may not allocate any more. */
struct pt_pool {
    uint64_t next;   /* next free 4 KiB page */
    uint64_t end;    /* end of the run */
};

/* Upper bound on the pages pt_build takes for these arguments. */
uint64_t pt_pages_needed(uint64_t ident_end, uint64_t kspan);

/* Build a 4-level hierarchy that identity-maps [0, ident_end) (rounded up to
 * 2 MiB) with writable 2 MiB pages, and maps [kvirt, kvirt+kspan) to
 * [kphys, ...) with writable 4 KiB pages. Nothing is NX or user-accessible.
 * Returns 0 and the PML4's address, or -1 with *why set. */
int pt_build(struct pt_pool *pool, uint64_t ident_end,
             uint64_t kvirt, uint64_t kphys, uint64_t kspan,
             uint64_t *pml4, const char **why);

/* Walk the tables like the MMU would: physical address for virt, or -1. */
int64_t pt_translate(uint64_t pml4, uint64_t virt);

#endif
