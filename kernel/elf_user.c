/* User program ELF validation. The rules are listed in elf_user.h.
 *
 * The file comes from a file system any user may write to, so nothing in it
 * is trusted: headers are copied out with memcpy (the file need not be
 * aligned for their types), every offset and size is range-checked with
 * arithmetic that cannot wrap before it is used, and every refusal has its
 * own code so a rejected program can be diagnosed from the log alone.
 */
#include "kernel/elf_user.h"
#include "lib/string.h"

#define PAGE ELF_USER_PAGE_SIZE

static uint64_t page_down(uint64_t a)
{
    return a & ~(PAGE - 1);
}

/* Only called on addresses <= ELF_USER_VADDR_END, so it cannot wrap. */
static uint64_t page_up(uint64_t a)
{
    return (a + PAGE - 1) & ~(PAGE - 1);
}

/* a + b, or -1 if it wraps past 2^64. */
static int add_ok(uint64_t a, uint64_t b, uint64_t *sum)
{
    if (a > UINT64_MAX - b)
        return -1;
    *sum = a + b;
    return 0;
}

static int check_ehdr(const struct elf64_ehdr *eh, uint64_t size)
{
    uint64_t phend;

    if (eh->e_ident[0] != 0x7f || eh->e_ident[1] != 'E' ||
        eh->e_ident[2] != 'L' || eh->e_ident[3] != 'F')
        return ELF_ERR_MAGIC;
    if (eh->e_ident[ELF_EI_CLASS] != ELF_CLASS64)
        return ELF_ERR_CLASS;
    if (eh->e_ident[ELF_EI_DATA] != ELF_DATA2LSB)
        return ELF_ERR_DATA;
    if (eh->e_ident[ELF_EI_VERSION] != ELF_EV_CURRENT || eh->e_version != ELF_EV_CURRENT)
        return ELF_ERR_VERSION;
    if (eh->e_machine != EM_X86_64)
        return ELF_ERR_MACHINE;
    if (eh->e_type != ELF_ET_EXEC && eh->e_type != ELF_ET_DYN)
        return ELF_ERR_TYPE;
    if (eh->e_ehsize != sizeof(struct elf64_ehdr))
        return ELF_ERR_EHSIZE;
    if (eh->e_phentsize != sizeof(struct elf64_phdr))
        return ELF_ERR_PHENTSIZE;
    /* A cap keeps the work per exec small whatever the file says. */
    if (eh->e_phnum == ELF_PN_XNUM || eh->e_phnum > ELF_USER_MAX_PHDRS)
        return ELF_ERR_PHNUM;
    if (add_ok(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(struct elf64_phdr), &phend) ||
        phend > size)
        return ELF_ERR_PHDRS_BOUNDS;
    return 0;
}

/* Program header i; check_ehdr() has proved the table lies in the file. */
static void read_phdr(const uint8_t *file, const struct elf64_ehdr *eh, uint32_t i,
                      struct elf64_phdr *ph)
{
    memcpy(ph, file + eh->e_phoff + (uint64_t)i * sizeof(*ph), sizeof(*ph));
}

/* One PT_LOAD on its own; empty ones too, so no odd header slips through. */
static int check_load(const struct elf64_phdr *ph, uint64_t size)
{
    uint64_t fend, vend, align = ph->p_align;

    if (ph->p_filesz > ph->p_memsz)
        return ELF_ERR_FILESZ_GT_MEMSZ;
    if (add_ok(ph->p_offset, ph->p_filesz, &fend) ||
        add_ok(ph->p_vaddr, ph->p_memsz, &vend))
        return ELF_ERR_OVERFLOW;
    if (fend > size)
        return ELF_ERR_OFFSET_BOUNDS;
    if (align > 1 && (align % PAGE != 0 || (align & (align - 1)) != 0))
        return ELF_ERR_ALIGN;
    /* The loader fills memory page by page from the matching file page, so
     * vaddr and offset must agree within a page even when p_align (0 or 1)
     * claims not to care. Every linker output satisfies this. */
    if (ph->p_vaddr % PAGE != ph->p_offset % PAGE ||
        (align > 1 && ph->p_vaddr % align != ph->p_offset % align))
        return ELF_ERR_CONGRUENCE;
    if (ph->p_vaddr < ELF_USER_VADDR_MIN || vend > ELF_USER_VADDR_END)
        return ELF_ERR_NOT_USER;
    if ((ph->p_flags & ELF_PF_W) && (ph->p_flags & ELF_PF_X))
        return ELF_ERR_WX;
    if ((ph->p_flags & ELF_PF_X) && vend > ELF_USER_X_END)
        return ELF_ERR_X_LAST_PAGE;
    return 0;
}

static int share_page(const struct elf_user_seg *a, const struct elf_user_seg *b)
{
    /* Last page index; memsz > 0 and no wrap were checked. */
    uint64_t a0 = a->vaddr / PAGE, a1 = (a->vaddr + a->memsz - 1) / PAGE;
    uint64_t b0 = b->vaddr / PAGE, b1 = (b->vaddr + b->memsz - 1) / PAGE;
    return a0 <= b1 && b0 <= a1;
}

/* The segments together: no shared pages, entry in code, span. */
static int check_layout(struct elf_user_image *im)
{
    int entry_ok = 0;

    im->vmin = UINT64_MAX;
    im->vmax = 0;
    for (uint32_t i = 0; i < im->nseg; i++) {
        const struct elf_user_seg *s = &im->seg[i];
        for (uint32_t j = i + 1; j < im->nseg; j++)
            if (share_page(s, &im->seg[j]))
                return ELF_ERR_OVERLAP;
        /* File-backed bytes only: jumping into zero-filled bss is never
         * what a correct program means. */
        if ((s->flags & ELF_PF_X) && im->entry >= s->vaddr &&
            im->entry - s->vaddr < s->filesz)
            entry_ok = 1;
        if (page_down(s->vaddr) < im->vmin)
            im->vmin = page_down(s->vaddr);
        if (page_up(s->vaddr + s->memsz) > im->vmax)
            im->vmax = page_up(s->vaddr + s->memsz);
    }
    if (!entry_ok)
        return ELF_ERR_ENTRY;
    return 0;
}

static int is_manifest_note(const struct elf64_nhdr *nh, const uint8_t *name)
{
    return nh->n_type == SECOS_NOTE_TYPE_QSEC &&
           nh->n_namesz == sizeof(SECOS_NOTE_NAME) &&
           memcmp(name, SECOS_NOTE_NAME, sizeof(SECOS_NOTE_NAME)) == 0;
}

/* Needs im->entry: the manifest's entry_hint is compared with it. */
static int take_manifest(const struct elf64_nhdr *nh, const uint8_t *desc,
                         struct elf_user_image *im)
{
    struct secos_manifest m;

    if (im->has_manifest)
        return ELF_ERR_MANIFEST_DUP;
    /* Longer is allowed (the optional tail, later fields of a future
     * version); shorter than the base would make us read past the note. */
    if (nh->n_descsz < SECOS_MANIFEST_BASE_SIZE)
        return ELF_ERR_MANIFEST_SIZE;
    memset(&m, 0, sizeof(m));
    memcpy(&m, desc, nh->n_descsz < sizeof(m) ? nh->n_descsz : sizeof(m));
    if (m.version != SECOS_MANIFEST_VERSION)
        return ELF_ERR_MANIFEST_VERSION;
    /* An unknown flag may be a restriction we do not implement: refuse
     * rather than run the program with less protection than it asked for. */
    if (m.flags & ~(uint32_t)MANIFEST_FLAGS_KNOWN)
        return ELF_ERR_MANIFEST_FLAGS;
    if (m.entry_hint != 0 && m.entry_hint != im->entry)
        return ELF_ERR_MANIFEST_ENTRY;
    im->has_manifest = 1;
    im->manifest = m;
    return 0;
}

/* Walk the notes of one PT_NOTE. A note is a header, the name, then the
 * descriptor; the descriptor and the next note start at offsets from the
 * note's start rounded up to the note alignment: 4, or 8 when p_align is 8
 * (.note.gnu.property), as binutils and Linux read it. `rem` counts the
 * bytes left in the segment, and offsets within a note stay below 2^34, so
 * no sum below can wrap. */
static uint64_t note_align(uint64_t off, uint64_t align)
{
    return (off + align - 1) & ~(align - 1);
}

static int walk_notes(const uint8_t *file, uint64_t size, const struct elf64_phdr *ph,
                      struct elf_user_image *im)
{
    uint64_t end, pos, rem, align = ph->p_align == 8 ? 8 : 4;

    if (add_ok(ph->p_offset, ph->p_filesz, &end))
        return ELF_ERR_OVERFLOW;
    if (end > size)
        return ELF_ERR_NOTE_BOUNDS;
    for (pos = ph->p_offset, rem = ph->p_filesz; rem > 0; pos = end - rem) {
        struct elf64_nhdr nh;
        uint64_t descoff, noteend;

        if (rem < sizeof(nh))
            return ELF_ERR_NOTE_BOUNDS;
        memcpy(&nh, file + pos, sizeof(nh));
        descoff = note_align(sizeof(nh) + (uint64_t)nh.n_namesz, align);
        if (descoff > rem || nh.n_descsz > rem - descoff)
            return ELF_ERR_NOTE_BOUNDS;
        noteend = note_align(descoff + nh.n_descsz, align);
        /* The last descriptor's padding is sometimes left out of p_filesz. */
        if (noteend > rem)
            noteend = rem;

        if (is_manifest_note(&nh, file + pos + sizeof(nh))) {
            int err = take_manifest(&nh, file + pos + descoff, im);
            if (err)
                return err;
        }
        rem -= noteend;
    }
    return 0;
}

static int validate(const uint8_t *file, uint64_t size, struct elf_user_image *im)
{
    struct elf64_ehdr eh;
    struct elf64_phdr ph;
    int err;

    if (size < sizeof(eh))
        return ELF_ERR_TRUNCATED;
    memcpy(&eh, file, sizeof(eh));
    if ((err = check_ehdr(&eh, size)) != 0)
        return err;
    im->type = eh.e_type;
    im->entry = eh.e_entry;

    /* Pass 1: the segments to map. */
    for (uint32_t i = 0; i < eh.e_phnum; i++) {
        read_phdr(file, &eh, i, &ph);
        if (ph.p_type == ELF_PT_INTERP)
            return ELF_ERR_INTERP;
        if (ph.p_type != ELF_PT_LOAD)
            continue;
        if ((err = check_load(&ph, size)) != 0)
            return err;
        if (ph.p_memsz == 0)
            continue; /* nothing to map */
        if (im->nseg == ELF_USER_MAX_SEGS)
            return ELF_ERR_TOO_MANY_SEGS;
        struct elf_user_seg *s = &im->seg[im->nseg++];
        s->vaddr = ph.p_vaddr;
        s->memsz = ph.p_memsz;
        s->offset = ph.p_offset;
        s->filesz = ph.p_filesz;
        s->flags = ph.p_flags & (ELF_PF_R | ELF_PF_W | ELF_PF_X);
    }
    if (im->nseg == 0)
        return ELF_ERR_NO_LOAD;
    if ((err = check_layout(im)) != 0)
        return err;

    /* Pass 2: the manifest, now that the entry point is known good. */
    for (uint32_t i = 0; i < eh.e_phnum; i++) {
        read_phdr(file, &eh, i, &ph);
        if (ph.p_type == ELF_PT_NOTE && (err = walk_notes(file, size, &ph, im)) != 0)
            return err;
    }
    return 0;
}

int elf_user_validate(const void *img, uint64_t size, struct elf_user_image *out)
{
    int err;

    if (!out)
        return ELF_ERR_ARGS;
    memset(out, 0, sizeof(*out));
    if (!img)
        return ELF_ERR_ARGS;
    err = validate(img, size, out);
    if (err)
        memset(out, 0, sizeof(*out)); /* never hand out a half-checked image */
    return err;
}

static const char *const messages[] = {
    [-ELF_OK] = "valid user program",
    [-ELF_ERR_ARGS] = "no image or no result buffer",
    [-ELF_ERR_TRUNCATED] = "file too small to hold an ELF header",
    [-ELF_ERR_MAGIC] = "bad ELF magic (not an ELF file)",
    [-ELF_ERR_CLASS] = "not a 64-bit ELF (EI_CLASS)",
    [-ELF_ERR_DATA] = "not a little-endian ELF (EI_DATA)",
    [-ELF_ERR_VERSION] = "bad ELF version (EI_VERSION or e_version)",
    [-ELF_ERR_MACHINE] = "not an x86-64 ELF (e_machine)",
    [-ELF_ERR_TYPE] = "not an executable ELF (e_type is not ET_EXEC or ET_DYN)",
    [-ELF_ERR_EHSIZE] = "bad ELF header size (e_ehsize)",
    [-ELF_ERR_PHENTSIZE] = "bad program header entry size (e_phentsize)",
    [-ELF_ERR_PHNUM] = "too many program headers (e_phnum)",
    [-ELF_ERR_PHDRS_BOUNDS] = "program header table lies outside the file",
    [-ELF_ERR_INTERP] = "program asks for an interpreter (PT_INTERP): dynamic linking is not supported",
    [-ELF_ERR_TOO_MANY_SEGS] = "too many PT_LOAD segments",
    [-ELF_ERR_NO_LOAD] = "no PT_LOAD segment: nothing to run",
    [-ELF_ERR_FILESZ_GT_MEMSZ] = "PT_LOAD file size exceeds its memory size",
    [-ELF_ERR_OVERFLOW] = "segment offset+size or address+size wraps around",
    [-ELF_ERR_OFFSET_BOUNDS] = "PT_LOAD data lies outside the file",
    [-ELF_ERR_ALIGN] = "PT_LOAD alignment is not 0, 1 or a power of two >= 4096",
    [-ELF_ERR_CONGRUENCE] = "PT_LOAD vaddr and file offset differ modulo the page size or p_align",
    [-ELF_ERR_NOT_USER] = "PT_LOAD outside user space (page 0 or the upper half)",
    [-ELF_ERR_WX] = "PT_LOAD is both writable and executable",
    [-ELF_ERR_OVERLAP] = "two PT_LOAD segments overlap or share a page",
    [-ELF_ERR_ENTRY] = "entry point is not inside an executable segment",
    [-ELF_ERR_NOTE_BOUNDS] = "malformed note: PT_NOTE or a note in it exceeds its bounds",
    [-ELF_ERR_MANIFEST_DUP] = "more than one SECOS manifest note",
    [-ELF_ERR_MANIFEST_SIZE] = "SECOS manifest note is too short",
    [-ELF_ERR_MANIFEST_VERSION] = "unsupported SECOS manifest version",
    [-ELF_ERR_MANIFEST_FLAGS] = "SECOS manifest has unknown flags",
    [-ELF_ERR_MANIFEST_ENTRY] = "SECOS manifest entry_hint does not match the ELF entry",
    [-ELF_ERR_X_LAST_PAGE] = "executable segment on the last page of the user half",
};

const char *elf_user_strerror(int err)
{
    /* Test the range before negating: -INT_MIN would overflow. */
    if (err > 0 || err < ELF_ERR_LAST || !messages[-err])
        return "unknown ELF validation error";
    return messages[-err];
}

uint64_t elf_user_pages(const struct elf_user_image *im)
{
    uint64_t pages = 0;

    if (!im)
        return 0;
    for (uint32_t i = 0; i < im->nseg && i < ELF_USER_MAX_SEGS; i++) {
        const struct elf_user_seg *s = &im->seg[i];
        pages += (page_up(s->vaddr + s->memsz) - page_down(s->vaddr)) / PAGE;
    }
    return pages;
}
