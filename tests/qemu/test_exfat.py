"""exFAT, read-only, on real disk controllers: an image made by mkfs.exfat
and filled by Linux's exfat driver in a Linux guest under the same QEMU
(tools/linux-guest/exfat_image.py: a 9 MiB file, 200 small files, 20
levels, a 255-character name, non-ASCII and surrogate-pair names, two
files fragmented by growing in turn, one extended by truncate) attached on
virtio-blk (pc and q35), AHCI (q35) and IDE (pc), mounted with the
console's `mount` (auto finds exfat): every file's SHA-256 in SECoS
(busybox sha256sum) equal to the host's, the tree as listed by find equal
to the host's, case-insensitive lookups, a time stamp, statfs; every kind of
change refused with EROFS and the image unchanged afterwards; and a second
disk with a hostile image (a bad boot-region checksum) refused with a clear
message while the system stays up. The image is built once and cached
under build/exfat (about a minute the first time)."""
from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from secos import BUILD, Disk
from test_fat import bb, hashes_in_secos, mount, text, workdir  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
TOOL = ROOT / "tools" / "linux-guest" / "exfat_image.py"
CONTROLLERS = [("virtio", "pc", "vda", "vdb"), ("virtio", "q35", "vda", "vdb"), ("ahci", "q35", "sda", "sdb"),
               ("ide", "pc", "hda", "hdb")]


@pytest.fixture(scope="module")
def linux_image() -> tuple[Path, dict[str, str]]:
    """The Linux-filled image (cached) and {path: sha256} the host expects."""
    check = subprocess.run([sys.executable, TOOL, "--check"], stderr=subprocess.PIPE, text=True)
    if check.returncode != 0:
        pytest.skip(check.stderr.strip() or "exfat_image.py --check failed")
    out = subprocess.run([sys.executable, TOOL], stdout=subprocess.PIPE, text=True, check=True, timeout=1800)
    img = Path(out.stdout.strip())
    want = {}
    for line in Path(str(img) + ".sha256").read_text(encoding="utf-8").splitlines():
        digest, path = line.split("  ", 1)
        want[path] = digest
    return img, want


def hostile_image(path: Path):
    """A fresh mkfs.exfat volume whose OEM-parameters sector no longer fits the boot checksum."""
    with open(path, "wb") as f:
        f.truncate(8 << 20)
    subprocess.run(["mkfs.exfat", str(path)], check=True, stdout=subprocess.DEVNULL)
    with open(path, "r+b") as f:
        f.seek(9 * 512 + 7)
        b = f.read(1)
        f.seek(9 * 512 + 7)
        f.write(bytes([b[0] ^ 1]))


def set_checksum(s: bytes) -> int:
    c = 0
    for i, b in enumerate(s):
        if i not in (2, 3):
            c = (((c & 1) << 15) + (c >> 1) + b) & 0xFFFF
    return c


def shrink_valid_length(data: bytearray, name: str, valid: int):
    """Sets the ValidDataLength of the file called name to valid (the
    SetChecksum made to fit) and fills its clusters past that with 0xAA:
    what lies beyond ValidDataLength must read as zeros anyway."""
    at = data.find(name.encode("utf-16-le"))
    assert at > 0 and data[at - 2] == 0xC1 and data[at - 2 - 32] == 0xC0
    stream, entry = at - 2 - 32, at - 2 - 64
    assert data[entry] == 0x85
    count = data[entry + 1]
    data[stream + 8:stream + 16] = valid.to_bytes(8, "little")
    first = int.from_bytes(data[stream + 20:stream + 24], "little")
    size = int.from_bytes(data[stream + 24:stream + 32], "little")
    assert data[stream + 1] & 2, "expected a contiguous (NoFatChain) file"
    data[entry + 2:entry + 4] = set_checksum(bytes(data[entry:entry + 32 * (count + 1)])).to_bytes(2, "little")
    heap = int.from_bytes(data[88:92], "little") << data[108]
    start = heap + ((first - 2) << (data[108] + data[109]))
    data[start + valid:start + size] = b"\xaa" * (size - valid)


def tree_of(want: dict[str, str], where: str = "/mnt") -> set[str]:
    """Every path find lists below where: the files and all their directories."""
    paths = {where}
    for p in want:
        parts = p.strip("/").split("/")
        for i in range(1, len(parts) + 1):
            paths.add(where + "/" + "/".join(parts[:i]))
    return paths


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("iface,machine,dev,bad", CONTROLLERS, ids=[f"{c[0]}-{c[1]}" for c in CONTROLLERS])
def test_exfat_linux_filled(boot_machine, workdir, linux_image, iface, machine, dev, bad):
    cached, want = linux_image
    img = workdir / "x.img"
    shutil.copyfile(cached, img)   # attached writable: SECoS itself must refuse the writes
    before = sha(img)
    evil = workdir / "evil.img"
    hostile_image(evil)
    vm = boot_machine("kernel", memory="512M", extra_args=["-initrd", str(BUILD / "initrd.cpio")],
                      machine=machine, disks=[Disk(img, iface), Disk(evil, iface)])
    assert dev in text(vm, "lsblk")
    mount(vm, dev)
    assert f"/dev/{dev} on /mnt type exfat (ro)" in text(vm, "mount")
    assert hashes_in_secos(vm) == want
    out = bb(vm, "find /mnt")
    assert "status=0" in out, out[-2000:]
    listed = {line for line in out.splitlines() if line.startswith("/mnt")}
    assert listed == tree_of(want)
    # Other cases of a name find the same file (the volume's up-case table).
    # The console takes ASCII only: printf's octal escapes make the other name's UTF-8.
    other = "".join(c if c.isascii() else "".join(f"\\{b:03o}" for b in c.encode()) for c in "/mnt/NAMES/GRÜßE-äöü.TXT")
    out = bb(vm, f"sh -c cat${{IFS}}/mnt/readme.txt${{IFS}}\"$(printf${{IFS}}'{other}')\"")
    assert "an exFAT volume filled by Linux" in out and "grüße-ÄÖÜ.txt" in out, out
    out = bb(vm, "stat -c %Y:%s:%F /mnt/README.TXT /mnt/frag/a.bin /mnt/level01")
    assert "1600000000:32:regular file" in out, out
    assert f":{(1 << 20) + 100}:regular file" in out and ":directory" in out, out
    # statfs: the boot sector's clusters; used at least what the files hold.
    boot = cached.read_bytes()[:512]
    cluster = 1 << (boot[108] + boot[109])
    total = int.from_bytes(boot[92:96], "little") * cluster // 1024
    row = [line.split() for line in text(vm, "df").splitlines() if line.startswith(f"/dev/{dev} ")]
    assert row and int(row[0][1]) == total, row
    assert int(row[0][2]) >= (9 << 10) + (2 << 10), row
    # Every kind of change: EROFS. (${IFS}: the console splits on spaces.)
    for cmd in ("sh -c echo${IFS}x>/mnt/new.txt", "sh -c echo${IFS}x>>/mnt/README.TXT", "mkdir /mnt/d",
                "rm /mnt/README.TXT", "mv /mnt/README.TXT /mnt/other.txt", "rmdir /mnt/level01",
                "truncate -s 0 /mnt/big.bin", "chmod 600 /mnt/README.TXT"):
        out = bb(vm, cmd)
        assert "status=0" not in out, (cmd, out)
        assert "Read-only file system" in out, (cmd, out)
    # A hostile volume: refused, said why, and the system goes on.
    text(vm, "rfmkdir /bad")
    out = text(vm, f"mount {bad} /bad")
    assert f"[exfat] {bad}: refused: boot region checksum mismatch" in out, out
    assert "not a valid" in out, out
    assert f"/dev/{bad}" not in text(vm, "mount")
    assert bb(vm, "cat /mnt/README.TXT").count("an exFAT volume filled by Linux") == 1
    assert text(vm, "umount /mnt") == ""
    vm.poweroff()
    assert sha(img) == before   # nothing was written to the volume


def test_exfat_churn_and_corrupt_directory(boot_machine, workdir, linux_image):
    """Mounts, reads and unmounts ten times, and mounts refused for a
    hostile boot region, each time: the heap exactly where it was, the free
    frames within a few pages. A directory with one damaged entry set (a
    name changed, its SetChecksum not) lists as an I/O error while the rest
    of the volume reads on; a file whose ValidDataLength was cut to 5 bytes
    (its clusters beyond filled with 0xAA) reads as those bytes and zeros."""
    from test_memory import parse_mem
    cached, want = linux_image
    evil = workdir / "evil.img"
    hostile_image(evil)
    broken = workdir / "broken.img"
    data = bytearray(cached.read_bytes())
    at = data.find("file007.dat".encode("utf-16-le"))
    assert at > 0
    data[at] ^= 0x20   # "File007.dat": the same up-cased name hash, another SetChecksum
    shrink_valid_length(data, "extended.bin", 5)   # "head\n", then zeros whatever the clusters hold
    broken.write_bytes(bytes(data))
    vm = boot_machine("kernel", memory="512M", extra_args=["-initrd", str(BUILD / "initrd.cpio")],
                      disks=[Disk(cached, "virtio", readonly=True), Disk(evil, "virtio"), Disk(broken, "virtio")])
    text(vm, "rfmkdir /mnt")
    text(vm, "rfmkdir /bad")
    before = parse_mem(text(vm, "mem"))
    for i in range(10):
        assert text(vm, "mount vda /mnt exfat") == ""
        assert text(vm, "rfcat /mnt/README.TXT") == "an exFAT volume filled by Linux\n"
        out = bb(vm, "sh -c ls${IFS}-lR${IFS}/mnt>/dev/null;sha256sum${IFS}/mnt/frag/b.bin")
        assert want["/frag/b.bin"] in out and "status=0" in out, out
        assert "refused: boot region checksum mismatch" in text(vm, "mount vdb /bad")
        assert text(vm, "umount /mnt") == ""
    after = parse_mem(text(vm, "mem"))
    assert after["heap in use"] == before["heap in use"], (before, after)
    assert abs(after["phys free"] - before["phys free"]) <= 16, (before, after)
    assert text(vm, "mount vdc /mnt") == ""
    # The listing ends at the damaged set (busybox's ls takes readdir's error
    # for the end); a lookup past it says what is wrong, one before it works.
    out = bb(vm, "ls /mnt/many")
    assert "file006.dat" in out and "file007" not in out.lower() and "file008.dat" not in out, out
    out = bb(vm, "stat -c %s /mnt/many/file008.dat")
    assert "Input/output error" in out and "status=0" not in out, out
    out = bb(vm, "sha256sum /mnt/many/file003.dat")
    assert want["/many/file003.dat"] in out, out
    out = bb(vm, "sha256sum /mnt/extended.bin")
    assert want["/extended.bin"] in out, out
    out = bb(vm, "sha256sum /mnt/big.bin /mnt/level01/level02/level03/level04/level05/level06/level07/level08/"
                 "level09/level10/level11/level12/level13/level14/level15/level16/level17/level18/level19/level20/"
                 "bottom.txt")
    bottom = next(p for p in want if p.endswith("/bottom.txt"))
    assert want["/big.bin"] in out and want[bottom] in out and "status=0" in out, out
    assert text(vm, "umount /mnt") == ""
