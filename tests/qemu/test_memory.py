"""Memory: the PMM, heap, page tables and the fault paths, on both boot paths
and at every memory size the issue names (64M, 512M, 4G, 8G: 8G puts RAM
above the 4 GiB hole)."""
from __future__ import annotations

import re

import pytest

from secos import memory_mib

MEM_SIZES = ["64M", "512M", "4G", "8G"]
TOLERANCE = 0.02  # `mem` total within 2% of what QEMU was given


def parse_mem(out: str) -> dict:
    fields = {}
    for line in out.splitlines():
        m = re.match(r"^(phys \w+|heap [\w ]+?):\s+(\d+)", line)
        if m:
            fields[m.group(1)] = int(m.group(2))
    return fields


def check_memory_machine(m, memory: str) -> None:
    mem = parse_mem(m.run("mem"))
    want_kib = memory_mib(memory) * 1024
    assert abs(mem["phys total"] - want_kib) <= want_kib * TOLERANCE, f"-m {memory}: mem says {mem}"
    assert mem["phys free"] > 0 and mem["phys managed"] >= mem["phys free"]

    assert m.run("memtest", timeout=60).strip().endswith("memtest: PASS")

    out = m.run("memstress 3000", timeout=120)
    assert out.strip().endswith("memstress: PASS"), out
    assert re.search(r"heap in use (\d+) -> \1 bytes, blocks (\d+) -> \2;", out), out

    wx = m.run("wxcheck")
    assert "wxcheck: W+X pages: 0\n" in wx, wx
    assert "wxcheck: USER pages in kernel half: 0\n" in wx, wx
    assert "wxcheck: PASS" in wx

    assert "[M2] Stack switch ok rsp=0xffffff80" in m.output
    assert re.search(r"^\[SELFTEST\] summary: \d+ passed, 0 failed\r$", m.output, re.M), m.tail()
    m.poweroff()


@pytest.mark.parametrize("memory", MEM_SIZES)
def test_memory_multiboot(boot_machine, memory):
    check_memory_machine(boot_machine("kernel", memory=memory), memory)


@pytest.mark.image
@pytest.mark.uefi
@pytest.mark.parametrize("memory", MEM_SIZES)
def test_memory_uefi(boot_machine, memory):
    check_memory_machine(boot_machine("esp-uefi", memory=memory), memory)


def test_vmmap_permissions(vm):
    out = vm.run("vmmap")
    lines = [l for l in out.splitlines() if l.startswith("ffff")]
    assert lines, out
    for l in lines:
        perm = l.split()[3]
        assert not (perm[1] == "w" and perm[2] == "x"), f"W+X mapping: {l}"
    text = [l for l in lines if "kernel image" in l and l.split()[3] == "r-x"]
    assert text, "kernel .text is not mapped r-x"
    assert any("physmap" in l and l.split()[3] == "rw-" for l in lines)
    assert any("kernel stacks" in l for l in lines)


# crashtest: each kind must print its precise line, and never triple-fault
# (-no-reboot: a triple fault would make QEMU exit before the line).
CRASHES = {
    "stack": r"\[PANIC\] kernel stack overflow",
    "null": r"\[EXC\] 14 #PF page fault err=0x0 rip=0x[0-9a-f]+ cr2=0x0\b",
    "wx": r"\[EXC\] 14 #PF page fault err=0x3 .*\r\n\[EXC\] page fault: protection violation on write",
    "nx": r"\[EXC\] 14 #PF page fault err=0x11 .*\r\n\[EXC\] page fault: protection violation on instruction fetch",
    "df": r"\[EXC\] 8 #DF double fault",
}


@pytest.mark.parametrize("kind", sorted(CRASHES))
def test_crashtest(boot_machine, kind):
    m = boot_machine("kernel", expect_faults=True)
    m.send(f"crashtest {kind}\r")
    m.wait_for("[PANIC] system halted", timeout=30)
    out = m.output
    assert re.search(CRASHES[kind], out), out[-3000:]
    assert re.search(r"rip=[0-9a-f]{16} cs=0008", out), "no register dump\n" + out[-3000:]
    assert "[BACKTRACE] 0xffffffff8" in out
    assert out.index("[EXC]") < out.index("[PANIC]")
    assert m.alive(), "QEMU exited: a triple fault instead of a panic\n" + m.tail()


@pytest.mark.image
@pytest.mark.uefi
def test_crashtest_stack_uefi(boot_machine):
    m = boot_machine("esp-uefi", expect_faults=True)
    m.send("crashtest stack\r")
    m.wait_for(re.compile(CRASHES["stack"]), timeout=60)
    assert m.alive(), m.tail()


def test_crashtest_usage(vm):
    assert vm.run("crashtest").startswith("usage: crashtest <")
    assert "unknown kind 'bogus'" in vm.run("crashtest bogus")
