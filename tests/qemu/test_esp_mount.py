"""The ESP the UEFI loader booted from, mounted at /boot/efi (fs/esp.c,
uefi/esp_id.c): under OVMF the loader hashes the first 512 bytes of its
volume, the kernel finds the block device (AHCI on q35) with the same hash
and mounts it read-only; `ls /boot/efi/EFI/BOOT` shows BOOTX64.EFI, a file
hashes as on the host, every write is EROFS. `esp=rw` (from \\cmdline.txt)
mounts it writable and mtools reads the write back; `esp=off` leaves it
alone; a volume the kernel cannot reach (USB storage) is one clear line and
the boot goes on; a `-kernel` boot has no /boot/efi."""
from __future__ import annotations

import hashlib
import shutil
import subprocess

import pytest

from secos import BUILD, esp_path
from test_fat import MTOOLS_ENV, bb, fsck_clean, text

pytestmark = [pytest.mark.image, pytest.mark.uefi,
              pytest.mark.skipif(not shutil.which("mcopy"), reason="needs mtools (tools/deps.sh)")]


ESP_IMAGE = esp_path()   # before any test points SECOS_ESP at its copy


def esp_copy(tmp_path, cmdline=None, name="esp.img"):
    """A private, writable copy of the ESP image, with \\cmdline.txt if asked."""
    src = ESP_IMAGE
    if not src.exists():
        pytest.skip(f"{src} missing (make CONFIG=test esp)")
    img = tmp_path / name
    shutil.copyfile(src, img)
    if cmdline is not None:
        (tmp_path / "cmdline.txt").write_text(cmdline + "\n")
        subprocess.run(["mcopy", "-o", "-i", str(img), str(tmp_path / "cmdline.txt"), "::/cmdline.txt"],
                       env=MTOOLS_ENV, check=True)
        # The pinned loader takes only init= from the unsigned \cmdline.txt
        # (docs/SECURITY.md): esp= is tested with the test build's unpinned one.
        nopin = src.parent / "BOOTX64-nopin.EFI"
        if not nopin.exists():
            pytest.skip(f"{nopin} missing (make CONFIG=test uefi)")
        subprocess.run(["mcopy", "-o", "-i", str(img), str(nopin), "::/EFI/BOOT/BOOTX64.EFI"], env=MTOOLS_ENV, check=True)
    return img


def boot_esp(boot_machine, monkeypatch, img, keep_writes=False, drive_args=None):
    """OVMF from img; keep_writes drops snapshot=on so the host sees what SECoS wrote;
    drive_args replaces the ESP's -drive (another controller)."""
    monkeypatch.setenv("SECOS_ESP", str(img))
    m = boot_machine("esp-uefi", boot=False)
    plain = m.command

    def command():
        cmd = plain()
        i = next(k for k, a in enumerate(cmd) if a == "-drive" and cmd[k + 1].endswith(f"file={img}"))
        if drive_args is not None:
            return cmd[:i] + drive_args + cmd[i + 2:]
        if keep_writes:
            cmd[i + 1] = cmd[i + 1].replace("snapshot=on,", "")
        return cmd

    m.command = command
    m.boot()
    return m


def test_esp_read_only_at_boot_efi(boot_machine, monkeypatch, tmp_path):
    img = esp_copy(tmp_path)
    m = boot_esp(boot_machine, monkeypatch, img)
    assert "[UEFI] ESP id: SHA-256 of the boot volume's first 512 bytes" in m.output
    assert "[esp] sda mounted at /boot/efi (ro)" in m.output, m.tail()
    assert "BOOTX64.EFI" in bb(m, "ls /boot/efi/EFI/BOOT").split()
    want = hashlib.sha256((BUILD / "kernel.elf").read_bytes()).hexdigest()
    host = subprocess.run(["mtype", "-i", str(img), "::/kernel.elf"], env=MTOOLS_ENV, check=True,
                          stdout=subprocess.PIPE).stdout
    assert hashlib.sha256(host).hexdigest() == want
    assert bb(m, "sha256sum /boot/efi/kernel.elf").split()[0] == want
    assert "/dev/sda /boot/efi vfat ro 0 0" in bb(m, "cat /proc/mounts").splitlines()
    for cmd in ("touch /boot/efi/new", "mkdir /boot/efi/d", "rm /boot/efi/kernel.elf",
                "sh -c echo${IFS}x>>/boot/efi/EFI/BOOT/BOOTX64.EFI"):
        out = bb(m, cmd)
        assert "Read-only file system" in out and "status=0" not in out, (cmd, out)
    assert bb(m, "sha256sum /boot/efi/kernel.elf").split()[0] == want
    m.poweroff()


def test_esp_rw_write_read_back_by_mtools(boot_machine, monkeypatch, tmp_path):
    img = esp_copy(tmp_path, "esp=rw")
    m = boot_esp(boot_machine, monkeypatch, img, keep_writes=True)
    assert "[esp] sda mounted at /boot/efi (rw)" in m.output, m.tail()
    assert "/dev/sda /boot/efi vfat rw 0 0" in bb(m, "cat /proc/mounts").splitlines()
    out = bb(m, "sh -c echo${IFS}written-on-the-esp>/boot/efi/NOTE.TXT")
    assert "status=0" in out, out
    m.poweroff()                          # unmounts: written back
    got = subprocess.run(["mtype", "-i", str(img), "::/NOTE.TXT"], env=MTOOLS_ENV, check=True,
                         stdout=subprocess.PIPE).stdout
    assert got == b"written-on-the-esp\n"
    fsck_clean(img)


def test_esp_off_and_unreachable_volume(boot_machine, monkeypatch, tmp_path):
    img = esp_copy(tmp_path, "esp=off")
    m = boot_esp(boot_machine, monkeypatch, img)
    assert "[esp] esp=off: /boot/efi not mounted" in m.output, m.tail()
    assert "/boot/efi" not in bb(m, "cat /proc/mounts")
    m.poweroff()
    # On USB storage OVMF boots the volume but SECoS has no USB driver: the
    # kernel says so in one line and the shell comes up.
    img = esp_copy(tmp_path, name="usb.img")
    usb = ["-device", "qemu-xhci,id=xhci", "-drive", f"if=none,id=usbesp,format=raw,snapshot=on,file={img}",
           "-device", "usb-storage,bus=xhci.0,drive=usbesp,bootindex=0"]
    m = boot_esp(boot_machine, monkeypatch, img, drive_args=usb)
    lines = [l for l in m.output.splitlines() if l.startswith("[esp]")]
    assert lines == ["[esp] no block device holds the volume the loader came from: /boot/efi not mounted"], lines
    assert text(m, "echo alive").strip() == "alive"
    m.poweroff()


def test_kernel_boot_has_no_boot_efi(boot_machine):
    m = boot_machine("kernel", extra_args=["-initrd", str(BUILD / "initrd.cpio")])
    assert "[esp]" not in m.output
    assert "/boot/efi" not in bb(m, "cat /proc/mounts")
    assert "No such file or directory" in bb(m, "ls /boot/efi")
    m.poweroff()
