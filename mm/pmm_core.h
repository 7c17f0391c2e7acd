/* Pure core of the physical memory manager: a bitmap frame allocator over
 * frames [0, nframes) of PMM_FRAME_SIZE bytes. No I/O, no globals, no locks:
 * the kernel wrapper owns the instance and the bitmap storage, serialises
 * calls and decides which errors are fatal. The same code runs in the host
 * unit tests.
 *
 * Two bits per frame:
 *   ram  used
 *    0    1    not managed: hole, MMIO, reserved, beyond nframes
 *    1    0    managed and free
 *    1    1    managed and allocated
 * (0,0) never occurs. A clear used bit therefore always means "free RAM",
 * so the allocator only has to scan the used bitmap.
 *
 * Set-up order: pmm_core_init, then pmm_core_add_free for every usable
 * region, then pmm_core_reserve for everything that must never be handed
 * out. A reserved frame looks exactly like a hole, so reserving before adding
 * would be undone by the add. */
#ifndef MM_PMM_CORE_H
#define MM_PMM_CORE_H
#include <stddef.h>
#include <stdint.h>

#define PMM_FRAME_SIZE 4096ULL
/* Frames past this would have a physical address >= 2^64; nframes is clipped. */
#define PMM_MAX_FRAMES (1ULL << 52)

enum pmm_err {
    PMM_OK = 0,
    PMM_ERR_EXHAUSTED = -1,   /* no (suitable) free frames */
    PMM_ERR_NOT_RAM = -2,     /* frame outside nframes, a hole or reserved */
    PMM_ERR_DOUBLE_FREE = -3, /* managed frame that is already free */
    PMM_ERR_UNALIGNED = -4,   /* address not a multiple of PMM_FRAME_SIZE */
    PMM_ERR_ARGS = -5,        /* bad count / alignment / NULL out pointer */
};

struct pmm_core {
    uint64_t *ram;            /* bit set = frame is allocatable RAM (managed) */
    uint64_t *used;           /* bit set = frame is allocated (or not RAM) */
    uint64_t nframes;
    uint64_t managed_frames;  /* frames with the ram bit */
    uint64_t free_frames;     /* managed frames with the used bit clear */
    uint64_t reserved_frames; /* frames of usable RAM taken out with pmm_core_reserve */
    uint64_t hint;            /* where the next search starts (word index) */
};

/* 64-bit words needed per bitmap for nframes frames. */
uint64_t pmm_core_bitmap_words(uint64_t nframes);

/* ram and used must each hold pmm_core_bitmap_words(nframes) words. Every
 * frame starts out "not RAM". */
void pmm_core_init(struct pmm_core *p, uint64_t *ram, uint64_t *used, uint64_t nframes);

/* Byte range [base, base+len): frames lying FULLY inside (clipped to
 * nframes; a wrapping range ends at 2^64) become managed and free. Frames
 * already managed are left alone, so overlapping regions count once. */
void pmm_core_add_free(struct pmm_core *p, uint64_t base, uint64_t len);

/* Byte range [base, base+len): every managed, free frame it OVERLAPS stops
 * being managed and is counted in reserved_frames. Allocated frames are left
 * to their owner; unmanaged ones are already unavailable. */
void pmm_core_reserve(struct pmm_core *p, uint64_t base, uint64_t len);

/* One frame, next-fit from the hint. PMM_OK or PMM_ERR_EXHAUSTED/ARGS. */
int pmm_core_alloc(struct pmm_core *p, uint64_t *pa);

/* count contiguous frames; the first is aligned to align_frames frames (a
 * power of two >= 1) and the whole run lies below max_pa (0 = no limit).
 * Lowest fitting run first. PMM_ERR_ARGS for count 0, a bad alignment or a
 * NULL pa; PMM_ERR_EXHAUSTED when no run fits. */
int pmm_core_alloc_contig(struct pmm_core *p, uint64_t count, uint64_t align_frames,
                          uint64_t max_pa, uint64_t *pa);

/* PMM_ERR_UNALIGNED, PMM_ERR_NOT_RAM (outside nframes or not managed),
 * PMM_ERR_DOUBLE_FREE (managed but free); nothing changes on error. */
int pmm_core_free(struct pmm_core *p, uint64_t pa);

/* Checks all count frames from pa first and frees none on error (the error
 * is the one of the lowest bad frame; a run past nframes is NOT_RAM;
 * count 0 is PMM_ERR_ARGS). */
int pmm_core_free_contig(struct pmm_core *p, uint64_t pa, uint64_t count);

/* 1 if the frame containing pa is managed and allocated, else 0. */
int pmm_core_is_allocated(const struct pmm_core *p, uint64_t pa);

const char *pmm_err_str(int err);

#endif
