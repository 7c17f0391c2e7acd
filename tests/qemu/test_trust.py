"""Trusted programs (fs/trust.h): a program from a FAT disk runs only if its
SHA-256 is in the initrd's trust list (/etc/secos/trusted.sha256, made from
TRUST_EXTRA: musl_hello in the test configuration); the same program with
one byte changed is refused in `enforce` mode (the default) with its path
and hash logged, and runs with the log line in `trust=audit` mode; a copy of
an initrd program written at run time into /tmp is no longer trusted; the
initrd's own programs run as always; `measurements` lists what was checked."""
from __future__ import annotations

import hashlib
import re
import shutil
import subprocess

import pytest

from secos import BUILD, Disk
from test_fat import MTOOLS_ENV, bb, make_image, mount, workdir  # noqa: F401

pytestmark = pytest.mark.skipif(not shutil.which("mkfs.fat") or not shutil.which("mcopy"),
                                reason="needs dosfstools and mtools (tools/deps.sh)")

HELLO = BUILD / "user" / "musl" / "musl_hello"


def disk_with_programs(workdir):
    if not HELLO.exists():
        pytest.fail(f"{HELLO} missing (make CONFIG=test initrd)")
    good = HELLO.read_bytes()
    bad = bytearray(good)
    bad[-1] ^= 0x01                      # the last byte: still a loadable ELF, another hash
    (workdir / "hello").write_bytes(good)
    (workdir / "changed").write_bytes(bytes(bad))
    img = workdir / "d.img"
    make_image(img, 32, 40 * 1024)
    for name in ("hello", "changed"):
        subprocess.run(["mcopy", "-i", str(img), str(workdir / name), "::/" + name], env=MTOOLS_ENV, check=True)
    return img, hashlib.sha256(good).hexdigest(), hashlib.sha256(bytes(bad)).hexdigest()


def boot(boot_machine, img, append=None):
    args = ["-initrd", str(BUILD / "initrd.cpio")]
    if append:
        args += ["-append", append]
    m = boot_machine("kernel", memory="512M", extra_args=args, disks=[Disk(img, "virtio")])
    mount(m, "vda", "/mnt")
    return m


def test_enforce_runs_trusted_and_refuses_changed(boot_machine, workdir):
    img, good, bad = disk_with_programs(workdir)
    m = boot(boot_machine, img)
    assert re.search(r"^\[TRUST\] mode enforce, 1 trusted program hashes\r$", m.output, re.M), m.tail()
    out = m.run("run /mnt/hello from-disk")
    assert "hello from musl: argc=2 [from-disk]" in out, out
    out = m.run("run /mnt/changed")
    assert f"[TRUST] refused /mnt/changed sha256={bad}" in out, out
    assert "[EXIT]" not in out, out
    # execve(2) from a Linux program: EACCES, "Permission denied".
    out = bb(m, "sh -c /mnt/changed")
    assert "Permission denied" in out and f"sha256={bad}" in out, out
    # A copy of an initrd program written at run time is no longer the initrd's.
    out = bb(m, "cp /bin/busybox /tmp/bb")
    assert "status=0" in out, out
    out = m.run("run /tmp/bb echo hi")
    assert "[TRUST] refused /tmp/bb sha256=" in out and "\nhi\n" not in out, out
    # The initrd's own programs are trusted by construction.
    assert "hello from musl: argc=2 [x]" in m.run("run /bin/musl_hello x")
    meas = m.run("measurements")
    assert re.search(rf"exec /mnt/hello sha256:{good}", meas), meas
    assert re.search(rf"exec /mnt/changed sha256:{bad}", meas), meas
    m.poweroff()


def test_audit_logs_but_runs(boot_machine, workdir):
    img, good, bad = disk_with_programs(workdir)
    m = boot(boot_machine, img, "trust=audit")
    assert re.search(r"^\[TRUST\] mode audit, 1 trusted program hashes\r$", m.output, re.M), m.tail()
    out = m.run("run /mnt/changed audited")
    assert f"[TRUST] audit: would refuse /mnt/changed sha256={bad}" in out, out
    assert "hello from musl: argc=2 [audited]" in out, out
    out = m.run("run /mnt/hello")
    assert "[TRUST]" not in out and "hello from musl" in out, out
    m.poweroff()


def test_an_unknown_mode_enforces(boot_machine, workdir):
    img, _, bad = disk_with_programs(workdir)
    m = boot(boot_machine, img, "trust=off")
    assert "[TRUST] unknown trust= value: enforcing" in m.output, m.tail()
    out = m.run("run /mnt/changed")
    assert f"[TRUST] refused /mnt/changed sha256={bad}" in out, out
    m.poweroff()
