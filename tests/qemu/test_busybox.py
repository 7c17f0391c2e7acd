"""Debian's busybox-static on SECoS against the same binary on the host.

The test configuration's initrd carries /bin/busybox (Debian's, when
installed) and the tree tests/data/initrd (files under /data, a scratch
/tmp). Each case runs `busybox <applet> <args>` from the SECoS console and, on
the host, in a chroot holding the same busybox and the same tree, with the
same environment; stdout and the exit status must match byte for byte.
Commands are plain words (the kernel console does not parse quotes): anything
needing shell syntax lives in /data/script.sh and runs through `busybox sh`.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from secos import BUILD, REPO

DATA = REPO / "tests" / "data" / "initrd"
BUSYBOX = Path("/bin/busybox")
ENV = {"PATH": "/bin", "HOME": "/", "TERM": "vt100"}  # what SECoS gives a program started from the console

# (command line after "busybox", whether stdout is deterministic enough to compare byte for byte)
CASES = [
    "echo hello world",
    "true",
    "false",
    # the file calls (fs/linux_file.c, fs/linux_path.c); not du (block counts are the filesystem's)
    "cat /data/poem.txt",
    "cat /data/missing.txt",
    "ls /data",
    "ls -R /data/tree",
    "ls -a /data/tree/sub",
    "wc -l /data/numbers.txt",
    "wc /data/poem.txt /data/fruits.txt",
    "head -n 3 /data/numbers.txt",
    "tail -n 2 /data/numbers.txt",
    "sort /data/fruits.txt",
    "sort -n /data/numbers.txt",
    "uniq /data/fruits.txt",
    "grep -n the /data/poem.txt",
    "find /data/tree -name c.txt",    # one match: readdir order is the filesystem's, not comparable
    "md5sum /data/poem.txt /data/tree/a.txt",
    "sha256sum /data/table.csv",
    "hexdump -C /data/tree/sub/x.dat",
    "stat -c %s:%F:%h /data/poem.txt /data/tree",
    "test -d /data/tree",
    "test -f /data/tree",
    "cut -d, -f2 /data/table.csv",
]

NOISE = re.compile(r"^\[(EXIT|ENOSYS)\][^\n]*\n?", re.M)


@pytest.fixture(scope="module")
def host_root(tmp_path_factory):
    """A chroot with the same busybox and the same files as the initrd."""
    if not BUSYBOX.exists():
        pytest.fail("/bin/busybox is missing: install busybox-static (tools/deps.sh)", pytrace=False)
    if os.geteuid() != 0:
        pytest.fail("the host side runs busybox in a chroot: run the tests as root", pytrace=False)
    root = tmp_path_factory.mktemp("bbroot")
    shutil.copytree(DATA, root, dirs_exist_ok=True)
    (root / "bin").mkdir(exist_ok=True)
    shutil.copy2(BUSYBOX, root / "bin" / "busybox")
    (root / "proc").mkdir(exist_ok=True)
    return root


def host_run(root: Path, cmd: str) -> tuple[str, int]:
    p = subprocess.run([shutil.which("chroot") or "/usr/sbin/chroot", str(root), "/bin/busybox", *cmd.split()], env=ENV,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
    return p.stdout.decode("latin-1"), p.returncode


def secos_run(vm, cmd: str) -> tuple[str, int]:
    out = vm.run(f"run /bin/busybox {cmd}", timeout=120)
    status = re.search(r"^\[EXIT\] pid=\d+ status=(-?\d+)$", out, re.M)
    assert status, out
    assert "[KILL]" not in out, out
    return NOISE.sub("", out), int(status.group(1))


@pytest.mark.parametrize("cmd", CASES)
def test_applet_matches_host(initrd_vm, host_root, cmd):
    want = host_run(host_root, cmd)
    got = secos_run(initrd_vm, cmd)
    assert got == want, f"busybox {cmd}\nSECoS: {got!r}\nhost:  {want!r}"
