"""The initrd: build/initrd.cpio (tools/mkinitrd.sh) reaches the kernel as a
boot module on every path and is unpacked into the VFS (fs/initrd.c):

  - ISO under SeaBIOS: GRUB `module2 /boot/initrd.cpio initrd`
  - ISO and ESP under OVMF: our BOOTX64.EFI reads \\initrd.cpio
  - -kernel: only with `-initrd build/initrd.cpio` (QEMU's Multiboot 1
    module); the plain `kernel` configuration has no initrd and must still
    boot and run the programs built into the kernel.

What each boot must show is computed from build/initrd.cpio itself (parsed
here), so adding a user program needs no change to this file. Bad archives
(truncated, with a `../` name) are made here and booted with -kernel
-initrd: the kernel must name the error, keep what it unpacked and boot on.
"""
from __future__ import annotations

import re
import subprocess

import pytest

from secos import BUILD, REPO, Machine, require_image

INITRD = BUILD / "initrd.cpio"
S_IFMT, S_IFDIR, S_IFREG, S_IFLNK = 0o170000, 0o040000, 0o100000, 0o120000
SUMMARY = re.compile(r"^\[initrd\] (\d+) files, (\d+) dirs, (\d+) bytes unpacked", re.M)
ERROR = re.compile(r"^\[initrd\] error: ([^\r\n]*) at entry (\d+)", re.M)


# --- cpio newc, both ways ------------------------------------------------------

def read_newc(data: bytes) -> dict[str, tuple[int, bytes]]:
    """{name: (mode, data)} of a newc archive (what fs/cpio.c accepts). A
    hard link's names (nlink > 1, one inode number; GNU cpio stores the data
    with the last) all get the data, as fs/initrd.c gives them."""
    out, off, groups, linked = {}, 0, {}, {}
    while True:
        h = data[off:off + 110]
        assert h[:6] == b"070701", f"bad cpio header at {off}"
        f = [int(h[6 + 8 * i:14 + 8 * i], 16) for i in range(13)]
        mode, size, namesize = f[1], f[6], f[11]
        name = data[off + 110:off + 110 + namesize - 1].decode()
        off = (off + 110 + namesize + 3) & ~3
        if name == "TRAILER!!!":
            for n, ino in linked.items():
                out[n] = (out[n][0], groups.get(ino, b""))
            return out
        name = name.removeprefix("./")
        out[name] = (mode, data[off:off + size])
        if mode & S_IFMT == S_IFREG and f[4] > 1:
            linked[name] = f[0]
            if size:
                groups[f[0]] = data[off:off + size]
        off = (off + size + 3) & ~3


def write_newc(entries) -> bytes:
    """A newc archive of (name, mode, data) entries plus the trailer."""
    out = bytearray()
    for ino, (name, mode, data) in enumerate(list(entries) + [("TRAILER!!!", 0, b"")], 1):
        nb = name.encode() + b"\0"
        fields = (ino, mode, 0, 0, 2 if mode & S_IFMT == S_IFDIR else 1, 0, len(data),
                  0, 0, 0, 0, len(nb), 0)
        out += b"070701" + "".join(f"{v:08X}" for v in fields).encode() + nb
        out += b"\0" * (-len(out) % 4) + data
        out += b"\0" * (-len(out) % 4)
    return bytes(out)


def archive():
    """(files {name: bytes}, dirs [name]) of build/initrd.cpio; skips if absent."""
    if not INITRD.exists():
        pytest.skip(f"{INITRD} does not exist; build it with `make initrd` (or `make iso esp`)")
    ents = read_newc(INITRD.read_bytes())
    files = {n: d for n, (m, d) in ents.items() if m & S_IFMT == S_IFREG}
    dirs = [n for n, (m, _) in ents.items() if m & S_IFMT == S_IFDIR]
    return files, dirs


def unique_bytes(files) -> int:
    """The bytes the kernel reports unpacking: the names of a hard link
    (busybox's applets) share one data object here and one block in RAMFS,
    counted once."""
    return sum(len(d) for d in {id(d): d for d in files.values()}.values())


def check_no_faults(m: Machine):
    faults = m.faults()
    assert not faults, f"guest reported exceptions/panics: {faults}\n{m.tail()}"


# --- the real initrd on every boot path ----------------------------------------

@pytest.fixture(scope="class")
def initrd_vm(request):
    cls = request.cls
    require_image(cls.CONFIG)
    archive()
    m = Machine(cls.CONFIG, memory="512M", extra_args=cls.extra_args(), label=request.node.nodeid)
    try:
        m.boot()
    except BaseException:
        m.close()
        raise
    yield m
    faults, tail = m.faults(), m.tail()
    m.close()
    if faults:
        pytest.fail(f"[{cls.CONFIG}] guest reported exceptions/panics: {faults}\n{tail}", pytrace=False)


class _InitrdBoot:
    CONFIG = ""

    @classmethod
    def extra_args(cls):
        return ()

    @pytest.fixture
    def vm(self, initrd_vm):
        if not initrd_vm.alive():
            pytest.fail(f"the {self.CONFIG} QEMU is no longer running:\n{initrd_vm.tail()}", pytrace=False)
        return initrd_vm

    def test_summary_line(self, vm):
        files, dirs = archive()
        assert not ERROR.search(vm.output), vm.tail()
        m = SUMMARY.search(vm.output)
        assert m, f"no [initrd] summary line:\n{vm.tail()}"
        assert (int(m.group(1)), int(m.group(2)), int(m.group(3))) == \
            (len(files), len(dirs), unique_bytes(files)), m.group(0)

    def test_archive_has_programs_and_motd(self):
        files, dirs = archive()
        assert "bin" in dirs and "etc" in dirs, dirs
        assert "bin/hello" in files and files["bin/hello"][:4] == b"\x7fELF"
        assert files["etc/motd"].endswith(b"\n") and files["etc/motd"].count(b"\n") == 1

    def test_vls_bin(self, vm):
        files, _ = archive()
        out = vm.run("vls /bin")
        listed = {p: int(s) for s, p in re.findall(r"^F (\d+) (\S+)$", out, re.M)}
        for name, data in files.items():
            if name.startswith("bin/"):
                assert listed.get("/" + name) == len(data), f"/{name} ({len(data)} bytes) in:\n{out}"
        assert "/bin/hello" in listed

    def test_vcat_motd(self, vm):
        files, _ = archive()
        assert vm.run("vcat /etc/motd") == files["etc/motd"].decode()

    def test_files_are_immutable(self, vm):
        out = vm.run("rfinfo /etc/motd")
        if "immutable:" not in out:
            pytest.skip(f"no rfinfo command with an immutable flag: {out!r}")
        assert "immutable: yes" in out, out


class TestInitrdKernel(_InitrdBoot):
    """-kernel with QEMU's -initrd (a Multiboot 1 module named by its path)."""
    CONFIG = "kernel"

    @classmethod
    def extra_args(cls):
        return ("-initrd", str(INITRD))

    def test_module_line(self, vm):
        assert re.search(rf'^\[initrd\] module "{re.escape(str(INITRD))}" at phys ', vm.output, re.M), vm.tail()


@pytest.mark.image
class TestInitrdIsoBios(_InitrdBoot):
    CONFIG = "iso-bios"

    def test_grub_loaded_module(self, vm):
        assert "SECoS: module2 /boot/initrd.cpio" in vm.output
        assert re.search(r'^\[initrd\] module "initrd" at phys ', vm.output, re.M), vm.tail()


@pytest.mark.image
@pytest.mark.uefi
class TestInitrdIsoUefi(_InitrdBoot):
    CONFIG = "iso-uefi"

    def test_loader_read_initrd(self, vm):
        assert re.search(r"^\[UEFI\] read \\initrd\.cpio: \d+ bytes at phys ", vm.output, re.M), vm.tail()


@pytest.mark.image
@pytest.mark.uefi
class TestInitrdEspUefi(TestInitrdIsoUefi):
    CONFIG = "esp-uefi"


# --- no initrd, and bad ones ---------------------------------------------------

def test_kernel_without_initrd(boot_machine):
    """The plain -kernel boot has no module: said once, and the programs
    built into the kernel still run."""
    m = boot_machine("kernel")
    assert re.search(r"^\[initrd\] no initrd module", m.output, re.M), m.tail()
    assert "Hello from user space!" in m.run("run hello")


def _boot_with_archive(boot_machine, tmp_path, data: bytes, name="bad.cpio") -> Machine:
    path = tmp_path / name
    path.write_bytes(data)
    return boot_machine("kernel", extra_args=("-initrd", str(path)))


def test_truncated_initrd(boot_machine, tmp_path):
    """Half an archive: an error naming the entry, what came before it
    stays, and the boot goes on."""
    files, _ = archive()
    data = INITRD.read_bytes()
    m = _boot_with_archive(boot_machine, tmp_path, data[:len(data) // 2])
    err = ERROR.search(m.output)
    assert err, m.tail()
    assert "truncated" in err.group(1) or "past the end" in err.group(1), err.group(0)
    kept = re.search(r"^\[initrd\] kept (\d+) files", m.output, re.M)
    assert kept and int(kept.group(1)) >= 1, m.tail()
    assert not SUMMARY.search(m.output)
    # The archive's first program that is not a hard link (a link's bytes come
    # with the set's last name, which may lie past the cut).
    shared = {}
    for d in files.values():
        shared[id(d)] = shared.get(id(d), 0) + 1
    first = next(n for n in files if n.startswith("bin/") and shared[id(files[n])] == 1)
    assert f"/{first}" in m.run("vls /bin")
    assert m.run("echo still alive") == "still alive\n"
    check_no_faults(m)


def test_escaping_initrd(boot_machine, tmp_path):
    """A `../` name stops the unpacking at that entry; a symlink before it is
    named and skipped; nothing lands outside /. The module is not named
    *.cpio: the kernel recognises it by its magic."""
    data = write_newc([
        ("etc", S_IFDIR | 0o755, b""),
        ("etc/ok", S_IFREG | 0o644, b"fine\n"),
        ("etc/link", S_IFLNK | 0o777, b"ok"),
        ("etc/../../evil", S_IFREG | 0o644, b"evil\n"),
        ("etc/after", S_IFREG | 0o644, b"never\n"),
    ])
    # Not called *.cpio: found by its magic. Not *.img either: that names a
    # RAM disk (block/ramdisk.c); it passed only when a long temporary path
    # cut the module name to 63 bytes before the suffix.
    m = _boot_with_archive(boot_machine, tmp_path, data, name="escape.bin")
    err = ERROR.search(m.output)
    assert err and "'..'" in err.group(1) and err.group(2) == "3", m.tail()
    assert re.search(r"^\[initrd\] skipping etc/link: unsupported", m.output, re.M), m.tail()
    assert m.run("vcat /etc/ok") == "fine\n"
    listing = m.run("vls /") + m.run("vls /etc")
    assert "evil" not in listing and "after" not in listing and "link" not in listing, listing
    check_no_faults(m)


# --- images built without an initrd still boot ------------------------------------

def _build(cmd):
    r = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    if r.returncode != 0:
        pytest.fail(f"{' '.join(map(str, cmd))} failed:\n{r.stdout}{r.stderr}")


@pytest.mark.image
def test_iso_without_initrd(boot_machine, tmp_path, monkeypatch):
    """An ISO made without the optional initrd argument: grub.cfg skips
    module2, the kernel boots without a module."""
    for f in ("kernel.elf", "esp.img"):
        if not (BUILD / f).exists():
            pytest.skip(f"build/{f} missing (make iso)")
    iso = tmp_path / "noinitrd.iso"
    _build(["tools/mkiso.sh", BUILD / "kernel.elf", BUILD / "esp.img", "boot/grub.cfg", iso])
    monkeypatch.setenv("SECOS_ISO", str(iso))
    m = boot_machine("iso-bios")
    assert "module2" not in m.output
    assert re.search(r"^\[initrd\] no initrd module", m.output, re.M), m.tail()


@pytest.mark.image
@pytest.mark.uefi
def test_esp_without_initrd(boot_machine, tmp_path, monkeypatch):
    """An ESP made with mkesp.sh's original three arguments: the loader says
    there is no initrd.cpio and boots the kernel anyway."""
    # The unpinned loader: a pinned one refuses to boot without its initrd.
    for f in ("BOOTX64-nopin.EFI", "kernel.elf"):
        if not (BUILD / f).exists():
            pytest.skip(f"build/{f} missing (make CONFIG=test uefi esp)")
    esp = tmp_path / "noinitrd.img"
    _build(["tools/mkesp.sh", BUILD / "BOOTX64-nopin.EFI", BUILD / "kernel.elf", esp])
    monkeypatch.setenv("SECOS_ESP", str(esp))
    m = boot_machine("esp-uefi")
    assert re.search(r"^\[UEFI\] no initrd\.cpio ", m.output, re.M), m.tail()
    assert re.search(r"^\[initrd\] no initrd module", m.output, re.M), m.tail()
    assert "[UEFI] error" not in m.output
