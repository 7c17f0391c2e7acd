/* The few ELF64 definitions SECoS needs, shared by the UEFI loader (which
 * checks the kernel image) and the kernel (which checks user programs).
 *
 * Our own copy, because neither the freestanding kernel nor the UEFI build
 * has <elf.h>, and every reader must agree on the layout byte for byte. The
 * names match the ones uefi/elf_check.h used first, so switching it over to
 * this header changes no code.
 */
#ifndef SECOS_ELF64_H
#define SECOS_ELF64_H

#include <stdint.h>

/* e_ident[] */
#define ELF_EI_NIDENT   16
#define ELF_EI_CLASS    4
#define ELF_EI_DATA     5
#define ELF_EI_VERSION  6
#define ELF_CLASS64     2
#define ELF_DATA2LSB    1
#define ELF_EV_CURRENT  1   /* also the only valid e_version */

/* e_type, e_machine */
#define ELF_ET_EXEC 2
#define ELF_ET_DYN  3
#define EM_X86_64   62

/* e_phnum escape: the real count would be in section header 0. */
#define ELF_PN_XNUM 0xffff

/* p_type */
#define ELF_PT_NULL   0
#define ELF_PT_LOAD   1
#define ELF_PT_INTERP 3
#define ELF_PT_NOTE   4

/* p_flags */
#define ELF_PF_X      1
#define ELF_PF_W      2
#define ELF_PF_R      4

struct elf64_ehdr {
    uint8_t  e_ident[16];
    uint16_t e_type;
    uint16_t e_machine;
    uint32_t e_version;
    uint64_t e_entry;
    uint64_t e_phoff;
    uint64_t e_shoff;
    uint32_t e_flags;
    uint16_t e_ehsize;
    uint16_t e_phentsize;
    uint16_t e_phnum;
    uint16_t e_shentsize;
    uint16_t e_shnum;
    uint16_t e_shstrndx;
};

struct elf64_phdr {
    uint32_t p_type;
    uint32_t p_flags;
    uint64_t p_offset;
    uint64_t p_vaddr;
    uint64_t p_paddr;
    uint64_t p_filesz;
    uint64_t p_memsz;
    uint64_t p_align;
};

/* Note header, followed by the name and then the descriptor. The descriptor
 * and the next note start at offsets from the note's start rounded up to the
 * note alignment: 4, or 8 in a PT_NOTE whose p_align is 8. */
struct elf64_nhdr {
    uint32_t n_namesz;   /* name length including its NUL */
    uint32_t n_descsz;
    uint32_t n_type;     /* meaning depends on the name */
};

_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF64 header is 64 bytes");
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 program header is 56 bytes");
_Static_assert(sizeof(struct elf64_nhdr) == 12, "ELF note header is 12 bytes");

#endif
