/* KASLR for the UEFI path: the kernel image moved by a slide after it was
 * placed. kernel.elf is linked with --emit-relocs, so it still carries the
 * relocation records of every allocated section (.rela.text, .rela.rodata,
 * ...); each absolute reference to an address inside the image gains the
 * slide. Pure C, like elf_check.c: the same file runs in BOOTX64.EFI, the
 * host unit test (tests/unit/test_uefi_elf.c) and the fuzz target.
 *
 * What moves: R_X86_64_64 and R_X86_64_32S records against a symbol defined
 * in an allocated section of the image (whatever the addend: the compiler
 * folds `(uint64_t)sym - K` into one record); records against absolute
 * symbols (KERNEL_VIRT_OFFSET) stay. What never needs to: PC-relative
 * records (PC32, PLT32) between two places in the image, and R_X86_64_32
 * (zero-extended: the physical addresses PHYS(x) of boot.asm's 32-bit code).
 * Any other record type, a record outside its section, or a slid 32S value
 * that no longer fits is refused before a single byte changes. */
#ifndef UEFI_ELF_RELOC_H
#define UEFI_ELF_RELOC_H

#include <stdint.h>
#include "uefi/elf_check.h"

#define KASLR_ALIGN      (2ULL << 20)   /* the boot page tables map 2 MiB pages */
#define KASLR_SLOTS      512            /* 9 bits: slides 0 .. 1 GiB - 2 MiB */

/* The slide for 9 bits of r: a multiple of KASLR_ALIGN below 1 GiB. */
static inline uint64_t kaslr_slide_from(uint64_t r) { return (r % KASLR_SLOTS) * KASLR_ALIGN; }

/* Applies slide to the image placed at dst by elf_load_segments (img, size
 * and l as elf_check_kernel accepted them). 0 and *moved (records changed),
 * or -1 with *why (nothing changed). A slide of 0 checks and changes
 * nothing. */
int elf_relocate(const void *img, uint64_t size, const struct elf_kernel_layout *l, void *dst, uint64_t slide,
                 uint64_t *moved, const char **why);

#endif
