#!/usr/bin/env python3
"""Checks the user program ELFs and generates what embeds them in the kernel.

  embed_user.py --manifest-h include/secos/manifest.h \
                --asm build/gen/user_blobs.asm --c build/gen/user_programs.c \
                build/user/hello.elf ...

Each ELF must keep the promises the SECoS loader relies on (and enforces
again at run time): static ELF64 x86-64 ET_EXEC; no PT_INTERP/PT_DYNAMIC;
every PT_LOAD page-aligned, in the user half, above page 0, never W+X; the
entry inside an R-X segment; exactly one SECOS/QSEC note in a PT_NOTE, with a
known version and flags and an entry_hint of 0 or the entry. A violation
stops the build here rather than at load time.

The .asm incbins every ELF into .rodata (16-aligned) between
user_elf_<name> and user_elf_<name>_end; the .c holds the
struct builtin_program table (init/builtin_programs.h). Sizes are written as
literals because the difference of two symbols is not a C constant."""
import argparse
import os
import re
import struct
import sys

PT_LOAD, PT_DYNAMIC, PT_INTERP, PT_NOTE = 1, 2, 3, 4
PT_GNU_STACK = 0x6474E551
PF_X, PF_W, PF_R = 1, 2, 4
PAGE = 0x1000
USER_TOP = 0x0000800000000000


def header_constants(path):
    """The numbers the loader checks, read from the shared header so the two
    cannot drift apart."""
    text = open(path).read()
    want = {}
    for name in ("SECOS_NOTE_TYPE_QSEC", "SECOS_MANIFEST_VERSION", "MANIFEST_FLAGS_KNOWN"):
        m = re.search(r"#define\s+%s\s+(0x[0-9a-fA-F]+|\d+)u?" % name, text)
        if not m:
            sys.exit(f"embed_user: {name} not found in {path}")
        want[name] = int(m.group(1), 0)
    return want


def check_elf(path, consts):
    def fail(msg):
        sys.exit(f"embed_user: {path}: {msg}")

    data = open(path, "rb").read()
    if len(data) < 64 or data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        fail("not a little-endian ELF64 file")
    e_type, e_machine = struct.unpack_from("<HH", data, 16)
    e_entry, e_phoff = struct.unpack_from("<QQ", data, 24)
    e_phentsize, e_phnum = struct.unpack_from("<HH", data, 54)
    if e_type not in (2, 3) or e_machine != 62:
        fail("not an x86-64 ET_EXEC or ET_DYN")
    if e_phnum == 0 or e_phentsize != 56 or e_phoff + 56 * e_phnum > len(data):
        fail("bad program header table")

    loads, notes = [], []
    for i in range(e_phnum):
        p_type, p_flags, p_off, p_vaddr, _, p_filesz, p_memsz, _ = \
            struct.unpack_from("<IIQQQQQQ", data, e_phoff + 56 * i)
        if p_type in (PT_INTERP, PT_DYNAMIC):
            fail("dynamic executables are not supported")
        if p_type == PT_GNU_STACK and p_flags & PF_X:
            fail("asks for an executable stack")
        if p_type == PT_NOTE:
            notes.append(data[p_off:p_off + p_filesz])
        if p_type != PT_LOAD or p_memsz == 0:   # ld leaves empty ones for unused PHDRS
            continue
        if (p_flags & PF_W) and (p_flags & PF_X):
            fail(f"segment at {p_vaddr:#x} is writable and executable")
        if p_vaddr % PAGE or p_off % PAGE:
            fail(f"segment at {p_vaddr:#x} is not page-aligned")
        if p_vaddr < PAGE or p_vaddr + p_memsz > USER_TOP or p_filesz > p_memsz:
            fail(f"segment at {p_vaddr:#x} (+{p_memsz:#x}) is outside user space or page 0")
        if p_off + p_filesz > len(data):
            fail(f"segment at {p_vaddr:#x} runs past the end of the file")
        loads.append((p_vaddr, p_memsz, p_flags))
    loads.sort()
    for (a, asz, _), (b, _, _) in zip(loads, loads[1:]):
        if (a + asz + PAGE - 1) // PAGE * PAGE > b:
            fail(f"segments at {a:#x} and {b:#x} share a page")
    if not any(v <= e_entry < v + sz and f & PF_X for v, sz, f in loads):
        fail(f"entry {e_entry:#x} is not in an executable segment")

    found = []
    for blob in notes:
        off = 0
        while off + 12 <= len(blob):
            namesz, descsz, ntype = struct.unpack_from("<III", blob, off)
            name = blob[off + 12:off + 12 + namesz]
            doff = off + 12 + (namesz + 3) // 4 * 4
            desc = blob[doff:doff + descsz]
            off = doff + (descsz + 3) // 4 * 4
            if name == b"SECOS\0":
                found.append((ntype, desc))
    if len(found) != 1:
        fail(f"needs exactly one SECOS note, has {len(found)}")
    ntype, desc = found[0]
    if ntype != consts["SECOS_NOTE_TYPE_QSEC"] or len(desc) not in (24, 32):
        fail("SECOS note has the wrong type or size")
    version, flags, max_mem, entry_hint = struct.unpack("<IIQQ", desc[:24])
    if version != consts["SECOS_MANIFEST_VERSION"]:
        fail(f"manifest version {version} is unknown")
    if flags & ~consts["MANIFEST_FLAGS_KNOWN"]:
        fail(f"manifest flags {flags:#x} include unknown bits")
    if entry_hint not in (0, e_entry):
        fail(f"manifest entry_hint {entry_hint:#x} is not the entry {e_entry:#x}")
    return len(data)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--manifest-h", required=True)
    ap.add_argument("--asm")
    ap.add_argument("--c")
    ap.add_argument("elfs", nargs="+")
    args = ap.parse_args()

    consts = header_constants(args.manifest_h)
    progs = []
    for path in args.elfs:
        name = os.path.basename(path)
        name = name[:-4] if name.endswith(".elf") else name
        if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            sys.exit(f"embed_user: {path}: program name must be [a-z][a-z0-9_]*")
        progs.append((name, path, check_elf(path, consts)))

    if args.asm:
        out = ["; Generated by tools/embed_user.py -- do not edit.",
               "section .rodata progbits alloc noexec nowrite align=16"]
        for name, path, _ in progs:
            out += [f"global user_elf_{name}, user_elf_{name}_end",
                    "align 16",
                    f"user_elf_{name}:",
                    f'    incbin "{path}"',
                    f"user_elf_{name}_end:"]
        out.append("section .note.GNU-stack noalloc noexec nowrite progbits")
        write(args.asm, "\n".join(out) + "\n")
    if args.c:
        out = ["/* Generated by tools/embed_user.py -- do not edit. */",
               '#include "init/builtin_programs.h"', ""]
        out += [f"extern const unsigned char user_elf_{n}[];" for n, _, _ in progs]
        out += ["", "const struct builtin_program builtin_programs[] = {"]
        out += [f'    {{"{n}", user_elf_{n}, {size}}},' for n, _, size in progs]
        out += ["};", f"const unsigned builtin_program_count = {len(progs)};"]
        write(args.c, "\n".join(out) + "\n")


def write(path, text):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
