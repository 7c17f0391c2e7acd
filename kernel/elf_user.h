/* Validation of a user program's ELF image and its security manifest.
 *
 * Pure code: no allocation, no I/O, nothing but the bytes handed in. exec
 * calls elf_user_validate() on the whole file BEFORE it maps a single page;
 * after a 0 return the loader may trust every field of struct elf_user_image
 * without checking it again. Host-tested with ASan/UBSan in
 * tests/unit/test_elf_user.c.
 *
 * Rules (each refusal has its own ELF_ERR_* code):
 *  - ELF64, little-endian, version 1, x86-64, ET_EXEC or ET_DYN; header and
 *    program header sizes exactly ours; at most ELF_USER_MAX_PHDRS program
 *    headers, all inside the file. No PT_INTERP: there is no dynamic linker.
 *  - Every PT_LOAD: p_filesz <= p_memsz; file bytes inside the file and
 *    address range not wrapping; p_align 0, 1 or a power of two >= 4096;
 *    p_vaddr == p_offset modulo the page size (always: the loader works in
 *    pages) and modulo p_align; [p_vaddr, p_vaddr + p_memsz) inside
 *    [ELF_USER_VADDR_MIN, ELF_USER_VADDR_END) - page 0 is never mapped, so
 *    NULL dereferences always fault; never both writable and executable;
 *    never executable on the last page of the user half (ELF_USER_X_END):
 *    code there runs into the non-canonical hole, and an interrupt taken
 *    after its last instruction would hand IRETQ a non-canonical rip.
 *  - At most ELF_USER_MAX_SEGS non-empty PT_LOADs, and no two of them may
 *    touch the same page, not even at their edges. Page tables protect whole
 *    pages, so a shared page would need one set of permissions for two
 *    segments; refusing is simpler and safer than merging, and linkers
 *    already start each segment on a fresh page.
 *  - The entry point lies in the file-backed part of an executable PT_LOAD.
 *  - ET_DYN: addresses are checked as they stand, i.e. with load bias 0, so
 *    the same rules hold (a PIE linked at 0 is refused). The loader adds a
 *    page-aligned bias and must itself keep vmax + bias <= ELF_USER_VADDR_END.
 *  - Manifest: the notes of every PT_NOTE are walked with bounds checks
 *    (malformed notes are refused). The note named "SECOS" of type
 *    SECOS_NOTE_TYPE_QSEC must carry at least SECOS_MANIFEST_BASE_SIZE
 *    bytes (the optional tail reads as 0 when absent), version SECOS_MANIFEST_VERSION, no unknown flag, an entry_hint
 *    that is 0 or e_entry; a second such note is refused (which would win?).
 *    Other notes are ignored.
 *  - A program WITHOUT a manifest is accepted with has_manifest = 0: the
 *    kernel then applies its defaults. W^X, NX stacks and the user/kernel
 *    split are enforced for every program anyway, so the manifest can only
 *    tighten limits, and requiring it would not make an unmarked program
 *    any less safe to run.
 *  - max_mem is NOT checked here; the loader compares it with
 *    elf_user_pages() (and its own stack and heap) before mapping.
 *
 * Not checked because nothing reads them: section headers, e_flags,
 * EI_OSABI, p_paddr, other program header types (PT_GNU_STACK cannot make
 * the stack executable: SECoS stacks are always NX).
 */
#ifndef KERNEL_ELF_USER_H
#define KERNEL_ELF_USER_H

#include <stdint.h>
#include "secos/elf64.h"
#include "secos/manifest.h"

#define ELF_USER_MAX_SEGS   16
#define ELF_USER_MAX_PHDRS  64                       /* real programs have < 16 */
#define ELF_USER_PAGE_SIZE  4096ULL
#define ELF_USER_VADDR_MIN  0x1000ULL                /* page 0 stays unmapped */
#define ELF_USER_VADDR_END  0x0000800000000000ULL    /* end of the lower canonical half */
#define ELF_USER_X_END      (ELF_USER_VADDR_END - ELF_USER_PAGE_SIZE) /* executable bytes end here */

/* Every refusal, negative. They describe the file, they are not errnos:
 * exec logs elf_user_strerror(err) and returns -ENOEXEC. */
enum elf_user_err {
    ELF_OK = 0,
    ELF_ERR_ARGS = -1,            /* NULL image or result pointer */
    ELF_ERR_TRUNCATED = -2,       /* smaller than an ELF header */
    ELF_ERR_MAGIC = -3,
    ELF_ERR_CLASS = -4,           /* not ELFCLASS64 */
    ELF_ERR_DATA = -5,            /* not little-endian */
    ELF_ERR_VERSION = -6,         /* EI_VERSION or e_version not 1 */
    ELF_ERR_MACHINE = -7,         /* not x86-64 */
    ELF_ERR_TYPE = -8,            /* not ET_EXEC or ET_DYN */
    ELF_ERR_EHSIZE = -9,
    ELF_ERR_PHENTSIZE = -10,
    ELF_ERR_PHNUM = -11,          /* PN_XNUM or more than ELF_USER_MAX_PHDRS */
    ELF_ERR_PHDRS_BOUNDS = -12,   /* program header table outside the file */
    ELF_ERR_INTERP = -13,         /* PT_INTERP: dynamic linking unsupported */
    ELF_ERR_TOO_MANY_SEGS = -14,  /* more than ELF_USER_MAX_SEGS PT_LOADs */
    ELF_ERR_NO_LOAD = -15,        /* nothing to map */
    ELF_ERR_FILESZ_GT_MEMSZ = -16,
    ELF_ERR_OVERFLOW = -17,       /* offset+filesz or vaddr+memsz wraps */
    ELF_ERR_OFFSET_BOUNDS = -18,  /* PT_LOAD file bytes outside the file */
    ELF_ERR_ALIGN = -19,          /* p_align not 0, 1 or a power of two >= 4096 */
    ELF_ERR_CONGRUENCE = -20,     /* p_vaddr != p_offset mod page size / p_align */
    ELF_ERR_NOT_USER = -21,       /* outside [VADDR_MIN, VADDR_END) */
    ELF_ERR_WX = -22,             /* writable and executable */
    ELF_ERR_OVERLAP = -23,        /* two PT_LOADs overlap or share a page */
    ELF_ERR_ENTRY = -24,          /* entry not in an executable segment's file bytes */
    ELF_ERR_NOTE_BOUNDS = -25,    /* PT_NOTE or a note in it outside its bounds */
    ELF_ERR_MANIFEST_DUP = -26,   /* more than one SECOS manifest note */
    ELF_ERR_MANIFEST_SIZE = -27,  /* descriptor shorter than the manifest */
    ELF_ERR_MANIFEST_VERSION = -28,
    ELF_ERR_MANIFEST_FLAGS = -29, /* flag outside MANIFEST_FLAGS_KNOWN */
    ELF_ERR_MANIFEST_ENTRY = -30, /* entry_hint neither 0 nor e_entry */
    ELF_ERR_X_LAST_PAGE = -31,    /* executable bytes on the last page of the user half */
    ELF_ERR_LAST = ELF_ERR_X_LAST_PAGE  /* most negative code; keep last */
};

struct elf_user_seg {
    uint64_t vaddr, memsz;   /* where it goes, bss included (never 0) */
    uint64_t offset, filesz; /* what to copy from the file */
    uint32_t flags;          /* ELF_PF_R/W/X only; never both W and X */
};

struct elf_user_image {
    uint16_t type;        /* ELF_ET_EXEC or ELF_ET_DYN */
    uint64_t entry;       /* as in the file (for ET_DYN: relative to load bias 0) */
    uint64_t vmin, vmax;  /* page-aligned span of all PT_LOADs */
    uint32_t nseg;        /* 1..ELF_USER_MAX_SEGS, in program header order */
    struct elf_user_seg seg[ELF_USER_MAX_SEGS];
    int has_manifest;     /* 0: no manifest note, kernel defaults apply */
    struct secos_manifest manifest; /* valid only if has_manifest */
};

/* Check img[0..size) is a loadable SECoS user program. Returns 0 and fills
 * *out, or a negative ELF_ERR_* and zeroes *out (so a caller that ignores
 * the return value still maps nothing). */
int elf_user_validate(const void *img, uint64_t size, struct elf_user_image *out);

/* One line describing err (0 included); never NULL. */
const char *elf_user_strerror(int err);

/* Pages the PT_LOADs of an accepted image occupy. Exact: segments never
 * share a page. */
uint64_t elf_user_pages(const struct elf_user_image *im);

#endif
