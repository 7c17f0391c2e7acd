#!/usr/bin/env python3
"""The KASLR table of the Multiboot entry, from kernel.elf's relocation records.

kernel.elf is linked with --emit-relocs. Every R_X86_64_64 and R_X86_64_32S
record against a symbol defined in an allocated section of the image must gain
the slide when the image moves (the rule of uefi/elf_reloc.c, which the UEFI
loader applies to the file itself); boot.asm's 32-bit entry cannot read ELF
sections from memory, so this tool writes those places into the image's own
.kaslr_relocs section (objcopy --update-section), which boot.asm walks:

    u32 count, then count entries: u32 offset from the link base, bit 31 set
    for a 32-bit sign-extended field (R_X86_64_32S), clear for 64 bits.

PC-relative records and R_X86_64_32 (the trampoline's physical addresses)
never move; any other record type is an error, as in elf_reloc.c.

    tools/mkrelocs.py kernel.elf out.bin SIZE   (SIZE: the section's size)
"""
import struct
import sys

LINK_BASE = 0xffffffff80100000
SHT_SYMTAB, SHT_RELA, SHF_ALLOC = 2, 4, 0x2
R_64, R_PC32, R_PLT32, R_32, R_32S = 1, 2, 4, 10, 11


def fail(msg):
    print(f"mkrelocs: {msg}", file=sys.stderr)
    sys.exit(1)


def main():
    if len(sys.argv) != 4:
        fail("usage: tools/mkrelocs.py kernel.elf out.bin SIZE")
    data = open(sys.argv[1], "rb").read()
    size = int(sys.argv[3], 0)
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3a)
    secs = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    # (name, type, flags, addr, offset, size, link, info, addralign, entsize)
    lo = min(s[3] for s in secs if s[2] & SHF_ALLOC and s[3])
    hi = max(s[3] + s[5] for s in secs if s[2] & SHF_ALLOC and s[3])
    if lo != LINK_BASE:
        fail(f"the image starts at {lo:#x}, not at the link base")

    def moves(symtab, idx):
        st = secs[symtab]
        if st[1] != SHT_SYMTAB or idx >= st[5] // 24:
            fail("a relocation names a bad symbol")
        shndx, = struct.unpack_from("<H", data, st[4] + idx * 24 + 6)
        if shndx == 0 or shndx >= 0xff00:
            return False
        s = secs[shndx]
        return bool(s[2] & SHF_ALLOC) and lo <= s[3] <= hi

    out = []
    for s in secs:
        if s[1] != SHT_RELA or not secs[s[7]][2] & SHF_ALLOC:
            continue
        for at in range(s[4], s[4] + s[5], 24):
            where, info = struct.unpack_from("<QQ", data, at)
            rtype, sym = info & 0xffffffff, info >> 32
            if rtype in (R_PC32, R_PLT32, R_32):
                continue
            if rtype not in (R_64, R_32S):
                fail(f"relocation type {rtype} at {where:#x}: KASLR does not know it")
            if not LINK_BASE <= where < hi:
                fail(f"relocation at {where:#x} outside the image")
            if moves(s[6], sym):
                out.append((where - LINK_BASE) | (0x80000000 if rtype == R_32S else 0))
    blob = struct.pack("<I", len(out)) + b"".join(struct.pack("<I", e) for e in sorted(out))
    if len(blob) > size:
        fail(f"{len(out)} relocations need {len(blob)} bytes; .kaslr_relocs has {size} (KASLR_RELOCS_SIZE)")
    open(sys.argv[2], "wb").write(blob + b"\0" * (size - len(blob)))


if __name__ == "__main__":
    main()
