"""The disk drivers against host-made images: IDE (PIO, pc's PIIX) and AHCI
(q35's ICH9). Every image is random bytes made here; the guest reads and
hashes it through the block layer (`lsblk`, `blkhash`: SHA-256) and the
hash must equal the host's; what the guest writes must be on the host image
after sync and poweroff; a device that returns errors gives -EIO (-5) and
the system keeps running; ATAPI drives read the ISO's own sectors."""
from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import pytest

import secos
from secos import Disk

MiB = 1 << 20


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


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
    """lsblk -> {name: (driver, sectors, sector_size, readonly)} for whole disks."""
    out = {}
    for line in m.run("lsblk").splitlines():
        g = re.match(r"(\w+) +(\d+) +(\d+) +(\S+) +(ro|rw)\b", line.strip())
        if g and "(on " not in line:
            out[g[1]] = (g[4], int(g[2]) // int(g[3]), int(g[3]), g[5] == "ro")
    return out


def guest_hash(m, dev: str, off: int = None, length: int = None, timeout: float = 120) -> str:
    cmd = f"blkhash {dev}" + (f" {off} {length}" if off is not None else "")
    out = m.run(cmd, timeout=timeout)
    g = re.search(r"^([0-9a-f]{64})  " + dev, out, re.M)
    assert g, f"{cmd}: {out!r}"
    return g[1]


def ide_drive(path: Path, index: int, extra: str = "") -> list[str]:
    return ["-drive", f"file={path},if=ide,format=raw,index={index}{extra}"]


def heap_in_use(m) -> tuple:
    out = m.run("mem")
    frames = int(re.search(r"phys free: +(\d+) frames", out)[1])
    heap = int(re.search(r"heap in use: +(\d+) bytes in (\d+) blocks", out)[2])
    return frames, heap


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
    # READ/WRITE MULTIPLE: one interrupt per 16 sectors (the write and hash
    # tests cross block and command boundaries: 300 sectors = 256 + 2 * 16 + 12).
    assert re.search(r"\[IDE\] hda: ATA .* 16 sector\(s\) per interrupt", ide_vm.output)


def test_ide_whole_disk_hash_matches_the_host(ide_vm, ide_disks):
    _, data = ide_disks
    for name in ("hdb", "hdd"):   # slave of the primary, slave of the secondary channel
        assert guest_hash(ide_vm, name) == sha(data[name]), name
    # Unaligned ranges go through the block layer's partial-sector path.
    assert guest_hash(ide_vm, "hda", 1000, 70000) == sha(data["hda"][1000:71000])
    assert guest_hash(ide_vm, "hda", 2 * MiB - 3, 3) == sha(data["hda"][-3:])


def test_ide_writes_past_the_end_are_refused(ide_vm):
    out = ide_vm.run(f"atatest write hda {2 * MiB - 511} 512 1")
    assert "write hda failed: -22" in out     # -EINVAL from the block layer; the drive never sees it
    assert "ide reads=" in ide_vm.run("atatest stats")
    assert guest_hash(ide_vm, "hda", 0, 512)


def test_ide_writes_land_on_the_host_image(ide_disks, boot_machine, tmp_path):
    img = tmp_path / "w.img"
    data = bytearray(make_image(img, 1 * MiB))
    m = boot_machine("kernel", extra_args=["-machine", "pc"] + ide_drive(img, 0))
    # Unaligned (read-modify-write) and a multi-sector run of 300 sectors (> 256: two commands).
    assert "wrote hda 1000+5000" in m.run("atatest write hda 1000 5000 7")
    assert "wrote hda 65536+153600" in m.run("atatest write hda 65536 153600 9")
    assert m.run("blksync hda").strip() == "blksync: ok"
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
    assert guest_hash(m, "hda", far, 4096) == sha(bytes(range(256)) * 16)
    assert "wrote hda" in m.run(f"atatest write hda {size - 4096} 4096 3")
    assert m.run("blksync hda").strip() == "blksync: ok"
    m.poweroff()
    with open(img, "rb") as f:
        f.seek(size - 4096)
        assert f.read() == pattern(size - 4096, 4096, 3)


def test_ide_churn_leaks_nothing(ide_vm, ide_disks):
    _, data = ide_disks
    before = heap_in_use(ide_vm)
    for i in range(20):
        assert guest_hash(ide_vm, "hdb", 512 * i + 7, 3000) == sha(data["hdb"][512 * i + 7:512 * i + 3007])
        ide_vm.run(f"atatest write hdb {MiB} 1024 1")     # past the end: refused
    assert heap_in_use(ide_vm) == before


def blkdebug(tmp_path: Path, img: Path, event: str, sector: int) -> str:
    cfg = tmp_path / f"{event}.cfg"
    cfg.write_text(f'[inject-error]\nevent = "{event}"\nerrno = "5"\nsector = "{sector}"\n')
    return f"blkdebug:{cfg}:{img}"


def test_ide_device_errors_give_eio_and_the_system_keeps_running(boot_machine, tmp_path):
    img = tmp_path / "e.img"
    data = make_image(img, 1 * MiB)
    img2 = tmp_path / "e2.img"
    make_image(img2, 1 * MiB)
    # Every request touching sector 104 fails in QEMU with EIO. 104 starts a
    # 4 KiB block of the block cache (sectors 104-111), so reads and writes of
    # the blocks around it never touch it.
    bad = 104
    args = ["-machine", "pc", "-drive", f"file={blkdebug(tmp_path, img, 'read_aio', bad)},if=ide,format=raw,index=0",
            "-drive", f"file={blkdebug(tmp_path, img2, 'write_aio', bad)},if=ide,format=raw,index=1"]
    m = boot_machine("kernel", extra_args=args)
    out = m.run(f"blkhash hda {bad * 512} 512")
    assert f"read error at {bad * 512}: input/output error" in out and "[IDE] read failed" in out
    # The drive and the channel still work, on either side of the bad block.
    assert guest_hash(m, "hda", 0, bad * 512) == sha(data[:bad * 512])
    assert guest_hash(m, "hda", (bad + 8) * 512, 4096) == sha(data[(bad + 8) * 512:(bad + 16) * 512])
    # A write fails when the cache writes the block back: at blksync.
    assert "wrote hdb" in m.run(f"atatest write hdb {bad * 512} 4096 1")
    out = m.run("blksync hdb")
    assert "blksync: input/output error" in out and "[IDE] write failed" in out
    assert guest_hash(m, "hdb", 0, 4096)
    stats = m.run("atatest stats")
    assert re.search(r"ide reads=\d+ writes=\d+ errors=2 timeouts=0", stats), stats


@pytest.mark.image
def test_ide_atapi_reads_the_iso(boot_machine):
    iso = need_iso()
    m = boot_machine("kernel", extra_args=["-machine", "pc", "-cdrom", str(iso)])
    cd_checks(m, iso, "hdc", "ide")


# --- AHCI (q35's ICH9; an added one on pc) ----------------------------------------

def test_ahci_lists_and_reads_disks_on_two_ports(boot_machine, tmp_path):
    a, b = tmp_path / "a.img", tmp_path / "b.img"
    da, db = make_image(a, 3 * MiB), make_image(b, 1 * MiB + 512)
    m = boot_machine(machine="q35", disks=[Disk(a, "ahci"), Disk(b, "ahci")])
    devs = devices(m)
    assert devs == {"sda": ("ahci", 3 * MiB // 512, 512, False), "sdb": ("ahci", (MiB + 512) // 512, 512, False)}
    assert re.search(r"\[AHCI\] 00:1f\.2: version 1\.0, 6 ports .* interrupts", m.output)
    assert "[IDE]" not in m.output                  # q35 has no IDE controller
    assert guest_hash(m, "sda") == sha(da)
    assert guest_hash(m, "sdb") == sha(db)
    assert guest_hash(m, "sda", 65536 - 5, 65536 + 10) == sha(da[65536 - 5:2 * 65536 + 5])
    assert "write sda failed: -22" in m.run(f"atatest write sda {3 * MiB - 1} 2 1")
    before = heap_in_use(m)
    for i in range(20):
        guest_hash(m, "sdb", 4096 * i + 1, 9000)
    assert heap_in_use(m) == before


def test_ahci_and_ide_side_by_side_on_pc(boot_machine, tmp_path):
    a, b = tmp_path / "a.img", tmp_path / "b.img"
    da, db = make_image(a, 1 * MiB), make_image(b, 2 * MiB)
    m = boot_machine(machine="pc", disks=[Disk(a, "ide"), Disk(b, "ahci")])
    devs = devices(m)
    assert devs["hda"] == ("ide", 2048, 512, False) and devs["sda"] == ("ahci", 4096, 512, False), devs
    assert guest_hash(m, "hda") == sha(da)
    assert guest_hash(m, "sda") == sha(db)


def test_ahci_writes_land_on_the_host_image(boot_machine, tmp_path):
    img = tmp_path / "w.img"
    data = bytearray(make_image(img, 2 * MiB))
    m = boot_machine(machine="q35", disks=[Disk(img, "ahci")])
    # Unaligned (read-modify-write), and 300 KiB: five commands through the 64 KiB bounce buffer.
    assert "wrote sda 1000+5000" in m.run("atatest write sda 1000 5000 7")
    assert "wrote sda 65536+307200" in m.run("atatest write sda 65536 307200 9")
    assert m.run("blksync sda").strip() == "blksync: ok"
    assert guest_hash(m, "sda", 65536, 307200) == sha(pattern(65536, 307200, 9))
    m.poweroff()
    data[1000:6000] = pattern(1000, 5000, 7)
    data[65536:65536 + 307200] = pattern(65536, 307200, 9)
    assert img.read_bytes() == bytes(data)


def test_ahci_device_errors_give_eio_and_the_port_recovers(boot_machine, tmp_path):
    img, img2 = tmp_path / "e.img", tmp_path / "e2.img"
    data = make_image(img, 1 * MiB)
    make_image(img2, 1 * MiB)
    bad = 104   # as in the IDE test: a 4 KiB block of its own
    m = boot_machine(machine="q35", disks=[Disk(blkdebug(tmp_path, img, "read_aio", bad), "ahci"),
                                           Disk(blkdebug(tmp_path, img2, "write_aio", bad), "ahci")])
    out = m.run(f"blkhash sda {bad * 512} 512")
    assert f"read error at {bad * 512}: input/output error" in out
    assert re.search(r"\[AHCI\] sda: command 0x25 failed: PxIS 0x40000001", out), out
    assert guest_hash(m, "sda", 0, bad * 512) == sha(data[:bad * 512])
    assert guest_hash(m, "sda", (bad + 8) * 512, 4096) == sha(data[(bad + 8) * 512:(bad + 16) * 512])
    assert "wrote sdb" in m.run(f"atatest write sdb {bad * 512} 4096 1")
    out = m.run("blksync sdb")
    assert "blksync: input/output error" in out and re.search(r"\[AHCI\] sdb: command 0x35 failed", out), out
    assert guest_hash(m, "sdb", 0, 4096)
    stats = m.run("atatest stats")
    assert re.search(r"ahci commands=\d+ errors=2 timeouts=0 recoveries=2 retired=0", stats), stats


@pytest.mark.parametrize("machine,iface,dev,drive", [("pc", "ide", "hda", "ide0-hd0"), ("q35", "ahci", "sda", "d0")])
def test_a_device_that_does_not_answer_times_out_with_eio(boot_machine, tmp_path, machine, iface, dev, drive):
    """QEMU's I/O throttle at 1 byte/s holds a request for hours: the driver
    gives up after its timeout with -EIO, the system goes on, and once the
    device answers again so does the disk (AHCI on fresh DMA buffers)."""
    img = tmp_path / "t.img"
    data = make_image(img, 2 * MiB)
    m = boot_machine(machine=machine, disks=[Disk(img, iface)])

    def throttle(bps):
        m.qmp.execute("block_set_io_throttle", device=drive, bps=bps, bps_rd=0, bps_wr=0,
                      iops=0, iops_rd=0, iops_wr=0)
    throttle(1)
    out = m.run(f"blkhash {dev} 0 {MiB}", timeout=60)
    assert "input/output error" in out and "timed out" in out
    assert m.run("echo alive").strip() == "alive"
    throttle(0)
    assert guest_hash(m, dev, MiB, MiB) == sha(data[MiB:])
    stats = m.run("atatest stats")
    if iface == "ahci":
        assert re.search(r"ahci .*timeouts=1 recoveries=1 retired=1", stats), stats
    else:
        assert re.search(r"ide .*timeouts=[1-9]", stats), stats


def cd_checks(m, iso: Path, dev: str, driver: str):
    size = iso.stat().st_size
    assert devices(m)[dev] == (driver, size // 2048, 2048, True)
    with open(iso, "rb") as f:
        head = f.read(2048 * 17)
    assert guest_hash(m, dev, 0, 2048) == sha(head[:2048])
    # Sector 16 is the ISO 9660 primary volume descriptor. The hybrid ISO's MBR
    # counts 512-byte sectors: no partitions are read from a CD.
    assert not re.search(dev + r"p?\d", m.run("lsblk"))
    assert guest_hash(m, dev, 16 * 2048, 2048) == sha(head[16 * 2048:])
    assert "-30" in m.run(f"atatest write {dev} 0 2048 1")     # -EROFS


def need_iso() -> Path:
    iso = secos.iso_path()
    if not iso.exists():
        pytest.skip(f"{iso} does not exist (run `make CONFIG=test iso`)")
    return iso


@pytest.mark.image
def test_ahci_atapi_reads_the_iso(boot_machine):
    iso = need_iso()
    m = boot_machine(machine="q35", extra_args=["-cdrom", str(iso)])
    cd_checks(m, iso, "sr0", "ahci")


@pytest.mark.image
@pytest.mark.uefi
def test_iso_booted_on_q35_reads_its_own_cd(boot_machine):
    iso = need_iso()
    m = boot_machine("iso-uefi")
    cd_checks(m, iso, "sr0", "ahci")


def mbr_image(path: Path, size: int, start: int, count: int) -> bytes:
    """Random bytes with an MBR holding one Linux partition [start, start + count)."""
    data = bytearray(os.urandom(size))
    data[446:510] = bytes(64)
    data[446:462] = bytes([0, 0, 0, 0, 0x83, 0, 0, 0]) + start.to_bytes(4, "little") + count.to_bytes(4, "little")
    data[510:512] = b"\x55\xaa"
    path.write_bytes(bytes(data))
    return bytes(data)


@pytest.mark.parametrize("machine,iface,dev", [("pc", "ide", "hda"), ("q35", "ahci", "sda")])
def test_partitions_on_ata_disks_are_registered(boot_machine, tmp_path, machine, iface, dev):
    img = tmp_path / "p.img"
    data = mbr_image(img, 2 * MiB, 1024, 2048)
    m = boot_machine(machine=machine, disks=[Disk(img, iface)])
    assert re.search(rf"^{dev}1 +{2048 * 512} +512 .*\(on {dev} at sector 1024\)", m.run("lsblk"), re.M)
    assert guest_hash(m, f"{dev}1") == sha(data[1024 * 512:3072 * 512])
