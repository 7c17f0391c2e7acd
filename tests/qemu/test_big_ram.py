"""Machines with more RAM than the boot page-table pool can map with 2 MiB
pages (about 89 GiB): the physmap uses 1 GiB pages where the CPU has them,
and its tables come from RAM sized from the memory map, so any size boots.
The guest RAM is a memory backend with reserve=off: the host commits only
the pages the guest touches (the bitmaps and a few tables), so these boots
are cheap."""
from __future__ import annotations

import re

import pytest

from secos import memory_mib, reported_mib
from test_memory import parse_mem

SIZE = "100G"


@pytest.mark.parametrize("cpu", ["max", "qemu64"])  # 1 GiB pages, and none (no pdpe1gb)
def test_boots_with_100_gib(boot_machine, cpu):
    backend = ["-object", f"memory-backend-ram,id=m0,size={SIZE},reserve=off",
               "-machine", "memory-backend=m0", "-cpu", cpu]
    m = boot_machine("kernel", memory=SIZE, extra_args=backend, boot_timeout=120)
    got, want = reported_mib(m.run("info")), memory_mib(SIZE)
    assert abs(got - want) <= want * 0.01, f"-m {SIZE}: kernel reports {got} MiB"
    mem = parse_mem(m.run("mem"))
    assert mem["phys free"] * 4 > (want - 256) << 10, mem
    wx = m.run("wxcheck")
    assert "wxcheck: PASS" in wx, wx
    pages = re.search(r"\(4K \d+, 2M (\d+), 1G (\d+)\)", wx)
    assert pages, wx
    m2, g1 = int(pages.group(1)), int(pages.group(2))
    if cpu == "max":
        assert g1 >= 96, f"the physmap above 4 GiB should use 1 GiB pages: {wx}"
    else:
        assert g1 == 0 and m2 >= 96 * 512, wx
    # Memory above 4 GiB is really reachable through the physmap.
    out = m.run("memtest", timeout=120)
    assert out.strip().endswith("memtest: PASS"), out
    m.poweroff()
