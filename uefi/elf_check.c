/* Kernel ELF validation. See elf_check.h.
 *
 * The file comes from a FAT volume anyone can write to, so nothing in it is
 * trusted: every offset and size is range-checked with arithmetic that cannot
 * wrap before it is used, and every failure has its own message so a broken
 * build is diagnosed from the serial log alone.
 */
#include "uefi/elf_check.h"
#include "secos/boot_info.h"

#define EM_X86_64 62
#define ET_EXEC   2

/* Byte copy: headers in the file need not be aligned for their types. */
static void copy_bytes(void *dst, const void *src, uint64_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    while (n--)
        *d++ = *s++;
}

/* a + b, or -1 if it wraps past 2^64. */
static int add_ok(uint64_t a, uint64_t b, uint64_t *sum)
{
    if (a > UINT64_MAX - b)
        return -1;
    *sum = a + b;
    return 0;
}

static int fail(const char **why, const char *msg)
{
    if (why)
        *why = msg;
    return -1;
}

static int shares_page(const struct elf_kernel_seg *a, const struct elf_kernel_seg *b)
{
    uint64_t a0 = a->vaddr / ELF_PAGE_SIZE, a1 = (a->vaddr + a->memsz - 1) / ELF_PAGE_SIZE;
    uint64_t b0 = b->vaddr / ELF_PAGE_SIZE, b1 = (b->vaddr + b->memsz - 1) / ELF_PAGE_SIZE;
    return a0 <= b1 && b0 <= a1;
}

int elf_check_kernel(const void *img, uint64_t size,
                     struct elf_kernel_layout *out, const char **why)
{
    const uint8_t *file = img;
    struct elf64_ehdr eh;
    uint64_t phend, lo = UINT64_MAX, hi = 0;
    struct elf_kernel_layout l;

    if (!img || !out)
        return fail(why, "no image");
    if (size < sizeof(eh))
        return fail(why, "file too small to hold an ELF header");
    copy_bytes(&eh, file, sizeof(eh));

    if (eh.e_ident[0] != 0x7f || eh.e_ident[1] != 'E' ||
        eh.e_ident[2] != 'L' || eh.e_ident[3] != 'F')
        return fail(why, "bad ELF magic (not an ELF file)");
    if (eh.e_ident[4] != 2)
        return fail(why, "not a 64-bit ELF (EI_CLASS)");
    if (eh.e_ident[5] != 1)
        return fail(why, "not a little-endian ELF (EI_DATA)");
    if (eh.e_ident[6] != 1)
        return fail(why, "bad ELF identification version (EI_VERSION)");
    if (eh.e_version != 1)
        return fail(why, "bad ELF version (e_version)");
    if (eh.e_machine != EM_X86_64)
        return fail(why, "not an x86-64 ELF (e_machine)");
    if (eh.e_type != ET_EXEC)
        return fail(why, "not an executable ELF (e_type is not ET_EXEC)");
    if (eh.e_ehsize != sizeof(struct elf64_ehdr))
        return fail(why, "bad ELF header size (e_ehsize)");
    if (eh.e_phentsize != sizeof(struct elf64_phdr))
        return fail(why, "bad program header entry size (e_phentsize)");
    if (eh.e_phnum == 0)
        return fail(why, "no program headers");
    if (eh.e_phnum == 0xffff) /* PN_XNUM: real count hidden in section 0 */
        return fail(why, "too many program headers (PN_XNUM)");
    if (add_ok(eh.e_phoff, (uint64_t)eh.e_phnum * sizeof(struct elf64_phdr), &phend) ||
        phend > size)
        return fail(why, "program header table lies outside the file");

    l.entry = eh.e_entry;
    l.nseg = 0;
    for (uint32_t i = 0; i < eh.e_phnum; i++) {
        struct elf64_phdr ph;
        uint64_t fend, vend;
        copy_bytes(&ph, file + eh.e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));

        if (ph.p_type == ELF_PT_INTERP)
            return fail(why, "kernel asks for an interpreter (PT_INTERP)");
        if (ph.p_type != ELF_PT_LOAD || ph.p_memsz == 0)
            continue; /* nothing to place in memory */

        if (l.nseg == ELF_KERNEL_MAX_SEGS)
            return fail(why, "too many PT_LOAD segments");
        if (ph.p_filesz > ph.p_memsz)
            return fail(why, "PT_LOAD file size exceeds its memory size");
        if (add_ok(ph.p_offset, ph.p_filesz, &fend) || fend > size)
            return fail(why, "PT_LOAD data lies outside the file (truncated kernel?)");
        if (add_ok(ph.p_vaddr, ph.p_memsz, &vend))
            return fail(why, "PT_LOAD address range wraps around");
        if (ph.p_vaddr < SECOS_KERNEL_LINK_BASE)
            return fail(why, "PT_LOAD below the kernel link base (not a higher-half kernel)");
        if (ph.p_vaddr % ELF_PAGE_SIZE != ph.p_offset % ELF_PAGE_SIZE)
            return fail(why, "PT_LOAD vaddr and file offset differ modulo the page size");
        if ((ph.p_flags & ELF_PF_W) && (ph.p_flags & ELF_PF_X))
            return fail(why, "PT_LOAD is both writable and executable");

        struct elf_kernel_seg *s = &l.seg[l.nseg++];
        s->vaddr = ph.p_vaddr;
        s->memsz = ph.p_memsz;
        s->offset = ph.p_offset;
        s->filesz = ph.p_filesz;
        s->flags = ph.p_flags;
        if (ph.p_vaddr < lo)
            lo = ph.p_vaddr;
        if (vend > hi)
            hi = vend;
    }
    if (l.nseg == 0)
        return fail(why, "no PT_LOAD segments");

    for (uint32_t i = 0; i < l.nseg; i++) {
        for (uint32_t j = i + 1; j < l.nseg; j++) {
            const struct elf_kernel_seg *a = &l.seg[i], *b = &l.seg[j];
            if (a->vaddr < b->vaddr + b->memsz && b->vaddr < a->vaddr + a->memsz)
                return fail(why, "two PT_LOAD segments overlap");
            /* Page tables have page granularity: a page holding both a
             * writable and an executable segment would be W+X anyway. */
            if (shares_page(a, b) &&
                (((a->flags & ELF_PF_W) && (b->flags & ELF_PF_X)) ||
                 ((a->flags & ELF_PF_X) && (b->flags & ELF_PF_W))))
                return fail(why, "a writable and an executable PT_LOAD share a page");
        }
    }

    /* The boot info promises kernel_phys_base is where LINK_BASE lives, and
     * the kernel computes virt-to-phys from it: the image must start there. */
    if (lo != SECOS_KERNEL_LINK_BASE)
        return fail(why, "lowest PT_LOAD is not at SECOS_KERNEL_LINK_BASE");
    if (hi - lo > ELF_KERNEL_MAX_SPAN)
        return fail(why, "kernel image spans more than 64 MiB");

    int entry_ok = 0, signed_entry = 0;
    for (uint32_t i = 0; i < l.nseg; i++) {
        const struct elf_kernel_seg *s = &l.seg[i];
        if ((s->flags & ELF_PF_X) && l.entry >= s->vaddr &&
            l.entry - s->vaddr < s->filesz) {
            entry_ok = 1;
            /* offset + filesz <= size was checked above, so this is in the file. */
            uint64_t in = l.entry - s->vaddr;
            if (in >= SECOS_UEFI_ENTRY_SIGNATURE_LEN) {
                const uint8_t *sig = (const uint8_t *)img + s->offset + in - SECOS_UEFI_ENTRY_SIGNATURE_LEN;
                signed_entry = 1;
                for (int k = 0; k < SECOS_UEFI_ENTRY_SIGNATURE_LEN; k++)
                    if (sig[k] != (uint8_t)SECOS_UEFI_ENTRY_SIGNATURE[k])
                        signed_entry = 0;
            }
        }
    }
    if (!entry_ok)
        return fail(why, "entry point is not inside an executable segment");
    if (!signed_entry)
        return fail(why, "entry point is not the kernel's 64-bit UEFI entry (no " SECOS_UEFI_ENTRY_SIGNATURE
                         " signature before it)");

    l.vbase = lo;
    l.vend = (hi + ELF_PAGE_SIZE - 1) & ~(ELF_PAGE_SIZE - 1); /* cannot wrap: hi - lo <= 64 MiB */
    *out = l;
    if (why)
        *why = 0;
    return 0;
}

void elf_load_segments(const void *img, const struct elf_kernel_layout *l, void *dst)
{
    uint8_t *d = dst;
    for (uint64_t i = 0; i < l->vend - l->vbase; i++)
        d[i] = 0;
    for (uint32_t i = 0; i < l->nseg; i++) {
        const struct elf_kernel_seg *s = &l->seg[i];
        copy_bytes(d + (s->vaddr - l->vbase), (const uint8_t *)img + s->offset, s->filesz);
    }
}
