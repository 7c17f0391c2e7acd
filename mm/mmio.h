/* Device registers (PCI BARs, ECAM) mapped uncached into the kernel half.
 *
 * Invariants: mappings are never taken back (devices do not go away); each
 * lies in [KMMIO_BASE, KMMIO_LIMIT), is RW, NX and PCD|PWT (strong
 * uncacheable with the default PAT), never USER and never PTE_OWNED, so no
 * frame of RAM is ever freed through it. */
#ifndef MM_MMIO_H
#define MM_MMIO_H
#include <stdint.h>

/* len bytes of device memory at physical pa (any alignment): the kernel
 * virtual address of pa, or 0 when len is 0, the range wraps, or the window
 * or page-table frames run out. */
volatile void *mmio_map(uint64_t pa, uint64_t len);

#endif
