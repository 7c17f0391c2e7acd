"""The Linux memory calls (kernel/linux_mm.c, kernel/umem.c) from a musl
program: user/musl/t_mm checks results and errors from inside (W^X refusals,
MAP_FIXED inside and outside the user half, partial munmap, PROT_NONE, brk,
madvise); these tests check the deaths only the console shows and that every
user frame is back after each run."""
from __future__ import annotations

import re

from test_user_budget import budget


def in_use(vm) -> int:
    return budget(vm.run("mem"))["in use"]


def test_t_mm_all_checks(initrd_vm):
    before = in_use(initrd_vm)
    out = initrd_vm.run("run /bin/t_mm", timeout=120)
    assert "t_mm: 0 failed" in out, out
    assert "FAIL" not in out and "[KILL]" not in out, out
    assert re.search(r"^\[EXIT\] pid=\d+ status=0$", out, re.M), out
    assert in_use(initrd_vm) == before


def test_touching_an_unmapped_hole_kills(initrd_vm):
    before = in_use(initrd_vm)
    out = initrd_vm.run("run /bin/t_mm hole", timeout=60)
    m = re.search(r"touching the hole at (0x[0-9a-f]+)", out)
    assert m, out
    kill = re.search(r"^\[KILL\] pid=\d+ name=t_mm reason=(.+?) rip=0x[0-9a-f]+ addr=(0x[0-9a-f]+)$", out, re.M)
    assert kill and kill.group(1).startswith("#PF") and int(kill.group(2), 16) == int(m.group(1), 16), out
    assert "NOT killed" not in out, out
    assert in_use(initrd_vm) == before


def test_touching_prot_none_kills(initrd_vm):
    out = initrd_vm.run("run /bin/t_mm none", timeout=60)
    assert re.search(r"^\[KILL\] pid=\d+ name=t_mm reason=#PF", out, re.M), out
    assert "NOT killed" not in out, out


def test_huge_mapping_meets_the_page_budget(initrd_vm):
    before = in_use(initrd_vm)
    out = initrd_vm.run("run /bin/t_mm budget", timeout=120)
    assert re.search(r"^\[KILL\] pid=\d+ name=t_mm reason=memory limit reached", out, re.M), out
    assert "NOT limited" not in out, out
    assert in_use(initrd_vm) == before


def test_brk_refuses_past_the_budget_and_keeps_the_break(initrd_vm):
    before = in_use(initrd_vm)
    out = initrd_vm.run("run /bin/t_mm brkbudget", timeout=120)
    assert re.search(r"t_mm: brk refused after \d+ KiB, break unchanged: yes", out), out
    assert re.search(r"^\[EXIT\] pid=\d+ status=0$", out, re.M), out
    assert "[KILL]" not in out, out
    assert in_use(initrd_vm) == before
