/* User program ELF validation (kernel/elf_user.c): a small valid program is
 * built in memory, then each test breaks one thing. Built with ASan/UBSan,
 * and images under test are copied into heap blocks of exactly their size,
 * so a read past the end of the file fails here instead of in the kernel.
 */
#include "tests/unit/host_rename.h"
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "kernel/elf_user.h"
#include "lib/string.h"

/* The valid image:
 *   0x0000  ELF header
 *   0x0040  program headers: code (R+X), data (R+W, bss), PT_NOTE
 *   0x0800  the SECOS manifest note
 *   0x1000  code:  vaddr 0x401000, 0x100 bytes
 *   0x2000  data:  vaddr 0x403000, 0x80 bytes in the file, 0x2000 in memory */
#define NOTE_OFF  0x800u
#define CODE_OFF  0x1000u
#define CODE_VA   0x401000ull
#define CODE_SZ   0x100u
#define DATA_OFF  0x2000u
#define DATA_VA   0x403000ull
#define DATA_FSZ  0x80u
#define DATA_MSZ  0x2000u
#define ENTRY     (CODE_VA + 0x10)
#define FULL_SIZE (DATA_OFF + DATA_FSZ)
#define PH_CODE   0
#define PH_DATA   1
#define PH_NOTE   2
#define MAN_FLAGS (MANIFEST_FLAG_REQUIRE_WX_BLOCK | MANIFEST_FLAG_NX_DATA)
#define MAN_MEM   (1ull << 20)

struct img {
    _Alignas(8) uint8_t buf[0x3000];
    uint64_t size;
};

static struct elf64_ehdr *EH(struct img *im) { return (struct elf64_ehdr *)im->buf; }
static struct elf64_phdr *PH(struct img *im, int i)
{
    return (struct elf64_phdr *)(im->buf + EH(im)->e_phoff) + i;
}

static void set_ph(struct img *im, int i, uint32_t type, uint32_t flags, uint64_t off,
                   uint64_t vaddr, uint64_t filesz, uint64_t memsz, uint64_t align)
{
    struct elf64_phdr *p = PH(im, i);
    memset(p, 0, sizeof(*p));
    p->p_type = type;
    p->p_flags = flags;
    p->p_offset = off;
    p->p_vaddr = vaddr;
    p->p_paddr = vaddr;
    p->p_filesz = filesz;
    p->p_memsz = memsz;
    p->p_align = align;
}

/* Appends a note at im->buf[off] with the given note alignment; returns the
 * offset just past it (padding included). desc may be NULL (zeros). */
static uint32_t put_note(struct img *im, uint32_t off, uint32_t align, const char *name,
                         uint32_t namesz, uint32_t type, const void *desc, uint32_t descsz)
{
    struct elf64_nhdr nh = { namesz, descsz, type };
    uint32_t descoff = (12 + namesz + align - 1) & ~(align - 1);
    memcpy(im->buf + off, &nh, sizeof(nh));
    memcpy(im->buf + off + 12, name, namesz);
    if (desc)
        memcpy(im->buf + off + descoff, desc, descsz);
    return off + ((descoff + descsz + align - 1) & ~(align - 1));
}

static struct secos_manifest manifest(uint32_t version, uint32_t flags, uint64_t hint)
{
    struct secos_manifest m = { version, flags, MAN_MEM, hint, 0, 0 };
    return m;
}

/* Rewrites the one manifest note of the standard image (and its PT_NOTE). */
static void set_manifest(struct img *im, struct secos_manifest m, uint32_t descsz)
{
    uint8_t desc[64] = { 0 };
    memcpy(desc, &m, sizeof(m) < descsz ? sizeof(m) : descsz);
    memset(im->buf + NOTE_OFF, 0, 0x100);
    uint32_t end = put_note(im, NOTE_OFF, 4, SECOS_NOTE_NAME, 6, SECOS_NOTE_TYPE_QSEC,
                            desc, descsz);
    PH(im, PH_NOTE)->p_filesz = end - NOTE_OFF;
}

static void make_image(struct img *im)
{
    memset(im, 0, sizeof(*im));
    struct elf64_ehdr *e = EH(im);
    memcpy(e->e_ident, "\x7f" "ELF\x02\x01\x01", 7);
    e->e_type = ELF_ET_EXEC;
    e->e_machine = EM_X86_64;
    e->e_version = 1;
    e->e_entry = ENTRY;
    e->e_phoff = sizeof(*e);
    e->e_ehsize = sizeof(*e);
    e->e_phentsize = sizeof(struct elf64_phdr);
    e->e_phnum = 3;
    set_ph(im, PH_CODE, ELF_PT_LOAD, ELF_PF_R | ELF_PF_X, CODE_OFF, CODE_VA, CODE_SZ,
           CODE_SZ, 0x1000);
    set_ph(im, PH_DATA, ELF_PT_LOAD, ELF_PF_R | ELF_PF_W, DATA_OFF, DATA_VA, DATA_FSZ,
           DATA_MSZ, 0x1000);
    set_ph(im, PH_NOTE, ELF_PT_NOTE, ELF_PF_R, NOTE_OFF, 0, 0, 0, 4);
    set_manifest(im, manifest(SECOS_MANIFEST_VERSION, MAN_FLAGS, ENTRY), 24);
    for (uint32_t i = CODE_OFF; i < CODE_OFF + CODE_SZ; i++)
        im->buf[i] = 0x90; /* nop */
    for (uint32_t i = DATA_OFF; i < DATA_OFF + DATA_FSZ; i++)
        im->buf[i] = (uint8_t)(i * 7 + 1);
    im->size = FULL_SIZE;
}

/* Adds one more program header (the table has room for 35 before the note). */
static int add_ph(struct img *im, uint32_t type, uint32_t flags, uint64_t off, uint64_t vaddr,
                  uint64_t filesz, uint64_t memsz, uint64_t align)
{
    int i = EH(im)->e_phnum++;
    set_ph(im, i, type, flags, off, vaddr, filesz, memsz, align);
    return i;
}

/* Every code some test produced, checked by the last test. */
static int seen[1 - ELF_ERR_LAST];

/* Validates a heap copy of exactly `size` bytes, so ASan sees over-reads. */
static int validate_copy(const uint8_t *bytes, uint64_t size, struct elf_user_image *out)
{
    uint8_t *copy = malloc(size ? size : 1);
    assert_non_null(copy);
    memcpy(copy, bytes, size);
    int r = elf_user_validate(copy, size, out);
    free(copy);
    if (r <= 0 && r >= ELF_ERR_LAST)
        seen[-r] = 1;
    return r;
}

static int check(struct img *im, struct elf_user_image *out)
{
    return validate_copy(im->buf, im->size, out);
}

static struct elf_user_image out;

#define EXPECT(im, err) do {                                                  \
        int r_ = check((im), &out);                                           \
        if (r_ != (err))                                                      \
            print_error("got %d (%s), wanted %d (%s)\n", r_,                  \
                        elf_user_strerror(r_), (err), elf_user_strerror(err)); \
        assert_int_equal(r_, (err));                                          \
    } while (0)

/* ---- the valid image ---------------------------------------------------- */

static void test_valid_image(void **state)
{
    (void)state;
    struct img im;
    make_image(&im);
    EXPECT(&im, ELF_OK);
    assert_int_equal(out.type, ELF_ET_EXEC);
    assert_int_equal(out.entry, ENTRY);
    assert_int_equal(out.vmin, CODE_VA);
    assert_int_equal(out.vmax, DATA_VA + DATA_MSZ);
    assert_int_equal(out.nseg, 2);
    assert_int_equal(out.seg[0].vaddr, CODE_VA);
    assert_int_equal(out.seg[0].memsz, CODE_SZ);
    assert_int_equal(out.seg[0].offset, CODE_OFF);
    assert_int_equal(out.seg[0].filesz, CODE_SZ);
    assert_int_equal(out.seg[0].flags, ELF_PF_R | ELF_PF_X);
    assert_int_equal(out.seg[1].vaddr, DATA_VA);
    assert_int_equal(out.seg[1].memsz, DATA_MSZ);
    assert_int_equal(out.seg[1].offset, DATA_OFF);
    assert_int_equal(out.seg[1].filesz, DATA_FSZ);
    assert_int_equal(out.seg[1].flags, ELF_PF_R | ELF_PF_W);
    assert_int_equal(out.has_manifest, 1);
    assert_int_equal(out.manifest.version, SECOS_MANIFEST_VERSION);
    assert_int_equal(out.manifest.flags, MAN_FLAGS);
    assert_int_equal(out.manifest.max_mem, MAN_MEM);
    assert_int_equal(out.manifest.entry_hint, ENTRY);
    assert_int_equal(elf_user_pages(&out), 3);
}

static void test_et_dyn_accepted(void **state)
{
    (void)state;
    struct img im;
    make_image(&im);
    EH(&im)->e_type = ELF_ET_DYN;
    EXPECT(&im, ELF_OK);
    assert_int_equal(out.type, ELF_ET_DYN);
    assert_int_equal(out.entry, ENTRY);
    assert_int_equal(out.nseg, 2);
    assert_int_equal(out.has_manifest, 1);
}

/* Headers are copied out, never dereferenced in place. */
static void test_unaligned_buffer(void **state)
{
    (void)state;
    struct img im;
    make_image(&im);
    uint8_t *raw = malloc(FULL_SIZE + 1);
    assert_non_null(raw);
    memcpy(raw + 1, im.buf, FULL_SIZE);
    assert_int_equal(elf_user_validate(raw + 1, FULL_SIZE, &out), ELF_OK);
    free(raw);
}

static void test_null_args(void **state)
{
    (void)state;
    struct img im;
    make_image(&im);
    assert_int_equal(elf_user_validate(NULL, FULL_SIZE, &out), ELF_ERR_ARGS);
    assert_int_equal(elf_user_validate(im.buf, FULL_SIZE, NULL), ELF_ERR_ARGS);
    seen[-ELF_ERR_ARGS] = 1;
}

static void test_failure_zeroes_result(void **state)
{
    (void)state;
    struct img im;
    static const struct elf_user_image zero;
    make_image(&im);
    EH(&im)->e_entry = DATA_VA; /* fails late, after segments were recorded */
    memset(&out, 0xaa, sizeof(out));
    EXPECT(&im, ELF_ERR_ENTRY);
    assert_memory_equal(&out, &zero, sizeof(out));
}

/* ---- truncation ---------------------------------------------------------- */

static void test_truncated(void **state)
{
    (void)state;
    struct img im;
    make_image(&im);
    const uint64_t tiny[] = { 0, 1, 4, 16, 63 };
    for (unsigned i = 0; i < sizeof(tiny) / sizeof(tiny[0]); i++) {
        im.size = tiny[i];
        EXPECT(&im, ELF_ERR_TRUNCATED);
    }
    im.size = 64;                          /* header only */
    EXPECT(&im, ELF_ERR_PHDRS_BOUNDS);
    im.size = 64 + 3 * 56 - 1;             /* last program header cut */
    EXPECT(&im, ELF_ERR_PHDRS_BOUNDS);
    im.size = CODE_OFF + 1;                /* code cut */
    EXPECT(&im, ELF_ERR_OFFSET_BOUNDS);
    im.size = FULL_SIZE - 1;               /* last data byte missing */
    EXPECT(&im, ELF_ERR_OFFSET_BOUNDS);
}

/* Every prefix of the valid image is refused, the whole image accepted. */
static void test_every_truncation(void **state)
{
    (void)state;
    struct img im;
    make_image(&im);
    for (uint64_t n = 0; n <= FULL_SIZE; n++) {
        int r = validate_copy(im.buf, n, &out);
        if (n < FULL_SIZE)
            assert_true(r < 0);
        else
            assert_int_equal(r, ELF_OK);
    }
}

/* ---- ELF header ---------------------------------------------------------- */

static void test_bad_ident(void **state)
{
    (void)state;
    struct img im;
    for (int i = 0; i < 4; i++) {
        make_image(&im);
        im.buf[i] ^= 0x20;
        EXPECT(&im, ELF_ERR_MAGIC);
    }
    make_image(&im);
    im.buf[ELF_EI_CLASS] = 1; /* ELFCLASS32 */
    EXPECT(&im, ELF_ERR_CLASS);
    im.buf[ELF_EI_CLASS] = 0;
    EXPECT(&im, ELF_ERR_CLASS);
    make_image(&im);
    im.buf[ELF_EI_DATA] = 2; /* big-endian */
    EXPECT(&im, ELF_ERR_DATA);
    make_image(&im);
    im.buf[ELF_EI_VERSION] = 0;
    EXPECT(&im, ELF_ERR_VERSION);
    make_image(&im);
    EH(&im)->e_version = 2;
    EXPECT(&im, ELF_ERR_VERSION);
}

static void test_bad_machine_and_type(void **state)
{
    (void)state;
    struct img im;
    make_image(&im);
    EH(&im)->e_machine = 3; /* i386 */
    EXPECT(&im, ELF_ERR_MACHINE);
    EH(&im)->e_machine = 183; /* aarch64 */
    EXPECT(&im, ELF_ERR_MACHINE);
    const uint16_t types[] = { 0, 1 /* REL */, 4 /* CORE */, 0xfe00 };
    for (unsigned i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        make_image(&im);
        EH(&im)->e_type = types[i];
        EXPECT(&im, ELF_ERR_TYPE);
    }
}

static void test_bad_header_sizes(void **state)
{
    (void)state;
    struct img im;
    make_image(&im);
    EH(&im)->e_ehsize = 52; /* ELF32 */
    EXPECT(&im, ELF_ERR_EHSIZE);
    EH(&im)->e_ehsize = 65;
    EXPECT(&im, ELF_ERR_EHSIZE);
    const uint16_t sizes[] = { 0, 32, 55, 57, 0xffff };
    for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        make_image(&im);
        EH(&im)->e_phentsize = sizes[i];
        EXPECT(&im, ELF_ERR_PHENTSIZE);
    }
}

static void test_huge_phnum(void **state)
{
    (void)state;
    struct img im;
    make_image(&im);
    EH(&im)->e_phnum = ELF_PN_XNUM;
    EXPECT(&im, ELF_ERR_PHNUM);
    EH(&im)->e_phnum = 0xfffe;
    EXPECT(&im, ELF_ERR_PHNUM);
    EH(&im)->e_phnum = ELF_USER_MAX_PHDRS + 1;
    EXPECT(&im, ELF_ERR_PHNUM);
    /* Allowed count, but the table runs off the end of the file. */
    EH(&im)->e_phnum = ELF_USER_MAX_PHDRS;
    EH(&im)->e_phoff = FULL_SIZE - 56 * 10;
    EXPECT(&im, ELF_ERR_PHDRS_BOUNDS);
}

static void test_phdrs_bounds(void **state)
{
    (void)state;
    struct img im;
    make_image(&im);
    EH(&im)->e_phoff = FULL_SIZE - 100;
    EXPECT(&im, ELF_ERR_PHDRS_BOUNDS);
    EH(&im)->e_phoff = UINT64_MAX - 10;          /* phoff + table wraps */
    EXPECT(&im, ELF_ERR_PHDRS_BOUNDS);
    EH(&im)->e_phoff = UINT64_MAX - 3 * 56 + 1;  /* wraps to exactly 0 */
    EXPECT(&im, ELF_ERR_PHDRS_BOUNDS);
    EH(&im)->e_phoff = FULL_SIZE;
    EXPECT(&im, ELF_ERR_PHDRS_BOUNDS);
}

static void test_no_load(void **state)
{
    (void)state;
    struct img im;
    make_image(&im);
    EH(&im)->e_phnum = 0;
    EXPECT(&im, ELF_ERR_NO_LOAD);
    make_image(&im);
    PH(&im, PH_CODE)->p_type = ELF_PT_NULL;
    PH(&im, PH_DATA)->p_type = 6; /* PT_PHDR */
    EXPECT(&im, ELF_ERR_NO_LOAD);
    /* Empty PT_LOADs map nothing, so they do not count. */
    make_image(&im);
    PH(&im, PH_CODE)->p_filesz = PH(&im, PH_CODE)->p_memsz = 0;
    PH(&im, PH_DATA)->p_filesz = PH(&im, PH_DATA)->p_memsz = 0;
    EXPECT(&im, ELF_ERR_NO_LOAD);
}

static void test_interp_refused(void **state)
{
    (void)state;
    struct img im;
    make_image(&im);
    add_ph(&im, ELF_PT_INTERP, ELF_PF_R, NOTE_OFF, 0, 8, 8, 1);
    EXPECT(&im, ELF_ERR_INTERP);
}

/* ---- PT_LOAD segments ----------------------------------------------------- */

static void add_extra_loads(struct img *im, int n)
{
    for (int k = 0; k < n; k++)
        add_ph(im, ELF_PT_LOAD, ELF_PF_R, 0, 0x10000000ull + (uint64_t)k * 0x1000, 0,
               0x1000, 0x1000);
}

static void test_segment_count(void **state)
{
    (void)state;
    struct img im;
    make_image(&im);
    add_extra_loads(&im, ELF_USER_MAX_SEGS - 2);
    EXPECT(&im, ELF_OK);
    assert_int_equal(out.nseg, ELF_USER_MAX_SEGS);
    assert_int_equal(elf_user_pages(&out), 3 + ELF_USER_MAX_SEGS - 2);
    /* An empty PT_LOAD is checked but not counted. */
    add_ph(&im, ELF_PT_LOAD, ELF_PF_R, 0, 0x20000000, 0, 0, 0x1000);
    EXPECT(&im, ELF_OK);
    assert_int_equal(out.nseg, ELF_USER_MAX_SEGS);
    make_image(&im);
    add_extra_loads(&im, ELF_USER_MAX_SEGS - 1);
    EXPECT(&im, ELF_ERR_TOO_MANY_SEGS);
}

static void test_filesz_gt_memsz(void **state)
{
    (void)state;
    struct img im;
    make_image(&im);
    PH(&im, PH_CODE)->p_memsz = CODE_SZ - 1;
    EXPECT(&im, ELF_ERR_FILESZ_GT_MEMSZ);
    make_image(&im);
    PH(&im, PH_DATA)->p_memsz = 0; /* "empty" but with file bytes */
    EXPECT(&im, ELF_ERR_FILESZ_GT_MEMSZ);
}

static void test_overflow(void **state)
{
    (void)state;
    struct img im;
    make_image(&im);
    PH(&im, PH_CODE)->p_offset = UINT64_MAX - 10;
    EXPECT(&im, ELF_ERR_OVERFLOW);
    /* vaddr + memsz wraps */
    make_image(&im);
    PH(&im, PH_DATA)->p_vaddr = 0xfffffffffffff000ull;
    EXPECT(&im, ELF_ERR_OVERFLOW);
    make_image(&im);
    PH(&im, PH_DATA)->p_memsz = UINT64_MAX - DATA_VA + 1;
    EXPECT(&im, ELF_ERR_OVERFLOW);
    make_image(&im);
    PH(&im, PH_NOTE)->p_offset = UINT64_MAX - 10;
    EXPECT(&im, ELF_ERR_OVERFLOW);
}

static void test_offset_bounds(void **state)
{
    (void)state;
    struct img im;
    make_image(&im);
    PH(&im, PH_DATA)->p_filesz = DATA_MSZ; /* more than the file holds */
    EXPECT(&im, ELF_ERR_OFFSET_BOUNDS);
    make_image(&im);
    PH(&im, PH_CODE)->p_offset = FULL_SIZE + 0x1000; /* stays page-congruent */
    EXPECT(&im, ELF_ERR_OFFSET_BOUNDS);
    /* A bss-only segment needs no file bytes, but its offset stays sane. */
    make_image(&im);
    PH(&im, PH_DATA)->p_filesz = 0;
    PH(&im, PH_DATA)->p_offset = 0x7000;
    EXPECT(&im, ELF_ERR_OFFSET_BOUNDS);
    PH(&im, PH_DATA)->p_offset = DATA_OFF;
    EXPECT(&im, ELF_OK);
}

static void test_align(void **state)
{
    (void)state;
    struct img im;
    const uint64_t bad[] = { 2, 0x800, 0x1001, 0x3000, 0x1800, UINT64_MAX };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        make_image(&im);
        PH(&im, PH_CODE)->p_align = bad[i];
        EXPECT(&im, ELF_ERR_ALIGN);
    }
    /* Code: vaddr 0x401000, offset 0x1000, congruent modulo all of these. */
    const uint64_t good[] = { 0, 1, 0x1000, 0x2000, 0x200000 };
    for (unsigned i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        make_image(&im);
        PH(&im, PH_CODE)->p_align = good[i];
        PH(&im, PH_DATA)->p_align = i < 2 ? good[i] : 0x1000;
        EXPECT(&im, ELF_OK);
    }
}

static void test_congruence(void **state)
{
    (void)state;
    struct img im;
    /* Misaligned within the page, whatever p_align says. */
    const uint64_t aligns[] = { 0, 1, 0x1000 };
    for (unsigned i = 0; i < sizeof(aligns) / sizeof(aligns[0]); i++) {
        make_image(&im);
        PH(&im, PH_CODE)->p_vaddr = CODE_VA + 0x10;
        PH(&im, PH_CODE)->p_align = aligns[i];
        EXPECT(&im, ELF_ERR_CONGRUENCE);
    }
    /* Page-congruent, but not modulo a larger p_align. */
    make_image(&im);
    PH(&im, PH_CODE)->p_vaddr = 0x402000; /* offset 0x1000 */
    PH(&im, PH_CODE)->p_align = 0x10000;
    EXPECT(&im, ELF_ERR_CONGRUENCE);
    PH(&im, PH_CODE)->p_align = 0x1000;
    EH(&im)->e_entry = 0x402010;
    set_manifest(&im, manifest(SECOS_MANIFEST_VERSION, 0, 0), 24);
    EXPECT(&im, ELF_OK);
    /* p_align 2^63: vaddr and offset are smaller and differ. */
    make_image(&im);
    PH(&im, PH_CODE)->p_align = 1ull << 63;
    EXPECT(&im, ELF_ERR_CONGRUENCE);
}

static void test_not_user(void **state)
{
    (void)state;
    struct img im;
    make_image(&im);
    PH(&im, PH_CODE)->p_vaddr = 0; /* page 0 */
    EXPECT(&im, ELF_ERR_NOT_USER);
    make_image(&im);
    PH(&im, PH_DATA)->p_vaddr = 0xffffffff80003000ull; /* kernel half */
    EXPECT(&im, ELF_ERR_NOT_USER);
    make_image(&im);
    PH(&im, PH_DATA)->p_vaddr = ELF_USER_VADDR_END; /* non-canonical hole */
    EXPECT(&im, ELF_ERR_NOT_USER);
    make_image(&im);
    PH(&im, PH_DATA)->p_vaddr = ELF_USER_VADDR_END - DATA_MSZ + 0x1000; /* runs past */
    EXPECT(&im, ELF_ERR_NOT_USER);
    /* The extremes of user space are fine. */
    PH(&im, PH_DATA)->p_vaddr = ELF_USER_VADDR_END - DATA_MSZ;
    EXPECT(&im, ELF_OK);
    assert_int_equal(out.vmax, ELF_USER_VADDR_END);
    make_image(&im);
    PH(&im, PH_CODE)->p_vaddr = ELF_USER_VADDR_MIN;
    EH(&im)->e_entry = ELF_USER_VADDR_MIN;
    set_manifest(&im, manifest(SECOS_MANIFEST_VERSION, 0, ELF_USER_VADDR_MIN), 24);
    EXPECT(&im, ELF_OK);
    assert_int_equal(out.vmin, ELF_USER_VADDR_MIN);
    /* ET_DYN gets the same checks at bias 0: a PIE linked at 0 is refused. */
    make_image(&im);
    EH(&im)->e_type = ELF_ET_DYN;
    PH(&im, PH_CODE)->p_vaddr = 0;
    EXPECT(&im, ELF_ERR_NOT_USER);
}

static void test_wx(void **state)
{
    (void)state;
    struct img im;
    make_image(&im);
    PH(&im, PH_DATA)->p_flags = ELF_PF_R | ELF_PF_W | ELF_PF_X;
    EXPECT(&im, ELF_ERR_WX);
    make_image(&im);
    PH(&im, PH_CODE)->p_flags = ELF_PF_W | ELF_PF_X;
    EXPECT(&im, ELF_ERR_WX);
    /* Code on the last page of the user half runs into the non-canonical
     * hole: refused, even one byte of it; data there is fine (above). */
    make_image(&im);
    PH(&im, PH_CODE)->p_vaddr = ELF_USER_VADDR_END - 0x1000;
    EH(&im)->e_entry = ELF_USER_VADDR_END - 0x1000;
    set_manifest(&im, manifest(SECOS_MANIFEST_VERSION, 0, 0), 24);
    EXPECT(&im, ELF_ERR_X_LAST_PAGE);
    /* OS-specific flag bits are dropped, not passed on to the loader. */
    make_image(&im);
    PH(&im, PH_CODE)->p_flags |= 0x0ff00000;
    EXPECT(&im, ELF_OK);
    assert_int_equal(out.seg[0].flags, ELF_PF_R | ELF_PF_X);
}

static void test_overlap(void **state)
{
    (void)state;
    struct img im;
    make_image(&im);
    PH(&im, PH_DATA)->p_vaddr = CODE_VA; /* same address */
    EXPECT(&im, ELF_ERR_OVERLAP);
    /* Disjoint bytes, but the same page: one page cannot be RX and RW. */
    make_image(&im);
    PH(&im, PH_DATA)->p_vaddr = CODE_VA + 0x800;
    PH(&im, PH_DATA)->p_offset = 0x1800;
    EXPECT(&im, ELF_ERR_OVERLAP);
    /* Code's memory runs into data's first page. */
    make_image(&im);
    PH(&im, PH_CODE)->p_memsz = DATA_VA - CODE_VA + 1;
    EXPECT(&im, ELF_ERR_OVERLAP);
    /* A third segment inside data's bss. */
    make_image(&im);
    add_ph(&im, ELF_PT_LOAD, ELF_PF_R, 0, DATA_VA + 0x1000, 0, 0x1000, 0x1000);
    EXPECT(&im, ELF_ERR_OVERLAP);
    /* Adjacent pages are fine. */
    make_image(&im);
    PH(&im, PH_DATA)->p_vaddr = CODE_VA + 0x1000;
    EXPECT(&im, ELF_OK);
}

static void test_entry(void **state)
{
    (void)state;
    struct img im;
    const uint64_t bad[] = {
        DATA_VA + 0x10,       /* data segment */
        CODE_VA + CODE_SZ,    /* one past the code */
        CODE_VA - 1, 0, UINT64_MAX, 0x7ffffffff000ull,
    };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        make_image(&im);
        set_manifest(&im, manifest(SECOS_MANIFEST_VERSION, 0, 0), 24);
        EH(&im)->e_entry = bad[i];
        EXPECT(&im, ELF_ERR_ENTRY);
    }
    /* Inside the code's memory but past its file bytes (zero-filled). */
    make_image(&im);
    PH(&im, PH_CODE)->p_memsz = 0x1000;
    EH(&im)->e_entry = CODE_VA + 0x200;
    EXPECT(&im, ELF_ERR_ENTRY);
    /* Inside a segment that is not executable. */
    make_image(&im);
    PH(&im, PH_CODE)->p_flags = ELF_PF_R;
    EXPECT(&im, ELF_ERR_ENTRY);
    /* First and last byte of the code are fine. */
    const uint64_t good[] = { CODE_VA, CODE_VA + CODE_SZ - 1 };
    for (unsigned i = 0; i < 2; i++) {
        make_image(&im);
        set_manifest(&im, manifest(SECOS_MANIFEST_VERSION, 0, 0), 24);
        EH(&im)->e_entry = good[i];
        EXPECT(&im, ELF_OK);
    }
}

/* ---- notes and the manifest ---------------------------------------------- */

static void test_note_bounds(void **state)
{
    (void)state;
    struct img im;
    struct elf64_nhdr *nh;
    const uint32_t huge[] = { 0xffffffffu, 0xfffffffdu, 0x80000000u, 0x1000, 25 };
    for (unsigned i = 0; i < sizeof(huge) / sizeof(huge[0]); i++) {
        make_image(&im);
        nh = (struct elf64_nhdr *)(im.buf + NOTE_OFF);
        nh->n_namesz = huge[i];
        EXPECT(&im, ELF_ERR_NOTE_BOUNDS);
        make_image(&im);
        nh = (struct elf64_nhdr *)(im.buf + NOTE_OFF);
        nh->n_descsz = huge[i];
        EXPECT(&im, ELF_ERR_NOTE_BOUNDS);
    }
    /* The PT_NOTE itself outside the file. */
    make_image(&im);
    PH(&im, PH_NOTE)->p_offset = FULL_SIZE - 10;
    EXPECT(&im, ELF_ERR_NOTE_BOUNDS);
    make_image(&im);
    PH(&im, PH_NOTE)->p_filesz = FULL_SIZE;
    EXPECT(&im, ELF_ERR_NOTE_BOUNDS);
    /* Leftover bytes too short for a note header. */
    make_image(&im);
    PH(&im, PH_NOTE)->p_filesz += 5;
    EXPECT(&im, ELF_ERR_NOTE_BOUNDS);
    make_image(&im);
    PH(&im, PH_NOTE)->p_filesz = 11;
    EXPECT(&im, ELF_ERR_NOTE_BOUNDS);
}

static void test_note_trailing_padding_optional(void **state)
{
    (void)state;
    struct img im;
    make_image(&im);
    /* A 21-byte descriptor leaves 3 bytes of padding the segment may omit. */
    set_manifest(&im, manifest(SECOS_MANIFEST_VERSION, MAN_FLAGS, ENTRY), 25);
    PH(&im, PH_NOTE)->p_filesz -= 3;
    EXPECT(&im, ELF_OK);
    assert_int_equal(out.has_manifest, 1);
}

static void test_manifest_short(void **state)
{
    (void)state;
    struct img im;
    const uint32_t sizes[] = { 0, 4, 16, 23 };
    for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        make_image(&im);
        set_manifest(&im, manifest(SECOS_MANIFEST_VERSION, 0, 0), sizes[i]);
        EXPECT(&im, ELF_ERR_MANIFEST_SIZE);
    }
    /* Longer is accepted: room for fields of later versions. */
    make_image(&im);
    set_manifest(&im, manifest(SECOS_MANIFEST_VERSION, MAN_FLAGS, 0), 40);
    EXPECT(&im, ELF_OK);
    assert_int_equal(out.manifest.flags, MAN_FLAGS);
    /* The optional RAMFS-quota tail: read when present, 0 when not. */
    struct secos_manifest m = manifest(SECOS_MANIFEST_VERSION, 0, 0);
    m.max_fs_nodes = 7;
    m.max_fs_kib = 512;
    make_image(&im);
    set_manifest(&im, m, 32);
    EXPECT(&im, ELF_OK);
    assert_int_equal(out.manifest.max_fs_nodes, 7);
    assert_int_equal(out.manifest.max_fs_kib, 512);
    make_image(&im);
    set_manifest(&im, m, SECOS_MANIFEST_BASE_SIZE);
    EXPECT(&im, ELF_OK);
    assert_int_equal(out.manifest.max_fs_nodes, 0);
    assert_int_equal(out.manifest.max_fs_kib, 0);
}

static void test_manifest_version(void **state)
{
    (void)state;
    struct img im;
    const uint32_t versions[] = { 0, SECOS_MANIFEST_VERSION + 1, 0xffffffffu };
    for (unsigned i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
        make_image(&im);
        set_manifest(&im, manifest(versions[i], 0, 0), 24);
        EXPECT(&im, ELF_ERR_MANIFEST_VERSION);
    }
}

static void test_manifest_flags(void **state)
{
    (void)state;
    struct img im;
    const uint32_t flags[] = { MANIFEST_FLAGS_KNOWN + 1, 0x80000000u, 0xffffffffu };
    for (unsigned i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
        make_image(&im);
        set_manifest(&im, manifest(SECOS_MANIFEST_VERSION, flags[i], 0), 24);
        EXPECT(&im, ELF_ERR_MANIFEST_FLAGS);
    }
    make_image(&im);
    set_manifest(&im, manifest(SECOS_MANIFEST_VERSION, MANIFEST_FLAGS_KNOWN, 0), 24);
    EXPECT(&im, ELF_OK);
    assert_int_equal(out.manifest.flags, MANIFEST_FLAGS_KNOWN);
}

static void test_manifest_entry_hint(void **state)
{
    (void)state;
    struct img im;
    const uint64_t bad[] = { ENTRY + 1, CODE_VA, UINT64_MAX };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        make_image(&im);
        set_manifest(&im, manifest(SECOS_MANIFEST_VERSION, 0, bad[i]), 24);
        EXPECT(&im, ELF_ERR_MANIFEST_ENTRY);
    }
    make_image(&im);
    set_manifest(&im, manifest(SECOS_MANIFEST_VERSION, 0, 0), 24);
    EXPECT(&im, ELF_OK);
    assert_int_equal(out.manifest.entry_hint, 0);
    /* ET_DYN: compared with the unrelocated entry. */
    make_image(&im);
    EH(&im)->e_type = ELF_ET_DYN;
    EXPECT(&im, ELF_OK);
}

static void test_manifest_duplicate(void **state)
{
    (void)state;
    struct img im;
    struct secos_manifest m = manifest(SECOS_MANIFEST_VERSION, 0, 0);
    /* Twice in one PT_NOTE. */
    make_image(&im);
    uint32_t end = NOTE_OFF + (uint32_t)PH(&im, PH_NOTE)->p_filesz;
    end = put_note(&im, end, 4, SECOS_NOTE_NAME, 6, SECOS_NOTE_TYPE_QSEC, &m, sizeof(m));
    PH(&im, PH_NOTE)->p_filesz = end - NOTE_OFF;
    EXPECT(&im, ELF_ERR_MANIFEST_DUP);
    /* Two PT_NOTEs naming the same bytes. */
    make_image(&im);
    add_ph(&im, ELF_PT_NOTE, ELF_PF_R, NOTE_OFF, 0, PH(&im, PH_NOTE)->p_filesz, 0, 4);
    EXPECT(&im, ELF_ERR_MANIFEST_DUP);
}

static void test_other_notes_ignored(void **state)
{
    (void)state;
    struct img im;
    struct secos_manifest m = manifest(SECOS_MANIFEST_VERSION, MAN_FLAGS, ENTRY);
    static const uint8_t build_id[20] = { 1, 2, 3, 4, 5 };
    make_image(&im);
    memset(im.buf + NOTE_OFF, 0, 0x100);
    uint32_t o = NOTE_OFF;
    o = put_note(&im, o, 4, "GNU", 4, 3 /* NT_GNU_BUILD_ID */, build_id, sizeof(build_id));
    o = put_note(&im, o, 4, "SECOS", 6, 1, &m, sizeof(m));           /* other type */
    o = put_note(&im, o, 4, "SECO", 5, SECOS_NOTE_TYPE_QSEC, &m, sizeof(m)); /* other name */
    o = put_note(&im, o, 4, "SECOS", 5, SECOS_NOTE_TYPE_QSEC, &m, 8);        /* no NUL: not ours */
    o = put_note(&im, o, 4, "", 0, 0, NULL, 0);                              /* empty note */
    uint32_t before = o;
    o = put_note(&im, o, 4, SECOS_NOTE_NAME, 6, SECOS_NOTE_TYPE_QSEC, &m, sizeof(m));
    PH(&im, PH_NOTE)->p_filesz = o - NOTE_OFF;
    EXPECT(&im, ELF_OK);
    assert_int_equal(out.has_manifest, 1);
    assert_int_equal(out.manifest.max_mem, MAN_MEM);
    /* The same without the real manifest: accepted, no manifest. */
    PH(&im, PH_NOTE)->p_filesz = before - NOTE_OFF;
    EXPECT(&im, ELF_OK);
    assert_int_equal(out.has_manifest, 0);
}

/* In a PT_NOTE with p_align 8, descriptors and notes start 8-aligned. */
static void test_note_align8(void **state)
{
    (void)state;
    struct img im;
    struct secos_manifest m = manifest(SECOS_MANIFEST_VERSION, MAN_FLAGS, ENTRY);
    static const uint8_t prop[16] = { 2, 0, 0, 0xc0, 4, 0, 0, 0, 3 };
    make_image(&im);
    memset(im.buf + NOTE_OFF, 0, 0x100);
    uint32_t o = NOTE_OFF;
    o = put_note(&im, o, 8, "GNU", 4, 5 /* NT_GNU_PROPERTY_TYPE_0 */, prop, sizeof(prop));
    o = put_note(&im, o, 8, SECOS_NOTE_NAME, 6, SECOS_NOTE_TYPE_QSEC, &m, sizeof(m));
    PH(&im, PH_NOTE)->p_filesz = o - NOTE_OFF;
    PH(&im, PH_NOTE)->p_align = 8;
    EXPECT(&im, ELF_OK);
    assert_int_equal(out.has_manifest, 1);
    assert_int_equal(out.manifest.flags, MAN_FLAGS);
    assert_int_equal(out.manifest.max_mem, MAN_MEM);
    /* Read with 4-byte alignment, the descriptor is 4 bytes off. */
    PH(&im, PH_NOTE)->p_align = 4;
    EXPECT(&im, ELF_ERR_MANIFEST_VERSION);
}

/* No manifest: accepted, the kernel applies its defaults. */
static void test_no_manifest(void **state)
{
    (void)state;
    struct img im;
    make_image(&im);
    PH(&im, PH_NOTE)->p_type = ELF_PT_NULL;
    EXPECT(&im, ELF_OK);
    assert_int_equal(out.has_manifest, 0);
    assert_int_equal(out.manifest.version, 0);
    assert_int_equal(out.manifest.max_mem, 0);
    make_image(&im);
    PH(&im, PH_NOTE)->p_filesz = 0;
    EXPECT(&im, ELF_OK);
    assert_int_equal(out.has_manifest, 0);
    make_image(&im);
    EH(&im)->e_phnum = 2;
    EXPECT(&im, ELF_OK);
    assert_int_equal(out.has_manifest, 0);
}

/* ---- helpers ------------------------------------------------------------- */

static void test_pages(void **state)
{
    (void)state;
    struct img im;
    make_image(&im);
    EXPECT(&im, ELF_OK);
    assert_int_equal(elf_user_pages(&out), 1 + 2);
    make_image(&im);
    PH(&im, PH_DATA)->p_memsz = DATA_MSZ + 1; /* one byte into a third page */
    EXPECT(&im, ELF_OK);
    assert_int_equal(elf_user_pages(&out), 1 + 3);
    assert_int_equal(out.vmax, DATA_VA + 0x3000);
    /* Data starting mid-page, 0x1000 long: touches two pages. */
    make_image(&im);
    PH(&im, PH_DATA)->p_vaddr = DATA_VA + 0x800;
    PH(&im, PH_DATA)->p_offset = 0x1800;
    PH(&im, PH_DATA)->p_memsz = 0x1000;
    EXPECT(&im, ELF_OK);
    assert_int_equal(elf_user_pages(&out), 1 + 2);
    assert_int_equal(out.vmin, CODE_VA);
    assert_int_equal(out.vmax, DATA_VA + 0x2000);
    assert_int_equal(elf_user_pages(NULL), 0);
}

static void test_strerror(void **state)
{
    (void)state;
    const char *unknown = elf_user_strerror(1);
    assert_non_null(unknown);
    assert_string_equal(elf_user_strerror(ELF_ERR_LAST - 1), unknown);
    assert_string_equal(elf_user_strerror(INT_MIN), unknown);
    assert_string_equal(elf_user_strerror(INT_MAX), unknown);
    for (int e = 0; e >= ELF_ERR_LAST; e--) {
        const char *msg = elf_user_strerror(e);
        assert_non_null(msg);
        assert_true(strlen(msg) > 5);
        assert_null(strchr(msg, '\n'));
        assert_true(strcmp(msg, unknown) != 0);
        for (int f = 0; f > e; f--)
            assert_true(strcmp(msg, elf_user_strerror(f)) != 0);
    }
}

/* ---- random damage ------------------------------------------------------- */

static uint64_t rng_state = 0x5ec05e1f2024ull;
static uint64_t rnd(void)
{
    /* xorshift64*: fixed seed, so a failure is reproducible */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

/* Whatever an accepted image says must satisfy every promise of the header. */
static void assert_promises(const struct elf_user_image *im, uint64_t size)
{
    assert_true(im->type == ELF_ET_EXEC || im->type == ELF_ET_DYN);
    assert_true(im->nseg >= 1 && im->nseg <= ELF_USER_MAX_SEGS);
    assert_int_equal(im->vmin % ELF_USER_PAGE_SIZE, 0);
    assert_int_equal(im->vmax % ELF_USER_PAGE_SIZE, 0);
    assert_true(im->vmin >= ELF_USER_VADDR_MIN && im->vmax <= ELF_USER_VADDR_END);
    assert_true(elf_user_pages(im) <= (im->vmax - im->vmin) / ELF_USER_PAGE_SIZE);
    int entry_ok = 0;
    for (uint32_t i = 0; i < im->nseg; i++) {
        const struct elf_user_seg *s = &im->seg[i];
        assert_true(s->memsz > 0 && s->filesz <= s->memsz);
        assert_true(s->offset <= size && s->filesz <= size - s->offset);
        assert_true(s->vaddr >= im->vmin && s->memsz <= im->vmax - s->vaddr);
        assert_int_equal(s->vaddr % ELF_USER_PAGE_SIZE, s->offset % ELF_USER_PAGE_SIZE);
        assert_false((s->flags & ELF_PF_W) && (s->flags & ELF_PF_X));
        assert_int_equal(s->flags & ~7u, 0);
        if ((s->flags & ELF_PF_X) && im->entry >= s->vaddr && im->entry - s->vaddr < s->filesz)
            entry_ok = 1;
        for (uint32_t j = 0; j < i; j++) {
            const struct elf_user_seg *t = &im->seg[j];
            uint64_t s_last = (s->vaddr + s->memsz - 1) / ELF_USER_PAGE_SIZE;
            uint64_t t_last = (t->vaddr + t->memsz - 1) / ELF_USER_PAGE_SIZE;
            assert_true(s_last < t->vaddr / ELF_USER_PAGE_SIZE ||
                        t_last < s->vaddr / ELF_USER_PAGE_SIZE);
        }
    }
    assert_true(entry_ok);
    if (im->has_manifest) {
        assert_int_equal(im->manifest.version, SECOS_MANIFEST_VERSION);
        assert_int_equal(im->manifest.flags & ~(uint32_t)MANIFEST_FLAGS_KNOWN, 0);
        assert_true(im->manifest.entry_hint == 0 || im->manifest.entry_hint == im->entry);
    }
}

/* 100k damaged copies of the valid image: mostly bytes of the headers (and
 * one spare program header slot) and the note, where every field matters,
 * sometimes anywhere, sometimes a shorter file.
 * Nothing may crash or read outside the copy, and anything accepted must
 * still keep the header's promises. */
static void test_random_mutations(void **state)
{
    (void)state;
    static const uint8_t interesting[] = { 0, 1, 0x7f, 0x80, 0xff, 0x10, 0x40 };
    struct img base, im;
    unsigned accepted = 0, refused = 0;
    make_image(&base);
    for (int iter = 0; iter < 100000; iter++) {
        im = base;
        if (iter & 1)
            EH(&im)->e_type = ELF_ET_DYN;
        int n = 1 + (int)(rnd() % 8);
        for (int k = 0; k < n; k++) {
            uint64_t r = rnd();
            uint64_t pos;
            switch (r & 3) {
            case 0: pos = (r >> 8) % FULL_SIZE; break;                 /* anywhere */
            case 3: pos = NOTE_OFF + (r >> 8) % 0x30; break;           /* the note */
            default: pos = (r >> 8) % (64 + 4 * 56); break;            /* headers */
            }
            switch ((r >> 2) & 3) {
            case 0: im.buf[pos] ^= (uint8_t)(1u << ((r >> 40) & 7)); break;
            case 1: im.buf[pos] = (uint8_t)(r >> 48); break;
            default:
                im.buf[pos] = interesting[(r >> 40) % sizeof(interesting)];
                break;
            }
        }
        if (rnd() % 16 == 0)
            im.size = rnd() % (FULL_SIZE + 1);
        int r = check(&im, &out);
        if (r == ELF_OK) {
            accepted++;
            assert_promises(&out, im.size);
        } else {
            refused++;
            assert_true(r < 0 && r >= ELF_ERR_LAST);
        }
    }
    print_message("mutations: %u accepted, %u refused\n", accepted, refused);
    /* Both outcomes must be common, or the loop tests little. */
    assert_true(accepted > 1000);
    assert_true(refused > 1000);
}

/* Last: every refusal code was produced by at least one test above. */
static void test_every_code_covered(void **state)
{
    (void)state;
    for (int e = -1; e >= ELF_ERR_LAST; e--) {
        if (!seen[-e])
            print_error("no test produced %d (%s)\n", e, elf_user_strerror(e));
        assert_true(seen[-e]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_image),
        cmocka_unit_test(test_et_dyn_accepted),
        cmocka_unit_test(test_unaligned_buffer),
        cmocka_unit_test(test_null_args),
        cmocka_unit_test(test_failure_zeroes_result),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_every_truncation),
        cmocka_unit_test(test_bad_ident),
        cmocka_unit_test(test_bad_machine_and_type),
        cmocka_unit_test(test_bad_header_sizes),
        cmocka_unit_test(test_huge_phnum),
        cmocka_unit_test(test_phdrs_bounds),
        cmocka_unit_test(test_no_load),
        cmocka_unit_test(test_interp_refused),
        cmocka_unit_test(test_segment_count),
        cmocka_unit_test(test_filesz_gt_memsz),
        cmocka_unit_test(test_overflow),
        cmocka_unit_test(test_offset_bounds),
        cmocka_unit_test(test_align),
        cmocka_unit_test(test_congruence),
        cmocka_unit_test(test_not_user),
        cmocka_unit_test(test_wx),
        cmocka_unit_test(test_overlap),
        cmocka_unit_test(test_entry),
        cmocka_unit_test(test_note_bounds),
        cmocka_unit_test(test_note_trailing_padding_optional),
        cmocka_unit_test(test_manifest_short),
        cmocka_unit_test(test_manifest_version),
        cmocka_unit_test(test_manifest_flags),
        cmocka_unit_test(test_manifest_entry_hint),
        cmocka_unit_test(test_manifest_duplicate),
        cmocka_unit_test(test_other_notes_ignored),
        cmocka_unit_test(test_note_align8),
        cmocka_unit_test(test_no_manifest),
        cmocka_unit_test(test_pages),
        cmocka_unit_test(test_strerror),
        cmocka_unit_test(test_random_mutations),
        cmocka_unit_test(test_every_code_covered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
