"""`make sign` (tools/sign-efi.sh, sbsigntool) and the loader's pins
(tools/mkpins.sh): the signed loader passes `sbverify --cert`, the unsigned
one does not, a wrong passphrase fails cleanly, and the generated pins are
the SHA-256 of the kernel.elf and initrd.cpio the build made."""
import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from build_lock import build_lock

REPO = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("SECOS_BUILD", REPO / "build" / "test"))
KEY = Path("/usr/share/ovmf/PkKek-1-snakeoil.key")   # encrypted, passphrase "snakeoil"
CERT = Path("/usr/share/ovmf/PkKek-1-snakeoil.pem")

pytestmark = pytest.mark.skipif(not shutil.which("sbsign") or not KEY.exists(),
                                reason="sbsigntool or the ovmf snakeoil key missing (tools/deps.sh)")


def _make(*args, env_extra=None):
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "V")}
    env.update(env_extra or {})
    # BUILD as make check spells it (relative): an absolute path changes the
    # kernel flags (-I<BUILD>/gen), so make rebuilt the kernel and initrd the
    # other tests were booting, in parallel with them.
    build = os.path.relpath(BUILD, REPO) if BUILD.resolve().is_relative_to(REPO) else str(BUILD)
    with build_lock(BUILD):
        return subprocess.run(["make", "--no-print-directory", "CONFIG=test", f"BUILD={build}", *args],
                              cwd=REPO, env=env, capture_output=True, text=True, timeout=900)


def _need_loader():
    if not (BUILD / "BOOTX64.EFI").exists():
        pytest.skip(f"{BUILD}/BOOTX64.EFI missing (make CONFIG=test BUILD={BUILD} uefi)")


def _sbverify(path):
    return subprocess.run(["sbverify", "--cert", str(CERT), str(path)], capture_output=True, text=True)


def test_make_sign_output_verifies(tmp_path):
    _need_loader()
    pw = tmp_path / "pass"
    pw.write_text("snakeoil\n")
    r = _make("sign", f"KEY={KEY}", f"CERT={CERT}", env_extra={"SIGN_PASS_FILE": str(pw)})
    assert r.returncode == 0, r.stdout + r.stderr
    signed = BUILD / "BOOTX64.signed.EFI"
    assert _sbverify(signed).returncode == 0
    assert _sbverify(BUILD / "BOOTX64.EFI").returncode != 0, "the unsigned loader verifies?"


def test_sign_wrong_passphrase_fails_cleanly(tmp_path):
    _need_loader()
    out = tmp_path / "x.efi"
    r = subprocess.run(["tools/sign-efi.sh", str(KEY), str(CERT), str(BUILD / "BOOTX64.EFI"), str(out)],
                       cwd=REPO, env={**os.environ, "SIGN_PASS": "wrong"}, capture_output=True, text=True)
    assert r.returncode != 0
    assert "passphrase" in r.stderr
    assert not out.exists()


def test_sign_without_key_says_usage():
    r = _make("sign", "KEY=", "CERT=")
    assert r.returncode != 0 and "KEY=" in r.stderr


def test_pins_are_the_build_hashes():
    pins = BUILD / "uefi" / "pins.c"
    if not pins.exists():
        pytest.skip(f"{pins} missing (make CONFIG=test BUILD={BUILD} uefi)")
    text = pins.read_text()
    assert "pins_enabled = 1" in text
    for name in ("kernel.elf", "initrd.cpio"):
        want = hashlib.sha256((BUILD / name).read_bytes()).hexdigest()
        assert re.search(rf"/\* {re.escape(name)} {want} \*/", text), f"{name} pin is not its SHA-256"
    nopins = (BUILD / "uefi" / "nopins.c").read_text()
    assert "pins_enabled = 0" in nopins
