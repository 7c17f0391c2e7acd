"""Job control and poll/select for Linux-personality programs (kernel/signal.c
stop and continue, kernel/pgrp.c orphaned groups, kernel/linux_wait.c,
fs/poll.c). The musl programs t_jobs and t_poll check from inside; their
output is compared with the same static binaries run on the host's Linux
(lines starting with "info:" carry times and are left out). These tests add
the attack cases and what only the kernel shows: `ps`, and that frames, heap
and process slots are back after a stop/continue storm."""
from __future__ import annotations

import re
import subprocess

import pytest

from secos import BUILD
from test_attack import run_line, snapshot, wait_for_kernel_tasks_only
from test_processes import start_background

MUSL = BUILD / "user" / "musl"


def checks(out: str) -> list[str]:
    """The comparable lines: the checks and the summary."""
    return [l for l in out.splitlines() if re.match(r"^(ok |FAIL |t_\w+: \d+ failed)", l)]


def run_ok(m, line: str, prog: str, timeout: float = 120.0) -> str:
    out = run_line(m, line, timeout=timeout)
    assert f"{prog}: 0 failed" in out, out
    assert "FAIL" not in out and "[ENOSYS]" not in out, out  # [KILL] lines: children killed on purpose
    assert re.search(r"^\[EXIT\] pid=\d+ status=0$", out, re.M), out
    return out


def host(prog: str, *args: str) -> str:
    p = subprocess.run([str(MUSL / prog), *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60,
                       start_new_session=True)
    return p.stdout.decode()


@pytest.mark.parametrize("prog", ["t_jobs", "t_poll"])
def test_same_as_linux(initrd_vm, prog):
    out = run_ok(initrd_vm, f"run /bin/{prog}", prog)
    assert checks(out) == checks(host(prog)), out


def test_poll_attack_cases(initrd_vm):
    run_ok(initrd_vm, "run /bin/t_poll attack", "t_poll attack")


def test_poll_on_the_console(initrd_vm):
    """fd 0 is not ready until a byte arrives; the arrival wakes the poll."""
    vm = initrd_vm
    vm.send("run /bin/t_poll stdin\r")
    vm.wait_for("stdin before: r=0 revents=0", timeout=30)
    vm.send("hello\r")
    m = vm.wait_for(re.compile(r"\[EXIT\] pid=\d+ status=(\d+)\r"), timeout=60)
    assert "stdin: r=1 revents=0x1 read 6 bytes 'hello'" in vm.output, vm.tail()
    assert m.group(1) == "0", vm.tail()


def test_stopped_process_shows_in_ps(initrd_vm):
    """A stopped process is STOPPED in the console's ps and T in /proc; the
    console's kill (SIGKILL) ends it."""
    vm = initrd_vm
    pid = start_background(vm, "elfload /bin/t_jobs stopme", "stopping")
    ps = run_line(vm, "ps")
    assert re.search(rf"^\s*{pid}\s+1\s+STOPPED\s", ps, re.M), ps
    out = run_line(vm, f"run /bin/busybox cat /proc/{pid}/stat")
    assert re.search(rf"^{pid} \(t_jobs\) T ", out, re.M), out
    out = run_line(vm, f"kill {pid}")
    assert f"[KILL] pid={pid} name=t_jobs reason=killed" in out, out
    ps = run_line(vm, "ps")
    assert not re.search(rf"^\s*{pid}\s", ps, re.M), ps
    assert "resumed" not in vm.output


def test_stop_continue_storm_leaves_nothing(initrd_vm):
    """Stops and continues from another process, then every signal to a
    stopped one: contained, and everything is back."""
    m = initrd_vm
    run_line(m, "run /bin/t_jobs storm 5", timeout=120)
    wait_for_kernel_tasks_only(m)
    before = snapshot(m)
    out = run_line(m, "run /bin/t_jobs storm 200", timeout=300)
    assert "storm: 200 rounds, 200 stops, still stopped after everything, then Illegal instruction" in out, out
    assert re.search(r"^\[EXIT\] pid=\d+ status=0$", out, re.M), out
    wait_for_kernel_tasks_only(m)
    assert snapshot(m) == before, out
    assert host("t_jobs", "storm", "20").startswith("storm: 20 rounds, 20 stops, still stopped after everything, "
                                                     "then Illegal instruction"), "Linux differs"
