/* Building the kernel's page tables. Until the physical allocator exists
 * (memory issue) page-table pages come from a fixed pool inside .bss, so the
 * kernel reaches its own tables through its image mapping both before and
 * after the switch. */
#include "mm/paging.h"
#include "mm/physmap.h"
#include "boot/boot_info.h"
#include "arch/x86_64/panic.h"
#include "arch/x86_64/cpu.h"
#include "lib/string.h"

extern char __ro_after_init_start[], __ro_after_init_end[];
extern char __kernel_start[], __text_start[], __text_end[], __rodata_start[], __rodata_end[],
    __data_start[], __kernel_end[];

uint64_t physmap_offset;
uint64_t kernel_phys_base;

#define POOL_PAGES 96
static uint64_t pool[POOL_PAGES][512] __attribute__((aligned(4096)));
static int pool_used;
static uint64_t *kernel_pml4;

uint64_t kernel_virt_to_phys(const void *va) {
    return (uint64_t)va - SECOS_KERNEL_LINK_BASE + kernel_phys_base;
}

static int in_kernel_image(uint64_t pa) {
    uint64_t size = (uint64_t)__kernel_end - (uint64_t)__kernel_start;
    return pa >= kernel_phys_base && pa < kernel_phys_base + size;
}

/* Tables may live in the image (pool) or, later, anywhere in RAM. */
static uint64_t *table_virt(uint64_t entry) {
    uint64_t pa = entry & PTE_ADDR_MASK;
    if (in_kernel_image(pa)) return (uint64_t *)(pa - kernel_phys_base + SECOS_KERNEL_LINK_BASE);
    return phys_to_virt(pa);
}

static uint64_t *alloc_table(void) {
    if (pool_used >= POOL_PAGES) panic("paging: boot page-table pool exhausted (%d pages)", POOL_PAGES);
    uint64_t *t = pool[pool_used++];
    memset(t, 0, PAGE_SIZE);
    return t;
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
            *e = kernel_virt_to_phys(next) | PTE_P | PTE_W;
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
    uint64_t *e = &kernel_pml4[((PHYSMAP_BASE + pa) >> 39) & 511];
    for (int l = 4; l >= 1; l--) {
        if (!(*e & PTE_P)) return 0;
        if (l == 1 || (*e & PTE_PS)) return 1;
        uint64_t *t = table_virt(*e);
        e = &t[((PHYSMAP_BASE + pa) >> (12 + 9 * (l - 2))) & 511];
    }
    return 0;
}

/* Maps [pa, pa+len) into the physmap in 2 MiB steps, skipping what is there. */
static void physmap_add(uint64_t pa, uint64_t len, uint64_t flags) {
    uint64_t start = pa & ~0x1fffffULL, end = (pa + len + 0x1fffff) & ~0x1fffffULL;
    for (uint64_t p = start; p < end; p += 2ULL << 20)
        if (!physmap_mapped(p)) map_range(PHYSMAP_BASE + p, p, 2ULL << 20, flags);
}

static void map_kernel_section(const char *start, const char *end, uint64_t flags) {
    uint64_t s = (uint64_t)start & ~(PAGE_SIZE - 1);
    uint64_t e = ((uint64_t)end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    for (uint64_t va = s; va < e; va += PAGE_SIZE)
        *walk_create(kernel_pml4, va, 1) = kernel_virt_to_phys((void *)va) | flags;
}

void paging_init(void) {
    uint64_t g = cpu_info.pge ? PTE_G : 0;
    uint64_t data = PTE_P | PTE_W | PTE_NX | g;
    kernel_pml4 = alloc_table();

    /* Low 4 GiB (RAM, legacy VGA, LAPIC/IOAPIC, PCI holes), then any RAM and
     * the framebuffer above it. */
    map_range(PHYSMAP_BASE, 0, 4ULL << 30, data);
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
    write_cr3(kernel_virt_to_phys(kernel_pml4));
    physmap_offset = PHYSMAP_BASE;
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
