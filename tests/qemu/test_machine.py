"""Tests that need a machine of their own: power off, reboot, memory sizes, CPU
models and the kernel command line (-kernel boots are well under a second)."""
from __future__ import annotations

import re

import pytest

from secos import MEMORY_TOLERANCE, check_protections_enabled, memory_mib, parse_info, reported_mib


def test_poweroff_exits_qemu_with_status_0(boot_machine):
    m = boot_machine("kernel")
    m.poweroff(timeout=30)  # checks status 0 and QMP's SHUTDOWN reason "guest-shutdown"
    assert "powering off...\r\n[POWEROFF]\r\n" in m.output
    assert m.exit_status == 0


def test_reboot_exits_qemu(boot_machine):
    # With -no-reboot, a guest reset makes QEMU exit (status 0) instead.
    m = boot_machine("kernel")
    m.send("reboot\r")
    m.wait_for("rebooting...", timeout=10)
    status = m.expect_exit(timeout=30)
    assert status == 0, m.stderr()
    assert m.shutdown_reason() == "guest-reset"
    assert "[PANIC]" not in m.output and "[EXC]" not in m.output


@pytest.mark.parametrize("memory", ["128M", "4G"])
def test_memory_size_reported(boot_machine, memory):
    m = boot_machine("kernel", memory=memory)
    got = reported_mib(m.run("info"))
    want = memory_mib(memory)
    assert abs(got - want) <= want * MEMORY_TOLERANCE, f"-m {memory}: kernel reports {got} MiB"
    assert "summary:" in m.output and ", 0 failed" in m.output
    m.poweroff()


def test_cpu_max_enables_every_protection(boot_machine):
    """With -cpu max, TCG offers SMEP, SMAP and UMIP: the kernel must turn them
    all on, and still pass its selftests and run commands."""
    m = boot_machine("kernel", extra_args=["-cpu", "max"])
    out = m.run("info")
    have = check_protections_enabled(out)
    assert have["SMEP"] == have["SMAP"] == have["UMIP"] == "yes", out
    assert re.search(r"^\[SELFTEST\] summary: \d+ passed, 0 failed\r$", m.output, re.M), m.tail()
    assert re.search(r"summary: \d+ passed, 0 failed\n$", m.run("selftest", timeout=120))
    assert m.run("echo ok") == "ok\n"
    m.poweroff()


def test_kernel_command_line(boot_machine):
    m = boot_machine("kernel", extra_args=["-append", "secos.test=1 quiet"])
    cmdline = parse_info(m.run("info"))["cmdline"]
    assert "secos.test=1 quiet" in cmdline, cmdline
    m.poweroff()


def test_debugcon_log_complete(boot_machine):
    m = boot_machine("kernel")
    m.poweroff()
    dc = m.debugcon()
    assert dc.count("[SHELL] ready") == 1 and "[POWEROFF]" in dc, dc[-1000:]


def test_boots_without_debugcon(boot_machine):
    # Without the 0xE9 device (it reads back 0xFF) the kernel must not use it.
    m = boot_machine("kernel", debugcon=False)
    assert m.run("echo ok") == "ok\n"
    m.poweroff()
