"""Segment selectors from ring 3: loading any user selector must not make
the CPU write the read-only GDT (Accessed bits pre-set), and the selectors a
process loads are its own (part of the switched context)."""
from __future__ import annotations

import re


def test_gdt_selftest(vm):
    out = vm.run("selftest core.gdt")
    assert "[SELFTEST] core.gdt_no_cpu_writes PASS" in out, out


def test_user_selectors_load_from_ring3(vm):
    out = vm.run("run segload", timeout=60)
    assert "[KILL]" not in out, out
    assert "segload: selector 0x1b -> ds=0x1b es=0x1b fs=0x1b gs=0x1b" in out, out
    assert "segload: selector 0x23 -> ds=0x23 es=0x23 fs=0x23 gs=0x23" in out, out
    assert "segload: ss=0x1b" in out and "segload: loads ok" in out, out
    assert re.search(r"^\[EXIT\] pid=\d+ status=0$", out, re.M), out


def test_selectors_do_not_leak_between_processes(vm):
    out = vm.run("run segload leak", timeout=60)
    assert "[KILL]" not in out, out
    assert "segload: leak ok" in out, out
    assert re.search(r"^\[EXIT\] pid=\d+ status=0$", out, re.M), out
