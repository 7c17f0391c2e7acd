"""The Linux file calls, /dev and /proc (fs/linux_file.c, fs/linux_path.c,
fs/devfs.c, fs/procfs.c) from unmodified musl programs (user/musl/t_files.c,
t_dirs.c: every call's results and errors, exit status 1 on any mismatch),
and what only the console shows: descriptor-table exhaustion leaves the heap
exactly as it was, /proc shows other processes' metadata and nothing of a
process that is gone, busybox's ls and ps work on top."""
from __future__ import annotations

import re

import pytest

from test_linux_abi import busybox_present


def heap_in_use(vm) -> tuple[int, int]:
    out = vm.run("mem")
    m = re.search(r"^heap in use:\s+(\d+) bytes in (\d+) blocks$", out, re.M)
    assert m, out
    return int(m.group(1)), int(m.group(2))


def exited(out: str, status: int) -> bool:
    return re.search(rf"^\[EXIT\] pid=\d+ status={status}$", out, re.M) is not None


def test_t_files(initrd_vm):
    out = initrd_vm.run("run /bin/t_files", timeout=90)
    assert re.search(r"^t_files: \d+ checks, 0 failed$", out, re.M), out
    assert "FAIL" not in out and exited(out, 0), out
    assert "[ENOSYS]" not in out, out   # every call it makes is answered


def test_t_dirs(initrd_vm):
    out = initrd_vm.run("run /bin/t_dirs one 'two words'", timeout=90)
    assert re.search(r"^t_dirs: \d+ checks, 0 failed$", out, re.M), out
    assert "FAIL" not in out and exited(out, 0), out
    assert "[ENOSYS]" not in out, out


def test_descriptor_exhaustion_gives_everything_back(initrd_vm):
    """t_files fills all 256 descriptors (EMFILE), opens and closes hundreds
    of files, unlinks one while open: afterwards the heap holds exactly what
    it held before, and the system goes on."""
    initrd_vm.run("run /bin/t_files", timeout=90)   # warm-up: first-use allocations
    before = heap_in_use(initrd_vm)
    for _ in range(2):
        out = initrd_vm.run("run /bin/t_files", timeout=90)
        assert exited(out, 0), out
    assert heap_in_use(initrd_vm) == before
    assert initrd_vm.run("echo still alive").strip() == "still alive"


def test_proc_shows_metadata_of_others_and_nothing_of_the_dead(initrd_vm):
    if not busybox_present():
        pytest.fail("the initrd has no /bin/busybox: install busybox-static (tools/deps.sh) and rebuild",
                    pytrace=False)
    out = initrd_vm.run("run /bin/busybox cat /proc/1/stat /proc/1/status", timeout=60)
    assert re.search(r"^1 \(kshell\) [RS] 0 ", out, re.M), out
    assert "Name:\tkshell" in out, out
    # The pid of that cat is gone now: its directory with it.
    pid = int(re.search(r"^\[EXIT\] pid=(\d+)", out, re.M).group(1))
    out = initrd_vm.run(f"run /bin/busybox cat /proc/{pid}/stat", timeout=60)
    assert "No such file or directory" in out and exited(out, 1), out
    # Nothing but metadata: no memory, maps or environment files.
    out = initrd_vm.run("run /bin/busybox ls /proc/self/", timeout=60)
    assert out.split()[:4] == ["cmdline", "exe", "stat", "status"], out
    out = initrd_vm.run("run /bin/busybox cat /proc/self/mem", timeout=60)
    assert exited(out, 1), out


def test_busybox_ls_ps_and_dev(initrd_vm):
    if not busybox_present():
        pytest.fail("the initrd has no /bin/busybox: install busybox-static (tools/deps.sh) and rebuild",
                    pytrace=False)
    out = initrd_vm.run("run /bin/busybox ls -la /", timeout=60)
    assert re.search(r"^dr-xr-xr-x .* proc$", out, re.M) and re.search(r"^-rw-r--r-- .* VERSION$", out, re.M), out
    assert exited(out, 0), out
    out = initrd_vm.run("run /bin/busybox ps", timeout=60)
    assert re.search(r"^\s+1 0\s+\[kshell\]$", out, re.M), out
    assert re.search(r"^\s+\d+ 0\s+/bin/busybox ps$", out, re.M), out
    out = initrd_vm.run("run /bin/busybox ls -l /dev/null /dev/zero", timeout=60)
    assert re.search(r"^crw-rw-rw- .* 1,\s+3 .* /dev/null$", out, re.M), out
    out = initrd_vm.run("run /bin/busybox hexdump -C -n 8 /dev/zero", timeout=60)
    assert "00000000  00 00 00 00 00 00 00 00" in out and exited(out, 0), out


def test_programs_start_in_the_consoles_directory(initrd_vm):
    """rfcd moves the console; a program run from it starts there (getcwd,
    relative paths), and rfcd / puts it back."""
    if not busybox_present():
        pytest.fail("the initrd has no /bin/busybox: install busybox-static (tools/deps.sh) and rebuild",
                    pytrace=False)
    initrd_vm.run("rfcd /data/tree")
    try:
        out = initrd_vm.run("run /bin/busybox pwd", timeout=60)
        assert out.startswith("/data/tree\n"), out
        out = initrd_vm.run("run /bin/busybox cat sub/b.txt", timeout=60)
        assert exited(out, 0) and "No such file" not in out, out
        initrd_vm.run("rfcd /bin")
        out = initrd_vm.run("run ./musl_hello x", timeout=60)   # a relative program path, from there
        assert "hello from musl" in out, out
    finally:
        initrd_vm.run("rfcd /")
    out = initrd_vm.run("run /bin/busybox pwd", timeout=60)
    assert out.startswith("/\n"), out
