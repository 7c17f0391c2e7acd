"""Hardening: stack protector, SMAP/SMEP, read-only-after-init tables, ASLR.
Each test tries to break the rule and checks the precise report."""
from __future__ import annotations

import re

import pytest


def where(vm, prog: str = "whereami") -> dict:
    out = vm.run(f"run {prog}")
    m = re.search(r"whereami: stack=(0x[0-9a-f]+) mmap=(0x[0-9a-f]+) code=(0x[0-9a-f]+)", out)
    assert m, out
    return {"stack": int(m.group(1), 16), "mmap": int(m.group(2), 16), "code": int(m.group(3), 16)}


def test_aslr_two_runs_differ(vm):
    out = vm.run("aslr")
    assert "aslr: on" in out and "stack top: 16 bits" in out and "mmap base: 20 bits" in out, out
    a, b = where(vm), where(vm)
    assert a["stack"] != b["stack"] and a["mmap"] != b["mmap"], (a, b)
    for w in (a, b):
        assert 0x200000000000 <= w["mmap"] < 0x200000000000 + (1 << 32)
        assert 0x7ffffff00000 - (1 << 28) - (1 << 20) < w["stack"] < 0x7ffffff00000


def test_aslr_position_independent_program_base(vm):
    assert "program base: 24 bits" in vm.run("aslr")
    a, b = where(vm, "whereami_pie"), where(vm, "whereami_pie")
    assert a["code"] != b["code"], (a, b)            # the program itself moved
    for w in (a, b):
        assert 0x400000 <= w["code"] < 0x400000 + (1 << 36) + 0x10000, w
    assert (a["code"] - b["code"]) % 4096 == 0          # a page-aligned slide of the same code
    assert where(vm)["code"] == where(vm)["code"]    # ET_EXEC stays at its link address


def test_aslr_off_is_deterministic(vm):
    vm.run("aslr off")
    try:
        a, b = where(vm), where(vm)
        assert a == b, (a, b)
        assert a["mmap"] == 0x200000000000
    finally:
        vm.run("aslr on")


def test_ro_after_init_reported_sealed(vm):
    out = vm.run("wxcheck")
    m = re.search(r"ro-after-init pages \(IDT, GDT, driver registry\): (\d+), still writable: (\d+)", out)
    assert m and int(m.group(1)) >= 1 and m.group(2) == "0", out
    assert re.search(r"\[BOOT\] sealed \d+ ro-after-init pages", vm.output)


CRASHES = {
    "canary": (r"\[PANIC\] stack smashing detected", []),
    "rodata": (r"\[EXC\] 14 #PF page fault err=0x3 .*\r\n\[EXC\] page fault: protection violation on write", []),
    "registry": (r"\[EXC\] 14 #PF page fault err=0x3 .*\r\n\[EXC\] page fault: protection violation on write", []),
    "smap": (r"\[EXC\] 14 #PF page fault err=0x1 .*cr2=0x400000\r\n\[EXC\] page fault: protection violation on read",
             ["-cpu", "max"]),
    "smep": (r"\[EXC\] 14 #PF page fault err=0x11 rip=0x400000 cr2=0x400000", ["-cpu", "max"]),
}


@pytest.mark.parametrize("kind", sorted(CRASHES))
def test_crashtest_hardening(boot_machine, kind):
    pattern, extra = CRASHES[kind]
    m = boot_machine("kernel", extra_args=extra, expect_faults=True)
    m.send(f"crashtest {kind}\r")
    m.wait_for("[PANIC] system halted", timeout=30)
    assert re.search(pattern, m.output), m.output[-3000:]
    assert "did not fault" not in m.output
    assert m.alive()


@pytest.mark.parametrize("kind", ["smap", "smep"])
def test_smap_smep_absent_cpu_says_so(vm, kind):
    # -cpu qemu64 has neither: the command explains instead of crashing.
    out = vm.run(f"crashtest {kind}")
    assert "nothing to prove" in out, out
