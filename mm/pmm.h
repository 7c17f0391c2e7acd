/* The kernel's physical frame allocator: one pmm_core instance built from the
 * normalised memory map. Misuse (double free, freeing what is not RAM) is a
 * kernel bug and panics with the address. */
#ifndef MM_PMM_H
#define MM_PMM_H
#include <stdint.h>

void pmm_init(void);                 /* needs the physmap (after paging_init) */
uint64_t pmm_alloc(void);            /* a frame's physical address, 0 when exhausted */
uint64_t pmm_alloc_zeroed(void);
void pmm_free(uint64_t pa);          /* the frame must not be shared (panics otherwise) */
/* n zeroed frames into out[0..n), all or none: 0, or -1 with every frame
 * taken given back (drivers setting up a device's rings). */
int pmm_alloc_zeroed_n(uint64_t *out, unsigned n);
/* Reference counts, for frames mapped in more than one place (copy-on-write):
 * a frame from pmm_alloc has one reference; pmm_ref adds one (-1 when the
 * count would pass PMM_MAX_REFS); pmm_put drops one and frees the frame with
 * its last, returning 1 then and 0 while others still hold it. */
#define PMM_MAX_REFS 65535
int pmm_ref(uint64_t pa);
int pmm_put(uint64_t pa);
uint64_t pmm_refcount(uint64_t pa);
/* count contiguous frames, first aligned to align_frames, all below max_pa (0 = any). */
uint64_t pmm_alloc_contig(uint64_t count, uint64_t align_frames, uint64_t max_pa);
void pmm_free_contig(uint64_t pa, uint64_t count);

struct pmm_stats {
    uint64_t ram_bytes;       /* RAM the firmware reported (usable, loader, kernel, ACPI, runtime) */
    uint64_t managed_frames;  /* frames the allocator hands out */
    uint64_t free_frames;
    uint64_t reserved_frames; /* RAM kept back: low 1 MiB, kernel image, modules, bitmaps */
    uint64_t highest_frame;
};
void pmm_get_stats(struct pmm_stats *out);

/* Promises: pmm_commit(n) holds n free frames back from every ordinary
 * allocation (0, or -1 if fewer are free); between pmm_draw_begin() and
 * pmm_draw_end() allocations may take them, and draw_end says how many did.
 * pmm_uncommit returns what was not drawn. For kernel demand-zero regions,
 * whose faults must not fail. */
int pmm_commit(uint64_t frames);
void pmm_uncommit(uint64_t frames);
void pmm_draw_begin(void);
uint64_t pmm_draw_end(void);
/* Boot module `index` is no longer needed (its contents were copied out):
 * its frames go back to the allocator, except any it shares with what stays
 * kept back. Its memory must not be read afterwards. Returns the frames
 * released (0 the second time). */
uint64_t pmm_release_module(uint32_t index);
uint64_t pmm_free_frames(void);

#endif
