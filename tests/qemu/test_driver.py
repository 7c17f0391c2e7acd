"""Driver Space (docs/DRIVER_SPACE.md): bindings, every opcode and error from
ring 3 (testdriver) and from the kernel (drvtest), MAP_MEM visible and then
gone, rate limiting, the audit log and its filters, and no frame leaks.

testdriver starts unbound and polls until the shell binds it, so a test
starts it with elfload, waits for its "waiting for devices" line, binds with
drvreg while it keeps running, and collects its output after the prompt."""
from __future__ import annotations

import re
import time

import pytest

from test_memory import parse_mem

DEMO, SENSOR, NOMAP, SPARE = 0, 1, 2, 3
WINDOW = 0x0000300000000000  # DRIVER_MAP_BASE: device d at WINDOW + d GiB
STEP_RE = re.compile(r"^testdriver: (\S+) expected=(\S+) actual=(\S+) (ok|FAIL)\r?$", re.M)
SUMMARY_RE = re.compile(r"testdriver: (\d+) steps, (\d+) failed\r")
ALL_RESULTS = {"DRV_OK", "DRV_ERR_DEVICE", "DRV_ERR_BINDING", "DRV_ERR_OPCODE", "DRV_ERR_PERM",
               "DRV_ERR_RANGE", "DRV_ERR_ARGS", "DRV_ERR_RATE"}


# --- helpers -------------------------------------------------------------------

def drvinfo(vm) -> dict:
    """drvinfo table -> {id: {"name", "caps", "owner" (None if unbound), "mapped"}}"""
    devs = {}
    for line in vm.run("drvinfo").splitlines():
        m = re.match(r"^\s*(\d+) (\S+)\s+([RWMI-]{4})\s+(\d+)\s+(\d+)\s+(-|\d+) (0x[0-9a-f]+)$", line)
        if m:
            devs[int(m.group(1))] = dict(name=m.group(2), caps=m.group(3),
                                         owner=None if m.group(6) == "-" else int(m.group(6)),
                                         mapped=int(m.group(7), 16))
    return devs


def assert_all_unbound(vm):
    devs = drvinfo(vm)
    assert devs and all(d["owner"] is None and d["mapped"] == 0 for d in devs.values()), devs


def start_testdriver(vm, mode: str = "") -> int:
    """elfload testdriver [mode]; returns its pid once it waits for a binding."""
    vm.send(f"elfload testdriver {mode}".rstrip() + "\r")
    pid = int(vm.wait_for(re.compile(r"elfload: started testdriver as pid (\d+)\r")).group(1))
    vm.wait_for(f"testdriver: pid {pid} waiting for devices", timeout=60)
    vm.run("echo synced")
    return pid


def bind(vm, dev: int, pid: int) -> None:
    """drvreg while testdriver may be printing: wait for the confirmation line,
    not for a prompt at the end of the output."""
    vm.send(f"drvreg {dev} {pid}\r")
    vm.wait_for(re.compile(rf"drvreg: device {dev} \(\w+\) bound to pid {pid}\r"), timeout=30)


def wait_exit(vm, pid: int, timeout: float = 60) -> int:
    """The exit status of an elfload'ed pid (the shell reports it after a command)."""
    deadline = time.monotonic() + timeout
    rx = re.compile(rf"^\[EXIT\] pid={pid} status=(\d+)\r?$", re.M)
    while True:
        m = rx.search(vm.output)
        if m:
            return int(m.group(1))
        assert time.monotonic() < deadline, f"pid {pid} did not exit:\n{vm.tail()}"
        vm.run("echo sync")
        time.sleep(0.2)


def run_testdriver(vm) -> tuple[int, str]:
    """A full `testdriver` run bound to demo, sensor and nomap: (pid, its output)."""
    start = len(vm.output)
    pid = start_testdriver(vm)
    for dev in (DEMO, SENSOR, NOMAP):
        bind(vm, dev, pid)
    vm.wait_for(SUMMARY_RE, timeout=120)
    assert wait_exit(vm, pid) in (0, 1)
    return pid, vm.output[start:].replace("\r\n", "\n")


def log_lines(vm, arg: str = "") -> tuple[list[dict], str]:
    out = vm.run(f"drvlog {arg}".rstrip())
    entries = [dict(tick=int(m[0]), pid=int(m[1]), dev=m[2], op=m[3], code=int(m[4]), result=m[5])
               for m in re.findall(r"^tick=(\d+) pid=(\d+) dev=(\S+) op=(\S+)\((\d+)\) result=(\S+)$", out, re.M)]
    return entries, out


@pytest.fixture
def clean(vm):
    """Every test starts and must end with no device bound."""
    assert_all_unbound(vm)
    yield vm
    assert_all_unbound(vm)


# --- registry and shell ----------------------------------------------------------

def test_drvinfo_lists_devices_with_different_capabilities(clean):
    devs = drvinfo(clean)
    assert len(devs) >= 3, devs
    assert devs[DEMO]["name"] == "demo" and devs[DEMO]["caps"] == "RWMI"
    assert devs[SENSOR]["caps"] == "R--I" and devs[NOMAP]["caps"] == "RW-I"
    assert len({d["caps"] for d in devs.values()}) >= 3
    out = clean.run("drvinfo")
    assert re.search(r"^rate limit: \d+ calls/s, burst \d+", out, re.M), out
    assert re.search(r"^audit log: \d+ entries, \d+ dropped, capacity \d+$", out, re.M), out
    detail = clean.run("drvinfo 0")
    assert detail.startswith("device 0: demo caps=RWMI owner=- mapped=0x0 window=0x300000000000\n"), detail
    assert "regs: [0]=0x4f4d4544" in detail
    assert clean.run("drvinfo 9").startswith("drvinfo: no device 9")


def test_drvtest_kernel_sequence(clean):
    out = clean.run("drvtest", timeout=60)
    steps = re.findall(r"^drvtest: (\S+) expected=(\S+) actual=(\S+) (ok|FAIL)$", out, re.M)
    assert steps and all(s[3] == "ok" for s in steps), out
    assert {s[1] for s in steps} == ALL_RESULTS, out  # every result code is exercised
    assert re.search(r"^drvtest: \d+ steps, 0 failed$", out, re.M), out
    m = re.search(r"^drvtest: frames free before=(\d+) after=(\d+)$", out, re.M)
    assert m and m.group(1) == m.group(2), out


def test_drvreg_argument_errors(clean):
    assert clean.run("drvreg").startswith("usage: drvreg <id> [pid]")
    assert clean.run("drvreg 42 5").startswith("drvreg: no device 42")
    assert clean.run("drvreg x").startswith("drvreg: no device x")
    assert clean.run("drvreg 0 1") == "drvreg: pid 1 is not a live user process\n"  # the kernel shell
    assert clean.run("drvreg 0 0") == "drvreg: pid 0 is not a live user process\n"  # idle
    assert clean.run("drvreg 0 99999") == "drvreg: pid 99999 is not a live user process\n"
    assert clean.run("drvunreg 0") == "drvunreg: device 0 (demo) is not bound\n"
    assert clean.run("drvunreg 77").startswith("drvunreg: no device 77")


# --- testdriver: every opcode and error path from ring 3 --------------------------

def test_testdriver_all_steps_as_expected(clean):
    pid, out = run_testdriver(clean)
    steps = STEP_RE.findall(out)
    fails = [s for s in steps if s[3] != "ok" or s[1] != s[2]]
    assert steps and not fails, out
    m = re.search(r"^testdriver: (\d+) steps, (\d+) failed$", out, re.M)
    assert m and int(m.group(1)) == len(steps) and m.group(2) == "0", out
    expected = {s[1] for s in steps}
    assert ALL_RESULTS | {"EFAULT"} <= expected, expected
    names = {s[0] for s in steps}
    for op_step in ("get_info_demo", "read_reg", "write_reg", "map_mem", "unmap_mem", "map_mem_readback",
                    "unbound_device", "rate_limit", "rate_refilled", "mem_length_wraps", "reg_offset_max"):
        assert op_step in names, (op_step, sorted(names))
    assert f"[EXIT] pid={pid} status=0" in out, out
    assert "[KILL]" not in out, out


def test_bindings_released_on_exit(clean):
    pid, _ = run_testdriver(clean)
    assert_all_unbound(clean)  # the clean fixture checks again; this names the point
    assert not re.search(rf"^\s*{pid}\s", clean.run("ps"), re.M)


def test_binding_is_exclusive_and_unbound_calls_refused(clean):
    clean.run("drvlog clear")
    first = start_testdriver(clean, "hold")
    bind(clean, DEMO, first)
    clean.wait_for(f"testdriver: holding {WINDOW:#x}", timeout=30)
    clean.run("echo synced")
    second = start_testdriver(clean, "hold")
    out = clean.run(f"drvreg {DEMO} {second}")
    assert out == f"drvreg: device 0 (demo) is already bound to pid {first} (drvunreg 0 first)\n", out
    out = clean.run(f"drvreg {DEMO} {first}")  # not even to the same process twice
    assert "is already bound to pid" in out, out
    assert drvinfo(clean)[DEMO]["owner"] == first
    # The second one keeps polling device 0 and is refused every time.
    time.sleep(0.5)
    entries, out = log_lines(clean, f"pid={second}")
    assert entries and all(e["result"] == "DRV_ERR_BINDING" and e["dev"] == "0" for e in entries), out
    # drvreg without a pid binds the newest user process: the second one.
    out = clean.run(f"drvreg {SENSOR}")
    assert out == f"drvreg: device 1 (sensor) bound to pid {second}\n", out
    for pid in (second, first):
        out = clean.run(f"kill {pid}")
        assert f"[KILL] pid={pid} name=testdriver reason=killed" in out, out
    assert wait_exit(clean, first) == 128 + 9


def test_bindings_and_mapping_released_on_kill(clean):
    pid = start_testdriver(clean, "hold")
    bind(clean, DEMO, pid)
    clean.wait_for(f"testdriver: holding {WINDOW:#x}", timeout=30)
    clean.run("echo synced")
    assert drvinfo(clean)[DEMO] == dict(name="demo", caps="RWMI", owner=pid, mapped=1)
    out = clean.run(f"kill {pid}")
    assert f"[KILL] pid={pid} name=testdriver reason=killed" in out, out
    assert drvinfo(clean)[DEMO]["owner"] is None
    assert wait_exit(clean, pid) == 128 + 9


# --- device memory ----------------------------------------------------------------

def test_map_mem_visible_to_kernel_then_gone_after_unbind(clean):
    pid = start_testdriver(clean, "hold")
    bind(clean, DEMO, pid)
    clean.wait_for(f"testdriver: holding {WINDOW:#x}", timeout=30)
    clean.run("echo synced")
    # What the driver wrote through its mapping is in the kernel's shadow memory.
    detail = clean.run("drvinfo 0")
    assert f"owner={pid} mapped=0x1 " in detail, detail
    assert 'mem text: "SECoS driver space: held"' in detail, detail
    # Unbinding removes the mapping under the running driver: its next read
    # faults. The kernel's [KILL] line may come before or after the
    # command's own line and right after the prompt, so both are awaited
    # in the output rather than through run() (which wants a clean prompt).
    start = len(clean.output)
    clean.send("drvunreg 0\r")
    unreg = f"drvunreg: device 0 (demo) unbound from pid {pid}, 1 page(s) unmapped\r"
    kill = re.compile(rf"\[KILL\] pid={pid} name=testdriver reason=#PF[^\r\n]* rip=0x[0-9a-f]+ addr=(0x[0-9a-f]+)\r")
    m = clean.wait_until(lambda text, pos: unreg in text[start:] and kill.search(text, start), 30,
                         "the unbind line and the driver's [KILL]")
    assert int(m.group(1), 16) == WINDOW
    clean.run("echo synced")
    assert wait_exit(clean, pid) == 128 + 14
    # The next driver finds the device reset: nothing passes between drivers.
    detail = clean.run("drvinfo 0")
    assert 'mem text: ""' in detail and "owner=- mapped=0x0" in detail, detail


def test_use_after_unmap_is_killed(clean):
    pid = start_testdriver(clean, "use-after-unmap")
    bind(clean, DEMO, pid)
    clean.wait_for(f"testdriver: unmapped (DRV_OK), touching {WINDOW:#x}", timeout=30)
    m = clean.wait_for(re.compile(rf"\[KILL\] pid={pid} name=testdriver reason=#PF[^\r\n]* rip=0x[0-9a-f]+ addr=(0x[0-9a-f]+)\r"),
                       timeout=30)
    assert int(m.group(1), 16) == WINDOW
    assert wait_exit(clean, pid) == 128 + 14
    assert "NOT blocked" not in clean.output


# --- rate limiting -------------------------------------------------------------------

def test_rate_limit_configurable_and_audited(clean):
    assert clean.run("drvrate 0 5").startswith("drvrate: need 1..")
    assert clean.run("drvrate 5 0").startswith("drvrate: need 1..")
    assert clean.run("drvrate x y").startswith("drvrate: need 1..")
    assert clean.run("drvrate 1").startswith("usage: drvrate")
    try:
        assert clean.run("drvrate 2 3") == "drvrate: 2 calls/s, burst 3, per (process, opcode)\n"
        clean.run("drvlog clear")
        pid, out = run_testdriver(clean)
        # burst 3: the 4th call in a row is refused; at 2/s the 0.5 s pause refills one.
        m = re.search(r"testdriver: rate limit hit after (\d+) calls", out)
        assert m and int(m.group(1)) <= 4, out
        assert re.search(r"^testdriver: rate_limit expected=DRV_ERR_RATE actual=DRV_ERR_RATE ok$", out, re.M), out
        entries, log = log_lines(clean, f"pid={pid}")
        assert any(e["result"] == "DRV_ERR_RATE" and e["op"] == "READ_REG" for e in entries), log
    finally:
        clean.run("drvrate 100 20")
    assert re.search(r"rate limit: 100 calls/s, burst 20[^\n]*; [1-9]\d* calls refused", clean.run("drvinfo"))


# --- the audit log -----------------------------------------------------------------

def test_log_filters(clean):
    clean.run("drvlog clear")
    pid, _ = run_testdriver(clean)
    everything, out = log_lines(clean)
    assert everything and all(e["pid"] == pid for e in everything), out
    m = re.search(r"^drvlog: (\d+) shown, (\d+) in the log, 0 dropped$", out, re.M)
    assert m and int(m.group(1)) == len(everything) == int(m.group(2)), out
    ticks = [e["tick"] for e in everything]
    assert ticks == sorted(ticks), "oldest first"
    # Successes only when flagged: WRITE_REG was flagged, READ_REG never was.
    assert any(e["op"] == "WRITE_REG" and e["result"] == "DRV_OK" for e in everything), out
    assert not any(e["op"] == "READ_REG" and e["result"] == "DRV_OK" for e in everything), out
    # Bad pointers are audited too, with no device.
    assert any(e["dev"] == "-" and e["result"] == "EFAULT" for e in everything), out

    errors, out = log_lines(clean, "errors")
    assert errors and all(e["result"] != "DRV_OK" for e in errors), out
    assert len(errors) == sum(e["result"] != "DRV_OK" for e in everything)
    for arg, key, want in (("dev=1", "dev", "1"), ("dev=0", "dev", "0"), ("op=3", "code", 3),
                           ("op=map", "code", 3), ("op=READ_REG", "code", 1), ("op=99", "code", 99),
                           (f"pid={pid}", "pid", pid)):
        got, out = log_lines(clean, arg)
        assert got and all(e[key] == want for e in got), (arg, out)
        assert len(got) == sum(e[key] == want for e in everything), (arg, out)
    none, out = log_lines(clean, "pid=99999")
    assert none == [] and out.startswith("drvlog: 0 shown"), out
    for bad in ("dev=", "op=bogus", "pid=x", "nonsense", "errors extra"):
        assert clean.run(f"drvlog {bad}").startswith("usage: drvlog"), bad


def test_log_wraps_keeping_newest(clean):
    clean.run("drvlog clear")
    for _ in range(9):  # 17 audited calls each: more than the 128 entries
        assert "0 failed" in clean.run("drvtest", timeout=60)
    entries, out = log_lines(clean)
    m = re.search(r"^drvlog: (\d+) shown, (\d+) in the log, (\d+) dropped$", out, re.M)
    assert m, out
    shown, held, dropped = map(int, m.groups())
    assert shown == held == len(entries) == 128, out
    assert dropped == 9 * 17 - 128, out
    # The newest survived: the log ends with the last drvtest's last call.
    assert entries[-1]["result"] == "DRV_ERR_RATE" and entries[-1]["pid"] == 0, out
    clean.run("drvlog clear")


def test_badptr_driver_calls_audited(clean):
    clean.run("drvlog clear")
    out = clean.run("run badptr", timeout=120)
    m = re.search(r"^\[EXIT\] pid=(\d+) status=0$", out, re.M)
    assert m and re.search(r"badptr: \d+ checks, 0 failed", out), out
    entries, log = log_lines(clean, f"pid={m.group(1)}")
    assert entries and all(e["result"] == "EFAULT" and e["dev"] == "-" for e in entries), log


# --- resources ------------------------------------------------------------------------

def test_no_frame_leak(clean):
    run_testdriver(clean)  # warm-up: slots, kernel stacks, registry all touched once
    before = parse_mem(clean.run("mem"))
    pid, out = run_testdriver(clean)
    assert "testdriver: " in out and re.search(r"\d+ steps, 0 failed", out), out
    after = parse_mem(clean.run("mem"))
    assert after["phys free"] == before["phys free"], (before, after)
    assert after["heap in use"] == before["heap in use"], (before, after)


def test_drvrun_runs_a_driver_in_the_foreground(clean):
    # The person's one-liner: the console is busy while the driver runs, so
    # the devices are bound before it starts and it never waits for drvreg.
    out = clean.run("drvrun 0,1,2 testdriver", timeout=120)
    assert re.search(r"^drvrun: device 0 \(\w+\) bound to pid (\d+)$", out, re.M), out
    assert "timed out" not in out, out
    steps = STEP_RE.findall(out)
    assert steps and all(s[3] == "ok" for s in steps), out
    assert re.search(r"testdriver: \d+ steps, 0 failed", out), out
    assert re.search(r"^\[EXIT\] pid=\d+ status=0$", out, re.M), out
    assert_all_unbound(clean)


def test_drvrun_errors(clean):
    assert clean.run("drvrun").startswith("usage: drvrun <id>[,<id>...] <name> [args...]")
    assert clean.run("drvrun 0").startswith("usage: drvrun")
    assert clean.run("drvrun 99 testdriver").startswith("drvrun: no device 99")
    assert clean.run("drvrun 0,0 testdriver") == "drvrun: device 0 listed twice\n"
    out = clean.run("drvrun 0 nosuchprog")
    assert out.startswith("error: cannot start nosuchprog"), out
    assert_all_unbound(clean)


def test_run_testdriver_can_be_interrupted(clean):
    # `run testdriver` blocks the console; its hint names drvrun, and Ctrl-C
    # ends the wait instead of 30 s of a frozen console.
    clean.send(b"run testdriver\r")
    clean.wait_for("or start me with: drvrun 0,1,2 testdriver", timeout=60)
    clean.send(b"\x03")
    clean.wait_for(re.compile(r"run: interrupted \(Ctrl-C\): killing pid \d+"), timeout=30)
    clean.wait_for(re.compile(r"\[EXIT\] pid=\d+ status=137\r\nsecos> "), timeout=30)
    assert_all_unbound(clean)
