/* Host tests for the UEFI loader's pure modules: kernel ELF validation
 * (uefi/elf_check.c), memory map conversion (uefi/mmap_convert.c) and page
 * table construction (uefi/paging.c). Built with ASan/UBSan, so malformed
 * input that makes the checker read out of bounds fails here, not at boot.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "secos/boot_info.h"
#include "uefi/elf_check.h"
#include "uefi/elf_reloc.h"
#include "uefi/mmap_convert.h"
#include "uefi/paging.h"

#define LB SECOS_KERNEL_LINK_BASE

/* ---- a small valid kernel image, then one mutation per rule ------------ */

struct img {
    _Alignas(8) uint8_t buf[0x4000];
    uint64_t size;
};

static struct elf64_ehdr *EH(struct img *im) { return (struct elf64_ehdr *)im->buf; }
static struct elf64_phdr *PH(struct img *im, int i)
{
    return (struct elf64_phdr *)(im->buf + EH(im)->e_phoff) + i;
}

static void set_ph(struct img *im, int i, uint32_t flags, uint64_t off, uint64_t vaddr,
                   uint64_t filesz, uint64_t memsz)
{
    struct elf64_phdr *p = PH(im, i);
    memset(p, 0, sizeof(*p));
    p->p_type = ELF_PT_LOAD;
    p->p_flags = flags;
    p->p_offset = off;
    p->p_vaddr = vaddr;
    p->p_paddr = 0x100000 + (vaddr - LB); /* Multiboot's view; ignored */
    p->p_filesz = filesz;
    p->p_memsz = memsz;
    p->p_align = 0x1000;
}

/* Headers R, text RX, rodata R, data+bss RW: the shape of build/kernel.elf. */
static void make_kernel(struct img *im)
{
    memset(im, 0, sizeof(*im));
    struct elf64_ehdr *e = EH(im);
    memcpy(e->e_ident, "\x7f" "ELF\x02\x01\x01", 7);
    e->e_type = 2;
    e->e_machine = 62;
    e->e_version = 1;
    e->e_entry = LB + 0x1010;
    e->e_phoff = sizeof(*e);
    e->e_ehsize = sizeof(*e);
    e->e_phentsize = sizeof(struct elf64_phdr);
    e->e_phnum = 4;
    set_ph(im, 0, ELF_PF_R, 0x0000, LB + 0x0000, 0x200, 0x200);
    set_ph(im, 1, ELF_PF_R | ELF_PF_X, 0x1000, LB + 0x1000, 0x1000, 0x1000);
    set_ph(im, 2, ELF_PF_R, 0x2000, LB + 0x2000, 0x800, 0x800);
    set_ph(im, 3, ELF_PF_R | ELF_PF_W, 0x3000, LB + 0x3000, 0x100, 0x3000);
    for (int i = 0x1000; i < 0x3100; i++)
        im->buf[i] = (uint8_t)(i * 7 + 1);
    memcpy(im->buf + 0x1010 - SECOS_UEFI_ENTRY_SIGNATURE_LEN, SECOS_UEFI_ENTRY_SIGNATURE,
           SECOS_UEFI_ENTRY_SIGNATURE_LEN);
    im->size = 0x3100;
}

/* ---- KASLR relocation (uefi/elf_reloc.c) ------------------------------- */

#define RELA_OFF 0x3200
#define SYM_OFF  0x3700
#define SHDR_OFF 0x3800

static void put_shdr(struct img *im, int i, uint32_t type, uint64_t flags, uint64_t addr, uint64_t off,
                     uint64_t size, uint32_t info)
{
    uint8_t *p = im->buf + SHDR_OFF + 64 * i;
    memset(p, 0, 64);
    memcpy(p + 4, &type, 4);
    memcpy(p + 8, &flags, 8);
    memcpy(p + 16, &addr, 8);
    memcpy(p + 24, &off, 8);
    memcpy(p + 32, &size, 8);
    memcpy(p + 44, &info, 4);
}

static int nrela;
/* Records name symbol 1 (the .text section) unless sym_of_next says else. */
static uint64_t sym_of_next = 1;
static void put_rela(struct img *im, uint64_t where, uint32_t type)
{
    uint8_t *p = im->buf + RELA_OFF + 24 * nrela++;
    uint64_t info = sym_of_next << 32 | type;
    sym_of_next = 1;
    memset(p, 0, 24);
    memcpy(p, &where, 8);
    memcpy(p + 8, &info, 8);
}

/* make_kernel plus sections: .text, its .rela.text with one record of each
 * kind, and a .rela of a non-allocated (debug) section that must be left
 * alone. The values the records point at are stored in the text. */
static void make_relocatable(struct img *im)
{
    make_kernel(im);
    uint64_t v64 = LB + 0x2100, c64 = LB + 0x100, phys32 = 0x101000, pc = 0xfffffff0;
    uint32_t v32s = (uint32_t)(LB + 0x3010), folded = 0;
    memcpy(im->buf + 0x1100, &v64, 8);     /* an address in the image: moves */
    memcpy(im->buf + 0x1108, &c64, 8);     /* an absolute symbol's value, though in range: stays */
    memcpy(im->buf + 0x1110, &v32s, 4);    /* a sign-extended 32-bit address: moves */
    memcpy(im->buf + 0x1114, &phys32, 4);  /* R_X86_64_32 (a physical address): stays */
    memcpy(im->buf + 0x1118, &pc, 4);      /* PC32: stays */
    memcpy(im->buf + 0x111c, &folded, 4);  /* sym - LINK_BASE folded by the compiler: 0, moves */
    nrela = 0;
    put_rela(im, LB + 0x1100, 1);
    sym_of_next = 2;
    put_rela(im, LB + 0x1108, 1);
    put_rela(im, LB + 0x1110, 11);
    put_rela(im, LB + 0x1114, 10);
    put_rela(im, LB + 0x1118, 2);
    put_rela(im, LB + 0x111c, 11);
    int text_rela = nrela;
    put_rela(im, 0x40, 99);               /* debug: an unknown type in a section that is not loaded */
    struct elf64_ehdr *e = EH(im);
    e->e_shoff = SHDR_OFF;
    e->e_shentsize = 64;
    e->e_shnum = 6;
    put_shdr(im, 0, 0, 0, 0, 0, 0, 0);
    put_shdr(im, 1, 1, 0x6, LB + 0x1000, 0x1000, 0x1000, 0);
    put_shdr(im, 2, 4, 0, 0, RELA_OFF, 24 * (uint64_t)text_rela, 1);
    put_shdr(im, 3, 1, 0, 0, 0x3100, 0x80, 0);
    put_shdr(im, 4, 4, 0, 0, RELA_OFF + 24 * (uint64_t)text_rela, 24, 3);
    put_shdr(im, 5, 2, 0, 0, SYM_OFF, 24 * 3, 0);
    for (int i = 2; i <= 4; i++) memcpy(im->buf + SHDR_OFF + 64 * i + 40, &(uint32_t){ 5 }, 4);   /* sh_link */
    /* symbols: 0 null, 1 the .text section, 2 an absolute one (KERNEL_LINK_BASE's kind) */
    memset(im->buf + SYM_OFF, 0, 72);
    im->buf[SYM_OFF + 24 + 4] = 3;                             /* STT_SECTION */
    memcpy(im->buf + SYM_OFF + 24 + 6, &(uint16_t){ 1 }, 2);
    memcpy(im->buf + SYM_OFF + 24 + 8, &(uint64_t){ LB + 0x1000 }, 8);
    memcpy(im->buf + SYM_OFF + 48 + 6, &(uint16_t){ 0xfff1 }, 2);
    memcpy(im->buf + SYM_OFF + 48 + 8, &(uint64_t){ LB + 0x100 }, 8);
    im->size = 0x4000;
}

static uint8_t placed[0x6000], before[0x6000];

static void place(struct img *im, struct elf_kernel_layout *l)
{
    const char *why = 0;
    assert_int_equal(elf_check_kernel(im->buf, im->size, l, &why), 0);
    elf_load_segments(im->buf, l, placed);
    memcpy(before, placed, sizeof placed);
}

static void test_relocate_moves_image_addresses_only(void **state)
{
    (void)state;
    static struct img im;
    struct elf_kernel_layout l;
    make_relocatable(&im);
    place(&im, &l);
    uint64_t slide = kaslr_slide_from(0x12345), moved = 0;
    assert_true(slide % KASLR_ALIGN == 0 && slide < (1ULL << 30) && slide != 0);
    const char *why = 0;
    assert_int_equal(elf_relocate(im.buf, im.size, &l, placed, slide, &moved, &why), 0);
    assert_int_equal(moved, 3);
    uint64_t v64, c64;
    uint32_t v32s, phys32, pc, folded;
    memcpy(&v64, placed + 0x1100, 8);
    memcpy(&c64, placed + 0x1108, 8);
    memcpy(&v32s, placed + 0x1110, 4);
    memcpy(&phys32, placed + 0x1114, 4);
    memcpy(&pc, placed + 0x1118, 4);
    memcpy(&folded, placed + 0x111c, 4);
    assert_true(v64 == LB + 0x2100 + slide);
    assert_true(c64 == LB + 0x100);
    assert_true((uint64_t)(int64_t)(int32_t)v32s == LB + 0x3010 + slide);
    assert_true(phys32 == 0x101000 && pc == 0xfffffff0);
    assert_true(folded == slide);
    /* nothing else changed */
    memcpy(placed + 0x1100, before + 0x1100, 8);
    memcpy(placed + 0x1110, before + 0x1110, 4);
    memcpy(placed + 0x111c, before + 0x111c, 4);
    assert_memory_equal(placed, before, sizeof placed);
    /* slide 0: checked, nothing moved */
    assert_int_equal(elf_relocate(im.buf, im.size, &l, placed, 0, &moved, &why), 0);
    assert_memory_equal(placed, before, sizeof placed);
    /* every slot is a multiple of 2 MiB below 1 GiB */
    for (uint64_t r = 0; r < 2000; r++) {
        uint64_t sl = kaslr_slide_from(r * 0x9E3779B97F4A7C15ULL);
        assert_true(sl % KASLR_ALIGN == 0 && sl < (1ULL << 30));
    }
}

/* A refused file changes nothing: the loader then boots it unslid. */
static void expect_refused(struct img *im, const char *want)
{
    struct elf_kernel_layout l;
    place(im, &l);
    const char *why = 0;
    uint64_t moved = 0;
    assert_int_equal(elf_relocate(im->buf, im->size, &l, placed, 4 * KASLR_ALIGN, &moved, &why), -1);
    assert_non_null(why);
    assert_non_null(strstr(why, want));
    assert_memory_equal(placed, before, sizeof placed);
}

static void test_relocate_refusals(void **state)
{
    (void)state;
    static struct img im;
    make_relocatable(&im);
    nrela = 4;
    put_rela(&im, LB + 0x1120, 25);   /* R_X86_64_GOTOFF64 in place of the PC32: not ours to know */
    expect_refused(&im, "relocation type");
    make_relocatable(&im);
    nrela = 0;
    put_rela(&im, LB + 0x7000, 1);    /* past the image */
    expect_refused(&im, "outside the image");
    make_relocatable(&im);
    nrela = 0;
    put_rela(&im, LB + 0x5ffc, 1);    /* 8 bytes from 4 before the end */
    expect_refused(&im, "outside the image");
    make_relocatable(&im);
    put_shdr(&im, 2, 4, 0, 0, RELA_OFF, 0x100000, 1);   /* records past the file */
    expect_refused(&im, "outside the file");
    make_relocatable(&im);
    put_shdr(&im, 2, 4, 0, 0, RELA_OFF, 24 * 6, 77);    /* names no section */
    expect_refused(&im, "names no section");
    make_relocatable(&im);
    nrela = 0;
    sym_of_next = 9;                  /* past the symbol table */
    put_rela(&im, LB + 0x1100, 1);
    expect_refused(&im, "bad symbol");
    make_relocatable(&im);
    memcpy(im.buf + SHDR_OFF + 64 * 2 + 40, &(uint32_t){ 3 }, 4);   /* sh_link: not a symbol table */
    expect_refused(&im, "bad symbol");
    make_relocatable(&im);
    EH(&im)->e_shnum = 0;
    expect_refused(&im, "no section headers");
    make_relocatable(&im);
    EH(&im)->e_shoff = 0x3fc0;                          /* headers past the end */
    expect_refused(&im, "past the end");
    make_relocatable(&im);
    put_shdr(&im, 2, 1, 0, 0, 0, 0, 0);                 /* no records at all */
    put_shdr(&im, 4, 1, 0, 0, 0, 0, 0);
    expect_refused(&im, "--emit-relocs");
    /* a slide that is not 2 MiB aligned */
    make_relocatable(&im);
    struct elf_kernel_layout l;
    place(&im, &l);
    const char *why = 0;
    assert_int_equal(elf_relocate(im.buf, im.size, &l, placed, 4096, 0, &why), -1);
    assert_memory_equal(placed, before, sizeof placed);
}

static void test_valid_kernel(void **state)
{
    (void)state;
    struct img im;
    struct elf_kernel_layout l;
    const char *why = "unset";
    make_kernel(&im);
    assert_int_equal(elf_check_kernel(im.buf, im.size, &l, &why), 0);
    assert_null(why);
    assert_int_equal(l.nseg, 4);
    assert_true(l.entry == LB + 0x1010);
    assert_true(l.vbase == LB);
    assert_true(l.vend == LB + 0x6000);
}

static void test_load_segments(void **state)
{
    (void)state;
    struct img im;
    struct elf_kernel_layout l;
    const char *why;
    make_kernel(&im);
    assert_int_equal(elf_check_kernel(im.buf, im.size, &l, &why), 0);
    uint8_t *dst = malloc(l.vend - l.vbase);
    memset(dst, 0xaa, l.vend - l.vbase);
    elf_load_segments(im.buf, &l, dst);
    assert_memory_equal(dst, im.buf, 0x200);               /* headers */
    for (int i = 0x200; i < 0x1000; i++)
        assert_int_equal(dst[i], 0);                        /* gap zeroed */
    assert_memory_equal(dst + 0x1000, im.buf + 0x1000, 0x1000); /* text */
    assert_memory_equal(dst + 0x2000, im.buf + 0x2000, 0x800);  /* rodata */
    assert_memory_equal(dst + 0x3000, im.buf + 0x3000, 0x100);  /* data */
    for (int i = 0x3100; i < 0x6000; i++)
        assert_int_equal(dst[i], 0);                        /* bss */
    free(dst);
}

typedef void (*mutator)(struct img *);
#define MUT(name, body) static void name(struct img *im) { body; }

MUT(m_tiny, im->size = 10)
MUT(m_entry_unsigned, EH(im)->e_entry = LB + 0x1020)
MUT(m_entry_text_start, EH(im)->e_entry = LB + 0x1004)
MUT(m_entry_sig_clobbered, im->buf[0x100c] ^= 1)

MUT(m_magic, EH(im)->e_ident[1] = 'X')
MUT(m_class, EH(im)->e_ident[4] = 1)
MUT(m_data, EH(im)->e_ident[5] = 2)
MUT(m_identver, EH(im)->e_ident[6] = 0)
MUT(m_version, EH(im)->e_version = 2)
MUT(m_machine, EH(im)->e_machine = 3)
MUT(m_type, EH(im)->e_type = 3)
MUT(m_ehsize, EH(im)->e_ehsize = 52)
MUT(m_phentsize, EH(im)->e_phentsize = 32)
MUT(m_phnum0, EH(im)->e_phnum = 0)
MUT(m_pnxnum, EH(im)->e_phnum = 0xffff)
MUT(m_phoff_out, EH(im)->e_phoff = im->size - 8)
MUT(m_phoff_wrap, EH(im)->e_phoff = UINT64_MAX - 16)
MUT(m_interp, PH(im, 2)->p_type = ELF_PT_INTERP)
MUT(m_filesz, PH(im, 2)->p_filesz = 0x900)
MUT(m_truncated, im->size = 0x3080)
MUT(m_off_wrap, PH(im, 2)->p_offset = UINT64_MAX - 0x7ff)
MUT(m_vaddr_wrap, PH(im, 3)->p_memsz = UINT64_MAX - 0x1000)
MUT(m_low_vaddr, PH(im, 0)->p_vaddr = 0x100000)
MUT(m_congruence, PH(im, 2)->p_offset = 0x2100; im->size = 0x3100)
MUT(m_wx, PH(im, 3)->p_flags |= ELF_PF_X)
MUT(m_overlap, PH(im, 2)->p_memsz = 0x1001)
MUT(m_shared_page, set_ph(im, 1, ELF_PF_R | ELF_PF_X, 0x1000, LB + 0x1000, 0x800, 0x800);
    set_ph(im, 2, ELF_PF_R | ELF_PF_W, 0x1800, LB + 0x1800, 0x100, 0x100))
MUT(m_no_load, for (int i = 0; i < 4; i++) PH(im, i)->p_type = 4 /* PT_NOTE */)
MUT(m_not_at_base, for (int i = 0; i < 4; i++) PH(im, i)->p_vaddr += 0x1000;
    EH(im)->e_entry += 0x1000)
MUT(m_span, PH(im, 3)->p_memsz = 65ULL << 20)
MUT(m_entry_data, EH(im)->e_entry = LB + 0x2010)
MUT(m_entry_outside, EH(im)->e_entry = LB + 0x7000)
MUT(m_too_many,
    EH(im)->e_phnum = ELF_KERNEL_MAX_SEGS + 1;
    for (int i = 0; i <= ELF_KERNEL_MAX_SEGS; i++)
        set_ph(im, i, ELF_PF_R, 0x1000, LB + 0x1000 * (uint64_t)i, 0x10, 0x10))

static const struct {
    const char *name;
    mutator mut;
    const char *expect; /* substring of the reason */
} bad[] = {
    { "tiny file", m_tiny, "too small" },
    { "bad magic", m_magic, "magic" },
    { "32-bit", m_class, "64-bit" },
    { "big-endian", m_data, "little-endian" },
    { "EI_VERSION", m_identver, "EI_VERSION" },
    { "e_version", m_version, "e_version" },
    { "machine", m_machine, "x86-64" },
    { "ET_DYN", m_type, "ET_EXEC" },
    { "ehsize", m_ehsize, "e_ehsize" },
    { "phentsize", m_phentsize, "e_phentsize" },
    { "no phdrs", m_phnum0, "no program headers" },
    { "PN_XNUM", m_pnxnum, "PN_XNUM" },
    { "phdrs past EOF", m_phoff_out, "program header table" },
    { "phoff wraps", m_phoff_wrap, "program header table" },
    { "PT_INTERP", m_interp, "PT_INTERP" },
    { "filesz > memsz", m_filesz, "exceeds its memory size" },
    { "truncated", m_truncated, "outside the file" },
    { "offset wraps", m_off_wrap, "outside the file" },
    { "vaddr wraps", m_vaddr_wrap, "wraps" },
    { "low vaddr", m_low_vaddr, "below the kernel link base" },
    { "congruence", m_congruence, "modulo the page size" },
    { "W+X", m_wx, "both writable and executable" },
    { "overlap", m_overlap, "overlap" },
    { "W/X share page", m_shared_page, "share a page" },
    { "no PT_LOAD", m_no_load, "no PT_LOAD" },
    { "not at base", m_not_at_base, "SECOS_KERNEL_LINK_BASE" },
    { "span", m_span, "64 MiB" },
    { "entry in data", m_entry_data, "entry point" },
    { "entry outside", m_entry_outside, "entry point" },
    { "too many", m_too_many, "too many PT_LOAD" },
    { "entry elsewhere in text", m_entry_unsigned, "64-bit UEFI entry" },
    { "entry at text start", m_entry_text_start, "64-bit UEFI entry" },
    { "signature clobbered", m_entry_sig_clobbered, "64-bit UEFI entry" },
};

static void test_rejections(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct img im;
        struct elf_kernel_layout l;
        const char *why = NULL;
        make_kernel(&im);
        bad[i].mut(&im);
        int r = elf_check_kernel(im.buf, im.size, &l, &why);
        if (r != -1 || !why || !strstr(why, bad[i].expect))
            fail_msg("case '%s': got %d, \"%s\", want \"%s\"", bad[i].name, r,
                     why ? why : "(null)", bad[i].expect);
    }
}

/* Different rules must give different messages, so a log line pins the cause. */
static void test_reasons_distinct(void **state)
{
    (void)state;
    const char *seen[64];
    size_t n = 0;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct img im;
        struct elf_kernel_layout l;
        const char *why = NULL;
        make_kernel(&im);
        bad[i].mut(&im);
        elf_check_kernel(im.buf, im.size, &l, &why);
        int dup = 0;
        for (size_t j = 0; j < n; j++)
            dup |= strcmp(seen[j], why) == 0;
        if (!dup)
            seen[n++] = why;
    }
    /* Three rules are tested two ways each (phoff, segment offset, entry),
     * the entry signature three ways. */
    assert_int_equal(n, sizeof(bad) / sizeof(bad[0]) - 3 - 2);
}

static void test_null_args(void **state)
{
    (void)state;
    struct elf_kernel_layout l;
    const char *why;
    assert_int_equal(elf_check_kernel(NULL, 100, &l, &why), -1);
    struct img im;
    make_kernel(&im);
    assert_int_equal(elf_check_kernel(im.buf, im.size, &l, NULL), 0);
    im.size = 3;
    assert_int_equal(elf_check_kernel(im.buf, im.size, &l, NULL), -1);
}

/* Random corruption of headers and size: must never read out of bounds
 * (ASan) and anything accepted must be loadable within its stated span. */
static void test_fuzz(void **state)
{
    (void)state;
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    for (int iter = 0; iter < 20000; iter++) {
        struct img im;
        struct elf_kernel_layout l;
        const char *why;
        make_kernel(&im);
        int flips = 1 + (int)(x % 4);
        for (int f = 0; f < flips; f++) {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            uint64_t pos = x % (64 + 4 * 56);
            im.buf[pos] = (uint8_t)(x >> 24);
        }
        if (x & 0x100000)
            im.size = (x >> 32) % im.size;
        /* Exact-size heap copy, so ASan sees reads past the end. */
        uint8_t *copy = malloc(im.size ? im.size : 1);
        memcpy(copy, im.buf, im.size);
        if (elf_check_kernel(copy, im.size, &l, &why) == 0) {
            assert_true(l.vbase == LB && l.vend > l.vbase);
            if (l.vend - l.vbase <= (1 << 20)) {
                uint8_t *dst = malloc(l.vend - l.vbase);
                elf_load_segments(copy, &l, dst);
                free(dst);
            }
        } else {
            assert_non_null(why);
        }
        free(copy);
    }
}

/* ---- memory map conversion -------------------------------------------- */

#define DSZ 48 /* what OVMF reports: larger than the 40-byte struct */

struct map {
    uint8_t buf[DSZ * 32];
    uint64_t size;
    uint64_t dsz;
};

static void add(struct map *m, uint32_t type, uint64_t base, uint64_t pages)
{
    struct uefi_mem_desc d = { type, 0, base, 0, pages, 0xf };
    memset(m->buf + m->size, 0x5a, m->dsz);   /* junk in the padding */
    memcpy(m->buf + m->size, &d, sizeof(d));
    m->size += m->dsz;
}

static void expect(const struct secos_mmap_entry *e, uint64_t base, uint64_t len, uint32_t type)
{
    if (e->base != base || e->length != len || e->type != type)
        fail_msg("entry {0x%llx, 0x%llx, %u}, want {0x%llx, 0x%llx, %u}",
                 (unsigned long long)e->base, (unsigned long long)e->length, e->type,
                 (unsigned long long)base, (unsigned long long)len, type);
}

static void test_mmap_types(void **state)
{
    (void)state;
    static const uint32_t want[] = {
        SECOS_MEM_RESERVED, SECOS_MEM_LOADER, SECOS_MEM_LOADER, SECOS_MEM_LOADER,
        SECOS_MEM_LOADER, SECOS_MEM_FIRMWARE, SECOS_MEM_FIRMWARE, SECOS_MEM_USABLE,
        SECOS_MEM_BAD, SECOS_MEM_ACPI_RECLAIM, SECOS_MEM_ACPI_NVS, SECOS_MEM_RESERVED,
        SECOS_MEM_RESERVED, SECOS_MEM_RESERVED, SECOS_MEM_RESERVED,
    };
    for (uint32_t t = 0; t < sizeof(want) / sizeof(want[0]); t++)
        assert_int_equal(mmap_translate_type(t), want[t]);
    assert_int_equal(mmap_translate_type(0x80000000u), SECOS_MEM_RESERVED);
    assert_int_equal(mmap_translate_type(15), SECOS_MEM_RESERVED);
}

static void test_mmap_merge_sort_kernel(void **state)
{
    (void)state;
    struct map m = { .size = 0, .dsz = DSZ };
    struct secos_mmap_entry out[32];
    /* Unsorted, with a kernel allocation inside a LoaderData range. */
    add(&m, UEFI_CONVENTIONAL, 0x100000, 0x100);   /* 1 MiB .. 2 MiB */
    add(&m, UEFI_BOOT_CODE, 0x0, 0xa0);            /* 0 .. 640 KiB */
    add(&m, UEFI_RESERVED, 0xa0000, 0x60);         /* 640 KiB .. 1 MiB */
    add(&m, UEFI_LOADER_DATA, 0x200000, 0x20);     /* 2 MiB .. +128 KiB: kernel in the middle */
    add(&m, UEFI_CONVENTIONAL, 0x220000, 0x10);
    add(&m, UEFI_CONVENTIONAL, 0x230000, 0x10);    /* touching: merges */
    add(&m, UEFI_ACPI_RECLAIM, 0x300000, 0x1);     /* gap before: no merge */
    add(&m, UEFI_CONVENTIONAL, 0x400000, 0);       /* empty: dropped */
    add(&m, UEFI_BOOT_DATA, 0x240000, 0x10);       /* loader, touches conventional */
    add(&m, UEFI_ACPI_RECLAIM, 0x302000, 0x1);     /* same type, 4 KiB gap: no merge */
    int n = mmap_convert(m.buf, m.size, m.dsz, 0x204000, 0x8000, out, 32);
    assert_int_equal(n, 10);
    expect(&out[0], 0x0, 0xa0000, SECOS_MEM_LOADER);
    expect(&out[1], 0xa0000, 0x60000, SECOS_MEM_RESERVED);
    expect(&out[2], 0x100000, 0x100000, SECOS_MEM_USABLE);
    expect(&out[3], 0x200000, 0x4000, SECOS_MEM_LOADER);
    expect(&out[4], 0x204000, 0x8000, SECOS_MEM_KERNEL);
    expect(&out[5], 0x20c000, 0x14000, SECOS_MEM_LOADER);
    expect(&out[6], 0x220000, 0x20000, SECOS_MEM_USABLE);
    expect(&out[7], 0x240000, 0x10000, SECOS_MEM_LOADER);
    expect(&out[8], 0x300000, 0x1000, SECOS_MEM_ACPI_RECLAIM);
    expect(&out[9], 0x302000, 0x1000, SECOS_MEM_ACPI_RECLAIM);
}

static void test_mmap_kernel_whole_descriptor(void **state)
{
    (void)state;
    struct map m = { .size = 0, .dsz = DSZ };
    struct secos_mmap_entry out[8];
    add(&m, UEFI_CONVENTIONAL, 0x100000, 0x100);
    add(&m, UEFI_LOADER_DATA, 0x200000, 0x8);
    add(&m, UEFI_LOADER_DATA, 0x208000, 0x8);   /* separate allocation, same type */
    int n = mmap_convert(m.buf, m.size, m.dsz, 0x200000, 0x8000, out, 8);
    assert_int_equal(n, 3);
    expect(&out[0], 0x100000, 0x100000, SECOS_MEM_USABLE);
    expect(&out[1], 0x200000, 0x8000, SECOS_MEM_KERNEL);
    expect(&out[2], 0x208000, 0x8000, SECOS_MEM_LOADER);
}

static void test_mmap_odd_descriptor_size(void **state)
{
    (void)state;
    struct map m = { .size = 0, .dsz = 44 }; /* unaligned entries: byte copies only */
    struct secos_mmap_entry out[8];
    add(&m, UEFI_CONVENTIONAL, 0x0, 0x10);
    add(&m, UEFI_CONVENTIONAL, 0x10000, 0x10);
    add(&m, UEFI_RUNTIME_DATA, 0x20000, 0x1);
    int n = mmap_convert(m.buf, m.size + 10 /* trailing partial entry ignored */, m.dsz,
                         0, 0, out, 8);
    assert_int_equal(n, 2);
    expect(&out[0], 0x0, 0x20000, SECOS_MEM_USABLE);
    expect(&out[1], 0x20000, 0x1000, SECOS_MEM_FIRMWARE);
}

static void test_mmap_errors(void **state)
{
    (void)state;
    struct map m = { .size = 0, .dsz = DSZ };
    struct secos_mmap_entry out[4];
    add(&m, UEFI_CONVENTIONAL, 0x0, 0x10);
    add(&m, UEFI_RESERVED, 0x10000, 0x10);
    add(&m, UEFI_CONVENTIONAL, 0x20000, 0x10);
    assert_int_equal(mmap_convert(m.buf, m.size, 32, 0, 0, out, 4), -1); /* desc too small */
    assert_int_equal(mmap_convert(m.buf, m.size, m.dsz, 0, 0, out, 2), -1); /* no room */
    /* Kernel in the middle of one descriptor: count + 2 entries needed. */
    assert_int_equal(mmap_convert(m.buf, m.size, m.dsz, 0x4000, 0x1000, out, 4), -1);
    struct secos_mmap_entry big[5];
    assert_int_equal(mmap_convert(m.buf, m.size, m.dsz, 0x4000, 0x1000, big, 5), 5);
    assert_int_equal(mmap_convert(m.buf, 0, m.dsz, 0, 0, out, 4), 0);
    /* Absurd page count clips instead of wrapping around. */
    struct map w = { .size = 0, .dsz = DSZ };
    add(&w, UEFI_CONVENTIONAL, 0xfffff000, UINT64_MAX / 2);
    assert_int_equal(mmap_convert(w.buf, w.size, w.dsz, 0, 0, out, 4), 1);
    assert_true(out[0].base + out[0].length > out[0].base);
}

/* ---- page tables -------------------------------------------------------- */

static void *pool_alloc(uint64_t pages, struct pt_pool *p)
{
    void *mem = aligned_alloc(4096, pages * 4096);
    memset(mem, 0xcc, pages * 4096); /* pt_build must zero what it uses */
    p->next = (uint64_t)(uintptr_t)mem;
    p->end = p->next + pages * 4096;
    return mem;
}

static void test_paging_layout(void **state)
{
    (void)state;
    const uint64_t G = 1ULL << 30, kphys = 0x7e543000, kspan = 0x25000;
    uint64_t ident = 10 * G + 0x1000; /* -m 8G on q35 ends at 10 GiB; odd end */
    uint64_t need = pt_pages_needed(ident, kspan);
    struct pt_pool p;
    void *mem = pool_alloc(need, &p);
    uint64_t pml4;
    const char *why = NULL;

    assert_int_equal(pt_build(&p, ident, LB, kphys, kspan, &pml4, &why), 0);
    assert_true(p.next <= p.end);
    assert_true(pml4 == (uint64_t)(uintptr_t)mem);

    /* identity, 2 MiB pages, up to the rounded-up end */
    assert_true(pt_translate(pml4, 0) == 0);
    assert_true(pt_translate(pml4, 0x12345678) == 0x12345678);
    assert_true(pt_translate(pml4, 4 * G - 1) == (int64_t)(4 * G - 1));
    assert_true(pt_translate(pml4, 10 * G + 0x1fffff) == (int64_t)(10 * G + 0x1fffff));
    assert_int_equal(pt_translate(pml4, 10 * G + 0x200000), -1);
    /* kernel, 4 KiB pages */
    assert_true(pt_translate(pml4, LB) == (int64_t)kphys);
    assert_true(pt_translate(pml4, LB + 0x1234) == (int64_t)(kphys + 0x1234));
    assert_true(pt_translate(pml4, LB + kspan - 1) == (int64_t)(kphys + kspan - 1));
    assert_int_equal(pt_translate(pml4, LB + kspan), -1);
    assert_int_equal(pt_translate(pml4, LB - 1), -1);
    assert_int_equal(pt_translate(pml4, 0xffff800000000000ULL), -1);

    /* every upper-level entry: present + writable, supervisor, executable */
    const uint64_t *t = (const uint64_t *)(uintptr_t)pml4;
    for (int i = 0; i < 512; i++) {
        if (t[i] & PTE_P) {
            assert_true(t[i] & PTE_W);
            assert_false(t[i] & 0x4);                /* US */
            assert_false(t[i] & (1ULL << 63));       /* NX */
        }
    }
    free(mem);
}

static void test_paging_errors(void **state)
{
    (void)state;
    struct pt_pool p;
    uint64_t pml4;
    const char *why = NULL;
    void *mem = pool_alloc(3, &p); /* far too small for 4 GiB */
    assert_int_equal(pt_build(&p, 4ULL << 30, LB, 0x200000, 0x1000, &pml4, &why), -1);
    assert_non_null(strstr(why, "exhausted"));
    free(mem);

    mem = pool_alloc(64, &p);
    assert_int_equal(pt_build(&p, 4ULL << 30, LB + 0x10, 0x200000, 0x1000, &pml4, &why), -1);
    assert_non_null(strstr(why, "aligned"));
    assert_int_equal(pt_build(&p, 4ULL << 30, 0x100000, 0x200000, 0x1000, &pml4, &why), -1);
    assert_non_null(strstr(why, "upper half"));
    assert_int_equal(pt_build(&p, 1ULL << 47, LB, 0x200000, 0x1000, &pml4, &why), -1);
    assert_non_null(strstr(why, "too large"));
    free(mem);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_kernel),
        cmocka_unit_test(test_load_segments),
        cmocka_unit_test(test_rejections),
        cmocka_unit_test(test_reasons_distinct),
        cmocka_unit_test(test_null_args),
        cmocka_unit_test(test_fuzz),
        cmocka_unit_test(test_mmap_types),
        cmocka_unit_test(test_mmap_merge_sort_kernel),
        cmocka_unit_test(test_mmap_kernel_whole_descriptor),
        cmocka_unit_test(test_mmap_odd_descriptor_size),
        cmocka_unit_test(test_mmap_errors),
        cmocka_unit_test(test_paging_layout),
        cmocka_unit_test(test_paging_errors),
        cmocka_unit_test(test_relocate_moves_image_addresses_only),
        cmocka_unit_test(test_relocate_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
