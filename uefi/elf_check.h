/* Validation of the kernel ELF image, before the loader trusts any of it.
 *
 * Pure C on purpose: no EFI headers, no allocation, nothing but the bytes
 * handed in. The same file is linked into BOOTX64.EFI and into the host unit
 * test (tests/unit/test_uefi_elf.c), so every rule below is tested on Linux.
 */
#ifndef UEFI_ELF_CHECK_H
#define UEFI_ELF_CHECK_H

#include <stdint.h>

#include "secos/elf64.h" /* ELF64 types shared with the kernel's user-program loader */

#define ELF_KERNEL_MAX_SEGS  16
#define ELF_KERNEL_MAX_SPAN  (64ULL << 20)   /* 64 MiB: far more than SECoS needs */
#define ELF_PAGE_SIZE        4096ULL

struct elf_kernel_seg {
    uint64_t vaddr, memsz;   /* where it goes, bss included */
    uint64_t offset, filesz; /* what to copy from the file */
    uint32_t flags;          /* ELF_PF_* */
};

/* What the loader needs once the image has been accepted. */
struct elf_kernel_layout {
    uint64_t entry;
    uint64_t vbase;          /* lowest PT_LOAD vaddr, page aligned (== SECOS_KERNEL_LINK_BASE) */
    uint64_t vend;           /* highest vaddr+memsz, rounded up to a page */
    uint32_t nseg;
    struct elf_kernel_seg seg[ELF_KERNEL_MAX_SEGS];
};

/* Check img[0..size) is a loadable SECoS kernel. Returns 0 and fills *out, or
 * returns -1 and points *why at a static, human-readable reason. */
int elf_check_kernel(const void *img, uint64_t size,
                     struct elf_kernel_layout *out, const char **why);

/* Place an accepted image at dst, which must hold (vend - vbase) bytes:
 * zero all of it, then copy each segment's file bytes to dst + (vaddr - vbase).
 * The zeroed tail of each segment is its bss. */
void elf_load_segments(const void *img, const struct elf_kernel_layout *l, void *dst);

#endif
