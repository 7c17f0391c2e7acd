"""The Linux personality (include/secos/linux_syscall.h): unmodified static
Linux programs from the initrd, built with Debian's musl-gcc -static
(user/musl/) or Debian's busybox-static, run beside SECoS's own programs.

abi_probe checks the personality's edges from inside (INT 0x80 never reaches
a table, unknown numbers, fixed answers, the FS base, time); these tests
check what only the console shows: the [ENOSYS] log and the exit status."""
from __future__ import annotations

import re

import pytest

from secos import BUILD


def test_musl_hello_gets_argv_envp_auxv_and_tls(initrd_vm):
    out = initrd_vm.run("run /bin/musl_hello one 'two'")
    assert "hello from musl: argc=3 [one] ['two']\n" in out, out
    assert "PATH=/bin tls=43 pagesz=4096 random=yes\n" in out, out
    assert re.search(r"^\[EXIT\] pid=\d+ status=0$", out, re.M), out
    out = initrd_vm.run("run /bin/musl_hello x")
    assert re.search(r"^\[EXIT\] pid=\d+ status=3$", out, re.M), out  # exit status reaches the shell


def test_abi_probe(initrd_vm):
    out = initrd_vm.run("run /bin/abi_probe", timeout=60)
    assert "abi_probe: 0 failed" in out, out
    assert "FAIL" not in out, out
    # INT 0x80 from a Linux program is -ENOSYS, logged as such.
    assert re.search(r"^\[ENOSYS\] pid=\d+ name=abi_probe nr=17 \(int 0x80\)$", out, re.M), out
    # A missing number is logged once per process, however often it is used.
    assert len(re.findall(r"^\[ENOSYS\] pid=\d+ name=abi_probe nr=449$", out, re.M)) == 1, out
    # Deliberate -ENOSYS answers (rseq) are not noise.
    assert "nr=334" not in out, out


def test_secos_programs_keep_their_abi(initrd_vm):
    out = initrd_vm.run("run /bin/hello")
    assert "Hello from user space!" in out, out
    out = initrd_vm.run("run fdtest", timeout=60)
    assert re.search(r"fdtest: \d+ checks, 0 failed", out), out


def busybox_present() -> bool:
    return (BUILD / "initrd.cpio").exists() and b"bin/busybox" in (BUILD / "initrd.cpio").read_bytes()[:1 << 22]


def test_busybox_startup(initrd_vm):
    if not busybox_present():
        pytest.fail("the initrd has no /bin/busybox: install busybox-static (tools/deps.sh) and rebuild",
                    pytrace=False)
    out = initrd_vm.run("run /bin/busybox echo hello from busybox", timeout=60)
    assert "hello from busybox\n" in out, out
    assert re.search(r"^\[EXIT\] pid=\d+ status=0$", out, re.M), out
    assert "[ENOSYS]" not in out and "[KILL]" not in out, out  # glibc's startup is fully answered
    out = initrd_vm.run("run /bin/busybox false", timeout=60)
    assert re.search(r"^\[EXIT\] pid=\d+ status=1$", out, re.M), out


def test_linux_program_with_manifest_keeps_its_limits(initrd_vm):
    """MANIFEST_FLAG_ABI_LINUX: the Linux table (uname answers), the manifest's
    max_mem (4 MiB) enforced: killed while touching the 4th MiB at the latest."""
    out = initrd_vm.run("run /bin/musl_limited 8", timeout=60)
    assert "limited: uname=SECoS\n" in out, out
    assert re.search(r"^\[KILL\] pid=\d+ name=musl_limited reason=memory limit reached", out, re.M), out
    assert "touched 4 MiB" not in out, out
    out = initrd_vm.run("run /bin/musl_limited 2", timeout=60)
    assert "limited: touched 2 MiB\n" in out and re.search(r"^\[EXIT\] pid=\d+ status=0$", out, re.M), out
