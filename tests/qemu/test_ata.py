"""The disk drivers against host-made images: IDE (PIO, pc's PIIX) and AHCI
(q35's ICH9). Every image is random bytes made here; the guest reads and
hashes it through the block layer (`atatest`, test configuration) and the
hash must equal the host's; what the guest writes must be on the host image
after sync and poweroff; a device that returns errors gives -EIO (-5) and
the system keeps running; ATAPI drives read the ISO's own sectors."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

import secos

MiB = 1 << 20


def fnv1a64(data: bytes, h: int = 0xcbf29ce484222325) -> str:
    # Only for short ranges (Python does ~5 MB/s here); whole disks are small.
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def pattern(off: int, length: int, seed: int) -> bytes:
    """The bytes `atatest write <dev> off length seed` writes (tests/kernel/atatest.c)."""
    out = bytearray(length)
    for i in range(length):
        o = off + i
        x = ((o >> 3) * 0x9E3779B97F4A7C15 + seed) & 0xFFFFFFFFFFFFFFFF
        x ^= x >> 29
        out[i] = (x >> (8 * (o & 7))) & 0xFF
    return bytes(out)


def make_image(path: Path, size: int) -> bytes:
    data = os.urandom(size)
    path.write_bytes(data)
    return data


def devices(m) -> dict:
    """atatest list -> {name: (driver, sectors, sector_size, readonly)}."""
    out = {}
    for line in m.run("atatest list").splitlines():
        g = re.match(r"atatest: (\w+) (\S+) sectors=(\d+) sector_size=(\d+) bytes=\d+( ro)?$", line.strip())
        if g:
            out[g[1]] = (g[2], int(g[3]), int(g[4]), bool(g[5]))
    return out


def guest_hash(m, dev: str, off: int = None, length: int = None, timeout: float = 120) -> str:
    cmd = f"atatest hash {dev}" + (f" {off} {length}" if off is not None else "")
    out = m.run(cmd, timeout=timeout)
    g = re.search(r"fnv1a64=([0-9a-f]{16})", out)
    assert g, f"{cmd}: {out!r}"
    return g[1]


def ide_drive(path: Path, index: int, extra: str = "") -> list[str]:
    return ["-drive", f"file={path},if=ide,format=raw,index={index}{extra}"]


# --- IDE (pc) ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def ide_disks(tmp_path_factory):
    d = tmp_path_factory.mktemp("ide")
    imgs = {"hda": (d / "hda.img", 2 * MiB), "hdb": (d / "hdb.img", 1 * MiB + 512),
            "hdd": (d / "hdd.img", 3 * MiB)}
    data = {name: make_image(p, size) for name, (p, size) in imgs.items()}
    return imgs, data


@pytest.fixture(scope="module")
def ide_vm(ide_disks, request):
    imgs, _ = ide_disks
    secos.require_image("kernel")
    args = ide_drive(imgs["hda"][0], 0) + ide_drive(imgs["hdb"][0], 1) + ide_drive(imgs["hdd"][0], 3)
    m = secos.Machine("kernel", extra_args=["-machine", "pc"] + args, label=request.node.nodeid)
    m.boot()
    yield m
    m.close()


def test_ide_lists_every_drive_with_its_size(ide_vm, ide_disks):
    imgs, _ = ide_disks
    devs = devices(ide_vm)
    for name, (_, size) in imgs.items():
        assert devs.get(name) == ("ide", size // 512, 512, False), devs
    # pc's empty CD (secondary master) is found but has no medium: not a device.
    assert "hdc" not in devs
    assert re.search(r'\[IDE\] hdc: ATAPI "QEMU DVD-ROM": no medium', ide_vm.output)


def test_ide_whole_disk_hash_matches_the_host(ide_vm, ide_disks):
    _, data = ide_disks
    for name in ("hdb", "hdd"):   # slave of the primary, slave of the secondary channel
        assert guest_hash(ide_vm, name) == fnv1a64(data[name]), name
    # Unaligned ranges go through the block layer's partial-sector path.
    assert guest_hash(ide_vm, "hda", 1000, 70000) == fnv1a64(data["hda"][1000:71000])
    assert guest_hash(ide_vm, "hda", 2 * MiB - 3, 3) == fnv1a64(data["hda"][-3:])


def test_ide_reads_past_the_end_are_refused(ide_vm):
    out = ide_vm.run(f"atatest hash hda {2 * MiB - 511} 512")
    assert "read hda failed: -22" in out     # -EINVAL from the block layer; the drive never sees it
    assert guest_hash(ide_vm, "hda", 0, 512)


def test_ide_writes_land_on_the_host_image(ide_disks, boot_machine, tmp_path):
    img = tmp_path / "w.img"
    data = bytearray(make_image(img, 1 * MiB))
    m = boot_machine("kernel", extra_args=["-machine", "pc"] + ide_drive(img, 0))
    # Unaligned (read-modify-write) and a multi-sector run of 300 sectors (> 256: two commands).
    assert "wrote hda 1000+5000" in m.run("atatest write hda 1000 5000 7")
    assert "wrote hda 65536+153600" in m.run("atatest write hda 65536 153600 9")
    assert "sync hda: 0" in m.run("atatest sync hda")
    m.poweroff()
    data[1000:6000] = pattern(1000, 5000, 7)
    data[65536:65536 + 153600] = pattern(65536, 153600, 9)
    assert img.read_bytes() == bytes(data)


def test_ide_lba48_beyond_128_gib(boot_machine, tmp_path):
    """A sparse 200 GiB disk: sectors past 2^28 need the 48-bit commands."""
    img = tmp_path / "big.img"
    size = 200 << 30
    far = 150 << 30
    with open(img, "wb") as f:
        f.truncate(size)
        f.seek(far)
        f.write(bytes(range(256)) * 16)
    m = boot_machine("kernel", extra_args=["-machine", "pc"] + ide_drive(img, 0))
    assert devices(m)["hda"] == ("ide", size // 512, 512, False)
    assert "LBA48" in m.output
    assert guest_hash(m, "hda", far, 4096) == fnv1a64(bytes(range(256)) * 16)
    assert "wrote hda" in m.run(f"atatest write hda {size - 4096} 4096 3")
    assert "sync hda: 0" in m.run("atatest sync hda")
    m.poweroff()
    with open(img, "rb") as f:
        f.seek(size - 4096)
        assert f.read() == pattern(size - 4096, 4096, 3)


def blkdebug(tmp_path: Path, img: Path, event: str, sector: int) -> str:
    cfg = tmp_path / f"{event}.cfg"
    cfg.write_text(f'[inject-error]\nevent = "{event}"\nerrno = "5"\nsector = "{sector}"\n')
    return f"blkdebug:{cfg}:{img}"


def test_ide_device_errors_give_eio_and_the_system_keeps_running(boot_machine, tmp_path):
    img = tmp_path / "e.img"
    data = make_image(img, 1 * MiB)
    img2 = tmp_path / "e2.img"
    make_image(img2, 1 * MiB)
    bad = 100   # every read or write touching sector 100 fails in QEMU with EIO
    args = ["-machine", "pc", "-drive", f"file={blkdebug(tmp_path, img, 'read_aio', bad)},if=ide,format=raw,index=0",
            "-drive", f"file={blkdebug(tmp_path, img2, 'write_aio', bad)},if=ide,format=raw,index=1"]
    m = boot_machine("kernel", extra_args=args)
    out = m.run(f"atatest hash hda {bad * 512} 512")
    assert "read hda failed: -5" in out and "[IDE] read failed" in out
    # The drive and the channel still work, on either side of the bad sector.
    assert guest_hash(m, "hda", 0, bad * 512) == fnv1a64(data[:bad * 512])
    assert guest_hash(m, "hda", (bad + 1) * 512, 4096) == fnv1a64(data[(bad + 1) * 512:(bad + 9) * 512])
    assert "write hdb failed: -5" in m.run(f"atatest write hdb {bad * 512} 512 1")
    assert "wrote hdb" in m.run("atatest write hdb 0 512 1")
    assert "ide reads=" in m.run("atatest stats")
    assert m.run("echo alive").strip() == "alive"


@pytest.mark.image
def test_ide_atapi_reads_the_iso(boot_machine):
    iso = secos.iso_path()
    if not iso.exists():
        pytest.skip(f"{iso} does not exist (run `make CONFIG=test iso`)")
    m = boot_machine("kernel", extra_args=["-machine", "pc", "-cdrom", str(iso)])
    size = iso.stat().st_size
    assert devices(m)["hdc"] == ("ide", size // 2048, 2048, True)
    head = iso.read_bytes()[:2048 * 17]
    assert guest_hash(m, "hdc", 0, 2048) == fnv1a64(head[:2048])
    # Sector 16 is the ISO 9660 primary volume descriptor.
    assert guest_hash(m, "hdc", 16 * 2048, 2048) == fnv1a64(head[16 * 2048:])
    assert "-30" in m.run("atatest write hdc 0 2048 1")     # -EROFS
