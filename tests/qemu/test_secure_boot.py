"""Secure Boot chain: Debian's Secure Boot OVMF (snakeoil keys enrolled, Secure
Boot on) boots BOOTX64.EFI only when it is signed with the snakeoil key, and
the signed, pinned loader boots only the kernel.elf and initrd.cpio whose
SHA-256 it was built with (uefi/pins.h), with a \\cmdline.txt holding only
allow-listed options (uefi/pin_rules.c). One boot per case; docs/SECURITY.md."""
import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from secos import BUILD, OVMF_SB_CODE, OVMF_SB_VARS, REPO

KEY = Path("/usr/share/ovmf/PkKek-1-snakeoil.key")
CERT = Path("/usr/share/ovmf/PkKek-1-snakeoil.pem")
BOOT_WAIT = 300  # TCG on a loaded machine

pytestmark = [pytest.mark.image, pytest.mark.uefi]


def _need():
    for f in (OVMF_SB_CODE, OVMF_SB_VARS, KEY, CERT):
        if not f.exists():
            pytest.skip(f"{f} missing (install ovmf)")
    if not shutil.which("sbsign") or not shutil.which("mcopy"):
        pytest.skip("sbsigntool or mtools missing (tools/deps.sh)")
    for f in ("BOOTX64.EFI", "kernel.elf", "initrd.cpio"):
        if not (BUILD / f).exists():
            pytest.skip(f"{BUILD / f} missing (make CONFIG=test uefi initrd)")


def _run(cmd, **kw):
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, cwd=REPO, **kw)
    if r.returncode != 0:
        pytest.fail(f"{' '.join(map(str, cmd))} failed:\n{r.stdout}{r.stderr}")
    return r


def _esp(tmp_path, signed=True):
    efi = BUILD / "BOOTX64.EFI"
    if signed:
        efi = tmp_path / "BOOTX64.signed.EFI"
        _run(["tools/sign-efi.sh", KEY, CERT, BUILD / "BOOTX64.EFI", efi],
             env={**os.environ, "SIGN_PASS": "snakeoil"})
    img = tmp_path / "esp.img"
    _run(["tools/mkesp.sh", efi, BUILD / "kernel.elf", img, BUILD / "initrd.cpio"])
    return img


def _replace(img, tmp_path, name, data):
    f = tmp_path / name
    f.write_bytes(data)
    _run(["mcopy", "-o", "-i", img, f, "::/" + name], env={**os.environ, "MTOOLS_SKIP_CHECK": "1"})


def _flip_last_byte(path):
    b = bytearray(path.read_bytes())
    b[-1] ^= 0x01
    return bytes(b)


def _start(boot_machine, monkeypatch, img):
    monkeypatch.setenv("SECOS_ESP", str(img))
    m = boot_machine("esp-uefi", boot=False, secure_boot=True)
    m.start()
    return m


def test_signed_pinned_esp_boots_to_shell(boot_machine, tmp_path, monkeypatch):
    _need()
    monkeypatch.setenv("SECOS_ESP", str(_esp(tmp_path)))
    m = boot_machine("esp-uefi", secure_boot=True)
    assert "[UEFI] kernel.elf and initrd.cpio match the loader's pins" in m.output, m.tail()


def test_unsigned_loader_refused_by_firmware(boot_machine, tmp_path, monkeypatch):
    _need()
    m = _start(boot_machine, monkeypatch, _esp(tmp_path, signed=False))
    m.wait_for("Access Denied", timeout=BOOT_WAIT)
    assert "[UEFI] SECoS UEFI loader" not in m.output, m.tail()


@pytest.mark.parametrize("name", ["kernel.elf", "initrd.cpio"])
def test_changed_file_refused_with_pin_mismatch(boot_machine, tmp_path, monkeypatch, name):
    _need()
    img = _esp(tmp_path)
    changed = _flip_last_byte(BUILD / name)
    _replace(img, tmp_path, name, changed)
    want = hashlib.sha256((BUILD / name).read_bytes()).hexdigest()
    got = hashlib.sha256(changed).hexdigest()
    m = _start(boot_machine, monkeypatch, img)
    m.wait_for(f"[UEFI] PIN MISMATCH \\{name} expected {want} actual {got}", timeout=BOOT_WAIT)
    m.wait_for("[UEFI] refusing to boot", timeout=30)
    assert "entering kernel" not in m.output, m.tail()


def test_cmdline_option_outside_allow_list_refused(boot_machine, tmp_path, monkeypatch):
    _need()
    img = _esp(tmp_path)
    _replace(img, tmp_path, "cmdline.txt", b"init=/sbin/init trust=none\n")
    m = _start(boot_machine, monkeypatch, img)
    m.wait_for('[UEFI] \\cmdline.txt option "trust=none" refused', timeout=BOOT_WAIT)
    m.wait_for("refusing to boot with this \\cmdline.txt", timeout=30)
    assert "entering kernel" not in m.output, m.tail()
