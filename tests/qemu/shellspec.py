"""What the shell of the kernel under test contains, read from the kernel ELF
itself: the linker gathers every SHELL_COMMAND into one table between the
symbols __shell_cmds_start and __shell_cmds_end, each entry being
struct shell_command { const char *name, *usage, *help; int (*run)(...); }.
Reading the binary (not the sources) keeps the help test right while other
people add commands to sources that are not built yet."""
from __future__ import annotations

import struct
from pathlib import Path

# Commands the foundation must have, whatever else gets added.
REQUIRED_COMMANDS = ("help", "clear", "echo", "info", "uptime", "sleep", "colors",
                     "reboot", "poweroff", "selftest")

SHELL_COMMAND_SIZE = 32  # four 8-byte pointers


class Elf64:
    def __init__(self, path: Path):
        self.data = Path(path).read_bytes()
        d = self.data
        if d[:4] != b"\x7fELF" or d[4] != 2 or d[5] != 1:
            raise ValueError(f"{path}: not a little-endian ELF64 file")
        (self.shoff,) = struct.unpack_from("<Q", d, 0x28)
        self.shentsize, self.shnum, self.shstrndx = struct.unpack_from("<HHH", d, 0x3A)
        self.sections = []
        for i in range(self.shnum):
            name, typ, flags, addr, off, size, link, info, align, entsize = struct.unpack_from(
                "<IIQQQQIIQQ", d, self.shoff + i * self.shentsize)
            self.sections.append(dict(name=name, type=typ, flags=flags, addr=addr, off=off,
                                      size=size, link=link, entsize=entsize))

    def symbols(self) -> dict:
        syms = {}
        for s in self.sections:
            if s["type"] != 2:  # SHT_SYMTAB
                continue
            strtab = self.sections[s["link"]]
            for j in range(s["size"] // 24):
                st_name, st_info, st_other, st_shndx, st_value, st_size = struct.unpack_from(
                    "<IBBHQQ", self.data, s["off"] + j * 24)
                syms[self.cstr_at(strtab["off"] + st_name)] = st_value
        return syms

    def cstr_at(self, off: int) -> str:
        end = self.data.index(b"\0", off)
        return self.data[off:end].decode("latin-1")

    def vaddr_to_offset(self, addr: int) -> int:
        for s in self.sections:
            if s["flags"] & 2 and s["type"] != 8 and s["addr"] <= addr < s["addr"] + s["size"]:
                return s["off"] + addr - s["addr"]  # SHF_ALLOC, not SHT_NOBITS
        raise ValueError(f"address {addr:#x} is not in a loaded section with file contents")


def registered_commands(elf_path: Path) -> dict:
    """{name: (usage, help)} for every command in the kernel's command table."""
    elf = Elf64(elf_path)
    syms = elf.symbols()
    start, end = syms["__shell_cmds_start"], syms["__shell_cmds_end"]
    base = elf.vaddr_to_offset(start)
    cmds = {}
    for off in range(base, base + (end - start), SHELL_COMMAND_SIZE):
        name, usage, help_, _fn = struct.unpack_from("<QQQQ", elf.data, off)
        strings = [elf.cstr_at(elf.vaddr_to_offset(p)) for p in (name, usage, help_)]
        cmds[strings[0]] = (strings[1], strings[2])
    return cmds
