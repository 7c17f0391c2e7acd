"""/proc/mounts in Linux's format (`<source> <dir> <type> ro|rw 0 0`), read by
Debian's busybox: `cat /proc/mounts`, `mount` with no arguments and `df`
(which find the mounts through getmntent on /proc/mounts and ask statfs for
each) agree with what the console mounted, a read-only mount shows `ro`, the
sizes equal the host's, and an unmount takes the line away."""
from __future__ import annotations

import shutil

import pytest

from secos import BUILD, Disk
from test_fat import bb, bpb_numbers, host_free_bytes, make_image, mount, text, workdir  # noqa: F401

pytestmark = pytest.mark.skipif(not shutil.which("mkfs.fat") or not shutil.which("mcopy"),
                                reason="needs dosfstools and mtools (tools/deps.sh)")


def test_proc_mounts_for_busybox(boot_machine, workdir):
    rw, ro = workdir / "rw.img", workdir / "ro.img"
    make_image(rw, 32, 40 * 1024)
    make_image(ro, 16, 16 * 1024)
    vm = boot_machine("kernel", memory="512M", extra_args=["-initrd", str(BUILD / "initrd.cpio")],
                      disks=[Disk(rw, "virtio"), Disk(ro, "virtio")])
    mount(vm, "vda", "/mnt")
    mount(vm, "/dev/vdb", "/data", "vfat", "ro")

    lines = bb(vm, "cat /proc/mounts").splitlines()
    assert "/dev/vda /mnt vfat rw 0 0" in lines, lines
    assert "/dev/vdb /data vfat ro 0 0" in lines, lines
    assert "proc /proc proc rw 0 0" in lines, lines
    assert any(l.split()[1:2] == ["/"] for l in lines), lines
    assert all(len(l.split()) == 6 for l in lines if l and not l.startswith("[EXIT]")), lines

    out = bb(vm, "mount")
    assert "/dev/vda on /mnt type vfat (rw)" in out, out
    assert "/dev/vdb on /data type vfat (ro)" in out, out

    # busybox df: a line per disk mount with the host's sizes in 1 KiB blocks
    # (busybox rounds to the nearest KiB).
    df = {f[5]: f for f in (l.split() for l in bb(vm, "df -k").splitlines()) if len(f) == 6}
    for img, where, dev in ((rw, "/mnt", "/dev/vda"), (ro, "/data", "/dev/vdb")):
        assert where in df, df
        cs, clusters = bpb_numbers(img)
        assert df[where][0] == dev
        assert int(df[where][1]) == (clusters * cs + 512) // 1024
        assert int(df[where][3]) == (host_free_bytes(img) + 512) // 1024

    assert text(vm, "umount /data") == ""
    lines = bb(vm, "cat /proc/mounts").splitlines()
    assert not any("/data" in l for l in lines), lines
    assert "/dev/vda /mnt vfat rw 0 0" in lines
    vm.poweroff()
