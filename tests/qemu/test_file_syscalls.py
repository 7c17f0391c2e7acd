"""File system calls from ring 3 (fstest), programs loaded from the
filesystem, and descriptor accounting."""
from __future__ import annotations

import re

import pytest


def test_fstest_every_call_and_error(vm):
    for _ in range(2):  # cleans up after itself: a second run must pass too
        out = vm.run("run fstest", timeout=120)
        assert "fstest: 53 checks, 0 failed" in out or re.search(r"fstest: \d+ checks, 0 failed", out), out
        assert "FAIL" not in out.replace("0 failed", ""), out
        assert re.search(r"^\[EXIT\] pid=\d+ status=0$", out, re.M)
    assert "/fst" not in vm.run("vls /")


def test_run_from_filesystem_path(vm):
    out = vm.run("run /bin/hello")  # -kernel has no initrd: the built-in /bin/hello
    assert "Hello from user space!" in out, out


def test_bad_elf_file_is_refused_with_its_reason(vm):
    vm.run("rfadd /bad.elf notanelf")
    out = vm.run("run /bad.elf")
    assert out.startswith("error: cannot start /bad.elf: ") and "-8)" in out, out  # -ENOEXEC
    assert vm.run("run /sys").startswith("error: cannot start /sys: not a regular file")
    assert vm.run("run /VERSION").startswith("error: cannot start /VERSION: ")
    vm.run("rfdel /bad.elf")
    assert vm.run("echo alive") == "alive\n"


def test_descriptors_closed_on_exit(vm):
    ps = vm.run("ps")
    assert re.search(r"^\s+1\s+-1\s+RUNNING\s+\d+\s+0\s+0 kshell", ps, re.M), ps


@pytest.mark.image
@pytest.mark.parametrize("config", ["iso-bios", "esp-uefi"])
def test_run_bin_hello_from_initrd(boot_machine, config):
    m = boot_machine(config)
    assert re.search(r"\[initrd\] \d+ files, \d+ dirs, \d+ bytes unpacked", m.output), m.tail()
    out = m.run("run /bin/hello", timeout=60)
    assert "Hello from user space!" in out, out
    out = m.run("run fstest", timeout=120)
    assert re.search(r"fstest: \d+ checks, 0 failed", out), out
    m.poweroff()


def test_fdtest_descriptors_share_open_files(vm):
    """dup/dup2 share one open file (and its offset), the console is a file
    behind 0-2, the table holds SECOS_FD_MAX (256), and nothing leaks."""
    from test_memory import parse_mem
    vm.run("run fdtest", timeout=120)  # warm-up: heap blocks of the first run stay cached
    before = parse_mem(vm.run("mem"))
    out = vm.run("run fdtest", timeout=120)
    assert "fdtest: 30 checks, 0 failed" in out, out
    assert re.search(r"^\[EXIT\] pid=\d+ status=0$", out, re.M), out
    after = parse_mem(vm.run("mem"))
    assert after["heap in use"] == before["heap in use"], (before, after)
