/* Fork and copy-on-write. A forked space maps the same frames as its parent;
 * pmm reference counts say how many leaves share a frame, so the frame goes
 * back to the PMM only with its last mapping. Writable leaves become
 * read-only PTE_COW on both sides; the first write on either side copies
 * (or, for the last sharer, simply restores W). Counting: every sharer has
 * the leaf in its owned_frames (its page budget), the system-wide user count
 * has the frame once (vmm_account_phys). */
#include "mm/vmm.h"
#include "mm/vmm_priv.h"
#include "mm/pmm.h"
#include "mm/physmap.h"
#include "arch/x86_64/cpu.h"
#include "lib/string.h"
#include "secos/errno.h"

static uint64_t *tbl(uint64_t entry) { return phys_to_virt(entry & PTE_ADDR_MASK); }

static int budget_allows(uint64_t frames) { return !vmm_user_frames_allow || vmm_user_frames_allow(frames); }

/* Copies the owned leaves under the parent table pt (at level) into the
 * child table ct. Returns how many leaves were copied, or -ENOMEM. */
static long fork_level(struct address_space *child, uint64_t *pt, uint64_t *ct, int level) {
    long copied = 0;
    int top = level == 4 ? 256 : 512; /* the kernel half is shared, not copied */
    for (int i = (int)scan_nonzero64(pt, 0, top); i < top; i = (int)scan_nonzero64(pt, i + 1, top)) {
        uint64_t e = pt[i];
        if (!(e & PTE_P)) continue;
        if (level == 1) {
            if (!(e & PTE_OWNED)) continue; /* device memory stays with the parent */
            if (pmm_ref(e & PTE_ADDR_MASK)) return -ENOMEM;
            if (e & PTE_W) {
                e = (e & ~PTE_W) | PTE_COW;
                pt[i] = e;
            }
            ct[i] = e;
            vmm_account(child, 1, 0);
            copied++;
            continue;
        }
        if (e & PTE_PS) continue; /* no large pages in the user half */
        if (!budget_allows(1)) return -ENOMEM;
        uint64_t pa = pmm_alloc_zeroed();
        if (!pa) return -ENOMEM;
        ct[i] = pa | (e & (PTE_P | PTE_W | PTE_U));
        vmm_account(child, 0, 1);
        long n = fork_level(child, tbl(e), tbl(ct[i]), level - 1);
        if (n == 0) { /* nothing owned below: keep the child's tables sparse */
            ct[i] = 0;
            pmm_free(pa);
            vmm_account(child, 0, -1);
        }
        if (n < 0) return n;
        copied += n;
    }
    return copied;
}

struct address_space *vmm_space_fork(struct address_space *parent) {
    if (parent == &kernel_space) return 0;
    struct address_space *child = vmm_space_create();
    if (!child) return 0;
    region_copy(&child->regions, &parent->regions); /* same capacity: cannot fail */
    child->page_limit = parent->page_limit;
    uint64_t f = irq_save();
    long r = fork_level(child, parent->pml4, child->pml4, 4);
    /* The parent's writable leaves just lost W: its TLB must forget them. */
    if (parent == vmm_current()) write_cr3(parent->pml4_phys);
    irq_restore(f);
    if (r < 0) {
        vmm_space_destroy(child);
        return 0;
    }
    return child;
}

int vmm_cow_fault(struct address_space *as, uint64_t page, uint64_t err) {
    /* Only a write to a present page, never an instruction fetch. */
    if (!(err & 2) || (err & 16) || page >= USER_HALF_END) return 0;
    uint64_t f = irq_save();
    int large;
    uint64_t *pte = vmm_walk(as, page, 0, &large);
    if (!pte || large || (*pte & (PTE_P | PTE_COW | PTE_OWNED)) != (PTE_P | PTE_COW | PTE_OWNED)) {
        irq_restore(f);
        return 0;
    }
    uint64_t e = *pte, old = e & PTE_ADDR_MASK;
    uint64_t keep = (e & ~PTE_ADDR_MASK & ~PTE_COW) | PTE_W;
    if (pmm_refcount(old) == 1) { /* the others are gone: the frame is ours alone */
        *pte = old | keep;
    } else {
        /* One more physical frame for the user spaces: the system-wide cap
         * applies (this space's own page budget already counts the leaf). */
        uint64_t pa = budget_allows(1) ? pmm_alloc() : 0;
        if (!pa) {
            as->limit_hit = 1;
            irq_restore(f);
            return 0;
        }
        memcpy(phys_to_virt(pa), phys_to_virt(old), PAGE_SIZE);
        vmm_account_phys(as, 1);
        *pte = pa | keep;
        if (pmm_put(old)) vmm_account_phys(as, -1);
    }
    if (as == vmm_current()) invlpg(page);
    irq_restore(f);
    return 1;
}
