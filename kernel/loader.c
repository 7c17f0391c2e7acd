#include "kernel/loader.h"
#include "kernel/proc.h"
#include "kernel/elf_user.h"
#include "mm/pmm.h"
#include "mm/vmm.h"
#include "mm/physmap.h"
#include "lib/string.h"
#include "secos/errno.h"
#include "secos/syscall.h"
#include "mm/kheap.h"
#include "arch/x86_64/entropy.h"
#include "kernel/user_budget.h"

static program_find_fn program_find;

void loader_set_program_source(program_find_fn fn) { program_find = fn; }

static uint64_t seg_flags(uint32_t pf) {
    uint64_t f = PTE_P | PTE_U;
    if (pf & ELF_PF_W) f |= PTE_W;
    if (!(pf & ELF_PF_X)) f |= PTE_NX;
    return f;
}

/* Each page holding file bytes gets a fresh frame; the bytes are copied
 * straight from the image through the physmap (one copy, no bounce buffer).
 * The pages past the file bytes (bss) are demand-zero: spawn's work is
 * bounded by the file's size, never by a huge memsz, and a page is only paid
 * for (against the budget) once touched. */
static int map_segment(struct address_space *as, const uint8_t *img, const struct elf_user_seg *s, uint64_t bias) {
    uint64_t start = s->vaddr & ~0xfffULL, end = (s->vaddr + s->memsz + 0xfff) & ~0xfffULL;
    uint64_t file_end = s->filesz ? (s->vaddr + s->filesz + 0xfff) & ~0xfffULL : start;
    if (file_end < end) {
        int r = vmm_add_demand_zero(as, file_end + bias, end + bias, seg_flags(s->flags));
        if (r) return r;
        end = file_end;
    }
    for (uint64_t va = start; va < end; va += 4096) {
        uint64_t pa = pmm_alloc_zeroed();
        if (!pa) return -ENOMEM;
        uint64_t lo = va > s->vaddr ? va : s->vaddr;
        uint64_t hi = va + 4096 < s->vaddr + s->filesz ? va + 4096 : s->vaddr + s->filesz;
        if (hi > lo) memcpy((uint8_t *)phys_to_virt(pa) + (lo - va), img + s->offset + (lo - s->vaddr), hi - lo);
        int r = vmm_map(as, va + bias, pa, seg_flags(s->flags) | PTE_OWNED);
        if (r) { pmm_free(pa); return r; }
    }
    return 0;
}

/* Stack at entry (what user/lib/crt0 expects): rsp -> argc, argv[0..argc-1],
 * NULL, then the strings near the top. rsp is 16-byte aligned. */
/* ASLR: how many random bits each layout choice gets (pages of slide). */
int aslr_enabled = 1;

uint64_t aslr_slide_pages(unsigned bits) {
    if (!aslr_enabled) return 0;
    return entropy_u64() & ((1ULL << bits) - 1);
}

static int build_stack(struct address_space *as, uint64_t stack_top, int argc, char *const argv[],
                       uint64_t *sp_out) {
    uint64_t top_page = stack_top - 4096;
    uint64_t pa = pmm_alloc_zeroed();
    if (!pa) return -ENOMEM;
    int r = vmm_map(as, top_page, pa, PTE_P | PTE_U | PTE_W | PTE_NX | PTE_OWNED);
    if (r) { pmm_free(pa); return r; }
    uint8_t *page = phys_to_virt(pa);
    uint64_t off = 4096, ptrs[SPAWN_MAX_ARGS + 1];
    for (int i = argc - 1; i >= 0; i--) {
        uint64_t len = strlen(argv[i]) + 1;
        if (off < len + 8 * (SPAWN_MAX_ARGS + 4)) return -E2BIG;
        off -= len;
        memcpy(page + off, argv[i], len);
        ptrs[i] = top_page + off;
    }
    ptrs[argc] = 0;
    off &= ~0xfULL;
    uint64_t words = (uint64_t)argc + 2; /* argc, argv[], NULL */
    if (words & 1) off -= 8;             /* keep rsp 16-byte aligned */
    off -= words * 8;
    uint64_t *w = (uint64_t *)(page + off);
    w[0] = (uint64_t)argc;
    for (int i = 0; i <= argc; i++) w[1 + i] = ptrs[i];
    *sp_out = top_page + off;
    /* The rest of the stack is demand-zero; the page below it stays unmapped. */
    return vmm_add_demand_zero(as, stack_top - USER_STACK_MAX, top_page, PTE_P | PTE_U | PTE_W | PTE_NX);
}

static int load_image(struct proc *p, const void *img, uint64_t size, int argc, char *const argv[],
                      uint64_t *entry, uint64_t *user_sp, const char **why);

int loader_load(struct proc *p, const char *path, int argc, char *const argv[], uint64_t *entry,
                uint64_t *user_sp, const char **why) {
    const void *img;
    uint64_t size;
    *why = "no such program";
    if (argc < 0 || argc > SPAWN_MAX_ARGS) { *why = "too many arguments"; return -E2BIG; }
    void *owned;
    if (!program_find) return -ENOENT;
    int r = program_find(path, &img, &size, &owned);
    if (r) {
        if (r == -EFBIG) *why = "the program file is too large";
        else if (r == -EACCES) *why = "not a regular file";
        else if (r != -ENOENT) *why = "cannot read the program file";
        return r;
    }
    r = load_image(p, img, size, argc, argv, entry, user_sp, why);
    kfree(owned);
    return r;
}

static int load_image(struct proc *p, const void *img, uint64_t size, int argc, char *const argv[],
                      uint64_t *entry, uint64_t *user_sp, const char **why) {
    struct elf_user_image im;
    int r = elf_user_validate(img, size, &im);
    if (r) { *why = elf_user_strerror(r); return -ENOEXEC; }
    /* ET_DYN: a random page slide for the program base. The validator
     * checked the segments as linked; the slide keeps them below the mmap
     * area. (No dynamic relocations are applied: the user build refuses
     * PIE programs that would need any, see user/user_pie.ld.) */
    uint64_t bias = 0;
    if (im.type == ELF_ET_DYN) {
        bias = aslr_slide_pages(ASLR_PIE_BITS) * 4096;
        if (im.vmax + bias > USER_MMAP_BASE) { *why = "a position-independent program too large to place"; return -ENOEXEC; }
    }
    uint64_t max_mem = USER_DEFAULT_MAX_MEM;
    if (im.has_manifest) {
        p->manifest = im.manifest;
        p->has_manifest = 1;
        /* The manifest can only ask for less: the system's cap is the
         * ceiling, whatever a (possibly patched) program claims. */
        if (im.manifest.max_mem && im.manifest.max_mem < max_mem) max_mem = im.manifest.max_mem;
    }
    /* Refuse before allocating anything: a huge bss must not drain the PMM
     * just to be turned down afterwards. +1: the first stack page. */
    if ((elf_user_pages(&im) + 1) * 4096 > max_mem) {
        *why = "the program needs more memory than its manifest's max_mem allows";
        return -ENOMEM;
    }
    /* The pages mapped now (file-backed ones, the first stack page, tables)
     * must fit in the system's budget for user memory as well. */
    uint64_t eager = 16;
    for (uint32_t i = 0; i < im.nseg; i++) eager += (im.seg[i].filesz + 2 * 4096) / 4096;
    if (!user_budget_allow(eager)) {
        *why = "the memory for user programs is used up (system-wide cap)";
        return -ENOMEM;
    }
    for (uint32_t i = 0; i < im.nseg; i++) {
        r = map_segment(p->as, img, &im.seg[i], bias);
        if (r) { *why = "out of memory while mapping the program"; return r; }
    }
    uint64_t stack_top = USER_STACK_TOP - aslr_slide_pages(ASLR_STACK_BITS) * 4096;
    r = build_stack(p->as, stack_top, argc, argv, user_sp);
    if (r) { *why = r == -E2BIG ? "arguments do not fit on the stack" : "out of memory for the stack"; return r; }
    if (p->as->owned_frames * 4096 > max_mem) {
        *why = "the program needs more memory than its manifest's max_mem allows";
        return -ENOMEM;
    }
    p->as->page_limit = max_mem / 4096;
    p->mmap_next = USER_MMAP_BASE + aslr_slide_pages(ASLR_MMAP_BITS) * 4096;
    p->stack_bottom = stack_top - USER_STACK_MAX;
    *entry = im.entry + bias;
    *why = "";
    return 0;
}
