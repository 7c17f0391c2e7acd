/* The user memory map (see umem.h). Long unmaps run in chunks with
 * rescheduling points between them: a range can span millions of pages. */
#include "kernel/umem.h"
#include "kernel/proc.h"
#include "kernel/loader.h"
#include "mm/vmm.h"
#include "mm/physmap.h"
#include "lib/ro_after_init.h"
#include "secos/driver.h"
#include "secos/errno.h"
#include "secos/syscall.h"

#define PG 4096ULL
#define GUARD PG                                     /* free page left between placed mappings */
#define DRIVER_AREA_END (DRIVER_MAP_BASE + (512ULL << 30)) /* the PML4 slot of the device windows */
#define UNMAP_CHUNK (1ULL << 20)                     /* 256 pages between rescheduling points */
#define BRK_SLIDE_BITS 12                            /* the break starts up to 16 MiB above the image */

static uint64_t page_up(uint64_t v) { return (v + PG - 1) & ~(PG - 1); }

static int in_driver_area(uint64_t start, uint64_t end) {
    return start < DRIVER_AREA_END && DRIVER_MAP_BASE < end;
}

/* [addr, addr+len) page aligned at addr, inside [UMEM_MIN_ADDR, user half
 * end); *end gets the page-rounded end. */
static int user_range(uint64_t addr, uint64_t len, uint64_t *end) {
    if (addr < UMEM_MIN_ADDR || addr >= USER_HALF_END || len > USER_HALF_END - addr) return 0;
    *end = page_up(addr + len);
    return *end <= USER_HALF_END;
}

static uint64_t prot_flags(uint64_t prot) {
    if (!(prot & (PROT_READ | PROT_WRITE | PROT_EXEC))) return 0; /* PROT_NONE */
    uint64_t f = PTE_P | PTE_U;
    if (prot & PROT_WRITE) f |= PTE_W; /* x86 has no write-only pages */
    if (!(prot & PROT_EXEC)) f |= PTE_NX;
    return f;
}

/* Regions and pages of [start, end) go; 0 or -ENOMEM (a split found no
 * slot: nothing changed). */
static long unmap_range(struct proc *p, uint64_t start, uint64_t end) {
    int r = vmm_region_remove(p->as, start, end);
    if (r) return r;
    for (uint64_t va = start; va < end;) {
        uint64_t to = end - va > UNMAP_CHUNK ? va + UNMAP_CHUNK : end;
        vmm_unmap_range(p->as, va, to);
        va = to;
        if (va < end) sched_resched_point();
    }
    return 0;
}

static uint64_t mmap_top(const struct proc *p) {
    uint64_t top = p->stack_bottom - (1ULL << 30);
    return p->mmap_base < DRIVER_MAP_BASE && top > DRIVER_MAP_BASE ? DRIVER_MAP_BASE : top;
}

static int range_free(struct proc *p, uint64_t start, uint64_t end) {
    return !in_driver_area(start, end) && !vmm_region_overlaps(p->as, start, end) &&
           !vmm_range_mapped(p->as, start, end);
}

long umem_map(struct proc *p, uint64_t addr, uint64_t len, uint64_t prot, int place) {
    if (!len || (prot & ~(uint64_t)(PROT_READ | PROT_WRITE | PROT_EXEC))) return -EINVAL;
    if ((prot & PROT_WRITE) && (prot & PROT_EXEC)) return -EACCES; /* W^X */
    if (prot & PROT_EXEC) return -EPERM;  /* anonymous memory never becomes code */
    if (len > USER_HALF_END) return -ENOMEM;
    len = page_up(len);
    uint64_t start = 0, end;
    if (place == UMEM_FIXED || place == UMEM_FIXED_NOREPLACE) {
        if (addr & (PG - 1)) return -EINVAL;
        if (addr < UMEM_MIN_ADDR) return -EPERM;
        if (!user_range(addr, len, &end)) return -ENOMEM;
        if (in_driver_area(addr, end)) return -EPERM;
        if (place == UMEM_FIXED_NOREPLACE && !range_free(p, addr, end)) return -EEXIST;
        if (place == UMEM_FIXED) {
            long r = unmap_range(p, addr, end);
            if (r) return r;
        }
        start = addr;
    } else {
        if (place == UMEM_HINT && addr && !(addr & (PG - 1)) && user_range(addr, len, &end) &&
            end <= mmap_top(p) && range_free(p, addr, end))
            start = addr;
        if (!start) start = region_find_gap(&p->as->regions, p->mmap_base, mmap_top(p), len, GUARD);
        if (!start) return -ENOMEM;
    }
    int r = vmm_add_region(p->as, start, start + len, prot_flags(prot), REGION_ANON);
    if (r) return r == -EEXIST ? -ENOMEM : r;
    return (long)start;
}

long umem_unmap(struct proc *p, uint64_t addr, uint64_t len) {
    uint64_t end;
    if ((addr & (PG - 1)) || !len || !user_range(addr, len, &end)) return -EINVAL;
    if (in_driver_area(addr, end)) return -EINVAL;
    return unmap_range(p, addr, end);
}

int umem_is_mapping(struct proc *p, uint64_t addr, uint64_t len) {
    struct region z;
    if (!len || vmm_region_at(p->as, addr, &z)) return 0;
    return z.kind == REGION_ANON && z.start == addr && z.end - z.start == page_up(len) && page_up(len) >= len;
}

/* 1 if every page of [start, end) is in a region or mapped. */
static int covered(struct proc *p, uint64_t start, uint64_t end) {
    const struct region_set *s = &p->as->regions;
    uint64_t at = start;
    for (uint32_t i = 0; i < s->n && at < end; i++) {
        const struct region *z = &s->r[i];
        if (z->end <= at) continue;
        if (z->start >= end) break;
        if (z->start > at && !vmm_range_all_mapped(p->as, at, z->start)) return 0;
        at = z->end;
    }
    return at >= end || vmm_range_all_mapped(p->as, at, end);
}

/* 1 if a region overlapping [start, end) has (exec = 1) or lacks (0) X. */
static int region_exec(struct proc *p, uint64_t start, uint64_t end, int exec) {
    const struct region_set *s = &p->as->regions;
    for (uint32_t i = 0; i < s->n; i++) {
        const struct region *z = &s->r[i];
        if (z->start >= end || z->end <= start || !(z->flags & PTE_P)) continue;
        if ((!(z->flags & PTE_NX)) == exec) return 1;
    }
    return 0;
}

long umem_protect(struct proc *p, uint64_t addr, uint64_t len, uint64_t prot) {
    if ((addr & (PG - 1)) || (prot & ~(uint64_t)(PROT_READ | PROT_WRITE | PROT_EXEC))) return -EINVAL;
    if (!len) return 0;
    uint64_t end;
    if (!user_range(addr, len, &end)) return -ENOMEM;
    if ((prot & PROT_WRITE) && (prot & PROT_EXEC)) return -EACCES;
    if (in_driver_area(addr, end)) return -EACCES;
    if (!covered(p, addr, end)) return -ENOMEM;
    /* Becoming executable: only what already is (a text segment keeping X). */
    if ((prot & PROT_EXEC) && (vmm_range_nonexec(p->as, addr, end) || region_exec(p, addr, end, 0))) return -EACCES;
    /* Becoming writable: nothing executable. */
    if ((prot & PROT_WRITE) && (vmm_range_exec(p->as, addr, end) || region_exec(p, addr, end, 1))) return -EACCES;
    uint64_t flags = prot_flags(prot);
    int r = vmm_region_protect(p->as, addr, end, flags);
    if (r) return r;
    vmm_protect_range(p->as, addr, end, flags);
    return 0;
}

uint64_t umem_brk(struct proc *p, uint64_t want) {
    uint64_t cur = p->brk;
    if (want < p->brk_start || want >= USER_MMAP_BASE) return cur;
    uint64_t old_end = page_up(cur), new_end = page_up(want);
    struct address_space *as = p->as;
    if (new_end > old_end) {
        if (!range_free(p, old_end, new_end)) return cur;
        /* Never promise what the budget could not back. */
        if (as->page_limit && (new_end - old_end) / PG + as->owned_frames + as->table_frames > as->page_limit)
            return cur;
        if (vmm_add_region(as, old_end, new_end, PTE_P | PTE_U | PTE_W | PTE_NX, REGION_HEAP)) return cur;
    } else if (new_end < old_end && unmap_range(p, new_end, old_end)) {
        return cur;
    }
    p->brk = want;
    return want;
}

long umem_discard(struct proc *p, uint64_t addr, uint64_t len) {
    uint64_t end;
    if ((addr & (PG - 1)) || !user_range(addr, len, &end)) return -EINVAL;
    if (in_driver_area(addr, end)) return -EINVAL;
    const struct region_set *s = &p->as->regions;
    for (uint32_t i = 0; i < s->n; i++) {
        const struct region *z = &s->r[i];
        uint64_t from = z->start > addr ? z->start : addr, to = z->end < end ? z->end : end;
        if (from < to) vmm_unmap_range(p->as, from, to); /* demand-zero: the next touch reads zeros */
    }
    return 0;
}

static umem_file_read_fn file_read __ro_after_init;

void umem_set_file_source(umem_file_read_fn fn) { file_read = fn; }

long umem_map_file(struct proc *p, uint64_t addr, uint64_t len, uint64_t prot, int place, uint64_t fd, uint64_t off) {
    if (!file_read) return -ENODEV;
    if (off & (PG - 1)) return -EINVAL;
    long r = file_read(fd, off, 0, 0);
    if (r < 0) return r;
    long start = umem_map(p, addr, len, prot, place);
    if (start < 0 || !prot) return start;
    struct address_space *as = p->as;
    uint64_t end = (uint64_t)start + page_up(len);
    for (uint64_t va = (uint64_t)start; va < end; va += PG) {
        uint64_t pos = off + (va - (uint64_t)start), pa;
        if (pos < off) break; /* past 2^64: nothing more in any file */
        /* The frame is paid for like any first touch (page and system budgets). */
        as->limit_hit = 0;
        if (!vmm_handle_page_fault(va, 2) || vmm_translate(as, va, &pa, 0)) { r = -ENOMEM; goto fail; }
        r = file_read(fd, pos, phys_to_virt(pa & ~(PG - 1)), PG);
        if (r < 0) goto fail;
        if ((uint64_t)r < PG) break;
        sched_resched_point();
    }
    return start;
fail:
    unmap_range(p, (uint64_t)start, end);
    return r;
}

void umem_init_layout(struct proc *p, uint64_t image_end, uint64_t stack_bottom) {
    p->mmap_base = USER_MMAP_BASE + aslr_slide_pages(ASLR_MMAP_BITS) * PG;
    p->stack_bottom = stack_bottom;
    p->brk_start = p->brk = page_up(image_end) + aslr_slide_pages(BRK_SLIDE_BITS) * PG;
}
