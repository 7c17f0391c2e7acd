"""The kernel heap gives frames back: after a burst of RAMFS growth whose
files are removed again, the free frames are back (within a few pages),
although small blocks created in between stay; `mem` shows the peak."""
from __future__ import annotations

import re

from test_memory import parse_mem


def test_ramfs_burst_returns_frames(vm):
    vm.run("run true")                      # warm-up: first-use page tables and the like
    before = parse_mem(vm.run("mem"))
    out = vm.run("run fsburst 2", timeout=120)
    assert "fsburst: done" in out and re.search(r"^\[EXIT\] pid=\d+ status=0$", out, re.M), out
    after = parse_mem(vm.run("mem"))
    # 1.9 MiB went through the heap; at most a few pages (the small files,
    # the heap's partly used pages) may stay.
    assert after["heap peak"] >= before["heap backed"] + 1900, (before, after)
    assert after["phys free"] >= before["phys free"] - 64, (before, after)
    assert after["heap backed"] <= before["heap backed"] + 64 * 4, (before, after)
    for i in range(2):
        assert vm.run(f"rfdel /fsburst-small-{i}") == ""
