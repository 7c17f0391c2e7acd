/* What the VMM's own files share (vmm.c: tables and mappings, vmm_cow.c:
 * fork and copy-on-write). Nothing outside mm/vmm*.c includes this. */
#ifndef MM_VMM_PRIV_H
#define MM_VMM_PRIV_H
#include <stdint.h>
#include "mm/vmm.h"

/* The PTE for va, creating tables when create is set (see vmm.c). */
uint64_t *vmm_walk(struct address_space *as, uint64_t va, int create, int *large);
/* Per-space counts (owned leaves, tables); tables are physical frames too. */
void vmm_account(struct address_space *as, int64_t owned, int64_t tables);
/* Physical leaf frames taken from (+) or returned to (-) the PMM by a user space. */
void vmm_account_phys(struct address_space *as, int64_t frames);
/* Drops an owned leaf's reference; 1 if its frame went back to the PMM. */
int vmm_release_leaf(struct address_space *as, uint64_t pte);
/* The system-wide budget check (kernel/user_budget.c), or NULL. */
extern int (*vmm_user_frames_allow)(uint64_t frames);
/* A present-page fault at page: resolves a write to a copy-on-write leaf. */
int vmm_cow_fault(struct address_space *as, uint64_t page, uint64_t err);

#endif
