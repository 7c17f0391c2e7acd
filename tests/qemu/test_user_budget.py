"""The system-wide budget for user memory: while twelve default-budget
holders try to take more memory than the machine has, the frames the kernel
and the console keep (`mem`: user reserve) stay free, user frames stay under
the cap, the console keeps working, and afterwards everything is back."""
from __future__ import annotations

import re
import time

from test_attack import run_line
from test_memory import parse_mem


def budget(mem: str) -> dict:
    use = re.search(r"^user frames:\s+(\d+) in use, cap (\d+)", mem, re.M)
    res = re.search(r"^user reserve:\s+(\d+) frames", mem, re.M)
    assert use and res, mem
    return {"in use": int(use.group(1)), "cap": int(use.group(2)), "reserve": int(res.group(1))}


def poll_mem(vm) -> str:
    """`mem` while a background program may print at any time: wait for the
    last line of mem's own output instead of a quiet prompt."""
    with vm._cond:
        mark = len(vm._text)
    vm.send("mem\r")
    rx = re.compile(r"^user reserve:\s+\d+ frames.*$", re.M)
    m = vm.wait_until(lambda text, pos: rx.search(text, mark), 60, "mem output")
    with vm._cond:
        return vm._text[mark:m.end()].replace("\r\n", "\n")


def test_holders_leave_the_reserve_alone(vm):
    before = parse_mem(run_line(vm, "mem"))
    with vm._cond:
        start = len(vm._text)
    vm.send("elfload attack syscap\r")
    lowest_free, highest_use, cap, reserve = None, 0, 0, 0
    deadline = time.monotonic() + 240
    while "attack: syscap got=" not in vm._text[start:]:
        assert time.monotonic() < deadline, vm.tail()
        out = poll_mem(vm)
        b, p = budget(out), parse_mem(out)
        cap, reserve = b["cap"], b["reserve"]
        highest_use = max(highest_use, b["in use"])
        lowest_free = p["phys free"] if lowest_free is None else min(lowest_free, p["phys free"])
        assert b["in use"] <= b["cap"], out
        time.sleep(0.2)
    vm.wait_for(re.compile(r"attack: syscap got=\d+ ok"), timeout=5)
    time.sleep(0.5)
    run_line(vm, "echo synced")                              # reaps attack: [EXIT]
    assert highest_use > cap // 2, (highest_use, cap)        # the holders really held memory
    assert lowest_free >= reserve, (lowest_free, reserve)   # and never took the reserve
    assert run_line(vm, "echo console ok") == "console ok\n"
    after = parse_mem(run_line(vm, "mem"))
    assert after["phys free"] >= before["phys free"] - 64, (before, after)
