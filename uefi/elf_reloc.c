/* KASLR relocation of the placed kernel image. See elf_reloc.h.
 *
 * Two passes over the same records: the first checks every record (its
 * section headers, its place inside the image, its type, that a slid 32S
 * value still fits), the second changes the image; a refused file leaves
 * the image exactly as elf_load_segments wrote it. */
#include "uefi/elf_reloc.h"

#define SHT_SYMTAB      2
#define SHT_RELA        4
#define SHF_ALLOC       0x2
#define R_X86_64_64     1
#define R_X86_64_PC32   2
#define R_X86_64_32     10
#define R_X86_64_32S    11
#define R_X86_64_PLT32  4

struct shdr {
    uint32_t name, type;
    uint64_t flags, addr, offset, size;
    uint32_t link, info;
    uint64_t addralign, entsize;
};

static uint64_t rd(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static void wr(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++, v >>= 8)
        p[i] = (uint8_t)v;
}

static int fail(const char **why, const char *msg)
{
    if (why)
        *why = msg;
    return -1;
}

static int shdr_at(const uint8_t *img, uint64_t size, uint64_t shoff, uint32_t i, struct shdr *s)
{
    uint64_t off = shoff + (uint64_t)i * 64;
    if (off < shoff || off > size || size - off < 64)
        return -1;
    const uint8_t *p = img + off;
    s->name = (uint32_t)rd(p, 4);
    s->type = (uint32_t)rd(p + 4, 4);
    s->flags = rd(p + 8, 8);
    s->addr = rd(p + 16, 8);
    s->offset = rd(p + 24, 8);
    s->size = rd(p + 32, 8);
    s->link = (uint32_t)rd(p + 40, 4);
    s->info = (uint32_t)rd(p + 44, 4);
    return 0;
}

/* Does symbol sym of symtab move with the image? When it is defined in an
 * allocated section that lies in the image (section symbols included);
 * an absolute or undefined symbol stays. -1: a bad symbol. */
static int symbol_moves(const uint8_t *img, uint64_t size, uint64_t shoff, uint32_t shnum,
                        const struct elf_kernel_layout *l, const struct shdr *symtab, uint64_t sym)
{
    if (symtab->type != SHT_SYMTAB || symtab->offset > size || symtab->size > size - symtab->offset ||
        sym >= symtab->size / 24)
        return -1;
    uint32_t shndx = (uint32_t)rd(img + symtab->offset + sym * 24 + 6, 2);
    if (shndx == 0 || shndx >= 0xff00)
        return 0;   /* undefined, absolute, common */
    struct shdr sec;
    if (shndx >= shnum || shdr_at(img, size, shoff, shndx, &sec))
        return -1;
    return (sec.flags & SHF_ALLOC) && sec.addr >= l->vbase && sec.addr <= l->vend;
}

/* One pass: apply 0 checks, apply 1 changes dst. */
static int pass(const uint8_t *img, uint64_t size, const struct elf_kernel_layout *l, uint8_t *dst,
                uint64_t slide, int apply, uint64_t *moved, const char **why)
{
    uint64_t shoff = rd(img + 40, 8);
    uint32_t shentsize = (uint32_t)rd(img + 58, 2), shnum = (uint32_t)rd(img + 60, 2);
    if (shnum == 0)
        return fail(why, "kernel.elf has no section headers (relocations needed for KASLR)");
    if (shentsize != 64)
        return fail(why, "kernel.elf section headers are not 64 bytes");
    uint64_t n = 0, span = l->vend - l->vbase;
    int found = 0;
    for (uint32_t i = 0; i < shnum; i++) {
        struct shdr rs, ts, sym;
        if (shdr_at(img, size, shoff, i, &rs))
            return fail(why, "kernel.elf section headers past the end of the file");
        if (rs.type != SHT_RELA)
            continue;
        if (rs.info >= shnum || shdr_at(img, size, shoff, rs.info, &ts))
            return fail(why, "kernel.elf relocation section names no section");
        if (!(ts.flags & SHF_ALLOC))
            continue;   /* debug information: not in memory */
        found = 1;
        if (rs.offset > size || rs.size > size - rs.offset || rs.size % 24)
            return fail(why, "kernel.elf relocation section outside the file");
        if (rs.link >= shnum || shdr_at(img, size, shoff, rs.link, &sym))
            return fail(why, "kernel.elf relocation section has no symbol table");
        for (uint64_t at = rs.offset; at < rs.offset + rs.size; at += 24) {
            uint64_t where = rd(img + at, 8);
            uint32_t type = (uint32_t)rd(img + at + 8, 4);
            uint64_t symi = rd(img + at + 12, 4);
            int width = type == R_X86_64_64 ? 8 : type == R_X86_64_32S ? 4 : 0;
            if (type == R_X86_64_PC32 || type == R_X86_64_PLT32 || type == R_X86_64_32)
                continue;
            if (!width)
                return fail(why, "kernel.elf has a relocation type KASLR does not know");
            if (where < l->vbase || where - l->vbase > span || span - (where - l->vbase) < (uint64_t)width)
                return fail(why, "kernel.elf relocation outside the image");
            int mv = symbol_moves(img, size, shoff, shnum, l, &sym, symi);
            if (mv < 0)
                return fail(why, "kernel.elf relocation names a bad symbol");
            if (!mv)
                continue;   /* an absolute symbol (a constant): stays */
            uint8_t *p = dst + (where - l->vbase);
            uint64_t v = rd(p, width);
            if (width == 4) {
                /* the slid value must still be a sign-extended 32-bit one */
                int64_t nv = (int64_t)(int32_t)(uint32_t)v + (int64_t)slide;
                if (nv < INT32_MIN || nv > INT32_MAX)
                    return fail(why, "kernel.elf: a slid address leaves the top 2 GiB");
                v = (uint64_t)nv;
            } else {
                v += slide;
            }
            if (apply)
                wr(p, v, width);
            n++;
        }
    }
    if (!found)
        return fail(why, "kernel.elf carries no relocations (link it with --emit-relocs)");
    if (moved)
        *moved = n;
    return 0;
}

int elf_relocate(const void *img, uint64_t size, const struct elf_kernel_layout *l, void *dst, uint64_t slide,
                 uint64_t *moved, const char **why)
{
    if (!img || !l || !dst || size < 64)
        return fail(why, "elf_relocate: bad arguments");
    if (slide % KASLR_ALIGN)
        return fail(why, "KASLR slide not a multiple of 2 MiB");
    if (pass(img, size, l, dst, slide, 0, moved, why))
        return -1;
    if (slide == 0)
        return 0;
    return pass(img, size, l, dst, slide, 1, moved, why);
}
