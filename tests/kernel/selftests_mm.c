/* Memory selftests: every rule of the VMM is tried against the real tables. */
#include "kernel/selftest.h"
#include "lib/console_out.h"
#include "mm/pmm.h"
#include "mm/vmm.h"
#include "mm/kheap.h"
#include "mm/kstack.h"
#include "mm/physmap.h"
#include "secos/errno.h"

#define SCRATCH (KTEST_BASE + 0x100000)

SELFTEST(vmm_map_translate, "mm.map_unmap_translate") {
    uint64_t free0 = pmm_free_frames();
    uint64_t pa = pmm_alloc_zeroed(), got = 0, flags = 0;
    ST_CHECK(pa);
    ST_CHECK(vmm_map(&kernel_space, SCRATCH, pa, PTE_P | PTE_W | PTE_NX) == 0);
    ST_CHECK(vmm_translate(&kernel_space, SCRATCH + 0x123, &got, &flags) == 0);
    ST_CHECK(got == pa + 0x123 && (flags & PTE_W) && (flags & PTE_NX) && !(flags & PTE_U));
    *(volatile uint64_t *)SCRATCH = 0x5ec05ec0;
    ST_CHECK(*(volatile uint64_t *)phys_to_virt(pa) == 0x5ec05ec0); /* same frame via the physmap */
    ST_CHECK(vmm_map(&kernel_space, SCRATCH, pa, PTE_P | PTE_NX) == -EEXIST);
    ST_CHECK(vmm_unmap(&kernel_space, SCRATCH, &got) == 0 && got == pa);
    ST_CHECK(vmm_translate(&kernel_space, SCRATCH, 0, 0) == -ENOENT);
    ST_CHECK(vmm_unmap(&kernel_space, SCRATCH, 0) == -ENOENT);
    pmm_free(pa);
    /* Page tables created for SCRATCH stay; they are counted once. */
    ST_CHECK(pmm_free_frames() <= free0);
    return 0;
}

SELFTEST(vmm_rules, "mm.mapping_rules") {
    uint64_t pa = pmm_alloc();
    ST_CHECK(pa);
    ST_CHECK(vmm_map(&kernel_space, SCRATCH, pa, PTE_P | PTE_W) == -EPERM);            /* W+X */
    ST_CHECK(vmm_map(&kernel_space, SCRATCH, pa, PTE_P | PTE_U | PTE_NX) == -EPERM);    /* USER in kernel half */
    ST_CHECK(vmm_map(&kernel_space, 0x400000, pa, PTE_P | PTE_NX) == -EPERM);          /* kernel page in user half */
    ST_CHECK(vmm_map(&kernel_space, 0x0000900000000000ULL, pa, PTE_P | PTE_U) == -EINVAL); /* non-canonical */
    ST_CHECK(vmm_map(&kernel_space, SCRATCH + 1, pa, PTE_P) == -EINVAL);                /* unaligned */
    ST_CHECK(vmm_translate(&kernel_space, SCRATCH, 0, 0) == -ENOENT);
    pmm_free(pa);
    return 0;
}

SELFTEST(vmm_demand_zero, "mm.demand_zero") {
    uint64_t start = KTEST_BASE + 0x200000, end = start + 4 * 4096;
    uint64_t free0 = pmm_free_frames();
    ST_CHECK(vmm_add_demand_zero(&kernel_space, start, end, PTE_P | PTE_W | PTE_NX) == 0);
    volatile uint64_t *p = (volatile uint64_t *)(start + 4096 + 8);
    ST_CHECK(*p == 0);             /* first touch: a zeroed frame appears */
    *p = 42;
    ST_CHECK(*p == 42);
    ST_CHECK(vmm_translate(&kernel_space, start, 0, 0) == -ENOENT); /* untouched pages stay absent */
    ST_CHECK(vmm_unmap(&kernel_space, start + 4096, 0) == 0);       /* owned: frame goes back */
    vmm_remove_demand_zero(&kernel_space, start);
    ST_CHECK(pmm_free_frames() <= free0);
    return 0;
}

SELFTEST(vmm_space_lifecycle, "mm.space_create_destroy_no_leak") {
    /* Warm-up creates nothing shared; every frame must come back. */
    uint64_t free0 = pmm_free_frames(), user0 = vmm_user_frames_in_use();
    for (int round = 0; round < 3; round++) {
        struct address_space *as = vmm_space_create();
        ST_CHECK(as);
        ST_CHECK(vmm_user_frames_in_use() == user0 + 1 + VMM_SPACE_FRAMES); /* PML4 and the structure's pages */
        ST_CHECK(as->pml4[511] == kernel_space.pml4[511]); /* kernel half shared */
        for (uint64_t va = 0x400000; va < 0x400000 + 8 * 4096; va += 4096)
            ST_CHECK(vmm_map_new(as, va, PTE_P | PTE_U | PTE_W | PTE_NX) == 0);
        ST_CHECK(vmm_map_new(as, 0x00007fffffffe000ULL, PTE_P | PTE_U | PTE_W | PTE_NX) == 0);
        ST_CHECK(vmm_map_new(as, 0x00007fffffffe000ULL, PTE_P | PTE_U | PTE_NX) == -EEXIST);
        ST_CHECK(as->owned_frames == 9);
        /* The system-wide count follows every leaf and table of the space. */
        ST_CHECK(vmm_user_frames_in_use() == user0 + VMM_SPACE_FRAMES + as->owned_frames + as->table_frames);
        vmm_space_destroy(as);
        ST_CHECK(vmm_user_frames_in_use() == user0);
    }
    ST_CHECK(pmm_free_frames() == free0);
    return 0;
}

SELFTEST(kstack_guards, "mm.kstack_guard_pages") {
    struct kstack ks;
    ST_CHECK(kstack_alloc(8192, &ks) == 0);
    ST_CHECK(vmm_translate(&kernel_space, ks.bottom, 0, 0) == 0);
    ST_CHECK(vmm_translate(&kernel_space, ks.bottom - 4096, 0, 0) == -ENOENT);
    ST_CHECK(vmm_translate(&kernel_space, ks.top, 0, 0) == -ENOENT);
    ST_CHECK(kstack_guard_hit(ks.bottom - 8) == ks.slot);
    ST_CHECK(kstack_guard_hit(ks.top) == ks.slot);
    ST_CHECK(kstack_guard_hit(ks.bottom) == -1);
    kstack_free(&ks);
    ST_CHECK(kstack_guard_hit(ks.bottom - 8) == -1);
    return 0;
}

SELFTEST(kheap_basic, "mm.kheap_alloc_free") {
    struct heap_stats h0, h1;
    kheap_stats(&h0);
    char *a = kmalloc(100), *b = kmalloc_aligned(300, 4096), *c = kcalloc(10, 10);
    ST_CHECK(a && b && c && ((uintptr_t)b & 4095) == 0);
    for (int i = 0; i < 100; i++) ST_CHECK(c[i] == 0);
    a = krealloc(a, 5000);
    ST_CHECK(a);
    kfree(a); kfree(b); kfree(c);
    kheap_stats(&h1);
    ST_CHECK(h1.bytes_in_use == h0.bytes_in_use && h1.blocks_in_use == h0.blocks_in_use);
    ST_CHECK(kheap_check() == 0);
    return 0;
}

SELFTEST(stack_region, "mm.running_on_guarded_stack") {
    uint64_t rsp;
    __asm__ volatile("mov %%rsp, %0" : "=r"(rsp));
    ST_CHECK(rsp >= kstack_main.bottom && rsp < kstack_main.top);
    return 0;
}

/* The page budget counts page-table frames: touching pages 2 MiB apart
 * needs a new page table each time, and those frames are the process's too. */
SELFTEST(vmm_budget_counts_tables, "mm.page_budget_counts_page_tables") {
    uint64_t free0 = pmm_free_frames();
    struct address_space *as = vmm_space_create();
    ST_CHECK(as);
    uint64_t base = 0x0000200000000000ULL, end = base + (64ULL << 21);
    ST_CHECK(vmm_add_demand_zero(as, base, end, PTE_P | PTE_U | PTE_W | PTE_NX) == 0);
    as->page_limit = 20;
    struct address_space *prev = vmm_current();
    vmm_activate(as);
    int faulted = 0;
    for (uint64_t va = base; va < end; va += 2ULL << 20)
        if (vmm_handle_page_fault(va, 2)) faulted++;
    vmm_activate(prev);
    ST_CHECK(as->limit_hit);
    ST_CHECK(as->owned_frames + as->table_frames <= as->page_limit);
    ST_CHECK(faulted > 0 && faulted < 20);
    vmm_space_destroy(as);
    ST_CHECK(pmm_free_frames() == free0);
    return 0;
}
