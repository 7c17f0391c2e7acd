"""FAT on real disk controllers: a FAT32 image made on the host (mkfs.fat +
mcopy: a 9 MiB file, 200 small files, 20 levels, 255-byte and non-ASCII
names) attached on virtio-blk (pc and q35), AHCI (q35) and IDE (pc), mounted
with the console's `mount`, every file's SHA-256 in SECoS (busybox
sha256sum) equal to the host's; then files written in SECoS, `poweroff`
(which unmounts and writes back), and the host reads them with mtools and
fsck.fat -n finds the file system clean."""
from __future__ import annotations

import hashlib
import re
import shutil

import pytest

from secos import BUILD, Disk
from test_fat import MTOOLS_ENV, bb, fsck_clean, hashes_in_secos, make_image, mount, populate, sh, text, workdir  # noqa: F401

pytestmark = pytest.mark.skipif(not shutil.which("mkfs.fat") or not shutil.which("mcopy"),
                                reason="needs dosfstools and mtools (tools/deps.sh)")

# (interface, machine, the disk's name in SECoS)
CONTROLLERS = [("virtio", "pc", "vda"), ("virtio", "q35", "vda"), ("ahci", "q35", "sda"), ("ide", "pc", "hda")]


@pytest.mark.parametrize("iface,machine,dev", CONTROLLERS, ids=[f"{c[0]}-{c[1]}" for c in CONTROLLERS])
def test_fat32_disk_read_and_written(boot_machine, workdir, iface, machine, dev):
    img = workdir / "d.img"
    make_image(img, 32, 48 * 1024)
    want = populate(img, workdir, 32)
    vm = boot_machine("kernel", memory="512M", extra_args=["-initrd", str(BUILD / "initrd.cpio")],
                      machine=machine, disks=[Disk(img, iface)])
    assert dev in text(vm, "lsblk")
    mount(vm, dev)
    assert f"/dev/{dev} on /mnt type vfat (rw)" in text(vm, "mount")
    assert hashes_in_secos(vm) == want
    # Writes: a copy of a program, a new directory, an append to a host file.
    # (The console splits on spaces and knows no quotes: ${IFS} inside sh -c.)
    for cmd in ("mkdir /mnt/fromsecos", "cp /bin/busybox /mnt/fromsecos/bb",
                "sh -c echo${IFS}written-in-secos>/mnt/fromsecos/note.txt", "sh -c echo${IFS}more>>/mnt/README.TXT"):
        out = bb(vm, cmd)
        assert "status=0" in out, out
    vm.poweroff()                        # unmounts: FATs, directory entries and FSInfo written back
    got = sh("mtype", "-i", str(img), "::/fromsecos/note.txt").stdout
    assert got == b"written-in-secos\n"
    assert sh("mtype", "-i", str(img), "::/README.TXT").stdout == b"an 8.3 name\nmore\n"
    copy = workdir / "bb"
    sh("mcopy", "-n", "-i", str(img), "::/fromsecos/bb", str(copy))
    assert hashlib.sha256(copy.read_bytes()).hexdigest() == hashlib.sha256(open("/bin/busybox", "rb").read()).hexdigest()
    fsck_clean(img)


CACHE_LINE = re.compile(r"(\d+) write-backs")
VIRTIO_LINE = re.compile(r"vda: virtio-blk (\d+) requests")


def io_counts(vm):
    out = text(vm, "lsblk")
    return int(CACHE_LINE.search(out).group(1)), int(VIRTIO_LINE.search(out).group(1))


def test_a_large_write_costs_about_one_device_write_per_block(boot_machine, workdir):
    """Write amplification, counted (not timed): 4 MiB written in 1 MiB
    write(2)s to FAT32 with 4 KiB clusters is 1024 data blocks; the FAT,
    the directory entry and the barriers between them add a few dozen. When
    the VFS handed the file system 512-byte pieces every piece walked the
    chain, grew it behind its own barrier and stored the entry again: about
    20 write-backs and 9 device flushes per data block."""
    img = workdir / "d.img"
    make_image(img, 32, 320 * 1024, extra=("-s", "8"))   # 81,920 clusters: FAT32 by the count
    vm = boot_machine("kernel", memory="512M", extra_args=["-initrd", str(BUILD / "initrd.cpio")],
                      disks=[Disk(img, "virtio")])
    mount(vm, "vda")
    wb0, rq0 = io_counts(vm)
    out = bb(vm, "dd if=/dev/zero of=/mnt/big bs=1048576 count=4")
    assert "status=0" in out, out
    assert "status=0" in bb(vm, "sync")
    wb1, rq1 = io_counts(vm)
    blocks = 4 * 1024 * 1024 // 4096
    assert wb1 - wb0 <= blocks * 3 // 2, f"{wb1 - wb0} write-backs for {blocks} data blocks"
    assert rq1 - rq0 <= blocks * 2, f"{rq1 - rq0} device requests for {blocks} data blocks"
    vm.poweroff()
    copy = workdir / "big"
    sh("mcopy", "-n", "-i", str(img), "::/big", str(copy))
    assert copy.read_bytes() == bytes(4 * 1024 * 1024)
    fsck_clean(img)
