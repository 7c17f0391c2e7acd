"""The system-call fuzzer (user/progs/fuzz.c): random calls with hostile
arguments from ring 3, in children that may die. The kernel must survive,
and once the fuzzer and its children are reaped it must hold exactly what it
held before: free frames, heap bytes and blocks, process slots and their
descriptors (`ps` FDS), the RAMFS usage and the Driver Space devices.

The million-call run is marked `slow` (about 30 s under TCG on an idle
machine; a few minutes at most): `-m "not slow"` skips it. The seed comes
from SECOS_FUZZ_SEED (default below), so a failure can be replayed; the
fuzzer's own output names the slice of calls of any child that was killed.
"""
from __future__ import annotations

import os
import re
import time

import pytest

from test_attack import KILL_RE, machines_fixture, parse_ps, run_line, snapshot

SEED = int(os.environ.get("SECOS_FUZZ_SEED", "20240607"))
SUMMARY_RE = re.compile(r"^fuzz: (\d+) calls in (\d+) children, (\d+) children died \(([^)]*)\)$", re.M)


@pytest.fixture(scope="module")
def machines(request):
    yield from machines_fixture(request)


@pytest.fixture(scope="module")
def max_machines(request):
    yield from machines_fixture(request, extra_args=["-cpu", "max"])


def full_snapshot(m) -> dict:
    snap = snapshot(m)  # frames, heap bytes and blocks, ps rows (FDS included), slots in use
    snap["rfusage"] = run_line(m, "rfusage")
    drv = run_line(m, "drvinfo")
    snap["drivers"] = [l for l in drv.splitlines() if re.match(r"^\s*\d+ ", l)]
    for dev in range(len(snap["drivers"])):
        snap[f"driver {dev}"] = run_line(m, f"drvinfo {dev}")
    return snap


def run_fuzz(m, count: int, seed: int, timeout: float) -> re.Match:
    t = time.monotonic()
    out = run_line(m, f"run fuzz {count} {seed}", timeout=timeout)
    took = time.monotonic() - t
    summary = SUMMARY_RE.search(out)
    assert summary, out
    assert int(summary.group(1)) == count, out
    assert "killed" not in summary.group(4) and "other" not in summary.group(4), out   # only SYS_exit ends a child early
    assert not KILL_RE.search(out), out
    assert re.search(r"^\[EXIT\] pid=\d+ status=0$", out, re.M), out
    print(f"fuzz {count} {seed}: {took:.1f} s, {count / took:.0f} calls/s: {summary.group(0)}")
    return summary


def fuzz_leaves_nothing_behind(m, count: int, seed: int, timeout: float) -> None:
    run_fuzz(m, 2000, seed + 1, 120)   # warm-up: kernel-stack page tables of new slots, heap growth
    before = full_snapshot(m)
    run_fuzz(m, count, seed, timeout)
    after = full_snapshot(m)
    assert after == before
    assert all(r[-1].endswith("[kernel]") for r in after["ps"]), after["ps"]
    assert run_line(m, "echo still here") == "still here\n"


def test_fuzz_20000_calls(machines):
    fuzz_leaves_nothing_behind(machines.get(), 20000, 1, 300)


def test_fuzz_is_deterministic(machines):
    """The same seed gives the same run: children, exits, everything."""
    m = machines.get()
    a = run_fuzz(m, 50000, 7, 300).group(0)
    b = run_fuzz(m, 50000, 7, 300).group(0)
    assert a == b


@pytest.mark.slow
def test_fuzz_one_million_calls(machines):
    fuzz_leaves_nothing_behind(machines.get(), 1000000, SEED, 900)


def test_fuzz_with_smep_smap_umip(max_machines):
    """-cpu max: every user copy runs with SMAP armed (stac/clac only inside
    the copy routines); a copy path that forgot stac would fault here."""
    m = max_machines.get()
    info = run_line(m, "info")
    assert "SMAP=yes" in info.split("enabled:")[-1], info
    fuzz_leaves_nothing_behind(m, 200000, SEED + 2, 600)


def test_fuzz_driver_space_bound(machines):
    """Driver Space with devices really bound to the fuzzer: nearly valid
    calls reach the operations (register reads and writes, MAP_MEM/UNMAP_MEM,
    GET_INFO), the fuzzer uses the pages it mapped, and when it exits every
    device is unbound and reset and nothing is left allocated."""
    m = machines.get()
    run_line(m, "run fuzz 2000 3")   # warm-up
    before = full_snapshot(m)
    rate = re.search(r"rate limit: (\d+) calls/s, burst (\d+)", run_line(m, "drvinfo"))
    assert rate, run_line(m, "drvinfo")
    devices = len(before["drivers"])
    assert devices >= 1, before["drivers"]
    run_line(m, "drvrate 1000000 10000")   # or nearly every call would be DRV_ERR_RATE
    try:
        m.send(f"elfload fuzz --bound 200000 {SEED} {devices}\r")
        pid = int(m.wait_for(re.compile(r"fuzz: pid (\d+) waiting for \d+ bound devices"), timeout=60).group(1))
        run_line(m, "echo synced")
        for dev in range(devices - 1):
            assert "bound to pid" in run_line(m, f"drvreg {dev} {pid}")
        m.send(f"drvreg {devices - 1} {pid}\r")   # the fuzzer starts printing after this one
        done = m.wait_for(re.compile(r"fuzz: bound (\d+) devices, 200000 calls, ok=(\d+) .*, \d+ touches\r"),
                          timeout=600)
        assert int(done.group(1)) == devices and int(done.group(2)) > 0, done.group(0)
        print(done.group(0).strip())
        deadline = time.monotonic() + 60
        while not re.search(rf"\[EXIT\] pid={pid} status=0", m.output):   # the shell reaps elfload children
            assert time.monotonic() < deadline and f"[EXIT] pid={pid} " not in m.output, m.tail()
            run_line(m, "echo synced")
            time.sleep(0.2)
        assert f"[KILL] pid={pid} " not in m.output, m.tail()
    finally:
        run_line(m, f"drvrate {rate.group(1)} {rate.group(2)}")
    after = full_snapshot(m)
    assert after == before
    assert all(r[-1].endswith("[kernel]") for r in parse_ps(run_line(m, "ps")))
