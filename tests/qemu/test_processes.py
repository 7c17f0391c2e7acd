"""Processes: ring 3, both syscall entries, preemption, per-process FPU state,
faults that kill only the faulting process, hostile pointers, and exact
resource accounting over many spawn/exit/reap rounds."""
from __future__ import annotations

import re

import pytest

from test_memory import parse_mem

FAULT_CASES = {
    # case -> the exception the kill must name
    "null": "#PF", "writecode": "#PF", "execstack": "#PF", "kernel": "#PF", "physmap": "#PF",
    "cli": "#GP", "hlt": "#GP", "in": "#GP", "out": "#GP", "cr3": "#GP", "wrmsr": "#GP",
    "ud2": "#UD", "div0": "#DE",
}


def start_background(vm, cmd: str, banner: str | None = None) -> int:
    """elfload: the program may print after the prompt, so this waits for the
    pid line (and the program's first output) instead of using vm.run."""
    vm.send(cmd + "\r")
    pid = int(vm.wait_for(re.compile(r"elfload: started \S+ as pid (\d+)\r")).group(1))
    if banner:
        vm.wait_for(banner, timeout=60)
    vm.run("echo synced")  # back at a quiet prompt
    return pid


def reap_all(vm, timeout: float = 120.0) -> None:
    """Background programs exit on their own; the shell reports (and reaps)
    them after the next command. Poll until ps shows only the kernel tasks,
    so no late [EXIT] line lands in a later test's output."""
    import time
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ps = vm.run("ps")
        if len([l for l in ps.splitlines()[1:] if l.strip()]) == 2:
            vm.run("echo synced")
            return
        time.sleep(0.2)
    raise AssertionError("background processes still running:\n" + ps)


def test_hello(vm):
    out = vm.run("run hello")
    assert re.search(r"^Hello from user space! pid=\d+$", out, re.M), out
    assert re.search(r"^\[EXIT\] pid=\d+ status=0$", out, re.M), out


def test_args(vm):
    out = vm.run("run args one two three")
    assert "argc=4\n" in out and "argv[0]=args\n" in out and "argv[3]=three\n" in out, out


def test_unknown_program(vm):
    out = vm.run("run nosuchprog")
    assert out.startswith("error: cannot start nosuchprog: no such program"), out


@pytest.mark.parametrize("case", sorted(FAULT_CASES))
def test_fault_kills_only_the_process(vm, case):
    out = vm.run(f"run fault {case}", timeout=60)
    assert f"fault: trying {case}" in out, out
    assert "NOT blocked" not in out, out
    m = re.search(r"^\[KILL\] pid=(\d+) name=fault reason=(\S+) [^\n]*rip=0x[0-9a-f]+ addr=0x[0-9a-f]+$", out, re.M)
    assert m, out
    assert m.group(2) == FAULT_CASES[case], out
    assert vm.run("echo still here") == "still here\n"


def test_badptr_gets_errors_only(vm):
    out = vm.run("run badptr", timeout=120)
    m = re.search(r"badptr: (\d+) checks, (\d+) failed", out)
    assert m and int(m.group(1)) > 100 and m.group(2) == "0", out
    assert "[KILL]" not in out, out
    assert re.search(r"^\[EXIT\] pid=\d+ status=0$", out, re.M)


def test_preemption_lets_hello_finish_beside_spin(vm):
    pid = start_background(vm, "elfload spin", "spinning forever")
    out = vm.run("run hello", timeout=60)
    assert "Hello from user space!" in out and "status=0" in out, out
    ps = vm.run("ps")
    assert re.search(rf"^\s*{pid}\s+1\s+(READY|RUNNING)\s+\d+\s+\d+\s+0 spin$", ps, re.M), ps
    sched = vm.run("sched")
    assert int(re.search(r"preemptions: (\d+)", sched).group(1)) > 0, sched
    out = vm.run(f"kill {pid}")
    assert f"[KILL] pid={pid} name=spin reason=killed" in out, out
    assert f"pid={pid}" not in vm.run("ps").replace("PID", "")


def test_two_fpu_processes_keep_their_state(vm):
    start_background(vm, "elfload fpu 7")
    vm.send("run fpu 11\r")
    for tag in ("7", "11"):
        vm.wait_until(lambda text, pos: f"fpu {tag} OK" in text or f"fpu {tag} MISMATCH" in text or None,
                      180, f"fpu {tag} result")
    vm.wait_until(lambda text, pos: len(re.findall(r"\[EXIT\] pid=\d+ status=\d+", text[pos:])) >= 1 or None, 60, "exit")
    reap_all(vm)
    text = vm.output
    assert "fpu 11 OK" in text and "fpu 7 OK" in text, text[-2000:]
    assert "MISMATCH" not in text


def test_yield_alternates(vm):
    # yield --pair starts its partner itself, so both exist before the first
    # yield: two console commands would race with the second line's arrival.
    out = vm.run("run yield --pair 4", timeout=60)
    seq = "".join(re.findall(r"^yield ([AB]) \d+$", out, re.M))
    assert seq == "ABABABAB", out
    assert re.search(r"^\[EXIT\] pid=\d+ status=0$", out, re.M), out


def test_elfload_elfunload(vm):
    pid = start_background(vm, "elfload spin", "spinning forever")
    out = vm.run("elfunload")
    assert f"pid {pid} destroyed" in out, out
    assert vm.run("elfunload") == "elfunload: nothing loaded\n"


def test_kill_errors(vm):
    assert vm.run("kill 999") == "kill: no process 999\n"
    assert vm.run("kill 1") == "kill: pid 1 is a kernel task\n"
    assert vm.run("kill").startswith("usage: kill <pid>")


def test_spawn_exit_reap_1000_rounds_leak_nothing(vm):
    vm.run("run spawnloop 20 true", timeout=120)  # warm-up: page tables of reused slots
    before = parse_mem(vm.run("mem"))
    out = vm.run("run spawnloop 1000 true", timeout=600)
    assert "spawnloop: 1000 rounds, 0 failed" in out, out
    after = parse_mem(vm.run("mem"))
    assert after["phys free"] == before["phys free"], (before, after)
    assert after["heap in use"] == before["heap in use"], (before, after)
    ps = vm.run("ps")
    assert len([l for l in ps.splitlines()[1:] if l.strip()]) == 2, ps  # idle + kshell only


def test_ps_and_sched_output(vm):
    vm.run("run hello")
    ps = vm.run("ps")
    assert ps.splitlines()[0].split() == ["PID", "PPID", "STATE", "TICKS", "PAGES", "FDS", "NAME"]
    assert re.search(r"^\s+1\s+-1\s+RUNNING\s+\d+\s+0\s+0 kshell \[kernel\]$", ps, re.M), ps
    sched = vm.run("sched")
    for key in ("switches", "preemptions", "yields", "idle ticks", "syscalls"):
        assert key + ":" in sched
    m = re.search(r"syscalls:\s+(\d+) via INT 0x80, (\d+) via SYSCALL", sched)
    assert m and int(m.group(2)) > 0, sched  # (INT 0x80 is exercised by badptr)
