/* Virtual memory: 4-level page tables per address space. The kernel half
 * (PML4 256..511) is shared by every space: its PML4 entries are created once
 * at boot and copied into each new space, so a mapping added later anywhere in
 * the kernel half is visible everywhere. The user half is private.
 *
 * Rules enforced here, for every mapping: no page is both writable and
 * executable; a kernel-half address never gets USER; a USER mapping must lie
 * in the user half. */
#ifndef MM_VMM_H
#define MM_VMM_H
#include <stdint.h>
#include "mm/paging.h"
#include "arch/x86_64/cpu.h" /* USER_HALF_END, KERNEL_HALF_START */
#include "mm/region.h"

#define KHEAP_BASE        0xffff900000000000ULL /* PML4[288]: kernel heap */
#define KHEAP_LIMIT       0xffff907f00000000ULL /* 508 GiB of room */
/* The last 4 GiB of the heap's PML4 slot: demand-zero scratch for selftests
 * (and, in the test configuration, kbench and crashtest). No slot of its own. */
#define KTEST_BASE        KHEAP_LIMIT
#define KTEST_SIZE        (4ULL << 30)
#define KSTACK_REGION     0xffffff8000000000ULL /* PML4[511] low: kernel stacks */
#define KMMIO_BASE        0xffff908000000000ULL /* PML4[289]: device registers (mm/mmio.c) */
#define KMMIO_LIMIT       0xffff910000000000ULL
#define KDESC_ALIAS       0xffff918000000000ULL /* PML4[291]: fixed read-only views of the GDT and IDT (mm/paging.c) */

/* Software bit: the frame behind this leaf belongs to the address space and
 * is returned to the PMM when the mapping or the space goes away. */
#define PTE_OWNED (1ULL << 9)
/* Software bit: a user leaf that is writable in meaning but mapped read-only
 * because its frame may be shared with another space after a fork. A write
 * fault copies the frame (or, when this is its last mapping, just restores
 * W). Only on PTE_OWNED leaves, never together with PTE_W. */
#define PTE_COW   (1ULL << 10)

/* Regions per address space (mm/region.h): ELF bss, stack, heap, mmaps.
 * A region's `committed` is the frames the PMM holds back for its faults
 * (kernel half only), so a kernel demand-zero fault never finds the PMM empty. */
#define VMM_MAX_REGIONS 256
/* A user space lives in this many contiguous frames (the structure with its
 * region array) plus its PML4. */
#define VMM_SPACE_FRAMES ((sizeof(struct address_space) + 4095) / 4096)

struct address_space {
    uint64_t pml4_phys;
    uint64_t *pml4;
    uint64_t table_frames; /* page-table frames owned (PML4 included) */
    uint64_t owned_frames; /* leaf frames with PTE_OWNED */
    uint64_t page_limit;   /* demand-zero faults stop at this many owned + table frames (0 = none) */
    int limit_hit;         /* set when a fault was refused for the limit */
    struct region_set regions; /* demand-zero regions; storage below */
    uint32_t fault_hint;   /* index of the region the last demand fault hit (checked before use) */
    struct region region_store[VMM_MAX_REGIONS];
};

extern struct address_space kernel_space;

void vmm_init(void); /* adopts the boot tables; needs the PMM */

static inline int va_canonical(uint64_t va) {
    return va < USER_HALF_END || va >= KERNEL_HALF_START;
}

int vmm_map(struct address_space *as, uint64_t va, uint64_t pa, uint64_t flags);
/* Maps a fresh zeroed frame (PTE_OWNED). */
int vmm_map_new(struct address_space *as, uint64_t va, uint64_t flags);
/* Removes the mapping; frees the frame if owned. *pa_out may be NULL. */
int vmm_unmap(struct address_space *as, uint64_t va, uint64_t *pa_out);
/* Removes every 4 KiB mapping in [from, to), skipping missing tables a
 * whole table at a time; returns how many owned frames went back to the PMM
 * (a frame still shared copy-on-write with another space stays there). */
uint64_t vmm_unmap_range(struct address_space *as, uint64_t from, uint64_t to);
/* Physical address and leaf flags for va (any page size); -ENOENT if absent. */
int vmm_translate(struct address_space *as, uint64_t va, uint64_t *pa, uint64_t *flags);

struct address_space *vmm_space_create(void);
/* Frees every owned user frame and every user-half page-table frame. */
void vmm_space_destroy(struct address_space *as);
/* A copy of parent's user half for a forked process: every owned leaf is
 * shared (one more reference on its frame), writable ones become read-only
 * PTE_COW in both spaces; non-owned leaves (Driver Space device windows) are
 * not inherited. Demand-zero regions and page_limit are copied. NULL when
 * frames or the user budget run out (nothing leaks; the parent's pages may
 * stay COW, which the next write resolves by restoring W). */
struct address_space *vmm_space_fork(struct address_space *parent);
void vmm_activate(struct address_space *as);
/* The space the CPU runs on (CR3): read on every task switch and user page
 * fault, so inline. Written only by vmm_activate. */
extern struct address_space *vmm_current_space;
static inline struct address_space *vmm_current(void) { return vmm_current_space; }

/* Demand-zero: faults on not-present pages in [start,end) get a zeroed frame
 * with flags. A region whose flags lack PTE_P is PROT_NONE: its pages never
 * fault in, and pages already there are mapped without PTE_U. Errors as
 * region_insert, or -EPERM/-EINVAL for flags or a range vmm_map would refuse. */
int vmm_add_region(struct address_space *as, uint64_t start, uint64_t end, uint64_t flags, uint32_t kind);
int vmm_add_demand_zero(struct address_space *as, uint64_t start, uint64_t end, uint64_t flags);
/* Removes the whole region that starts at start (and its promise). */
void vmm_remove_demand_zero(struct address_space *as, uint64_t start);
/* The region holding va, copied to *out: 0, or -ENOENT. */
int vmm_region_at(struct address_space *as, uint64_t va, struct region *out);
int vmm_region_overlaps(struct address_space *as, uint64_t start, uint64_t end);
/* Changes the flags of every owned leaf in [from, to) (user half) to flags:
 * PTE_W on a frame still shared after a fork becomes PTE_COW; flags
 * without PTE_P (PROT_NONE) keep the frame mapped without PTE_U.
 * Non-owned leaves (device windows) are left alone. */
void vmm_protect_range(struct address_space *as, uint64_t from, uint64_t to, uint64_t flags);
/* 1 if any leaf is mapped in [from, to); 1 if any is mapped executable. */
int vmm_range_mapped(struct address_space *as, uint64_t from, uint64_t to);
int vmm_range_exec(struct address_space *as, uint64_t from, uint64_t to);
int vmm_range_nonexec(struct address_space *as, uint64_t from, uint64_t to);
/* 1 if every page of [from, to) has a leaf (the walk stops at the first hole). */
int vmm_range_all_mapped(struct address_space *as, uint64_t from, uint64_t to);
/* Region changes for user spaces (see region_remove / region_protect):
 * they change only the region table, not the pages. 0, -EINVAL or -ENOMEM. */
int vmm_region_remove(struct address_space *as, uint64_t start, uint64_t end);
int vmm_region_protect(struct address_space *as, uint64_t start, uint64_t end, uint64_t flags);
/* The system-wide user-memory budget, asked before a user demand-zero fault
 * takes frames: 1 if that many more may be taken. Registered at init by the
 * core (kernel/user_budget.c), which knows every process; unset, all pass. */
void vmm_set_user_frames_check(int (*allow)(uint64_t frames));
/* Frames all user address spaces hold now: their leaves, tables, PML4s and
 * the pages holding their structures. */
uint64_t vmm_user_frames_in_use(void);
/* Called by the #PF handler: 1 if the fault was resolved. */
int vmm_handle_page_fault(uint64_t addr, uint64_t err);

#endif
