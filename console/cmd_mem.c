/* Memory shell commands: mem, memtest, memstress, vmmap, wxcheck. */
#include "console/shell.h"
#include "lib/console_out.h"
#include "mm/pmm.h"
#include "mm/vmm.h"
#include "mm/kheap.h"
#include "mm/physmap.h"
#include "kernel/user_budget.h"
#include "arch/x86_64/cpu.h"
#include "lib/string.h"

static int cmd_mem(int argc, char **argv) {
    (void)argc; (void)argv;
    struct pmm_stats p;
    struct heap_stats h;
    pmm_get_stats(&p);
    kheap_stats(&h);
    uint64_t used = p.managed_frames - p.free_frames;
    kprintf("phys total:    %lu KiB (RAM reported by the firmware)\n", p.ram_bytes >> 10);
    kprintf("phys managed:  %lu frames (%lu KiB)\n", p.managed_frames, p.managed_frames * 4);
    kprintf("phys free:     %lu frames (%lu KiB)\n", p.free_frames, p.free_frames * 4);
    kprintf("phys used:     %lu frames (%lu KiB)\n", used, used * 4);
    kprintf("phys reserved: %lu frames (low 1 MiB, kernel image, modules, bitmaps)\n", p.reserved_frames);
    kprintf("heap size:     %zu KiB at %#lx\n", h.heap_size >> 10, (unsigned long)kheap_base_addr());
    kprintf("heap in use:   %zu bytes in %zu blocks\n", h.bytes_in_use, h.blocks_in_use);
    kprintf("heap free:     %zu bytes in %zu blocks\n", h.free_bytes, h.free_blocks);
    kprintf("heap calls:    %zu allocs, %zu frees, %zu grows\n", h.allocs, h.frees, h.grows);
    uint64_t backed, peak;
    kheap_backing(&backed, &peak);
    kprintf("heap backed:   %lu KiB in frames (free runs of 16 KiB or more go back to the PMM)\n", backed * 4);
    kprintf("heap peak:     %lu KiB in frames at most since boot\n", peak * 4);
    kprintf("user frames:   %lu in use, cap %lu (all processes together)\n", user_budget_in_use(), user_budget_cap());
    kprintf("user reserve:  %lu frames the kernel and the console keep\n", user_budget_reserve());
    return 0;
}
SHELL_COMMAND(mem, "mem", "mem", "physical memory and kernel heap statistics", cmd_mem);

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rng_next(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static uint8_t pattern_byte(const void *p, size_t i) { return (uint8_t)(((uintptr_t)p >> 4) + i * 31); }

static void fill(void *p, size_t n) {
    for (size_t i = 0; i < n; i++) ((uint8_t *)p)[i] = pattern_byte(p, i);
}

static int verify(const void *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (((const uint8_t *)p)[i] != pattern_byte(p, i)) return -1;
    return 0;
}

static int memtest_run(void) {
    enum { FRAMES = 64 };
    uint64_t frames[FRAMES];
    uint64_t free0 = pmm_free_frames();
    for (int i = 0; i < FRAMES; i++) {
        frames[i] = pmm_alloc();
        if (!frames[i]) { kprintf("memtest: frame allocation %d failed\n", i); return -1; }
        for (int j = 0; j < i; j++)
            if (frames[j] == frames[i]) { kprintf("memtest: frame %#lx handed out twice\n", frames[i]); return -1; }
        fill(phys_to_virt(frames[i]), 4096);
    }
    for (int i = 0; i < FRAMES; i++) {
        if (verify(phys_to_virt(frames[i]), 4096)) { kprintf("memtest: frame %#lx corrupted\n", frames[i]); return -1; }
        pmm_free(frames[i]);
    }
    uint64_t run = pmm_alloc_contig(16, 16, 0);
    if (!run || (run & 0xffff)) { kprintf("memtest: contiguous allocation failed\n"); return -1; }
    pmm_free_contig(run, 16);
    if (pmm_free_frames() != free0) { kprintf("memtest: frame count changed\n"); return -1; }

    struct heap_stats h0, h1;
    kheap_stats(&h0);
    static const size_t sizes[] = { 1, 16, 17, 100, 4096, 5000, 65536 };
    void *blocks[7];
    for (int i = 0; i < 7; i++) {
        blocks[i] = kmalloc(sizes[i]);
        if (!blocks[i] || ((uintptr_t)blocks[i] & 15)) { kprintf("memtest: kmalloc(%zu) failed\n", sizes[i]); return -1; }
        fill(blocks[i], sizes[i]);
    }
    void *aligned = kmalloc_aligned(100, 4096);
    if (!aligned || ((uintptr_t)aligned & 4095)) { kprintf("memtest: aligned allocation failed\n"); return -1; }
    for (int i = 0; i < 7; i++) {
        if (verify(blocks[i], sizes[i])) { kprintf("memtest: block of %zu bytes corrupted\n", sizes[i]); return -1; }
        kfree(blocks[i]);
    }
    kfree(aligned);
    kheap_stats(&h1);
    if (h1.bytes_in_use != h0.bytes_in_use || h1.blocks_in_use != h0.blocks_in_use) {
        kprintf("memtest: heap usage changed\n");
        return -1;
    }
    return kheap_check();
}

static int cmd_memtest(int argc, char **argv) {
    (void)argc; (void)argv;
    int r = memtest_run();
    kprintf("memtest: %s\n", r == 0 ? "PASS" : "FAIL");
    return r;
}
SHELL_COMMAND(memtest, "memtest", "memtest", "allocate, pattern-check and free frames and heap blocks (PASS/FAIL)", cmd_memtest);

#define STRESS_SLOTS 64

static int cmd_memstress(int argc, char **argv) {
    unsigned long long rounds = 2000;
    if (argc > 2 || (argc == 2 && (parse_u64(argv[1], &rounds) || rounds < 1 || rounds > 1000000))) {
        kprintf("usage: memstress [rounds 1..1000000]\n");
        return -1;
    }
    static void *ptr[STRESS_SLOTS];
    static size_t len[STRESS_SLOTS];
    struct heap_stats h0, h1;
    kheap_stats(&h0);
    uint64_t free0 = pmm_free_frames(), backed0, backed1, peak;
    kheap_backing(&backed0, &peak);
    int bad = 0;
    for (unsigned long long r = 0; r < rounds && !bad; r++) {
        int s = (int)(rng_next() % STRESS_SLOTS);
        if (ptr[s]) {
            if (verify(ptr[s], len[s])) { kprintf("memstress: block %p corrupted\n", ptr[s]); bad = 1; }
            kfree(ptr[s]);
            ptr[s] = 0;
        } else {
            uint64_t x = rng_next();
            len[s] = (x & 3) == 0 ? 1 + x % 16384 : 1 + x % 512;
            ptr[s] = (x & 64) ? kmalloc_aligned(len[s], 64) : kmalloc(len[s]);
            if (!ptr[s]) { kprintf("memstress: allocation of %zu bytes failed\n", len[s]); bad = 1; break; }
            fill(ptr[s], len[s]);
        }
    }
    for (int s = 0; s < STRESS_SLOTS; s++) {
        if (!ptr[s]) continue;
        if (verify(ptr[s], len[s])) { kprintf("memstress: block %p corrupted\n", ptr[s]); bad = 1; }
        kfree(ptr[s]);
        ptr[s] = 0;
    }
    kheap_stats(&h1);
    uint64_t free1 = pmm_free_frames();
    kheap_backing(&backed1, &peak);
    /* Frames the heap holds now and did not before (free runs went back, so
     * this may be negative); every other frame must be back. */
    int64_t grown = (int64_t)(backed1 - backed0);
    int leak = h1.bytes_in_use != h0.bytes_in_use || h1.blocks_in_use != h0.blocks_in_use ||
               (int64_t)(free0 - free1) != grown;
    kprintf("memstress: %llu rounds; heap in use %zu -> %zu bytes, blocks %zu -> %zu; "
            "free frames %lu -> %lu (heap grew by %ld pages)\n",
            rounds, h0.bytes_in_use, h1.bytes_in_use, h0.blocks_in_use, h1.blocks_in_use, free0, free1, grown);
    if (kheap_check()) bad = 1;
    kprintf("memstress: %s\n", bad ? "FAIL (corruption)" : leak ? "FAIL (leak)" : "PASS");
    return bad || leak ? -1 : 0;
}
SHELL_COMMAND(memstress, "memstress", "memstress [n]", "random-size heap stress with pattern checks and a leak check", cmd_memstress);

/* vmmap: runs of kernel-half mappings with identical permissions. */
struct vm_run { uint64_t start, end, pa_start, flags, page; int open; };

static const char *region_name(uint64_t va) {
    if (va >= 0xffffffff80000000ULL) return "kernel image";
    if (va >= KSTACK_REGION) return "kernel stacks";
    if (va >= KTEST_BASE && va < KTEST_BASE + KTEST_SIZE) return "test scratch";
    if (va >= KHEAP_BASE && va < KHEAP_LIMIT) return "kernel heap";
    if (va >= physmap_offset && va < KHEAP_BASE) return "physmap";
    return "";
}

static void run_flush(struct vm_run *r) {
    if (!r->open) return;
    uint64_t f = r->flags;
    kprintf("%016lx-%016lx %8lu KiB %c%c%c %s %s %s\n", r->start, r->end, (r->end - r->start) >> 10, 'r',
            (f & PTE_W) ? 'w' : '-', (f & PTE_NX) ? '-' : 'x', (f & PTE_U) ? "user  " : "kernel",
            r->page == 4096 ? "4K" : r->page == (2ULL << 20) ? "2M" : "1G", region_name(r->start));
    r->open = 0;
}

static void run_add(struct vm_run *r, uint64_t va, uint64_t pa, uint64_t size, uint64_t flags) {
    flags &= PTE_W | PTE_NX | PTE_U;
    if (r->open && r->end == va && r->flags == flags && r->page == size) {
        r->end += size;
        return;
    }
    run_flush(r);
    *r = (struct vm_run){ va, va + size, pa, flags, size, 1 };
}

static void walk_vm(const uint64_t *t, int level, uint64_t base, struct vm_run *r) {
    for (int i = 0; i < 512; i++) {
        uint64_t e = t[i];
        uint64_t va = base + ((uint64_t)i << (12 + 9 * (level - 1)));
        if (level == 4) {
            if (i < 256) continue;
            va |= 0xffff000000000000ULL;
        }
        if (!(e & PTE_P)) { run_flush(r); continue; }
        if (level == 1 || (level <= 3 && (e & PTE_PS))) {
            run_add(r, va, e & PTE_ADDR_MASK, 1ULL << (12 + 9 * (level - 1)), e);
            continue;
        }
        walk_vm(phys_to_virt(e & PTE_ADDR_MASK), level - 1, va, r);
    }
}

static int cmd_vmmap(int argc, char **argv) {
    (void)argc; (void)argv;
    struct vm_run r = {0};
    kprintf("start            end              size         perm owner  page region\n");
    walk_vm(kernel_space.pml4, 4, 0, &r);
    run_flush(&r);
    return 0;
}
SHELL_COMMAND(vmmap, "vmmap", "vmmap", "the kernel's mappings with their permissions", cmd_vmmap);

static int cmd_wxcheck(int argc, char **argv) {
    (void)argc; (void)argv;
    struct paging_audit a;
    paging_audit(&a);
    kprintf("wxcheck: %lu leaf mappings (4K %lu, 2M %lu, 1G %lu)\n", a.pages_4k + a.pages_2m + a.pages_1g,
            a.pages_4k, a.pages_2m, a.pages_1g);
    kprintf("wxcheck: W+X pages: %lu\n", a.wx_pages);
    kprintf("wxcheck: USER pages in kernel half: %lu\n", a.user_kernel_half);
    kprintf("wxcheck: lower-half PML4 entries in the kernel space: %lu\n", a.lower_half_entries);
    uint64_t ro_pages, ro_writable;
    paging_ro_after_init_state(&ro_pages, &ro_writable);
    kprintf("wxcheck: ro-after-init pages (IDT, GDT, driver registry): %lu, still writable: %lu\n", ro_pages, ro_writable);
    int ok = a.wx_pages == 0 && a.user_kernel_half == 0 && ro_writable == 0;
    kprintf("wxcheck: %s\n", ok ? "PASS" : "FAIL");
    return ok ? 0 : -1;
}
SHELL_COMMAND(wxcheck, "wxcheck", "wxcheck", "audit every present page: W+X pages and USER pages in the kernel half (both must be 0)", cmd_wxcheck);
