/* Page-table management for the kernel space and for user address spaces.
 * Tables are reached through the physmap; every table frame comes from the
 * PMM and is counted, so destroying a space can prove it returned them all. */
#include "mm/vmm.h"
#include "mm/vmm_priv.h"
#include "lib/ro_after_init.h"
#include "mm/pmm.h"
#include "mm/physmap.h"
#include "arch/x86_64/panic.h"
#include "arch/x86_64/cpu.h"
#include "lib/string.h"
#include "secos/errno.h"

struct address_space kernel_space;
static struct address_space *current_space = &kernel_space;

#define LEAF_FLAGS (PTE_P | PTE_W | PTE_U | PTE_PWT | PTE_PCD | PTE_G | PTE_NX | PTE_OWNED)

static uint64_t *tbl(uint64_t entry) { return phys_to_virt(entry & PTE_ADDR_MASK); }
static int idx(uint64_t va, int level) { return (int)((va >> (12 + 9 * (level - 1))) & 511); }

/* Frames held by user address spaces (every space but the kernel's), kept
 * beside the per-space counts so that the system-wide budget is one read on
 * the page-fault path instead of a walk over every process. These are
 * physical frames: a leaf shared copy-on-write by several spaces counts once
 * here (with the mapping that took it from the PMM, until the last one goes),
 * but in the owned_frames of every space that maps it. */
static uint64_t user_frames;

void vmm_account(struct address_space *as, int64_t owned, int64_t tables) {
    as->owned_frames += (uint64_t)owned;
    as->table_frames += (uint64_t)tables;
    if (as != &kernel_space) user_frames += (uint64_t)tables;
}

void vmm_account_phys(struct address_space *as, int64_t frames) {
    if (as != &kernel_space) user_frames += (uint64_t)frames;
}

/* An owned leaf goes away: one reference to its frame is dropped, and the
 * frame returns to the PMM with the last. Returns 1 if it did. */
int vmm_release_leaf(struct address_space *as, uint64_t e) {
    vmm_account(as, -1, 0);
    if (!pmm_put(e & PTE_ADDR_MASK)) return 0;
    vmm_account_phys(as, -1);
    return 1;
}

uint64_t vmm_user_frames_in_use(void) { return user_frames; }

int (*vmm_user_frames_allow)(uint64_t frames) __ro_after_init;

void vmm_set_user_frames_check(int (*allow)(uint64_t frames)) { vmm_user_frames_allow = allow; }

void vmm_init(void) {
    kernel_space.pml4_phys = paging_kernel_pml4_phys();
    kernel_space.pml4 = phys_to_virt(kernel_space.pml4_phys);
    /* Every kernel-half PML4 slot we will ever use gets its PDPT now, so
     * spaces created later share them (a PML4 entry is copied, not tracked). */
    static const uint64_t slots[] = { KHEAP_BASE, KSTACK_REGION }; /* KTEST_BASE is in the heap's slot */
    for (unsigned i = 0; i < sizeof slots / sizeof slots[0]; i++) {
        uint64_t *e = &kernel_space.pml4[idx(slots[i], 4)];
        if (*e & PTE_P) continue;
        uint64_t pa = pmm_alloc_zeroed();
        if (!pa) panic("vmm: out of memory for kernel page tables");
        *e = pa | PTE_P | PTE_W;
    }
}

/* Returns the PTE for va, creating tables when create is set. NULL if a
 * table is missing (and !create), on allocation failure, or if a large page
 * covers va (*large is then set to the level of that large page). */
uint64_t *vmm_walk(struct address_space *as, uint64_t va, int create, int *large) {
    uint64_t *table = as->pml4;
    int user = va < USER_HALF_END;
    if (large) *large = 0;
    for (int level = 4; level > 1; level--) {
        uint64_t *e = &table[idx(va, level)];
        if (!(*e & PTE_P)) {
            if (!create) return 0;
            if (level == 4 && !user) panic("vmm: kernel PML4 slot for %#lx was never set up", va);
            uint64_t pa = pmm_alloc_zeroed();
            if (!pa) return 0;
            vmm_account(as, 0, 1);
            /* Intermediate entries allow everything; the leaf decides. */
            *e = pa | PTE_P | PTE_W | (user ? PTE_U : 0);
        } else if (*e & PTE_PS) {
            if (large) *large = level;
            return e;
        }
        table = tbl(*e);
    }
    return &table[idx(va, 1)];
}

static int check_mapping(uint64_t va, uint64_t flags) {
    if ((va & 0xfff) || !va_canonical(va)) return -EINVAL;
    if ((flags & PTE_W) && !(flags & PTE_NX)) return -EPERM;           /* W^X */
    if ((flags & PTE_U) && va >= USER_HALF_END) return -EPERM;         /* never USER in the kernel half */
    if (!(flags & PTE_U) && va < USER_HALF_END) return -EPERM;         /* the user half is only for user pages */
    return 0;
}

int vmm_map(struct address_space *as, uint64_t va, uint64_t pa, uint64_t flags) {
    int r = check_mapping(va, flags);
    if (r) return r;
    if (pa & 0xfff) return -EINVAL;
    uint64_t f = irq_save();
    int large;
    uint64_t *pte = vmm_walk(as, va, 1, &large);
    if (!pte || large) { irq_restore(f); return large ? -EEXIST : -ENOMEM; }
    if (*pte & PTE_P) { irq_restore(f); return -EEXIST; }
    *pte = pa | (flags & LEAF_FLAGS) | PTE_P;
    if (flags & PTE_OWNED) { vmm_account(as, 1, 0); vmm_account_phys(as, 1); }
    irq_restore(f);
    return 0;
}

int vmm_map_new(struct address_space *as, uint64_t va, uint64_t flags) {
    uint64_t pa = pmm_alloc_zeroed();
    if (!pa) return -ENOMEM;
    int r = vmm_map(as, va, pa, flags | PTE_OWNED);
    if (r) pmm_free(pa);
    return r;
}

int vmm_unmap(struct address_space *as, uint64_t va, uint64_t *pa_out) {
    if ((va & 0xfff) || !va_canonical(va)) return -EINVAL;
    uint64_t f = irq_save();
    int large;
    uint64_t *pte = vmm_walk(as, va, 0, &large);
    if (!pte || large || !(*pte & PTE_P)) { irq_restore(f); return large ? -EINVAL : -ENOENT; }
    uint64_t e = *pte;
    *pte = 0;
    if (as == current_space || va >= KERNEL_HALF_START) invlpg(va);
    if (e & PTE_OWNED) vmm_release_leaf(as, e);
    irq_restore(f);
    if (pa_out) *pa_out = e & PTE_ADDR_MASK;
    return 0;
}

uint64_t vmm_unmap_range(struct address_space *as, uint64_t from, uint64_t to) {
    uint64_t freed = 0;
    if ((from & 0xfff) || (to & 0xfff) || !va_canonical(from) || (to && !va_canonical(to - 1))) return 0;
    uint64_t f = irq_save();
    for (uint64_t va = from; va < to;) {
        uint64_t chunk_end = (va | 0x1fffff) + 1; /* one page table covers 2 MiB */
        if (chunk_end > to || chunk_end < va) chunk_end = to;
        int large;
        uint64_t *pte = vmm_walk(as, va, 0, &large);
        if (pte && !large) {
            /* The PTEs of [va, chunk_end) are consecutive in this table. */
            for (uint64_t v = va; v < chunk_end; v += PAGE_SIZE, pte++) {
                uint64_t e = *pte;
                if (!(e & PTE_P)) continue;
                *pte = 0;
                if (as == current_space || v >= KERNEL_HALF_START) invlpg(v);
                if (e & PTE_OWNED) freed += (uint64_t)vmm_release_leaf(as, e);
            }
        }
        va = chunk_end;
    }
    irq_restore(f);
    return freed;
}

int vmm_translate(struct address_space *as, uint64_t va, uint64_t *pa, uint64_t *flags) {
    if (!va_canonical(va)) return -EINVAL;
    int large;
    uint64_t *pte = vmm_walk(as, va, 0, &large);
    if (!pte || !(*pte & PTE_P)) return -ENOENT;
    uint64_t size = large == 3 ? (1ULL << 30) : large == 2 ? (2ULL << 20) : PAGE_SIZE;
    uint64_t base = *pte & PTE_ADDR_MASK & ~(size - 1);
    if (pa) *pa = base + (va & (size - 1));
    if (flags) *flags = *pte & (LEAF_FLAGS | PTE_PS | PTE_COW);
    return 0;
}

struct address_space *vmm_space_create(void) {
    /* The struct lives in its own frame so this works before the heap does. */
    uint64_t spa = pmm_alloc_zeroed();
    uint64_t ppa = pmm_alloc_zeroed();
    if (!spa || !ppa) {
        if (spa) pmm_free(spa);
        if (ppa) pmm_free(ppa);
        return 0;
    }
    struct address_space *as = phys_to_virt(spa);
    as->pml4_phys = ppa;
    as->pml4 = phys_to_virt(ppa);
    as->table_frames = 1;
    user_frames += 2; /* the PML4 and the page holding this structure */
    memcpy(&as->pml4[256], &kernel_space.pml4[256], 256 * sizeof(uint64_t));
    return as;
}

static void free_user_tables(struct address_space *as, uint64_t *table, int level) {
    int top = level == 4 ? 256 : 512; /* never descend into the shared kernel half */
    for (int i = 0; i < top; i++) {
        uint64_t e = table[i];
        if (!(e & PTE_P)) continue;
        if (level == 1) {
            if (e & PTE_OWNED) vmm_release_leaf(as, e);
        } else {
            free_user_tables(as, tbl(e), level - 1);
            pmm_free(e & PTE_ADDR_MASK);
            vmm_account(as, 0, -1);
        }
        table[i] = 0;
    }
}

void vmm_space_destroy(struct address_space *as) {
    if (as == &kernel_space) panic("vmm: attempt to destroy the kernel address space");
    if (as == current_space) vmm_activate(&kernel_space);
    free_user_tables(as, as->pml4, 4);
    KASSERT(as->owned_frames == 0 && as->table_frames == 1);
    user_frames -= 2;
    pmm_free(as->pml4_phys);
    pmm_free(physmap_virt_to_phys(as));
}

void vmm_activate(struct address_space *as) {
    current_space = as;
    write_cr3(as->pml4_phys);
}

struct address_space *vmm_current(void) { return current_space; }

int vmm_add_demand_zero(struct address_space *as, uint64_t start, uint64_t end, uint64_t flags) {
    if ((start & 0xfff) || (end & 0xfff) || end <= start) return -EINVAL;
    int r = check_mapping(start, flags);
    if (r) return r;
    if ((end - 1) >= USER_HALF_END && start < USER_HALF_END) return -EINVAL;
    if (as->dz_count >= VMM_MAX_DZ_REGIONS) return -ENOMEM;
    /* A kernel fault that cannot get a frame has nobody to report to (the
     * #PF handler could only panic), so kernel regions get their frames
     * promised now, or the caller hears -ENOMEM: every page, plus the page
     * tables a contiguous range may need (PTs, PDs, PDPTs: n/512^k + 2 each). */
    uint64_t committed = 0;
    if (as == &kernel_space) {
        uint64_t pages = (end - start) >> 12;
        committed = pages + (pages >> 9) + (pages >> 18) + (pages >> 27) + 6;
        if (pmm_commit(committed)) return -ENOMEM;
    }
    as->dz[as->dz_count++] = (struct dz_region){ start, end, flags, committed };
    return 0;
}

void vmm_remove_demand_zero(struct address_space *as, uint64_t start) {
    for (int i = 0; i < as->dz_count; i++) {
        if (as->dz[i].start != start) continue;
        if (as->dz[i].committed) pmm_uncommit(as->dz[i].committed);
        as->dz[i] = as->dz[--as->dz_count];
        return;
    }
}

int vmm_handle_page_fault(uint64_t addr, uint64_t err) {
    struct address_space *as = addr >= KERNEL_HALF_START ? &kernel_space : current_space;
    uint64_t page = addr & ~0xfffULL;
    /* A protection violation is never demand-zero; it may be a write to a
     * copy-on-write page (from ring 3, or from the kernel in a user copy). */
    if (err & 1) return as == &kernel_space ? 0 : vmm_cow_fault(as, page, err);
    for (int i = 0; i < as->dz_count; i++) {
        const struct dz_region *z = &as->dz[i];
        if (page < z->start || page >= z->end) continue;
        /* Page-table frames count too: otherwise touching pages far apart
         * costs about twice the budget (found by the attack suite). One new
         * page may need up to three new tables, hence the headroom of 4. */
        if (as->page_limit && as->owned_frames + as->table_frames + 4 > as->page_limit) {
            as->limit_hit = 1;
            return 0;
        }
        if (!z->committed) {
            if (as != &kernel_space && vmm_user_frames_allow && !vmm_user_frames_allow(4)) { /* all processes together */
                as->limit_hit = 1;
                return 0;
            }
            return vmm_map_new(as, page, z->flags) == 0;
        }
        /* Kernel region: draw on its promise, which covers this page's tables. */
        pmm_draw_begin();
        int r = vmm_map_new(as, page, z->flags);
        uint64_t used = pmm_draw_end();
        as->dz[i].committed -= used < z->committed ? used : z->committed;
        return r == 0;
    }
    return 0;
}
