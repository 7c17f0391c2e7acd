#!/usr/bin/env python3
"""Checks the promises the kernel ELF makes to its loaders, at build time.

- no PT_LOAD is both writable and executable (W^X starts in the file);
- every PT_LOAD lives in the kernel half at or above the link base (what the
  UEFI loader requires);
- file offsets advance exactly like physical addresses, so a Multiboot 1
  loader that copies the file raw (the a.out-kludge address fields) puts every
  byte where the linker meant it;
- the Multiboot 1 header is in the first 8 KiB and the Multiboot 2 header in
  the first 32 KiB of the file.
"""
import struct
import sys

LINK_BASE = 0xffffffff80100000
PT_LOAD, PF_X, PF_W = 1, 1, 2


def fail(msg):
    print(f"check_kernel_layout: {sys.argv[1]}: {msg}", file=sys.stderr)
    sys.exit(1)


def main():
    data = open(sys.argv[1], "rb").read()
    if data[:4] != b"\x7fELF" or data[4] != 2:
        fail("not an ELF64 file")
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    loads = []
    for i in range(phnum):
        p_type, p_flags, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, _ = \
            struct.unpack_from("<IIQQQQQQ", data, phoff + i * phentsize)
        if p_type != PT_LOAD:
            continue
        if (p_flags & PF_W) and (p_flags & PF_X):
            fail(f"segment at {p_vaddr:#x} is writable and executable")
        if p_vaddr < LINK_BASE:
            fail(f"segment at {p_vaddr:#x} is below the link base {LINK_BASE:#x}")
        loads.append((p_offset, p_paddr, p_filesz, p_memsz))
    if not loads:
        fail("no PT_LOAD segment")
    off0, pa0 = loads[0][0], loads[0][1]
    for off, pa, filesz, _ in loads:
        if filesz and off - off0 != pa - pa0:
            fail(f"file offset {off:#x} does not mirror physical address {pa:#x}")
    mb1 = data.find(struct.pack("<I", 0x1BADB002))
    mb2 = data.find(struct.pack("<I", 0xE85250D6))
    if mb1 < 0 or mb1 + 32 > 8192 or mb1 % 4:
        fail("Multiboot 1 header missing or not in the first 8 KiB")
    if mb2 < 0 or mb2 + 16 > 32768 or mb2 % 8:
        fail("Multiboot 2 header missing, misaligned or not in the first 32 KiB")


if __name__ == "__main__":
    main()
