/* Building the kernel's page tables. The physical allocator does not exist
 * yet, so page-table pages come first from a fixed pool inside .bss (reached
 * through the image mapping before and after the switch) and, when the
 * machine has more RAM than that pool can map, from an area of usable RAM
 * below 4 GiB sized from the memory map (reached through the loader's
 * identity map before the switch, the physmap after it; pmm_init keeps it
 * reserved). The physmap uses 1 GiB pages where the CPU has them. */
#include "mm/paging.h"
#include "mm/physmap.h"
#include "boot/boot_info.h"
#include "arch/x86_64/panic.h"
#include "arch/x86_64/cpu.h"
#include "lib/string.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/idt.h"
#include "arch/x86_64/entropy.h"
#include "mm/vmm.h"

extern char __ro_after_init_start[], __ro_after_init_end[];
extern char __kernel_start[], __text_start[], __text_end[], __rodata_start[], __rodata_end[],
    __data_start[], __kernel_end[];

uint64_t physmap_offset;

/* Where the physmap starts: PHYSMAP_BASE plus a random number of GiB
 * (chosen in paging_init), so the kernel half does not show physical memory
 * at the same place on every boot. It ends below the heap's PML4 slot. */
static uint64_t pm_base = PHYSMAP_BASE;
uint64_t kernel_phys_base;

#define POOL_PAGES 96
static uint64_t pool[POOL_PAGES][512] __attribute__((aligned(4096)));
static int pool_used;
static uint64_t *kernel_pml4;

/* Where the image runs: its link address plus the loader's KASLR slide.
 * Taking __kernel_start's address gives the run-time value either way
 * (the loader patched every absolute reference, uefi/elf_reloc.h). */
static uint64_t kernel_virt_base(void) { return (uint64_t)__kernel_start; }

uint64_t kernel_virt_to_phys(const void *va) {
    return (uint64_t)va - kernel_virt_base() + kernel_phys_base;
}

static int in_kernel_image(uint64_t pa) {
    uint64_t size = (uint64_t)__kernel_end - (uint64_t)__kernel_start;
    return pa >= kernel_phys_base && pa < kernel_phys_base + size;
}

/* Tables may live in the image (pool) or, later, anywhere in RAM. */
static uint64_t *table_virt(uint64_t entry) {
    uint64_t pa = entry & PTE_ADDR_MASK;
    if (in_kernel_image(pa)) return (uint64_t *)(pa - kernel_phys_base + kernel_virt_base());
    return phys_to_virt(pa);
}

/* Table pages past the pool: [area_pa, area_pa + area_pages pages), of which
 * area_used are taken. */
static uint64_t area_pa, area_pages, area_used;

#define GIB (1ULL << 30)

/* An upper bound on the table pages the physmap above 4 GiB (and the
 * framebuffer) needs: per region its PDPTs, and its PDs (one per GiB with
 * 2 MiB pages; only the two unaligned ends with 1 GiB pages). */
static uint64_t region_tables(uint64_t base, uint64_t len) {
    if (len == 0 || base + len < base) return 0;
    uint64_t gib = len / GIB + 2;
    return (len >> 39) + 2 + (cpu_info.pdpe1gb ? 2 : gib);
}

static uint64_t high_tables_needed(void) {
    uint64_t n = 0;
    for (uint32_t i = 0; i < boot_info.mmap_count; i++) {
        const struct secos_mmap_entry *m = &boot_info.mmap[i];
        if (m->type != SECOS_MEM_RESERVED && m->base + m->length > (4ULL << 30))
            n += region_tables(m->base, m->length);
    }
    if (boot_info.fb.type == SECOS_FB_RGB) n += region_tables(boot_info.fb.addr, (uint64_t)boot_info.fb.pitch * boot_info.fb.height);
    return n;
}

static int overlaps(uint64_t s, uint64_t e, uint64_t s2, uint64_t e2) { return s < e2 && e > s2; }

/* Usable RAM below 4 GiB (the loader's identity map covers it) clear of the
 * low 1 MiB, the kernel image, the boot modules and the framebuffer. */
static int area_free(uint64_t s, uint64_t e) {
    uint64_t ks = kernel_phys_base, ke = ks + (uint64_t)(__kernel_end - __kernel_start);
    if (s < 0x100000 || e > (4ULL << 30) || overlaps(s, e, ks, ke)) return 0;
    for (uint32_t i = 0; i < boot_info.module_count; i++)
        if (overlaps(s, e, boot_info.modules[i].start, boot_info.modules[i].end)) return 0;
    if (boot_info.fb.type == SECOS_FB_RGB &&
        overlaps(s, e, boot_info.fb.addr, boot_info.fb.addr + (uint64_t)boot_info.fb.pitch * boot_info.fb.height))
        return 0;
    return 1;
}

static void place_area(uint64_t pages) {
    uint64_t bytes = pages * PAGE_SIZE;
    for (uint32_t i = 0; i < boot_info.mmap_count; i++) {
        const struct secos_mmap_entry *m = &boot_info.mmap[i];
        if (m->type != SECOS_MEM_USABLE) continue;
        uint64_t start = (m->base + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1), end = (m->base + m->length) & ~(PAGE_SIZE - 1);
        for (uint64_t a = start; a + bytes <= end && a + bytes > a; a += 0x10000) {
            if (area_free(a, a + bytes)) {
                area_pa = a;
                area_pages = pages;
                return;
            }
        }
    }
    panic("paging: no room below 4 GiB for %lu page-table pages (the physmap of this machine's RAM)", pages);
}

static uint64_t *alloc_table(void) {
    uint64_t *t;
    if (pool_used < POOL_PAGES) {
        t = pool[pool_used++];
    } else {
        if (!area_pages) place_area(high_tables_needed() + 8);
        if (area_used >= area_pages)
            panic("paging: page-table area exhausted (%lu pages beyond the %d-page pool)", area_pages, POOL_PAGES);
        t = phys_to_virt(area_pa + area_used++ * PAGE_SIZE);
    }
    memset(t, 0, PAGE_SIZE);
    return t;
}

void paging_boot_tables_area(uint64_t *pa, uint64_t *bytes) {
    *pa = area_pa;
    *bytes = area_used * PAGE_SIZE;
}

/* Physical address of a table page from either source. */
static uint64_t table_phys(const uint64_t *t) {
    uint64_t va = (uint64_t)t;
    if (va >= (uint64_t)pool && va < (uint64_t)pool + sizeof pool) return kernel_virt_to_phys(t);
    return physmap_virt_to_phys(t);
}

/* Returns the entry for va at the given level (3 = PDPT, 2 = PD, 1 = PT),
 * creating intermediate tables as needed. Intermediate entries are as
 * permissive as the leaf rules allow (the leaf decides W/NX/U). */
static uint64_t *walk_create(uint64_t *pml4, uint64_t va, int level) {
    uint64_t *table = pml4;
    for (int l = 4; l > level; l--) {
        uint64_t *e = &table[(va >> (12 + 9 * (l - 1))) & 511];
        if (!(*e & PTE_P)) {
            uint64_t *next = alloc_table();
            *e = table_phys(next) | PTE_P | PTE_W;
        } else if (*e & PTE_PS) {
            panic("paging: %#lx already covered by a large page", va);
        }
        table = table_virt(*e);
    }
    return &table[(va >> (12 + 9 * (level - 1))) & 511];
}

static void map_range(uint64_t va, uint64_t pa, uint64_t len, uint64_t flags) {
    uint64_t end = va + len;
    while (va < end) {
        uint64_t left = end - va;
        if (cpu_info.pdpe1gb && !(va & 0x3fffffff) && !(pa & 0x3fffffff) && left >= (1ULL << 30)) {
            *walk_create(kernel_pml4, va, 3) = pa | flags | PTE_PS;
            va += 1ULL << 30; pa += 1ULL << 30;
        } else if (!(va & 0x1fffff) && !(pa & 0x1fffff) && left >= (2ULL << 20)) {
            *walk_create(kernel_pml4, va, 2) = pa | flags | PTE_PS;
            va += 2ULL << 20; pa += 2ULL << 20;
        } else {
            *walk_create(kernel_pml4, va, 1) = pa | flags;
            va += PAGE_SIZE; pa += PAGE_SIZE;
        }
    }
}

static int physmap_mapped(uint64_t pa) {
    uint64_t *e = &kernel_pml4[((pm_base + pa) >> 39) & 511];
    for (int l = 4; l >= 1; l--) {
        if (!(*e & PTE_P)) return 0;
        if (l == 1 || (*e & PTE_PS)) return 1;
        uint64_t *t = table_virt(*e);
        e = &t[((pm_base + pa) >> (12 + 9 * (l - 2))) & 511];
    }
    return 0;
}

/* 1 if the PDPT entry covering physmap address pa is present (a 1 GiB page
 * or a page directory already there). */
static int physmap_gib_used(uint64_t pa) {
    uint64_t va = pm_base + pa;
    uint64_t e = kernel_pml4[(va >> 39) & 511];
    if (!(e & PTE_P)) return 0;
    return !!(table_virt(e)[(va >> 30) & 511] & PTE_P);
}

/* Maps [pa, pa+len) into the physmap, skipping what is there: whole free
 * GiBs as 1 GiB pages when the CPU has them, the rest in 2 MiB steps. */
static void physmap_add(uint64_t pa, uint64_t len, uint64_t flags) {
    uint64_t start = pa & ~0x1fffffULL, end = (pa + len + 0x1fffff) & ~0x1fffffULL;
    for (uint64_t p = start; p < end;) {
        if (cpu_info.pdpe1gb && !(p & (GIB - 1)) && end - p >= GIB && !physmap_gib_used(p)) {
            map_range(pm_base + p, p, GIB, flags);
            p += GIB;
            continue;
        }
        if (!physmap_mapped(p)) map_range(pm_base + p, p, 2ULL << 20, flags);
        p += 2ULL << 20;
    }
}

static void map_kernel_section(const char *start, const char *end, uint64_t flags) {
    uint64_t s = (uint64_t)start & ~(PAGE_SIZE - 1);
    uint64_t e = ((uint64_t)end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    for (uint64_t va = s; va < e; va += PAGE_SIZE)
        *walk_create(kernel_pml4, va, 1) = kernel_virt_to_phys((void *)va) | flags;
}

/* Maps the pages holding [obj, obj + len) read-only at va (and on): the
 * alias of obj. */
static uint64_t alias_map(uint64_t va, const void *obj, uint64_t len, uint64_t g) {
    uint64_t s = (uint64_t)obj & ~(PAGE_SIZE - 1), e = ((uint64_t)obj + len + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    for (uint64_t p = s; p < e; p += PAGE_SIZE)
        *walk_create(kernel_pml4, va + (p - s), 1) = kernel_virt_to_phys((void *)p) | PTE_P | PTE_NX | g;
    return va + ((uint64_t)obj - s);
}

/* SGDT and SIDT are allowed in ring 3 on a CPU without UMIP: GDTR and IDTR
 * point at fixed read-only aliases of the tables, so they never tell the
 * kernel image's KASLR slide (the tables themselves live in the image). The
 * tables are never written through the alias (their Accessed and busy bits
 * are set before, gdt_init). */
static void alias_descriptor_tables(uint64_t g) {
    const void *base;
    uint64_t size;
    gdt_table(&base, &size);
    gdt_load_alias(alias_map(KDESC_ALIAS, base, size, g));
    idt_table(&base, &size);
    idt_load_alias(alias_map(KDESC_ALIAS + 4 * PAGE_SIZE, base, size, g));
}

/* The highest physical address the physmap must reach. */
static uint64_t physmap_span(void) {
    uint64_t end = 4ULL << 30;
    for (uint32_t i = 0; i < boot_info.mmap_count; i++) {
        const struct secos_mmap_entry *m = &boot_info.mmap[i];
        if (m->type != SECOS_MEM_RESERVED && m->base + m->length > end) end = m->base + m->length;
    }
    uint64_t fb = boot_info.fb.type == SECOS_FB_RGB ? boot_info.fb.addr + (uint64_t)boot_info.fb.pitch * boot_info.fb.height : 0;
    return fb > end ? fb : end;
}

/* PHYSMAP_BASE + k GiB for a random k that keeps the whole physmap below
 * KHEAP_BASE (PML4[256..287], 16 TiB): 14 bits on a machine of a few GiB. */
static uint64_t physmap_random_base(void) {
    uint64_t span = (physmap_span() + GIB - 1) & ~(GIB - 1), room = KHEAP_BASE - PHYSMAP_BASE;
    if (span >= room) return PHYSMAP_BASE;
    return PHYSMAP_BASE + entropy_u64() % ((room - span) / GIB + 1) * GIB;
}

uint64_t paging_physmap_base(void) { return pm_base; }

void paging_init(void) {
    uint64_t g = cpu_info.pge ? PTE_G : 0;
    uint64_t data = PTE_P | PTE_W | PTE_NX | g;
    kernel_pml4 = alloc_table();
    pm_base = physmap_random_base();

    /* Low 4 GiB (RAM, legacy VGA, LAPIC/IOAPIC, PCI holes), then any RAM and
     * the framebuffer above it. */
    map_range(pm_base, 0, 4ULL << 30, data);
    for (uint32_t i = 0; i < boot_info.mmap_count; i++) {
        const struct secos_mmap_entry *m = &boot_info.mmap[i];
        if (m->type != SECOS_MEM_RESERVED && m->base + m->length > (4ULL << 30))
            physmap_add(m->base, m->length, data);
    }
    if (boot_info.fb.type == SECOS_FB_RGB)
        physmap_add(boot_info.fb.addr, (uint64_t)boot_info.fb.pitch * boot_info.fb.height, data);

    map_kernel_section(__kernel_start, __text_start, PTE_P | PTE_NX | g);     /* boot headers */
    map_kernel_section(__text_start, __text_end, PTE_P | g);                  /* R-X */
    map_kernel_section(__rodata_start, __rodata_end, PTE_P | PTE_NX | g);     /* R-- */
    map_kernel_section(__data_start, __kernel_end, PTE_P | PTE_W | PTE_NX | g); /* RW- */

    if (cpu_info.pge) write_cr4(read_cr4() | CR4_PGE);
    write_cr3(table_phys(kernel_pml4));
    physmap_offset = pm_base;
    alias_descriptor_tables(g);
}

uint64_t paging_kernel_pml4_phys(void) { return kernel_virt_to_phys(kernel_pml4); }

static void audit_table(const uint64_t *t, int level, uint64_t va_base, int inherited_nx,
                        int inherited_w, struct paging_audit *a) {
    for (int i = 0; i < 512; i++) {
        uint64_t e = t[i];
        if (!(e & PTE_P)) continue;
        uint64_t va = va_base + ((uint64_t)i << (12 + 9 * (level - 1)));
        if (level == 4 && i >= 256) va |= 0xffff000000000000ULL;
        if (level == 4 && i < 256) a->lower_half_entries++;
        int nx = inherited_nx || (e & PTE_NX);
        int w = inherited_w && (e & PTE_W);
        if (level == 1 || (level < 4 && (e & PTE_PS))) {
            uint64_t n = level == 1 ? 1 : level == 2 ? 512 : 512 * 512;
            if (level == 1) a->pages_4k++;
            else if (level == 2) a->pages_2m++;
            else a->pages_1g++;
            if (w && !nx) a->wx_pages += n;
            if ((e & PTE_U) && va >= 0xffff800000000000ULL) a->user_kernel_half += n;
            continue;
        }
        audit_table(table_virt(e), level - 1, va, nx, w, a);
    }
}

void paging_audit(struct paging_audit *out) {
    memset(out, 0, sizeof *out);
    audit_table(table_virt(read_cr3()), 4, 0, 0, 1, out);
}

/* The PTE of a 4 KiB kernel-image page (the image is always mapped that way). */
static uint64_t *kernel_image_pte(uint64_t va) {
    uint64_t *t = kernel_pml4;
    for (int l = 4; l > 1; l--) {
        uint64_t e = t[(va >> (12 + 9 * (l - 1))) & 511];
        if (!(e & PTE_P) || (e & PTE_PS)) return 0;
        t = table_virt(e);
    }
    return &t[(va >> 12) & 511];
}

uint64_t paging_seal_ro_after_init(void) {
    uint64_t n = 0;
    for (uint64_t va = (uint64_t)__ro_after_init_start; va < (uint64_t)__ro_after_init_end; va += PAGE_SIZE) {
        uint64_t *pte = kernel_image_pte(va);
        if (!pte) panic("paging: ro_after_init page %#lx is not mapped with 4 KiB pages", va);
        *pte &= ~PTE_W;
        invlpg(va);
        n++;
    }
    return n;
}

void paging_ro_after_init_state(uint64_t *pages, uint64_t *writable) {
    *pages = *writable = 0;
    for (uint64_t va = (uint64_t)__ro_after_init_start; va < (uint64_t)__ro_after_init_end; va += PAGE_SIZE) {
        uint64_t *pte = kernel_image_pte(va);
        (*pages)++;
        if (!pte || (*pte & PTE_W)) (*writable)++;
    }
}
