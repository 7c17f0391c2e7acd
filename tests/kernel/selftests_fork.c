/* vmm_space_fork and copy-on-write against the real tables: both sides
 * write, the spaces go away in either order, and every frame (PMM free
 * count, the system-wide user count, each space's owned count) is exactly
 * back. Writes come from copy_to_user (the copy is made by the range check)
 * and from a raw ring-0 store (the copy is made by the #PF resolver). */
#include "kernel/selftest.h"
#include "lib/console_out.h"
#include "mm/usercopy.h"
#include "mm/vmm.h"
#include "mm/pmm.h"
#include "mm/physmap.h"
#include "arch/x86_64/cpu.h"
#include "secos/errno.h"

#define F_RW   0x0000000000400000ULL /* four RW pages */
#define F_RO   0x0000000000404000ULL /* one read-only page */
#define F_DZ   0x0000000000600000ULL /* demand-zero, one page touched before the fork */
#define F_DEV  0x0000300000000000ULL /* a non-owned frame, like a Driver Space window */
#define RW     (PTE_P | PTE_U | PTE_W | PTE_NX)

static uint64_t pa_of(struct address_space *as, uint64_t va) {
    uint64_t pa = 0;
    return vmm_translate(as, va, &pa, 0) == 0 ? pa : 0;
}

static uint64_t flags_of(struct address_space *as, uint64_t va) {
    uint64_t f = 0;
    return vmm_translate(as, va, 0, &f) == 0 ? f : 0;
}

static uint64_t peek(struct address_space *as, uint64_t va) {
    return *(volatile uint64_t *)phys_to_virt(pa_of(as, va));
}

/* A plain kernel store to a user address: only the #PF resolver can make a
 * COW page writable under it (CR0.WP). */
static void raw_store(uint64_t va, uint64_t v) {
    int smap = !!(read_cr4() & CR4_SMAP);
    if (smap) cpu_stac();
    *(volatile uint64_t *)va = v;
    if (smap) cpu_clac();
}

/* Leaves the user half: sum of what a space adds to the system-wide count
 * besides its leaves (PML4 + structure page + tables below the PML4). */
static uint64_t overhead(struct address_space *as) { return 1 + VMM_SPACE_FRAMES + as->table_frames - 1; }

static struct address_space *make_parent(uint64_t dev) {
    struct address_space *p = vmm_space_create();
    if (!p) return 0;
    for (int i = 0; i < 4; i++) {
        if (vmm_map_new(p, F_RW + (uint64_t)i * 4096, RW)) return p;
        *(uint64_t *)phys_to_virt(pa_of(p, F_RW + (uint64_t)i * 4096)) = 0x1000 + (uint64_t)i;
    }
    if (vmm_map_new(p, F_RO, PTE_P | PTE_U | PTE_NX)) return p;
    *(uint64_t *)phys_to_virt(pa_of(p, F_RO)) = 0x5050;
    if (vmm_add_demand_zero(p, F_DZ, F_DZ + 16 * 4096, RW)) return p;
    if (vmm_map(p, F_DEV, dev, RW)) return p;
    p->page_limit = 1000;
    return p;
}

static int fork_round(int parent_dies_first) {
    uint64_t free0 = pmm_free_frames(), user0 = vmm_user_frames_in_use();
    struct address_space *prev = vmm_current();
    uint64_t dev = pmm_alloc_zeroed();
    ST_CHECK(dev);
    struct address_space *p = make_parent(dev);
    ST_CHECK(p && p->owned_frames == 5);
    vmm_activate(p);
    ST_CHECK(vmm_handle_page_fault(F_DZ, 2)); /* the touched demand-zero page is inherited too */
    ST_CHECK(p->owned_frames == 6);
    ST_CHECK(vmm_user_frames_in_use() == user0 + overhead(p) + 6);

    struct address_space *c = vmm_space_fork(p);
    ST_CHECK(c);
    ST_CHECK(c->owned_frames == 6 && p->owned_frames == 6);
    ST_CHECK(c->page_limit == 1000 && c->regions.n == p->regions.n && c->regions.r[0].start == F_DZ);
    ST_CHECK(vmm_translate(c, F_DEV, 0, 0) == -ENOENT);           /* device memory is not inherited */
    ST_CHECK(pa_of(p, F_DEV) == dev);
    for (int i = 0; i < 4; i++) {
        uint64_t va = F_RW + (uint64_t)i * 4096;
        ST_CHECK(pa_of(c, va) == pa_of(p, va) && pmm_refcount(pa_of(p, va)) == 2);
        ST_CHECK((flags_of(p, va) & (PTE_W | PTE_COW)) == PTE_COW);
        ST_CHECK((flags_of(c, va) & (PTE_W | PTE_COW)) == PTE_COW);
        ST_CHECK(peek(c, va) == 0x1000 + (uint64_t)i);
    }
    ST_CHECK(!(flags_of(c, F_RO) & (PTE_W | PTE_COW)) && pmm_refcount(pa_of(c, F_RO)) == 2);
    /* Shared frames count once system-wide, in full in each space's own count. */
    ST_CHECK(vmm_user_frames_in_use() == user0 + overhead(p) + overhead(c) + 6);

    /* Child, copy_to_user: the range check makes the copy. */
    vmm_activate(c);
    uint64_t v = 0xc0c0, old0 = pa_of(p, F_RW);
    ST_CHECK(copy_to_user(F_RW + 8, &v, sizeof v) == 0);
    ST_CHECK(pa_of(c, F_RW) != old0 && (flags_of(c, F_RW) & (PTE_W | PTE_COW)) == PTE_W);
    ST_CHECK(peek(c, F_RW) == 0x1000 && peek(c, F_RW + 8) == 0xc0c0); /* the rest of the page came along */
    ST_CHECK(peek(p, F_RW + 8) == 0 && pmm_refcount(old0) == 1);
    ST_CHECK(vmm_user_frames_in_use() == user0 + overhead(p) + overhead(c) + 7);
    /* Child, raw ring-0 store: the #PF resolver makes the copy. */
    raw_store(F_RW + 4096, 0xc1c1);
    ST_CHECK(peek(c, F_RW + 4096) == 0xc1c1 && peek(p, F_RW + 4096) == 0x1001);
    ST_CHECK(pa_of(c, F_RW + 4096) != pa_of(p, F_RW + 4096));
    ST_CHECK(copy_to_user(F_RO, &v, sizeof v) == -EFAULT);          /* read-only stays read-only */
    ST_CHECK(c->owned_frames == 6);

    /* Parent: its page 0 is now its alone, so W comes back on the same frame. */
    vmm_activate(p);
    raw_store(F_RW, 0xa0a0);
    ST_CHECK(pa_of(p, F_RW) == old0 && (flags_of(p, F_RW) & (PTE_W | PTE_COW)) == PTE_W);
    ST_CHECK(peek(p, F_RW) == 0xa0a0 && peek(c, F_RW) == 0x1000);
    ST_CHECK(copy_to_user(F_RW + 2 * 4096, &v, sizeof v) == 0);     /* page 2: parent copies */
    ST_CHECK(peek(p, F_RW + 2 * 4096) == 0xc0c0 && peek(c, F_RW + 2 * 4096) == 0x1002);
    ST_CHECK(copy_to_user(F_RO, &v, sizeof v) == -EFAULT);
    ST_CHECK(vmm_user_frames_in_use() == user0 + overhead(p) + overhead(c) + 9);
    vmm_activate(prev);

    struct address_space *first = parent_dies_first ? p : c, *second = parent_dies_first ? c : p;
    vmm_space_destroy(first);
    ST_CHECK(vmm_user_frames_in_use() == user0 + overhead(second) + 6);
    ST_CHECK(pmm_refcount(pa_of(second, F_RW + 3 * 4096)) == 1); /* still shared page: now one owner */
    vmm_space_destroy(second);
    ST_CHECK(pmm_refcount(dev) == 1);
    pmm_free(dev);
    ST_CHECK(vmm_user_frames_in_use() == user0);
    ST_CHECK(pmm_free_frames() == free0);
    return 0;
}

SELFTEST(fork_cow_parent_first, "mm.fork_cow_parent_exits_first") { return fork_round(1); }
SELFTEST(fork_cow_child_first, "mm.fork_cow_child_exits_first") { return fork_round(0); }

/* Three spaces share a frame; the middle one writes, then they go in an
 * order that leaves the original frame with the grandchild alone. */
SELFTEST(fork_cow_chain, "mm.fork_cow_chain") {
    uint64_t free0 = pmm_free_frames(), user0 = vmm_user_frames_in_use();
    struct address_space *prev = vmm_current();
    struct address_space *a = vmm_space_create();
    ST_CHECK(a && vmm_map_new(a, F_RW, RW) == 0);
    uint64_t pa = pa_of(a, F_RW);
    struct address_space *b = vmm_space_fork(a);
    ST_CHECK(b);
    struct address_space *c = vmm_space_fork(b);
    ST_CHECK(c && pmm_refcount(pa) == 3);
    vmm_activate(b);
    raw_store(F_RW, 0xb);
    ST_CHECK(pmm_refcount(pa) == 2 && pa_of(b, F_RW) != pa);
    vmm_activate(prev);
    vmm_space_destroy(a);
    ST_CHECK(pmm_refcount(pa) == 1 && pa_of(c, F_RW) == pa);
    vmm_activate(c);
    raw_store(F_RW, 0xc); /* last sharer: no copy */
    ST_CHECK(pa_of(c, F_RW) == pa && peek(c, F_RW) == 0xc && peek(b, F_RW) == 0xb);
    vmm_activate(prev);
    vmm_space_destroy(c);
    vmm_space_destroy(b);
    ST_CHECK(vmm_user_frames_in_use() == user0 && pmm_free_frames() == free0);
    return 0;
}

/* Churn: many forks of one space, each written and destroyed. */
SELFTEST(fork_cow_churn, "mm.fork_cow_churn_no_leak") {
    uint64_t free0 = pmm_free_frames(), user0 = vmm_user_frames_in_use();
    struct address_space *prev = vmm_current();
    struct address_space *a = vmm_space_create();
    ST_CHECK(a);
    for (uint64_t i = 0; i < 8; i++) ST_CHECK(vmm_map_new(a, F_RW + i * 0x200000, RW) == 0); /* 8 page tables */
    for (int round = 0; round < 32; round++) {
        struct address_space *c = vmm_space_fork(a);
        ST_CHECK(c && c->table_frames == a->table_frames);
        vmm_activate(round & 1 ? c : a);
        raw_store(F_RW + (uint64_t)(round % 8) * 0x200000, (uint64_t)round);
        vmm_activate(prev);
        vmm_space_destroy(c);
    }
    vmm_space_destroy(a);
    ST_CHECK(vmm_user_frames_in_use() == user0 && pmm_free_frames() == free0);
    return 0;
}

/* mprotect meets COW: write permission given back to a frame still shared
 * after a fork must come as PTE_COW (a write then copies), never as W on the
 * shared frame; PROT_NONE keeps the frame but takes USER away. */
SELFTEST(fork_cow_protect, "mm.fork_cow_protect") {
    uint64_t free0 = pmm_free_frames(), user0 = vmm_user_frames_in_use();
    struct address_space *prev = vmm_current();
    struct address_space *a = vmm_space_create();
    ST_CHECK(a && vmm_map_new(a, F_RW, RW) == 0);
    uint64_t pa = pa_of(a, F_RW);
    vmm_protect_range(a, F_RW, F_RW + 4096, PTE_P | PTE_U | PTE_NX); /* read-only before the fork */
    struct address_space *c = vmm_space_fork(a);
    ST_CHECK(c && pmm_refcount(pa) == 2 && !(flags_of(c, F_RW) & (PTE_W | PTE_COW)));
    vmm_protect_range(c, F_RW, F_RW + 4096, RW);
    ST_CHECK((flags_of(c, F_RW) & (PTE_W | PTE_COW)) == PTE_COW);
    vmm_activate(c);
    raw_store(F_RW, 0x77);
    ST_CHECK(pa_of(c, F_RW) != pa && peek(a, F_RW) == 0 && peek(c, F_RW) == 0x77);
    vmm_protect_range(c, F_RW, F_RW + 4096, 0); /* PROT_NONE */
    uint64_t v = 0;
    ST_CHECK((flags_of(c, F_RW) & (PTE_P | PTE_U | PTE_W)) == PTE_P && copy_from_user(&v, F_RW, 8) == -EFAULT);
    vmm_protect_range(c, F_RW, F_RW + 4096, PTE_P | PTE_U | PTE_NX);
    ST_CHECK(copy_from_user(&v, F_RW, 8) == 0 && v == 0x77); /* the data survived PROT_NONE */
    vmm_activate(prev);
    vmm_space_destroy(c);
    vmm_space_destroy(a);
    ST_CHECK(vmm_user_frames_in_use() == user0 && pmm_free_frames() == free0);
    return 0;
}

/* The region table goes with the fork: a demand-zero region of the parent
 * faults in on the child's side too, and each side's later changes are its own. */
SELFTEST(fork_regions, "mm.fork_copies_regions") {
    uint64_t free0 = pmm_free_frames();
    struct address_space *prev = vmm_current();
    struct address_space *a = vmm_space_create();
    ST_CHECK(a && vmm_add_region(a, F_DZ, F_DZ + 8 * 4096, RW, REGION_HEAP) == 0);
    struct address_space *c = vmm_space_fork(a);
    ST_CHECK(c && c->regions.n == 1 && c->regions.r[0].kind == REGION_HEAP);
    ST_CHECK(vmm_region_remove(a, F_DZ + 4096, F_DZ + 2 * 4096) == 0 && a->regions.n == 2 && c->regions.n == 1);
    vmm_activate(c);
    uint64_t v = 5;
    ST_CHECK(copy_to_user(F_DZ + 4096, &v, 8) == 0); /* still a region in the child */
    vmm_activate(a);
    ST_CHECK(copy_to_user(F_DZ + 4096, &v, 8) == -EFAULT); /* the parent's hole */
    vmm_activate(prev);
    vmm_space_destroy(a);
    vmm_space_destroy(c);
    ST_CHECK(pmm_free_frames() == free0);
    return 0;
}
