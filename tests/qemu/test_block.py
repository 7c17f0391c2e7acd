"""PCI, virtio-blk and the block layer under QEMU: lspci on pc and q35 (legacy
ports; ECAM from ACPI MCFG); disks made on the host (random bytes, MBR with an
extended partition and GPT by sfdisk): lsblk, SHA-256 of disks and partitions
against hashlib, writes reaching the image, a read-only drive, hostile tables
refused, memory back after heavy I/O."""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import struct
import subprocess
import zlib

import pytest

from secos import Disk

SFDISK = shutil.which("sfdisk") or "/usr/sbin/sfdisk"


def lspci(m) -> dict:
    """bus:dev.fn -> (vendor:device, class, rest of the line)."""
    out = m.run("lspci")
    rows = {}
    for line in out.splitlines():
        r = re.match(r"([0-9a-f]{2}:[0-9a-f]{2}\.[0-7]) ([0-9a-f]{4}:[0-9a-f]{4}) ([0-9a-f]{4}) (.*)", line)
        if r:
            rows[r.group(1)] = (r.group(2), r.group(3), r.group(4))
    return rows


@pytest.mark.parametrize("machine,host,ecam", [("pc", "8086:1237", False), ("q35", "8086:29c0", True)])
def test_lspci_lists_the_machine(boot_machine, tmp_path, machine, host, ecam):
    img = tmp_path / "disk.img"
    img.write_bytes(bytes(1 << 20))
    m = boot_machine(machine=machine, disks=[Disk(img)])
    boot = m.output
    assert ("[PCI] ECAM at 0xb0000000" in boot) == ecam, boot
    rows = lspci(m)
    assert rows["00:00.0"][0] == host and rows["00:00.0"][1] == "0600"
    virtio = [r for r in rows.values() if r[0] in ("1af4:1001", "1af4:1042")]
    assert len(virtio) == 1 and virtio[0][1] == "0100", rows
    assert re.search(r"irq \d+$", virtio[0][2]), virtio
    if machine == "q35":
        ahci = [r for r in rows.values() if r[1] == "0106"]
        assert ahci and "AHCI" in ahci[0][2]
    else:
        assert any(r[1] == "0101" for r in rows.values())   # PIIX IDE


# --- disks made on the host -------------------------------------------------

MIB = 1 << 20
MBR_LAYOUT = ("label: dos\n"
              "start=2048, size=8192, type=83\n"
              "start=10240, size=40960, type=5\n"
              "start=12288, size=8192, type=83\n"
              "start=22528, size=16384, type=c\n")
MBR_PARTS = {"1": (2048, 8192), "5": (12288, 8192), "6": (22528, 16384)}
GPT_LAYOUT = ("label: gpt\n"
              "start=2048, size=4096, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name=\"esp\"\n"
              "start=6144, size=20000, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=\"root\"\n")
GPT_PARTS = {"1": (2048, 4096), "2": (6144, 20000)}


def make_image(path, size, layout=None) -> bytes:
    """A file of random bytes, partitioned by sfdisk when layout is given."""
    path.write_bytes(os.urandom(size))
    if layout:
        subprocess.run([SFDISK, "-q", "--no-reread", "--no-tell-kernel", str(path)], input=layout.encode(),
                       check=True, capture_output=True)
    return path.read_bytes()


def sha(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def lsblk(m) -> dict:
    """name -> (size, sector size, driver, ro, rest)."""
    rows = {}
    for line in m.run("lsblk").splitlines():
        f = line.split(None, 5)
        if len(f) >= 5 and f[1].isdigit():
            rows[f[0]] = (int(f[1]), int(f[2]), f[3], f[4], f[5] if len(f) > 5 else "")
    return rows


def blkhash(m, dev, *rng) -> str:
    out = m.run(" ".join(["blkhash", dev, *map(str, rng)]), timeout=120)
    r = re.search(r"^([0-9a-f]{64})  " + re.escape(dev) + " ", out, re.M)
    assert r, out
    return r.group(1)


@pytest.mark.parametrize("machine", ["pc", "q35"])
def test_partitions_and_hashes(boot_machine, tmp_path, machine):
    mbr = make_image(tmp_path / "mbr.img", 32 * MIB, MBR_LAYOUT)
    gpt = make_image(tmp_path / "gpt.img", 16 * MIB, GPT_LAYOUT)
    raw = make_image(tmp_path / "raw.img", 3 * MIB + 1536)   # not a multiple of 4 KiB
    m = boot_machine(machine=machine, disks=[Disk(tmp_path / "mbr.img"), Disk(tmp_path / "gpt.img"),
                                             Disk(tmp_path / "raw.img", device_opts="disable-legacy=on")])
    rows = lsblk(m)
    assert rows["vda"][:3] == (32 * MIB, 512, "virtio-blk")
    assert rows["vdb"][0] == 16 * MIB and rows["vdc"][0] == len(raw)
    assert not any(n.startswith("vdc") and n != "vdc" for n in rows), rows   # no table: no partitions
    for disk, data, parts in (("vda", mbr, MBR_PARTS), ("vdb", gpt, GPT_PARTS)):
        assert blkhash(m, disk) == sha(data)
        for num, (start, count) in parts.items():
            name = disk + num
            assert rows[name][0] == count * 512 and rows[name][2] == "partition", rows[name]
            assert f"on {disk} at sector {start}" in rows[name][4]
            assert blkhash(m, name) == sha(data[start * 512:(start + count) * 512])
    assert "MBR 0x0c FAT32 (LBA)" in rows["vda6"][4]
    assert 'GPT EFI system "esp"' in rows["vdb1"][4] and 'GPT Linux filesystem "root"' in rows["vdb2"][4]
    assert blkhash(m, "vdc") == sha(raw)
    # Unaligned ranges, the short last block, and ranges past the end.
    assert blkhash(m, "vdc", 4095, 10001) == sha(raw[4095:4095 + 10001])
    assert blkhash(m, "vdc", len(raw) - 700, 700) == sha(raw[-700:])
    assert blkhash(m, "vda5", 511, 1) == sha(mbr[12288 * 512 + 511:12288 * 512 + 512])
    # Completion is interrupt-driven: requests slept until their interrupt.
    stats = re.search(r"^vda: virtio-blk (\d+) requests, (\d+) interrupts, (\d+) sleeps", m.run("lsblk"), re.M)
    requests, irqs, sleeps = map(int, stats.groups())
    assert requests > 100 and irqs >= requests // 2 and sleeps > 0, stats.group(0)
    assert "past the end" in m.run(f"blkhash vdc {len(raw) - 1} 2")
    assert "no block device" in m.run("blkhash vdz")
    assert "usage" in m.run("blkhash")


def test_writes_reach_the_image(boot_machine, tmp_path):
    img = tmp_path / "w.img"
    data = bytearray(make_image(img, 32 * MIB, MBR_LAYOUT))
    m = boot_machine(machine="q35", disks=[Disk(img)])
    # Through a partition (unaligned, spanning blocks) and the whole disk (a block and a byte).
    assert "5000 bytes" in m.run("blkfill vda5 100 5000 0xab")
    assert "4096 bytes" in m.run("blkfill vda 0x3000 4096 0x11")
    assert "1 bytes" in m.run("blkfill vda 33554431 1 7")
    base = 12288 * 512
    data[base + 100:base + 5100] = b"\xab" * 5000
    data[0x3000:0x4000] = b"\x11" * 4096
    data[-1] = 7
    # The cache serves the new bytes before any write-back.
    assert blkhash(m, "vda") == sha(bytes(data))
    assert blkhash(m, "vda5") == sha(bytes(data[base:base + 8192 * 512]))
    assert "blksync: ok" in m.run("blksync")
    m.poweroff()
    assert sha(img.read_bytes()) == sha(bytes(data))


def test_read_only_drive_refuses_writes(boot_machine, tmp_path):
    img = tmp_path / "ro.img"
    data = make_image(img, 16 * MIB, GPT_LAYOUT)
    m = boot_machine(disks=[Disk(img, readonly=True)])
    rows = lsblk(m)
    assert rows["vda"][3] == "ro" and rows["vda1"][3] == "ro"
    for dev in ("vda", "vda2"):
        out = m.run(f"blkfill {dev} 0 512 1")
        assert "read-only" in out.lower(), out
    assert "blksync: ok" in m.run("blksync")
    assert blkhash(m, "vda") == sha(data)
    m.poweroff()
    assert img.read_bytes() == data


def _gpt_fix(d: bytearray, lba: int) -> None:
    h = lba * 512
    array, n, es = struct.unpack_from("<QII", d, h + 72)
    struct.pack_into("<I", d, h + 88, zlib.crc32(bytes(d[array * 512:array * 512 + n * es])))
    struct.pack_into("<I", d, h + 16, 0)
    struct.pack_into("<I", d, h + 16, zlib.crc32(bytes(d[h:h + 92])))


def _hostile_images(tmp_path):
    size = 16 * MIB
    last = size // 512 - 1
    out = {}
    d = bytearray(make_image(tmp_path / "a.img", size, GPT_LAYOUT))
    d[512 + 40] ^= 1                     # primary header CRC
    d[last * 512 + 40] ^= 1              # backup header CRC
    out["bad GPT CRC"] = (d, "GPT header CRC is wrong")
    d = bytearray(make_image(tmp_path / "b.img", size, GPT_LAYOUT))
    for hdr in (1, last):                # entry 2 starts inside entry 1, CRCs made valid again
        array = struct.unpack_from("<Q", d, hdr * 512 + 72)[0]
        struct.pack_into("<Q", d, array * 512 + 128 + 32, 3000)
        _gpt_fix(d, hdr)
    out["overlapping"] = (d, "partitions overlap")
    size = 32 * MIB                      # the MBR layout needs 32 MiB
    d = bytearray(make_image(tmp_path / "c.img", size, MBR_LAYOUT))
    ebr2 = 10240 + struct.unpack_from("<I", d, 10240 * 512 + 462 + 8)[0]
    struct.pack_into("<I", d, ebr2 * 512 + 462 + 8, 0)       # the second EBR links back to the first
    d[ebr2 * 512 + 462 + 4] = 0x05
    struct.pack_into("<I", d, ebr2 * 512 + 462 + 12, 100)
    out["extended loop"] = (d, "extended partition chain loops")
    d = bytearray(make_image(tmp_path / "e.img", size, "label: dos\nstart=2048, size=8192, type=83\n"
                                                        "start=10240, size=8192, type=83\n"))
    struct.pack_into("<I", d, 446 + 16 + 12, size // 512)     # partition 2 runs past the end
    out["past the end"] = (d, "lies outside the disk")
    return out


def test_hostile_tables_are_refused(boot_machine, tmp_path):
    cases = _hostile_images(tmp_path)
    disks = []
    for i, (name, (data, _)) in enumerate(cases.items()):
        p = tmp_path / f"h{i}.img"
        p.write_bytes(bytes(data))
        disks.append(Disk(p))
    m = boot_machine(disks=disks)
    rows = lsblk(m)
    boot = m.output
    for i, (name, (data, why)) in enumerate(cases.items()):
        dev = "vd" + "abcd"[i]
        assert f"[PART] {dev}: partition table refused: " in boot, (name, boot[-3000:])
        line = re.search(rf"\[PART\] {dev}: partition table refused: ([^\r\n]*)", boot).group(1)
        assert why in line, (name, line)
        assert dev in rows and not any(n.startswith(dev) and n != dev for n in rows), (name, rows)
        assert blkhash(m, dev, 0, 65536) == sha(bytes(data[:65536]))   # the disk itself stays usable


def test_gpt_backup_serves_when_primary_is_bad(boot_machine, tmp_path):
    img = tmp_path / "g.img"
    d = bytearray(make_image(img, 16 * MIB, GPT_LAYOUT))
    d[512 + 40] ^= 1
    img.write_bytes(bytes(d))
    m = boot_machine(disks=[Disk(img)])
    assert "[PART] vda: primary GPT bad (GPT header CRC is wrong): using the backup" in m.output
    rows = lsblk(m)
    assert rows["vda2"][0] == 20000 * 512
    assert blkhash(m, "vda2") == sha(bytes(d[6144 * 512:(6144 + 20000) * 512]))


def _mem(m) -> dict:
    out = m.run("mem")
    return {k: int(v) for k, v in re.findall(r"^(phys used|heap in use):\s+(\d+)", out, re.M)}


def test_memory_comes_back_after_heavy_io(boot_machine, tmp_path):
    img = tmp_path / "io.img"
    make_image(img, 48 * MIB, MBR_LAYOUT)
    m = boot_machine(disks=[Disk(img)])
    m.run("blkfill vda6 0 4096 1")       # the cache pool is allocated at first use
    m.run("blksync")
    before = _mem(m)
    for i in range(3):
        m.run("blkhash vda", timeout=180)
        assert "bytes" in m.run(f"blkfill vda5 {i * 777} {3 * MIB} {i}", timeout=180)
        assert "blksync: ok" in m.run("blksync", timeout=180)
        m.run("blkhash vda1 1 3000000", timeout=180)
    after = _mem(m)
    assert after == before, (before, after)
    cache = re.search(r"cache: (\d+)/(\d+) blocks of \d+ bytes, (\d+) dirty", m.run("lsblk"))
    assert int(cache.group(1)) <= int(cache.group(2)) and cache.group(3) == "0"


def test_block_commands_under_memory_exhaustion(boot_machine, tmp_path):
    """With the PMM nearly empty (memhog) every block command either works
    or says why; the data read is still right and nothing faults."""
    img = tmp_path / "p.img"
    data = make_image(img, 16 * MIB, GPT_LAYOUT)
    m = boot_machine(memory="64M", disks=[Disk(img)])
    free = int(re.search(r"^phys free:\s+(\d+)", m.run("mem"), re.M).group(1))
    assert m.run(f"memhog {max(free - 8, 0)}").startswith("memhog: holding")
    outs = {}
    for line in ("lsblk", "lspci", "blkhash vda", "blkhash vda2 1 100000", "blkfill vda1 3 70000 9", "blksync",
                 "blkbench vda 4", "blkhash vdz"):
        outs[line] = m.run(line, timeout=120)
        assert not m.faults(), (line, m.tail())
        assert m.run("echo alive") == "alive\n", (line, m.tail())
    assert m.run("memhog release").startswith("memhog: released")
    want = bytearray(data)
    if "bytes at" in outs["blkfill vda1 3 70000 9"]:
        want[2048 * 512 + 3:2048 * 512 + 3 + 70000] = b"\x09" * 70000
    else:
        assert "out of memory" in outs["blkfill vda1 3 70000 9"]
    assert blkhash(m, "vda") == sha(bytes(want))
