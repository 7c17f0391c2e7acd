/* Kernel wrapper around pmm_core: sizes and places the bitmaps, feeds the
 * memory map in, keeps back what must never be handed out, and turns misuse
 * into a panic that names the address. */
#include "mm/pmm.h"
#include "mm/pmm_core.h"
#include "mm/physmap.h"
#include "mm/paging.h"
#include "boot/boot_info.h"
#include "arch/x86_64/panic.h"
#include "arch/x86_64/cpu.h"
#include "lib/string.h"

extern char __kernel_start[], __kernel_end[];

static struct pmm_core pmm;
static uint64_t ram_bytes;
static uint64_t bitmap_pa, bitmap_bytes;
/* Extra references per frame, beside the bitmaps: 0 means one owner (so
 * pmm_alloc never has to touch it), n means n + 1 mappings share the frame
 * (copy-on-write after a fork). Only pmm_ref/pmm_put change it. */
static uint16_t *refs;
static uint64_t ref_frames;
static uint8_t module_released[BOOT_MODULES_MAX];

static int is_ram_type(uint32_t t) {
    return t == SECOS_MEM_USABLE || t == SECOS_MEM_LOADER || t == SECOS_MEM_KERNEL ||
           t == SECOS_MEM_ACPI_RECLAIM || t == SECOS_MEM_ACPI_NVS || t == SECOS_MEM_FIRMWARE;
}

/* Everything that must stay out of the allocator, as [start, end) ranges. */
static int overlaps_protected(uint64_t start, uint64_t end) {
    uint64_t ks = kernel_phys_base, ke = ks + (uint64_t)(__kernel_end - __kernel_start);
    if (start < ke && end > ks) return 1;
    if (start < 0x100000) return 1;
    uint64_t tables_pa, tables_bytes;
    paging_boot_tables_area(&tables_pa, &tables_bytes);
    if (tables_bytes && start < tables_pa + tables_bytes && end > tables_pa) return 1;
    for (uint32_t i = 0; i < boot_info.module_count; i++)
        if (start < boot_info.modules[i].end && end > boot_info.modules[i].start) return 1;
    return 0;
}

/* Finds room for the bitmaps inside usable RAM, away from anything protected. */
static uint64_t place_bitmaps(uint64_t bytes) {
    for (uint32_t i = 0; i < boot_info.mmap_count; i++) {
        const struct secos_mmap_entry *m = &boot_info.mmap[i];
        if (m->type != SECOS_MEM_USABLE) continue;
        uint64_t start = (m->base + 0xfff) & ~0xfffULL, end = (m->base + m->length) & ~0xfffULL;
        /* Page steps: on a 4 MiB machine the first free page after the
         * kernel image may be the only place there is. */
        for (uint64_t s = start; s + bytes <= end && s + bytes > s; s += 0x1000) {
            uint64_t e = (s + bytes + 0xfff) & ~0xfffULL;
            if (e <= end && !overlaps_protected(s, e)) return s;
        }
    }
    panic("pmm: no room for the frame bitmaps (%lu bytes)", bytes);
}

void pmm_init(void) {
    uint64_t top = 0;
    for (uint32_t i = 0; i < boot_info.mmap_count; i++) {
        const struct secos_mmap_entry *m = &boot_info.mmap[i];
        if (!is_ram_type(m->type)) continue;
        ram_bytes += m->length;
        if ((m->type == SECOS_MEM_USABLE || m->type == SECOS_MEM_LOADER) && m->base + m->length > top)
            top = m->base + m->length;
    }
    uint64_t nframes = top / PMM_FRAME_SIZE;
    uint64_t words = pmm_core_bitmap_words(nframes);
    uint64_t bytes = 2 * words * sizeof(uint64_t) + nframes * sizeof(uint16_t);
    uint64_t bm = place_bitmaps(bytes);
    bitmap_pa = bm;
    bitmap_bytes = bytes;
    uint64_t *ram = phys_to_virt(bm), *used = ram + words;
    pmm_core_init(&pmm, ram, used, nframes);
    refs = (uint16_t *)(used + words);
    ref_frames = nframes;
    memset(refs, 0, nframes * sizeof(uint16_t));

    /* Loader memory (UEFI boot services, loader data, Multiboot info) is
     * reclaimed here: boot_info holds copies of everything we still need and
     * the kernel runs on its own page tables. */
    for (uint32_t i = 0; i < boot_info.mmap_count; i++) {
        const struct secos_mmap_entry *m = &boot_info.mmap[i];
        if (m->type == SECOS_MEM_USABLE || m->type == SECOS_MEM_LOADER) pmm_core_add_free(&pmm, m->base, m->length);
    }
    pmm_core_reserve(&pmm, 0, 0x100000);
    pmm_core_reserve(&pmm, kernel_phys_base, (uint64_t)(__kernel_end - __kernel_start));
    for (uint32_t i = 0; i < boot_info.module_count; i++)
        pmm_core_reserve(&pmm, boot_info.modules[i].start, boot_info.modules[i].end - boot_info.modules[i].start);
    pmm_core_reserve(&pmm, bm, bytes);
    uint64_t tables_pa, tables_bytes;
    paging_boot_tables_area(&tables_pa, &tables_bytes);
    if (tables_bytes) pmm_core_reserve(&pmm, tables_pa, tables_bytes);
    if (boot_info.fb.type == SECOS_FB_RGB)
        pmm_core_reserve(&pmm, boot_info.fb.addr, (uint64_t)boot_info.fb.pitch * boot_info.fb.height);
}

/* 1 if the frame at pa may go back to the allocator when module `self` is
 * released: usable RAM, and nothing that stays kept back shares it. */
static int module_frame_releasable(uint64_t pa, uint32_t self) {
    uint64_t end = pa + PMM_FRAME_SIZE;
    uint64_t ks = kernel_phys_base, ke = ks + (uint64_t)(__kernel_end - __kernel_start);
    if (pa < 0x100000 || (pa < ke && end > ks) || (pa < bitmap_pa + bitmap_bytes && end > bitmap_pa)) return 0;
    if (boot_info.fb.type == SECOS_FB_RGB) {
        uint64_t fs = boot_info.fb.addr, fe = fs + (uint64_t)boot_info.fb.pitch * boot_info.fb.height;
        if (pa < fe && end > fs) return 0;
    }
    for (uint32_t i = 0; i < boot_info.module_count; i++)
        if (i != self && !module_released[i] && pa < boot_info.modules[i].end && end > boot_info.modules[i].start)
            return 0;
    for (uint32_t i = 0; i < boot_info.mmap_count; i++) {
        const struct secos_mmap_entry *m = &boot_info.mmap[i];
        if ((m->type == SECOS_MEM_USABLE || m->type == SECOS_MEM_LOADER) && pa >= m->base &&
            end <= m->base + m->length && m->base + m->length > m->base)
            return 1;
    }
    return 0;
}

uint64_t pmm_release_module(uint32_t index) {
    if (index >= boot_info.module_count || module_released[index]) return 0;
    const struct boot_module *mod = &boot_info.modules[index];
    module_released[index] = 1;
    uint64_t first = (mod->start + PMM_FRAME_SIZE - 1) & ~(PMM_FRAME_SIZE - 1);
    uint64_t n = 0;
    uint64_t f = irq_save();
    for (uint64_t pa = first; pa + PMM_FRAME_SIZE <= mod->end && pa + PMM_FRAME_SIZE > pa; pa += PMM_FRAME_SIZE) {
        if (!module_frame_releasable(pa, index)) continue;
        uint64_t before = pmm.free_frames;
        pmm_core_add_free(&pmm, pa, PMM_FRAME_SIZE);
        if (pmm.free_frames != before) {
            n++;
            if (pmm.reserved_frames) pmm.reserved_frames--;
        }
    }
    irq_restore(f);
    return n;
}

static uint64_t committed; /* free frames promised to kernel demand-zero regions */
static int drawing;        /* inside pmm_draw_begin/end: may take committed frames */
static uint64_t drawn;

int pmm_commit(uint64_t frames) {
    uint64_t f = irq_save();
    int ok = pmm.free_frames >= committed && pmm.free_frames - committed >= frames;
    if (ok) committed += frames;
    irq_restore(f);
    return ok ? 0 : -1;
}

void pmm_uncommit(uint64_t frames) {
    uint64_t f = irq_save();
    committed -= frames < committed ? frames : committed;
    irq_restore(f);
}

void pmm_draw_begin(void) {
    uint64_t f = irq_save();
    drawing++;
    drawn = 0;
    irq_restore(f);
}

uint64_t pmm_draw_end(void) {
    uint64_t f = irq_save();
    drawing--;
    uint64_t n = drawn;
    irq_restore(f);
    return n;
}

uint64_t pmm_alloc(void) {
    uint64_t pa;
    uint64_t f = irq_save();
    int r = PMM_ERR_EXHAUSTED;
    if (drawing || pmm.free_frames > committed) r = pmm_core_alloc(&pmm, &pa);
    if (r == PMM_OK && drawing) {
        drawn++;
        if (committed) committed--;
    }
    irq_restore(f);
    return r == PMM_OK ? pa : 0;
}

uint64_t pmm_alloc_zeroed(void) {
    uint64_t pa = pmm_alloc();
    if (pa) memset(phys_to_virt(pa), 0, PMM_FRAME_SIZE);
    return pa;
}

int pmm_alloc_zeroed_n(uint64_t *out, unsigned n) {
    for (unsigned i = 0; i < n; i++) {
        out[i] = pmm_alloc_zeroed();
        if (!out[i]) {
            while (i--) pmm_free(out[i]);
            return -1;
        }
    }
    return 0;
}

static uint16_t *ref_of(uint64_t pa) {
    uint64_t i = pa / PMM_FRAME_SIZE;
    if ((pa & (PMM_FRAME_SIZE - 1)) || i >= ref_frames || !pmm_core_is_allocated(&pmm, pa))
        panic("pmm: reference to frame %#lx, which is not allocated RAM", pa);
    return &refs[i];
}

int pmm_ref(uint64_t pa) {
    uint64_t f = irq_save();
    uint16_t *r = ref_of(pa);
    int ok = *r < PMM_MAX_REFS - 1;
    if (ok) (*r)++;
    irq_restore(f);
    return ok ? 0 : -1;
}

uint64_t pmm_refcount(uint64_t pa) {
    uint64_t f = irq_save();
    uint64_t n = (uint64_t)*ref_of(pa) + 1;
    irq_restore(f);
    return n;
}

int pmm_put(uint64_t pa) {
    uint64_t f = irq_save();
    uint16_t *r = ref_of(pa);
    if (*r) {
        (*r)--;
        irq_restore(f);
        return 0;
    }
    int e = pmm_core_free(&pmm, pa);
    irq_restore(f);
    if (e != PMM_OK) panic("pmm: bad free of frame %#lx: %s", pa, pmm_err_str(e));
    return 1;
}

void pmm_free(uint64_t pa) {
    uint64_t f = irq_save();
    if (!(pa & (PMM_FRAME_SIZE - 1)) && pa / PMM_FRAME_SIZE < ref_frames && refs[pa / PMM_FRAME_SIZE]) {
        irq_restore(f);
        panic("pmm: pmm_free of shared frame %#lx (use pmm_put)", pa);
    }
    int r = pmm_core_free(&pmm, pa);
    irq_restore(f);
    if (r != PMM_OK) panic("pmm: bad free of frame %#lx: %s", pa, pmm_err_str(r));
}

uint64_t pmm_alloc_contig(uint64_t count, uint64_t align_frames, uint64_t max_pa) {
    uint64_t pa;
    uint64_t f = irq_save();
    int r = PMM_ERR_EXHAUSTED;
    if (pmm.free_frames >= committed && pmm.free_frames - committed >= count)
        r = pmm_core_alloc_contig(&pmm, count, align_frames, max_pa, &pa);
    irq_restore(f);
    return r == PMM_OK ? pa : 0;
}

void pmm_free_contig(uint64_t pa, uint64_t count) {
    uint64_t f = irq_save();
    int r = pmm_core_free_contig(&pmm, pa, count);
    irq_restore(f);
    if (r != PMM_OK) panic("pmm: bad free of %lu frames at %#lx: %s", count, pa, pmm_err_str(r));
}

void pmm_get_stats(struct pmm_stats *out) {
    out->ram_bytes = ram_bytes;
    out->managed_frames = pmm.managed_frames;
    out->free_frames = pmm.free_frames;
    out->reserved_frames = pmm.reserved_frames;
    out->highest_frame = pmm.nframes;
}

uint64_t pmm_free_frames(void) { return pmm.free_frames; }
