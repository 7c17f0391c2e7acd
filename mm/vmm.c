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
struct address_space *vmm_current_space = &kernel_space;

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
    region_set_init(&kernel_space.regions, kernel_space.region_store, VMM_MAX_REGIONS);
    kernel_space.pml4_phys = paging_kernel_pml4_phys();
    kernel_space.pml4 = phys_to_virt(kernel_space.pml4_phys);
    /* Every kernel-half PML4 slot we will ever use gets its PDPT now, so
     * spaces created later share them (a PML4 entry is copied, not tracked). */
    static const uint64_t slots[] = { KHEAP_BASE, KSTACK_REGION, KMMIO_BASE }; /* KTEST_BASE is in the heap's slot */
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
    if (as == vmm_current_space || va >= KERNEL_HALF_START) invlpg(va);
    if (e & PTE_OWNED) vmm_release_leaf(as, e);
    irq_restore(f);
    if (pa_out) *pa_out = e & PTE_ADDR_MASK;
    return 0;
}

/* Bytes from va to the end of the span its missing table would cover (512
 * GiB, 1 GiB or 2 MiB), so walks over sparse ranges skip what is absent
 * whole; 2 MiB when the tables down to the PT are there. */
static uint64_t absent_span(struct address_space *as, uint64_t va) {
    uint64_t *table = as->pml4;
    for (int level = 4; level > 1; level--) {
        uint64_t e = table[idx(va, level)];
        uint64_t span = 1ULL << (12 + 9 * (level - 1));
        if (!(e & PTE_P) || (e & PTE_PS)) return span - (va & (span - 1));
        table = tbl(e);
    }
    return (2ULL << 20) - (va & 0x1fffff);
}

uint64_t vmm_unmap_range(struct address_space *as, uint64_t from, uint64_t to) {
    uint64_t freed = 0;
    if ((from & 0xfff) || (to & 0xfff) || !va_canonical(from) || (to && !va_canonical(to - 1))) return 0;
    uint64_t f = irq_save();
    for (uint64_t va = from; va < to;) {
        int large;
        uint64_t *pte = vmm_walk(as, va, 0, &large);
        uint64_t chunk_end = va + absent_span(as, va); /* one page table covers 2 MiB */
        if (chunk_end > to || chunk_end < va) chunk_end = to;
        if (pte && !large) {
            /* The PTEs of [va, chunk_end) are consecutive in this table. */
            for (uint64_t v = va; v < chunk_end; v += PAGE_SIZE, pte++) {
                uint64_t e = *pte;
                if (!(e & PTE_P)) continue;
                *pte = 0;
                if (as == vmm_current_space || v >= KERNEL_HALF_START) invlpg(v);
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
    /* The struct (with its region array) lives in frames of its own, so this
     * needs no heap and its cost is exact in the frame counts. */
    uint64_t spa = pmm_alloc_contig(VMM_SPACE_FRAMES, 1, 0);
    uint64_t ppa = pmm_alloc_zeroed();
    if (!spa || !ppa) {
        if (spa) pmm_free_contig(spa, VMM_SPACE_FRAMES);
        if (ppa) pmm_free(ppa);
        return 0;
    }
    struct address_space *as = phys_to_virt(spa);
    memset(as, 0, sizeof *as);
    region_set_init(&as->regions, as->region_store, VMM_MAX_REGIONS);
    as->pml4_phys = ppa;
    as->pml4 = phys_to_virt(ppa);
    as->table_frames = 1;
    user_frames += 1 + VMM_SPACE_FRAMES; /* the PML4 and the pages holding this structure */
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
    if (as == vmm_current_space) vmm_activate(&kernel_space);
    free_user_tables(as, as->pml4, 4);
    KASSERT(as->owned_frames == 0 && as->table_frames == 1);
    user_frames -= 1 + VMM_SPACE_FRAMES;
    pmm_free(as->pml4_phys);
    pmm_free_contig(physmap_virt_to_phys(as), VMM_SPACE_FRAMES);
}

void vmm_activate(struct address_space *as) {
    vmm_current_space = as;
    write_cr3(as->pml4_phys);
}


int vmm_add_region(struct address_space *as, uint64_t start, uint64_t end, uint64_t flags, uint32_t kind) {
    if ((start & 0xfff) || (end & 0xfff) || end <= start) return -EINVAL;
    if (flags & PTE_P) {
        int r = check_mapping(start, flags);
        if (r) return r;
    } else if (as == &kernel_space || start >= USER_HALF_END) {
        return -EINVAL; /* PROT_NONE is a user-half notion */
    }
    if ((end - 1) >= USER_HALF_END && start < USER_HALF_END) return -EINVAL;
    /* A kernel fault that cannot get a frame has nobody to report to (the
     * #PF handler could only panic), so kernel regions get their frames
     * promised now, or the caller hears -ENOMEM: every page, plus the page
     * tables a contiguous range may need (PTs, PDs, PDPTs: n/512^k + 2 each). */
    uint64_t committed = 0;
    if (as == &kernel_space) {
        uint64_t pages = (end - start) >> 12;
        committed = pages + (pages >> 9) + (pages >> 18) + (pages >> 27) + 6;
        if (pmm_commit(committed)) return -ENOMEM;
        kind = REGION_KERNEL; /* never merged, so the promise stays with its range */
    }
    uint64_t f = irq_save();
    int r = region_insert(&as->regions, start, end, flags, kind);
    if (r == 0 && committed) as->regions.r[region_find(&as->regions, start)].committed = committed;
    irq_restore(f);
    if (r && committed) pmm_uncommit(committed);
    return r;
}

int vmm_add_demand_zero(struct address_space *as, uint64_t start, uint64_t end, uint64_t flags) {
    return vmm_add_region(as, start, end, flags, REGION_ANON);
}

void vmm_remove_demand_zero(struct address_space *as, uint64_t start) {
    uint64_t f = irq_save();
    int i = region_find(&as->regions, start);
    if (i >= 0 && as->regions.r[i].start == start) {
        struct region z = as->regions.r[i];
        if (z.committed) pmm_uncommit(z.committed);
        region_remove(&as->regions, z.start, z.end); /* a whole region: never needs a slot */
    }
    irq_restore(f);
}

int vmm_region_at(struct address_space *as, uint64_t va, struct region *out) {
    int i = region_find(&as->regions, va);
    if (i < 0) return -ENOENT;
    if (out) *out = as->regions.r[i];
    return 0;
}

int vmm_region_overlaps(struct address_space *as, uint64_t start, uint64_t end) {
    return region_overlaps(&as->regions, start, end);
}

/* Calls fn on every present 4 KiB leaf in [from, to) of the user half,
 * skipping missing tables a table at a time; stops when fn returns nonzero. */
static int for_each_user_leaf(struct address_space *as, uint64_t from, uint64_t to,
                              int (*fn)(struct address_space *, uint64_t va, uint64_t *pte, void *), void *ctx) {
    if ((from & 0xfff) || (to & 0xfff) || from >= to || to > USER_HALF_END) return 0;
    for (uint64_t va = from; va < to;) {
        int large;
        uint64_t *pte = vmm_walk(as, va, 0, &large);
        uint64_t chunk_end = va + absent_span(as, va);
        if (chunk_end > to || chunk_end < va) chunk_end = to;
        if (pte && !large)
            for (uint64_t v = va; v < chunk_end; v += PAGE_SIZE, pte++)
                if ((*pte & PTE_P) && fn(as, v, pte, ctx)) return 1;
        va = chunk_end;
    }
    return 0;
}

static int protect_leaf(struct address_space *as, uint64_t va, uint64_t *pte, void *ctx) {
    uint64_t flags = *(const uint64_t *)ctx, e = *pte;
    if (!(e & PTE_OWNED)) return 0;
    uint64_t n = (e & (PTE_ADDR_MASK | PTE_A | PTE_D | PTE_OWNED)) | PTE_P;
    if (!(flags & PTE_P)) {
        n |= PTE_NX; /* PROT_NONE: kept, but not reachable from ring 3 or usercopy */
    } else {
        n |= flags & (PTE_U | PTE_NX | PTE_PWT | PTE_PCD);
        if (flags & PTE_W) n |= pmm_refcount(e & PTE_ADDR_MASK) > 1 ? PTE_COW : PTE_W;
        if (n & PTE_W) n |= PTE_NX;
    }
    *pte = n;
    if (as == vmm_current_space) invlpg(va);
    return 0;
}

void vmm_protect_range(struct address_space *as, uint64_t from, uint64_t to, uint64_t flags) {
    uint64_t f = irq_save();
    for_each_user_leaf(as, from, to, protect_leaf, &flags);
    irq_restore(f);
}

struct leaf_match { uint64_t mask, value; };

static int match_leaf(struct address_space *as, uint64_t va, uint64_t *pte, void *ctx) {
    (void)as; (void)va;
    const struct leaf_match *m = ctx;
    return (*pte & m->mask) == m->value;
}

static int range_any(struct address_space *as, uint64_t from, uint64_t to, uint64_t mask, uint64_t value) {
    struct leaf_match m = { mask, value };
    uint64_t f = irq_save();
    int r = for_each_user_leaf(as, from, to, match_leaf, &m);
    irq_restore(f);
    return r;
}

int vmm_range_mapped(struct address_space *as, uint64_t from, uint64_t to) { return range_any(as, from, to, 0, 0); }
int vmm_range_exec(struct address_space *as, uint64_t from, uint64_t to) { return range_any(as, from, to, PTE_NX, 0); }
int vmm_range_nonexec(struct address_space *as, uint64_t from, uint64_t to) {
    return range_any(as, from, to, PTE_NX, PTE_NX);
}

int vmm_range_all_mapped(struct address_space *as, uint64_t from, uint64_t to) {
    if ((from & 0xfff) || (to & 0xfff) || to > USER_HALF_END) return 0;
    for (uint64_t va = from; va < to && va >= from; va += PAGE_SIZE) {
        int large;
        uint64_t *pte = vmm_walk(as, va, 0, &large);
        if (!pte || large || !(*pte & PTE_P)) return 0;
    }
    return 1;
}

int vmm_region_remove(struct address_space *as, uint64_t start, uint64_t end) {
    if (as == &kernel_space) return -EINVAL;
    uint64_t f = irq_save();
    int r = region_remove(&as->regions, start, end);
    irq_restore(f);
    return r;
}

int vmm_region_protect(struct address_space *as, uint64_t start, uint64_t end, uint64_t flags) {
    if (as == &kernel_space) return -EINVAL;
    uint64_t f = irq_save();
    int r = region_protect(&as->regions, start, end, flags);
    irq_restore(f);
    return r;
}

int vmm_handle_page_fault(uint64_t addr, uint64_t err) {
    struct address_space *as = addr >= KERNEL_HALF_START ? &kernel_space : vmm_current_space;
    uint64_t page = addr & ~0xfffULL;
    /* A protection violation is never demand-zero; it may be a write to a
     * copy-on-write page (from ring 3, or from the kernel in a user copy). */
    if (err & 1) return as == &kernel_space ? 0 : vmm_cow_fault(as, page, err);
    /* Faults come in runs over one region (a buffer being filled): try the
     * last one first; the hint is only an index, checked like any guess. */
    uint32_t h = as->fault_hint;
    int i = h < as->regions.n && page >= as->regions.r[h].start && page < as->regions.r[h].end
                ? (int)h : region_find(&as->regions, page);
    if (i < 0) return 0;
    as->fault_hint = (uint32_t)i;
    struct region *z = &as->regions.r[i];
    if (!(z->flags & PTE_P)) return 0; /* PROT_NONE */
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
    z->committed -= used < z->committed ? used : z->committed;
    return r == 0;
}
