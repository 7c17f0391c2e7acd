#!/usr/bin/python3
"""Regenerates the seed corpora in tests/fuzz/corpus/<target>/ (checked in).

    tests/fuzz/mkcorpus.py            # from the repository root; needs cpio(1),
                                      # uses build/user/hello.elf when it exists
    tests/fuzz/mkcorpus.py lwip       # only tests/fuzz/corpus/lwip/
    tests/fuzz/mkcorpus.py socket     # only net_sockmsg/ and sockarg/

Mostly valid (or nearly valid) inputs: the fuzzers mutate them into the bad
ones. crash-* files reproduce what a fuzzer found; they stay in the corpus so
every run re-tests the fix. Files it does not write are left alone. Keep the
total well under 200 KiB.
"""
import os
import struct
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "tests", "fuzz", "corpus")


def put(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---- ELF ----------------------------------------------------------------------
PT_LOAD, PT_NOTE, PT_INTERP = 1, 4, 3
PF_X, PF_W, PF_R = 1, 2, 4


def ehdr(etype, entry, phnum, phoff=64):
    ident = b"\x7fELF\x02\x01\x01" + bytes(9)
    return ident + struct.pack("<HHIQQQIHHHHHH", etype, 62, 1, entry, phoff, 0, 0, 64, 56, phnum, 0, 0, 0)


def phdr(ptype, flags, off, vaddr, filesz, memsz, align=0x1000):
    return struct.pack("<IIQQQQQQ", ptype, flags, off, vaddr, vaddr, filesz, memsz, align)


def manifest_note(entry_hint, flags=0xF, max_mem=0):
    desc = struct.pack("<IIQQ", 1, flags, max_mem, entry_hint)
    return struct.pack("<III", 6, len(desc), 0x43455351) + b"SECOS\0\0\0" + desc


def tiny_user_elf(etype=2, base=0x400000, manifest=1, extra_note=False):
    """Headers, notes and code in one R+X page, bss in the next: ~300 bytes.
    manifest: how many SECOS manifest notes (2 is refused as ambiguous)."""
    notes = b""
    if extra_note:  # a GNU note first: the walker must skip it
        notes += struct.pack("<III", 4, 4, 5) + b"GNU\0" + b"\0\0\0\0"
    nph = 3 if manifest or extra_note else 2
    hdr_len = 64 + 56 * nph
    code_off = hdr_len + len(notes) + manifest * len(manifest_note(0))
    entry = base + code_off
    notes += manifest * manifest_note(entry)
    code = b"\x48\x31\xc0\x0f\x05\xeb\xfe"  # xor rax,rax; syscall; jmp .
    size = hdr_len + len(notes) + len(code)
    ph = phdr(PT_LOAD, PF_R | PF_X, 0, base, size, size)
    ph += phdr(PT_LOAD, PF_R | PF_W, 0, base + 0x1000, 0, 0x200)
    if nph == 3:
        ph += phdr(PT_NOTE, PF_R, hdr_len, base + hdr_len, len(notes), len(notes), 4)
    return ehdr(etype, entry, nph) + ph + notes + code


def trimmed_hello():
    """build/user/hello.elf without section headers and trailing sections."""
    path = os.path.join(ROOT, "build", "user", "hello.elf")
    if not os.path.exists(path):
        return None
    data = bytearray(open(path, "rb").read())
    phoff, = struct.unpack_from("<Q", data, 32)
    phnum, = struct.unpack_from("<H", data, 56)
    end = phoff + 56 * phnum
    for i in range(phnum):
        _, _, off, _, _, filesz, _, _ = struct.unpack_from("<IIQQQQQQ", data, phoff + 56 * i)
        end = max(end, off + filesz)
    struct.pack_into("<Q", data, 40, 0)         # e_shoff
    struct.pack_into("<HHH", data, 58, 0, 0, 0)  # e_shentsize, e_shnum, e_shstrndx
    return bytes(data[:end])


LB = 0xFFFFFFFF80100000


def tiny_kernel_elf():
    """Headers R, text RX, rodata R, data+bss RW, each on its own page of
    the address space but packed together in the file."""
    hdr_len = 64 + 56 * 4
    text, rodata, data = hdr_len, hdr_len + 0x40, hdr_len + 0x60
    # the entry is preceded by the loader's signature (SECOS_UEFI_ENTRY_SIGNATURE)
    body = b"SECoS64E" + b"\xfa\xf4\xeb\xfd" + bytes(0x34) + b"SECoS rodata".ljust(0x20, b"\0") + bytes(range(0x20))
    ph = phdr(PT_LOAD, PF_R, 0, LB, hdr_len, hdr_len)
    ph += phdr(PT_LOAD, PF_R | PF_X, text, LB + 0x1000 + text, 0x40, 0x40)
    ph += phdr(PT_LOAD, PF_R, rodata, LB + 0x2000 + rodata, 0x20, 0x20)
    ph += phdr(PT_LOAD, PF_R | PF_W, data, LB + 0x3000 + data, 0x20, 0x2000)
    return ehdr(2, LB + 0x1000 + text + 8, 4) + ph + body


def kernel_with_relocs():
    """tiny_kernel_elf plus what KASLR reads (uefi/elf_reloc.c): section
    headers, a .rela.text with a 64-bit, a 32S, a PC32 and a 32 record, and a
    symbol table whose symbol 1 is the text section, 2 an absolute one."""
    base = bytearray(tiny_kernel_elf())
    text_off = 64 + 56 * 4
    text_addr = LB + 0x1000 + text_off
    rela = b"".join(struct.pack("<QQq", text_addr + off, (sym << 32) | t, 0)
                    for off, t, sym in ((0x08, 1, 1), (0x10, 11, 1), (0x14, 2, 1), (0x18, 10, 2), (0x20, 1, 2)))
    syms = bytes(24) + struct.pack("<IBBHQQ", 0, 3, 0, 1, text_addr, 0) + struct.pack("<IBBHQQ", 0, 0, 0, 0xfff1, LB, 0)
    rela_off = len(base)
    sym_off = rela_off + len(rela)
    sh_off = sym_off + len(syms)

    def sh(typ, flags, addr, off, size, link=0, info=0):
        return struct.pack("<IIQQQQIIQQ", 0, typ, flags, addr, off, size, link, info, 8, 0)
    shdrs = sh(0, 0, 0, 0, 0) + sh(1, 6, text_addr, text_off, 0x40) + sh(4, 0, 0, rela_off, len(rela), 3, 1) + \
        sh(2, 0, 0, sym_off, len(syms))
    struct.pack_into("<Q", base, 0x28, sh_off)
    struct.pack_into("<HH", base, 0x3a, 64, 4)
    return bytes(base) + rela + syms + shdrs


def kernel_one_segment():
    hdr_len = 64 + 56 * 2
    code = b"\xf4\xeb\xfd"
    size = hdr_len + len(code)
    ph = phdr(PT_LOAD, PF_R | PF_X, 0, LB, size, size)
    ph += phdr(PT_LOAD, PF_R | PF_W, 0, LB + 0x1000, 0, 0x1000)
    return ehdr(2, LB + hdr_len, 2) + ph + code


def kernel_17_segments():
    """One PT_LOAD more than the loader takes (refused)."""
    n = 17
    hdr_len = 64 + 56 * n
    ph = phdr(PT_LOAD, PF_R | PF_X, 0, LB, hdr_len, hdr_len)
    for i in range(1, n):
        ph += phdr(PT_LOAD, PF_R, 0, LB + 0x1000 * i, 0, 0x100)
    return ehdr(2, LB + 0x10, n) + ph


# ---- cpio -----------------------------------------------------------------------
def cpio_archives():
    with tempfile.TemporaryDirectory() as tmp:
        root = os.path.join(tmp, "root")
        os.makedirs(os.path.join(root, "bin"))
        os.makedirs(os.path.join(root, "etc", "init"))
        with open(os.path.join(root, "bin", "hello"), "wb") as f:
            f.write(b"\x7fELF not really\n")
        with open(os.path.join(root, "etc", "motd"), "w") as f:
            f.write("Welcome to SECoS\n")
        open(os.path.join(root, "etc", "empty"), "w").close()
        os.symlink("motd", os.path.join(root, "etc", "link"))
        for dirpath, dirnames, filenames in os.walk(root):
            for n in dirnames + filenames + [""]:
                os.utime(os.path.join(dirpath, n), (0, 0), follow_symlinks=False)

        def archive(names):
            out = subprocess.run(["cpio", "-o", "-H", "newc", "--reproducible", "--quiet", "--owner=0:0"],
                                 input="".join(n + "\n" for n in names).encode(), cwd=root,
                                 stdout=subprocess.PIPE, check=True).stdout
            end = out.index(b"TRAILER!!!\0") + 11  # drop the 512-byte block padding
            return out[:end + (-end % 4)]

        yield "find-dot", archive([".", "./bin", "./bin/hello", "./etc", "./etc/init", "./etc/motd",
                                   "./etc/empty", "./etc/link"])
        yield "plain", archive(["bin", "bin/hello", "etc", "etc/motd"])
        yield "trailer-only", archive([])


# ---- boot info --------------------------------------------------------------------
FAKE = 0x10000


class Mem:
    def __init__(self, size):
        self.b = bytearray(size)

    def put(self, off, fmt, *v):
        struct.pack_into("<" + fmt, self.b, off, *v)

    def raw(self, off, data):
        self.b[off:off + len(data)] = data


def mb1():
    m = Mem(0x600)
    flags = (1 << 2) | (1 << 3) | (1 << 6) | (1 << 9) | (1 << 12)
    m.put(0, "I", flags)
    m.put(16, "I", FAKE + 0x400); m.raw(0x400, b"console=serial quiet\0")
    m.put(20, "II", 1, FAKE + 0x480)                       # one module
    m.put(0x480, "III", 0x200000, 0x210000, FAKE + 0x4a0); m.raw(0x4a0, b"initrd\0")
    m.put(44, "II", 2 * 24, FAKE + 0x500)                  # memory map
    m.put(0x500, "IQQI", 20, 0, 0x9FC00, 1)
    m.put(0x518, "IQQI", 20, 0x100000, 0x7F00000, 1)
    m.put(64, "I", FAKE + 0x4c0); m.raw(0x4c0, b"GRUB test\0")
    m.put(88, "QIIIBB", 0xFD000000, 4096, 1024, 768, 32, 1)  # framebuffer, RGB
    m.raw(110, bytes([16, 8, 8, 8, 0, 8]))
    return bytes(m.b)


def mb2():
    m = Mem(0x200)
    off = 8

    def tag(t, size):
        nonlocal off
        at = off
        m.put(at, "II", t, size)
        off += (size + 7) & ~7
        return at

    t = tag(1, 8 + 6); m.raw(t + 8, b"quiet\0")
    t = tag(2, 8 + 5); m.raw(t + 8, b"GRUB\0")
    t = tag(6, 16 + 3 * 24); m.put(t + 8, "II", 24, 0)
    m.put(t + 16, "QQI", 0, 0x9FC00, 1)
    m.put(t + 40, "QQI", 0x100000, 0x3FF00000, 1)
    m.put(t + 64, "QQI", 0xFFFC0000, 0x40000, 2)
    t = tag(8, 8 + 22 + 6 + 2)
    m.put(t + 8, "QIIIBB", 0xFD000000, 4096, 1024, 768, 32, 1)
    m.raw(t + 32, bytes([16, 8, 8, 8, 0, 8]))
    t = tag(3, 16 + 7); m.put(t + 8, "II", 0x200000, 0x210000); m.raw(t + 16, b"initrd\0")
    t = tag(14, 8 + 20); m.raw(t + 8, b"RSD PTR ")
    t = tag(15, 8 + 36); m.raw(t + 8, b"RSD PTR ")
    tag(0, 8)
    m.put(0, "I", off)
    return bytes(m.b[:off])


def mb2_many_mmap(n=130):
    """More memory map entries than boot_info keeps (the rest are counted)."""
    size = 8 + 16 + n * 24 + 8
    m = Mem(size)
    m.put(0, "I", size)
    m.put(8, "IIII", 6, 16 + n * 24, 24, 0)
    for i in range(n):  # alternate types so nothing merges
        m.put(24 + 24 * i, "QQI", i * 0x2000, 0x1000, 1 if i % 2 else 2)
    m.put(size - 8, "II", 0, 8)
    return bytes(m.b)


def uefi():
    m = Mem(0x8B0)
    m.put(0, "QII", 0x3149424F43455353, 1, 120)
    m.put(16, "QQQII", 0x7E00000, 0x200000, FAKE + 0x800, 3, 0)
    m.put(48, "QIIIBB6B", 0x80000000, 1024, 768, 4096, 32, 1, 16, 8, 8, 8, 0, 8)
    m.put(80, "QQQQQ", FAKE + 0x600, FAKE + 0x700, 0x300000, 0x1000, FAKE + 0x780)
    m.raw(0x600, b"RSD PTR ")
    m.raw(0x700, b"from-uefi\0")
    m.raw(0x780, b"SECoS UEFI loader\0")
    m.put(0x800, "QQII", 0, 0xA0000, 1, 0)
    m.put(0x818, "QQII", 0x100000, 0x100000, 1, 0)
    m.put(0x830, "QQII", 0x200000, 0x100000, 6, 0)
    return bytes(m.b[:0x848])


# Reproducers of what the fuzzer found (kept so every run re-tests the fix).
def crash_mb1_misaligned_module():
    """MB1 module list at an odd address: parse_mb1 read it through a
    uint32_t pointer (UBSan: misaligned load, boot_info.c:109)."""
    m = Mem(116)
    m.put(0, "I", 1 << 3)                # flags: modules only
    m.put(20, "II", 1, FAKE + 0x61)      # mods_count, mods_addr (odd, inside the info)
    return bytes(m.b)


def crash_uefi_misaligned_mmap():
    """UEFI memory map at an odd address: parse_uefi indexed it as a
    struct secos_mmap_entry array (UBSan: misaligned access, boot_info.c:239)."""
    m = Mem(0x79 + 24)
    m.put(0, "QII", 0x3149424F43455353, 1, 120)
    m.put(32, "QI", FAKE + 0x79, 1)      # mmap_addr (odd), mmap_count
    m.put(0x79, "QQII", 0, 0x1000, 1, 0)
    return bytes(m.b)


# ---- driver calls -------------------------------------------------------------------
def driver_input(ndevs, caller, devs, call, tail=b""):
    b = struct.pack("<Bb", ndevs, caller)
    for present, caps, owner, reg_size, mem_size in devs:
        b += struct.pack("<BBbQQQ", present, caps, owner, reg_size, mem_size, 0)
    return b + struct.pack("<IIQQQQI", *call) + tail


# ---- ATA IDENTIFY / READ CAPACITY --------------------------------------------------
def ata_identify(sectors, atapi=False, checksum=False, sector_words=0):
    w = [0] * 256
    w[0] = 0x85C0 if atapi else 0x0040
    model = b"QEMU HARDDISK".ljust(40)
    for i in range(20):
        w[27 + i] = model[2 * i] << 8 | model[2 * i + 1]
    w[49] = 1 << 9
    l28 = min(sectors, 0x0FFFFFFF)
    w[60], w[61] = l28 & 0xFFFF, l28 >> 16
    w[83] = 0x4000 | 1 << 10 | 1 << 13
    for i in range(4):
        w[100 + i] = (sectors >> (16 * i)) & 0xFFFF
    if sector_words:
        w[106] = 0x4000 | 1 << 12
        w[117], w[118] = sector_words & 0xFFFF, sector_words >> 16
    if checksum:
        w[255] = 0xA5
        total = sum(x & 0xFF for x in w) + sum(x >> 8 for x in w)
        w[255] |= ((-total) & 0xFF) << 8
    return struct.pack("<256H", *w)


def ata_tail(last_lba, block, lba, count):
    return struct.pack(">II", last_lba, block) + struct.pack("<QI", lba, count)
# ---- PCI / ACPI -----------------------------------------------------------------------
def acpi_memory(rev):
    """The fuzz target's memory at 0x10000: RSDP, then XSDT, RSDT, MCFG."""
    base = 0x10000

    def fix(t, at):
        t[at] = (-sum(t)) & 0xff
        return t

    def sdt(sig, body):
        t = bytearray(sig + struct.pack("<I", 36 + len(body)) + b"\x01" + bytes(27) + body)
        return bytes(fix(t, 9))

    xsdt_at, rsdt_at, mcfg_at = base + 64, base + 128, base + 192
    mcfg = sdt(b"MCFG", bytes(8) + struct.pack("<QHBBI", 0xb0000000, 0, 0, 255, 0))
    xsdt = sdt(b"XSDT", struct.pack("<Q", mcfg_at))
    rsdt = sdt(b"RSDT", struct.pack("<I", mcfg_at))
    r = bytearray(b"RSD PTR " + bytes(1) + b"SECOS " + bytes([rev]) + struct.pack("<IIQ", rsdt_at, 36, xsdt_at) + bytes(4))
    fix(r[:20], 8)
    r[8] = (-sum(r[:20])) & 0xff
    r[32] = (-sum(r[:36])) & 0xff
    m = bytearray(256)
    m[0:36] = r
    m[64:64 + len(xsdt)] = xsdt
    m[128:128 + len(rsdt)] = rsdt
    m[192:192 + len(mcfg)] = mcfg
    return bytes(m)


# ---- partition tables -------------------------------------------------------------------
def mbr_entry(status, ptype, start, count):
    return struct.pack("<B3sB3sII", status, bytes(3), ptype, bytes(3), start, count)


def sector(entries, boot=b""):
    s = bytearray(512)
    s[:len(boot)] = boot
    s[446:446 + 16 * len(entries)] = b"".join(entries)
    s[510:512] = b"\x55\xaa"
    return bytes(s)


def mbr_disk():
    """48 sectors: primary 1 at 2..9, extended 10..47 with two logicals."""
    d = bytearray(48 * 512)
    d[0:512] = sector([mbr_entry(0x80, 0x83, 2, 8), mbr_entry(0, 0x05, 10, 38)])
    d[10 * 512:11 * 512] = sector([mbr_entry(0, 0x83, 1, 9), mbr_entry(0, 0x05, 10, 20)])
    d[20 * 512:21 * 512] = sector([mbr_entry(0, 0x0c, 1, 10)])
    return bytes(d)


def gpt_disk(n=40):
    """n sectors: protective MBR, GPT with 16 entries (4 sectors), backup at the end."""
    import uuid
    import zlib
    d = bytearray(n * 512)
    d[0:512] = sector([mbr_entry(0, 0xee, 1, n - 1)])
    entries = bytearray(16 * 128)
    linux = uuid.UUID("0FC63DAF-8483-4772-8E79-3D69D8477DE4").bytes_le
    for i, (a, b, name) in enumerate([(10, 19, "one"), (20, 33, "two")]):
        e = struct.pack("<16s16sQQQ72s", linux, bytes(range(i, i + 16)), a, b, 0, name.encode("utf-16-le"))
        entries[i * 128:(i + 1) * 128] = e
    acrc = zlib.crc32(entries)

    def header(my, alt, array):
        h = bytearray(struct.pack("<8sIIIIQQQQ16sQIII", b"EFI PART", 0x10000, 92, 0, 0, my, alt, 6, n - 6,
                                  bytes(16), array, 16, 128, acrc))
        h[16:20] = struct.pack("<I", zlib.crc32(h))
        return bytes(h) + bytes(512 - len(h))

    d[512:1024] = header(1, n - 1, 2)
    d[2 * 512:6 * 512] = entries
    d[(n - 5) * 512:(n - 1) * 512] = entries
    d[(n - 1) * 512:] = header(n - 1, 1, n - 5)
    return bytes(d)


def main():
    put("elf_user", "tiny-exec", tiny_user_elf())
    put("elf_user", "tiny-dyn", tiny_user_elf(etype=3, base=0x1000))
    put("elf_user", "tiny-no-manifest", tiny_user_elf(manifest=0))
    put("elf_user", "tiny-two-notes", tiny_user_elf(extra_note=True))
    put("elf_user", "tiny-two-manifests", tiny_user_elf(manifest=2))
    hello = trimmed_hello()
    if hello:
        put("elf_user", "hello-trimmed", hello)

    put("uefi_elf", "kernel-4seg", tiny_kernel_elf())
    put("uefi_elf", "kernel-relocs", kernel_with_relocs())
    put("uefi_elf", "kernel-1seg", kernel_one_segment())
    put("uefi_elf", "kernel-17seg", kernel_17_segments())

    for name, data in cpio_archives():
        put("cpio", name, data)

    for name, data in {
        "relative": b"/home/user\0docs/../notes/./todo.txt",
        "absolute": b"/ignored\0//etc///passwd/",
        "dotdot-root": b"/\0../../..",
        "no-cwd": b"a/b/c/../../d",
        "bad-cwd": b"relative\0x",
        "cwd-only": b"/a/b/c\0.",
        "long": b"/" + b"/".join([b"x" * 60] * 4) + b"\0" + b"y" * 63,
        "control": b"/\0a\x01b",
    }.items():
        put("path", name, data)

    for name, line in {
        "simple": b"echo hello world",
        "blanks": b"  ls\t-l   /bin\t ",
        "comment": b"# just a comment",
        "empty": b"",
        "max-args": b" ".join([b"a"] * 16),
        "too-many": b" ".join([b"a"] * 17),
        "max-len": b"x" * 256,
        "too-long": b"echo " + b"y" * 252,
    }.items():
        put("shell", name, line)

    put("boot_info", "mb1", mb1())
    put("boot_info", "mb2", mb2())
    put("boot_info", "uefi", uefi())
    put("boot_info", "mb2-many-mmap", mb2_many_mmap())
    put("boot_info", "crash-mb1-misaligned-module", crash_mb1_misaligned_module())
    put("boot_info", "crash-uefi-misaligned-mmap", crash_uefi_misaligned_mmap())

    demo = (1, 0x0F, 7, 64, 4 * 4096)
    sensor = (1, 0x09, 7, 32, 4096)
    free = (1, 0x01, -1, 8, 4096)
    hole = (0, 0, 0, 0, 0)
    devs = [demo, sensor, free, hole]
    put("driver_check", "read-ok", driver_input(4, 7, devs, (1, 0, 56, 0, 0, 0, 0), b"read"))
    put("driver_check", "write-audit", driver_input(4, 7, devs, (2, 0, 8, 0x55, 0, 0, 1), b"WRITE_REG"))
    put("driver_check", "map-ok", driver_input(4, 7, devs, (3, 0, 0, 0, 4096, 3 * 4096, 0), b"map_mem"))
    put("driver_check", "unmap-range", driver_input(4, 7, devs, (4, 1, 0, 0, 4096, 4096, 0), b"4"))
    put("driver_check", "info-other", driver_input(4, 8, devs, (5, 2, 0, 0, 0, 0, 0), b"0x5"))
    for name, data in fat_images():
        put("fat", name, data)
    for name, data in exfat_images():
        put("exfat", name, data)


# ---- exFAT ----------------------------------------------------------------------
def exfat_images():
    """A 64 KiB exFAT volume (512-byte clusters) made by mkfs.exfat (skipped without
    it), with entry sets written here as tests/unit/test_exfat.c writes them: a
    FAT-chained file whose chain runs backwards, a contiguous (NoFatChain) file with
    ValidDataLength < DataLength, a subdirectory holding a file with a long name."""
    with tempfile.TemporaryDirectory() as d:
        img = os.path.join(d, "e.img")
        try:
            with open(img, "wb") as f:
                f.truncate(64 << 10)
            subprocess.run(["mkfs.exfat", "-b", "4K", "-c", "512", img], check=True, stdout=subprocess.DEVNULL)
        except (OSError, subprocess.CalledProcessError):
            return []
        m = bytearray(open(img, "rb").read())
    fat, heap, root = (struct.unpack_from("<I", m, o)[0] * 512 for o in (80, 88, 96))
    root //= 512
    clus = lambda c: heap + (c - 2) * 512

    def rot16(h, b):
        return (((h & 1) << 15) + (h >> 1) + b) & 0xFFFF

    def add(dirc, name, attr, first, nofat, size, valid):
        units = list(struct.unpack(f"<{len(name)}H", name.encode("utf-16-le")))
        h = 0
        for u in units:
            u = ord(chr(u).upper()) if u < 128 else u
            h = rot16(rot16(h, u & 0xFF), u >> 8)
        names = (len(units) + 14) // 15
        s = bytearray(32 * (2 + names))
        s[0], s[1] = 0x85, 1 + names
        struct.pack_into("<HI", s, 4, attr, 0)
        struct.pack_into("<I", s, 12, 0x5A8F6C21)
        s[32], s[33], s[35] = 0xC0, 1 | (2 if nofat else 0), len(units)
        struct.pack_into("<HxxQxxxxIQ", s, 36, h, valid, first, size)
        for k in range(names):
            s[64 + 32 * k] = 0xC1
            part = units[15 * k:15 * k + 15]
            struct.pack_into(f"<{len(part)}H", s, 64 + 32 * k + 2, *part)
        c = 0
        for i, b in enumerate(s):
            if i not in (2, 3):
                c = rot16(c, b)
        struct.pack_into("<H", s, 2, c)
        at = clus(dirc)
        while m[at]:
            at += 32
        m[at:at + len(s)] = s

    for c in (90, 91, 92, 80, 81, 60):
        m[clus(c):clus(c) + 512] = bytes((c + i) & 0xFF for i in range(512))
    for c, nxt in ((92, 91), (91, 90), (90, 0xFFFFFFFF), (70, 0xFFFFFFFF)):
        struct.pack_into("<I", m, fat + 4 * c, nxt)
    m[clus(70):clus(70) + 512] = bytes(512)
    add(root, "Chain.bin", 0x20, 92, 0, 1400, 1400)
    add(root, "contig.bin", 0x20, 80, 1, 1024, 700)
    add(root, "sub", 0x10, 70, 0, 512, 512)
    add(70, "a name longer than fifteen units.txt", 0x20, 60, 1, 300, 300)
    return [("exfat-64k", bytes(m))]


# ---- FAT ------------------------------------------------------------------------
def fat_images():
    """A small (40 KiB) FAT12 volume made by mkfs.fat + mtools (skipped without them):
    a long name, a subdirectory, a file of a few clusters (hostile variants are
    in tests/unit/test_fat.c)."""
    out = []
    with tempfile.TemporaryDirectory() as d:
        for fat, kib in ((12, 40),):
            img = os.path.join(d, f"f{fat}.img")
            try:
                subprocess.run(["mkfs.fat", "-C", "-F", str(fat), "-s", "1", "-r", "16", img, str(kib)],
                               check=True, stdout=subprocess.DEVNULL)
                src = os.path.join(d, "src")
                with open(src, "wb") as f:
                    f.write(bytes(range(256)) * 6)
                env = dict(os.environ, MTOOLS_SKIP_CHECK="1", LC_ALL="C.UTF-8")
                subprocess.run(["mmd", "-i", img, "::/sub"], check=True, env=env)
                subprocess.run(["mcopy", "-i", img, src, "::/sub/a rather long name.bin"], check=True, env=env)
                subprocess.run(["mcopy", "-i", img, src, "::/SHORT.TXT"], check=True, env=env)
            except (OSError, subprocess.CalledProcessError):
                return []
            data = open(img, "rb").read()
            if fat == 12:
                out.append(("fat12", data))
    return out

    put("part_mbr", "mbr-extended", mbr_disk())
    put("part_mbr", "gpt-protective", gpt_disk())
    put("part_gpt", "gpt", gpt_disk())
    bad = bytearray(gpt_disk())
    bad[600] ^= 1
    put("part_gpt", "gpt-primary-bad", bytes(bad))
    put("ata_id", "disk-8m", ata_identify(16384) + ata_tail(299, 2048, 16, 16))
    put("ata_id", "disk-lba48-sum", ata_identify(1 << 36, checksum=True) + ata_tail(0xFFFFFFFF, 2048, 1 << 32, 1))
    put("ata_id", "disk-4k", ata_identify(4096, sector_words=2048) + ata_tail(0, 4096, 0, 0x10000))
    put("ata_id", "atapi", ata_identify(0, atapi=True) + ata_tail(1000, 2048, 999, 1))
    put("pci_acpi", "v2-xsdt", acpi_memory(2))
    put("pci_acpi", "v1-rsdt", acpi_memory(0))


# ---- lwip (tests/fuzz/fuzz_lwip.c) -------------------------------------------------
# Input: a configuration byte, then records (u8 delay, u16 big-endian length,
# Ethernet frame). The harness's fixed numbers: our MAC 52:54:00:12:34:56,
# 10.0.2.15/24 (gateway 10.0.2.2, DNS 10.0.2.3: QEMU's user network),
# LWIP_RAND() 0x2a2a2a2a (DHCP xid, DNS id and source port 0x2a2a, first
# TCP port 0xea2b), every TCP ISN 0x5ec00000 (lwIP's active open sends its SYN
# with ISN - 1: the SYN-ACK acknowledges 0x5ec00000). Checksums are right, so the
# seeds also pass with the configuration's "checksums checked" bit.
LW_DHCP, LW_CSUM, LW_DNS, LW_PING, LW_NOCONN = 1, 2, 4, 8, 16
LW_MAC = bytes.fromhex("525400123456")
LW_GWMAC = bytes.fromhex("52550a000202")
LW_IP, LW_GW, LW_DNSIP = bytes([10, 0, 2, 15]), bytes([10, 0, 2, 2]), bytes([10, 0, 2, 3])
LW_ISN = 0x5EC00000


def lw_csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def lw_eth(payload, etype=0x0800, dst=LW_MAC, src=LW_GWMAC):
    return dst + src + struct.pack("!H", etype) + payload


def lw_arp(op, sha, spa, tha, tpa):
    return lw_eth(struct.pack("!HHBBH", 1, 0x0800, 6, 4, op) + sha + spa + tha + tpa, 0x0806,
                  dst=b"\xff" * 6 if op == 1 else LW_MAC, src=sha)


def lw_ip(proto, payload, src=LW_GW, dst=LW_IP, ident=1, frag=0x4000, ttl=64):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, frag, ttl, proto, 0, src, dst)
    return h[:10] + struct.pack("!H", lw_csum(h)) + h[12:] + payload


def lw_tcp(sport, dport, seq, ack, flags, data=b"", win=65535, opts=b"", src=LW_GW, dst=LW_IP):
    off = (20 + len(opts)) // 4
    h = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, off << 4, flags, win, 0, 0) + opts
    ph = src + dst + struct.pack("!BBH", 0, 6, len(h) + len(data))
    c = lw_csum(ph + h + data)
    return lw_eth(lw_ip(6, h[:16] + struct.pack("!H", c) + h[18:] + data, src, dst))


def lw_udp(sport, dport, data, src=LW_GW, dst=LW_IP, ethdst=LW_MAC):
    h = struct.pack("!HHHH", sport, dport, 8 + len(data), 0)
    c = lw_csum(src + dst + struct.pack("!BBH", 0, 17, len(h) + len(data)) + h + data) or 0xFFFF
    return lw_eth(lw_ip(17, h[:6] + struct.pack("!H", c) + data, src, dst), dst=ethdst)


def lw_icmp(typ, code, rest, data, src=LW_GW):
    m = struct.pack("!BBH", typ, code, 0) + rest + data
    return lw_eth(lw_ip(1, m[:2] + struct.pack("!H", lw_csum(m)) + m[4:], src))


def lw_input(cfg, records):
    out = bytes([cfg])
    for delay, frame in records:
        out += struct.pack("!BH", delay, len(frame)) + frame
    return out


FIN, SYN, RST, PSH, ACK = 1, 2, 4, 8, 16
MSS_WS = b"\x02\x04\x05\xb4\x01\x03\x03\x07"   # MSS 1460, NOP, window scale 7


def lwip_corpus():
    arp_gw = lw_arp(2, LW_GWMAC, LW_GW, LW_MAC, LW_IP)
    # Active connection (netd --get): ARP reply, SYN-ACK, the answer, FIN.
    req = b"GET /blob HTTP/1.0\r\nHost: 10.0.2.2:8080\r\nUser-Agent: netd\r\n\r\n"
    lp, s = 0xEA2B, 1000
    body = b"HTTP/1.0 200 OK\r\nContent-Length: 32\r\n\r\n" + bytes(range(32))
    put("lwip", "tcp-get", lw_input(LW_CSUM, [
        (0, arp_gw),
        (1, lw_tcp(8080, lp, s, LW_ISN, SYN | ACK, opts=MSS_WS)),
        (1, lw_tcp(8080, lp, s + 1, LW_ISN + len(req), ACK)),
        (1, lw_tcp(8080, lp, s + 1, LW_ISN + len(req), PSH | ACK, body[:40])),
        (30, lw_tcp(8080, lp, s + 41, LW_ISN + len(req), PSH | ACK | FIN, body[40:])),
        (130, lw_tcp(8080, lp, s + 1 + len(body) + 1, LW_ISN + 1 + len(req), ACK)),
    ]))
    # Found by make fuzz (fixed by tools/lwip-patches/0001): one byte 2^31 before rcv_nxt.
    put("lwip", "crash-tcp-insane-offset", lw_input(LW_CSUM, [
        (0, arp_gw),
        (1, lw_tcp(8080, lp, s, LW_ISN, SYN | ACK, opts=MSS_WS)),
        (1, lw_tcp(8080, lp, s + 1 + 0x80000000, LW_ISN + len(req), PSH | ACK, b"x")),
    ]))
    # Listener (netd --serve): SYN, handshake, request, ACKs of the 20 KB answer, FIN.
    rp, s = 40000, 7000
    get = b"GET /blob.bin HTTP/1.0\r\n\r\n"
    recs = [(0, arp_gw), (0, lw_tcp(rp, 80, s, 0, SYN, opts=MSS_WS, win=64240)),
            (1, lw_tcp(rp, 80, s + 1, LW_ISN + 1, ACK, win=502)),
            (1, lw_tcp(rp, 80, s + 1, LW_ISN + 1, PSH | ACK, get, win=502))]
    acked = 0
    for i in range(1, 15):
        acked = min(20001, i * 1460 * 2)
        recs.append((2, lw_tcp(rp, 80, s + 1 + len(get), LW_ISN + 1 + acked, ACK, win=502)))
    recs.append((2, lw_tcp(rp, 80, s + 1 + len(get), LW_ISN + 2 + 20000, ACK | FIN, win=502)))
    put("lwip", "tcp-serve", lw_input(LW_CSUM | LW_NOCONN, recs))
    # The same with a zero window, a retransmission and an out-of-order segment, checksums unchecked.
    put("lwip", "tcp-serve-window", lw_input(LW_NOCONN, recs[:4] + [
        (1, lw_tcp(rp, 80, s + 1 + len(get), LW_ISN + 1 + 1460, ACK, win=0)),
        (140, lw_tcp(rp, 80, s + 1 + len(get), LW_ISN + 1 + 1460, ACK, win=502)),
        (1, lw_tcp(rp, 80, s + 1 + len(get) + 10, LW_ISN + 1 + 2920, PSH | ACK, b"later", win=502)),
        (1, lw_tcp(rp, 80, s + 1 + len(get), LW_ISN + 1 + 2920, PSH | ACK, b"0123456789", win=502)),
        (1, lw_tcp(rp, 80, s + 1 + len(get) + 15, 0, RST)),
    ]))
    # DHCP: offer, ack (lease 1 h, router, DNS), then the DNS answer for example.org.
    def dhcp(msgtype, yiaddr=LW_IP, ethdst=b"\xff" * 6):
        b = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 2, 1, 6, 0, 0x2A2A2A2A, 0, 0, bytes(4), yiaddr, bytes(4),
                        bytes(4), LW_MAC + bytes(10), b"", b"")
        opts = b"\x63\x82\x53\x63" + bytes([53, 1, msgtype]) + bytes([54, 4]) + LW_GW
        opts += bytes([51, 4]) + struct.pack("!I", 3600) + bytes([1, 4, 255, 255, 255, 0])
        opts += bytes([3, 4]) + LW_GW + bytes([6, 4]) + LW_DNSIP + b"\xff"
        return lw_udp(67, 68, b + opts, src=LW_GW, dst=b"\xff" * 4, ethdst=ethdst)
    q = b"\x07example\x03org\x00" + struct.pack("!HH", 1, 1)
    dns = struct.pack("!HHHHHH", 0x2A2A, 0x8180, 1, 1, 0, 0) + q
    dns += b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 300, 4) + bytes([93, 184, 216, 34])
    arp_dns = lw_arp(2, LW_GWMAC, LW_DNSIP, LW_MAC, LW_IP)
    put("lwip", "dhcp-dns", lw_input(LW_DHCP | LW_CSUM | LW_DNS | LW_NOCONN, [
        (10, dhcp(2)), (10, dhcp(5)), (5, arp_dns), (5, lw_udp(53, 0x2A2A, dns, src=LW_DNSIP)),
        (200, b""), (255, dhcp(5)),
    ]))
    # Static address: DNS answer with a name pointer loop and a truncated one.
    bad = struct.pack("!HHHHHH", 0x2A2A, 0x8180, 1, 2, 0, 0) + q + b"\xc0\x0c" + struct.pack("!HHIH", 5, 1, 60, 2)
    bad += b"\xc0\x2b" + b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 300, 4) + bytes([1, 2, 3, 4])
    put("lwip", "dns-static", lw_input(LW_DNS | LW_NOCONN, [
        (1, arp_dns), (1, lw_udp(53, 0x2A2A, bad, src=LW_DNSIP)), (150, lw_udp(53, 0x2A2A, dns[:30], src=LW_DNSIP)),
    ]))
    # Ping: ARP, the echo reply to ours, an echo request to us; ARP request for us; UDP echo;
    # a UDP datagram in two IP fragments (and an overlapping third).
    udp = struct.pack("!HHHH", 9999, 7, 8 + 40, 0) + b"f" * 40
    put("lwip", "icmp-udp-frag", lw_input(LW_PING | LW_CSUM | LW_NOCONN, [
        (0, arp_gw),
        (1, lw_icmp(0, 0, struct.pack("!HH", 0x5EC0, 1), bytes(32))),
        (1, lw_icmp(8, 0, struct.pack("!HH", 0x1234, 7), b"ping" * 8)),
        (1, lw_arp(1, LW_GWMAC, LW_GW, bytes(6), LW_IP)),
        (1, lw_udp(9999, 7, b"hello, echo")),
        (1, lw_eth(lw_ip(17, udp[:24], ident=77, frag=0x2000))),
        (1, lw_eth(lw_ip(17, udp[24:], ident=77, frag=3))),
        (1, lw_eth(lw_ip(17, udp[16:], ident=78, frag=2))),
        (1, lw_eth(lw_ip(17, udp[:24], ident=78, frag=0x2000))),
        (255, b""),
    ]))


# ---- the socket channel and the socket calls' arguments -------------------------
def netsrv_msg(op, sock, seq=0, status=0, payload=b"", args=(0, 0, 0, 0)):
    """One message of include/secos/netsrv.h (version 2)."""
    return struct.pack("<IHHIIiI4I", 0x5653524E, 2, op, sock, seq, status, len(payload), *args) + payload


def socket_corpus():
    REPLY = 0x8000
    OPEN, BIND, LISTEN, CONNECT, ACCEPT, SEND, RECVD, SHUTDOWN, CLOSE, GETNAME, SETOPT = range(1, 12)
    EV_DATA, EV_CREDIT, EV_CLOSED, EV_ACCEPTQ, EV_IFADDR = range(12, 17)
    for name, data in {
        # What the server writes (the kernel checks it).
        "connect-reply": netsrv_msg(CONNECT | REPLY, 5, 9, 0, args=(0x0A00020F, 40000, 0, 0)),
        "refused-reply": netsrv_msg(CONNECT | REPLY, 5, 9, -111),
        "accept-reply": netsrv_msg(ACCEPT | REPLY, 5, 3, 0, args=(0x0A000202, 51000, 0, 0)),
        "data": netsrv_msg(EV_DATA, 7, payload=b"HTTP/1.0 200 OK\r\n\r\n" + bytes(64)),
        "credit": netsrv_msg(EV_CREDIT, 7, args=(16384, 0, 0, 0)),
        "closed-reset": netsrv_msg(EV_CLOSED, 7, status=-104),
        "acceptq": netsrv_msg(EV_ACCEPTQ, 4, args=(1, 0, 0, 0)),
        "ifaddr": netsrv_msg(EV_IFADDR, 0, args=(0x0A00020F, 0xFFFFFF00, 0x0A000202, 0x0A000203)),
        # What the kernel writes (netd checks it).
        "open": netsrv_msg(OPEN, 7, args=(1, 0, 0, 0)),
        "bind-request": netsrv_msg(BIND, 7, 12, args=(0, 80, 0, 0)),
        "send": netsrv_msg(SEND, 7, payload=b"GET / HTTP/1.0\r\n\r\n"),
        "recvd": netsrv_msg(RECVD, 7, args=(16384, 0, 0, 0)),
        "close": netsrv_msg(CLOSE, 7),
    }.items():
        put("net_sockmsg", name, data)
    # sockarg: 56 bytes of call arguments (the layout is fuzz_sockarg.c's), then a sockaddr.
    def args(claimed, domain, stype, proto, backlog, sec, usec):
        return (struct.pack("<BqqqB", claimed, domain, stype, proto, 1) + struct.pack("<qqq", backlog, sec, usec)).ljust(56, b"\0")
    sin = struct.pack("<H", 2) + struct.pack("!H4s", 8080, bytes([10, 0, 2, 15])) + bytes(8)
    put("sockarg", "tcp", args(16, 2, 1, 0, 5, 1, 500000) + sin)
    put("sockarg", "ping-dgram", args(16, 2, 2, 1, 0, 0, 1) + sin)
    put("sockarg", "raw-icmp", args(16, 2, 3, 1, 64, 2, 0) + sin)
    put("sockarg", "unix", args(110, 1, 1, 0, -1, 0, 0) + struct.pack("<H", 1) + b"/tmp/sock".ljust(108, b"\0"))
    put("sockarg", "short", args(8, 2, 0x80801, 6, 1 << 40, -1, 5) + sin)


if __name__ == "__main__":
    import sys
    if sys.argv[1:] == ["lwip"]:   # tests/fuzz/mkcorpus.py lwip: only the lwip seeds
        lwip_corpus()
    elif sys.argv[1:] == ["socket"]:
        socket_corpus()
    else:
        main()
        lwip_corpus()
        socket_corpus()
