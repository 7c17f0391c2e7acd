"""The process model under the Linux personality: fork, vfork and the
fork-like clones (copy-on-write), execve in place, wait4, process groups and
sessions, orphans. The musl programs t_fork, t_exec and t_wait (user/musl/)
check everything they can see from inside and print "<prog>: 0 failed";
these tests add what only the kernel shows: the [KILL] lines, and that frames,
heap, process slots and the process table are exactly back after storms,
bombs and races."""
from __future__ import annotations

import re
import time

from test_attack import parse_ps, run_line, snapshot, wait_for_kernel_tasks_only


def run_ok(m, line: str, prog: str, timeout: float = 120.0) -> str:
    out = run_line(m, line, timeout=timeout)
    assert f"{prog}: 0 failed" in out, out
    assert "FAIL" not in out, out
    assert re.search(r"^\[EXIT\] pid=\d+ status=0$", out, re.M), out
    return out


def test_fork_vfork_clone(initrd_vm):
    run_ok(initrd_vm, "run /bin/t_fork", "t_fork")


def test_exec(initrd_vm):
    out = run_ok(initrd_vm, "run /bin/t_exec", "t_exec")
    assert "Hello from user space!" in out, out  # the SECoS program ran with its own table


def test_wait_status_groups_orphans(initrd_vm):
    out = run_ok(initrd_vm, "run /bin/t_wait", "t_wait")
    for reason in ("#PF", "#UD", "#DE", "#GP"):  # int3 is a #GP on its DPL-0 gate
        assert re.search(rf"^\[KILL\] pid=\d+ name=t_wait reason={re.escape(reason)}", out, re.M), (reason, out)
    assert "orphan: ppid=1" in out, out  # adopted by the kernel before its parent's wait returned
    wait_for_kernel_tasks_only(initrd_vm)


def leaves_nothing(m, line: str, timeout: float = 180.0) -> str:
    """Runs line once to warm up the kernel's lazily built structures, then
    again between two snapshots that must be equal."""
    run_line(m, line, timeout=timeout)
    wait_for_kernel_tasks_only(m)
    before = snapshot(m)
    out = run_line(m, line, timeout=timeout)
    wait_for_kernel_tasks_only(m)
    after = snapshot(m)
    assert after == before, (before, after, out)
    return out


def test_fork_storm_leaves_nothing(initrd_vm):
    out = leaves_nothing(initrd_vm, "run /bin/t_fork storm 20")
    assert "storm: 20 rounds ok" in out, out


def test_fork_bomb(initrd_vm):
    """The table fills, fork says EAGAIN, everything is reaped, the shell lives."""
    out = leaves_nothing(initrd_vm, "run /bin/t_fork bomb")
    assert re.search(r"bomb: \d+ children", out), out
    assert "FAIL" not in out, out
    assert re.search(r"^\[EXIT\] pid=\d+ status=0$", out, re.M), out
    assert "kshell" in run_line(initrd_vm, "ps")


def test_cow_race_frame_accounting(initrd_vm):
    out = leaves_nothing(initrd_vm, "run /bin/t_fork cowrace 24")
    assert "FAIL" not in out and re.search(r"^\[EXIT\] pid=\d+ status=0$", out, re.M), out


def test_orphans_reaped_by_kernel(initrd_vm):
    out = leaves_nothing(initrd_vm, "run /bin/t_fork orphans 20")
    assert "orphans: 20 left behind" in out, out


def test_exec_leaves_nothing(initrd_vm):
    """Failed execs (E2BIG, ENOEXEC, EFAULT) and successful ones free what
    they built: the new space on failure, the old one on success."""
    leaves_nothing(initrd_vm, "run /bin/t_exec")


def test_exec_argument_bomb(initrd_vm):
    out = leaves_nothing(initrd_vm, "run /bin/t_exec bomb 30")
    assert "t_exec: bomb done" in out, out
    assert re.search(r"^\[EXIT\] pid=\d+ status=0$", out, re.M), out


def test_personality_crossing(initrd_vm):
    """A SECoS program forks and execs a Linux one (SYS_fork, SYS_exec), and a
    SECoS one; each image gets its own table (t_exec checks its auxv and TLS,
    args prints its argv through SECoS's write)."""
    out = run_line(initrd_vm, "run forkexec /bin/t_exec secos")
    assert "t_exec: started by SECoS: ok" in out, out
    assert re.search(r"^forkexec: child \d+ status 0$", out, re.M), out
    out = run_line(initrd_vm, "run forkexec /bin/args x y")
    assert "argc=3\nargv[0]=/bin/args\nargv[1]=x\nargv[2]=y\n" in out, out
    assert re.search(r"^forkexec: child \d+ status 0$", out, re.M), out
    out = run_line(initrd_vm, "run forkexec /bin/no_such_program")
    assert "forkexec: exec /bin/no_such_program failed: -2" in out, out
    assert re.search(r"^forkexec: child \d+ status 100$", out, re.M), out


def start_vforkhold(m) -> tuple[int, int, int]:
    """elfload t_fork vforkhold: (parent pid, child pid, output offset)."""
    start = len(m.output)
    out = run_line(m, "elfload /bin/t_fork vforkhold")
    parent = int(re.search(r"started \S+ as pid (\d+)", out).group(1))
    for _ in range(50):
        rows = [r for r in parse_ps(run_line(m, "ps")) if r[1] == str(parent)]
        if rows:
            return parent, int(rows[0][0]), start
        time.sleep(0.05)
    raise AssertionError(run_line(m, "ps"))


def test_kill_vfork_child_resumes_parent(initrd_vm):
    m = initrd_vm
    run_line(m, "run /bin/t_fork storm 1")  # warm up
    before = snapshot(m)
    parent, child, start = start_vforkhold(m)
    assert "vforkhold: resumed" not in m.output[start:]  # still blocked in vfork
    run_line(m, f"kill {child}")
    m.wait_until(lambda t, p: f"vforkhold: child {child} status 0x9" in t[start:], 10, "the parent's wait")
    wait_for_kernel_tasks_only(m)
    run_line(m, "elfunload")  # reaps the parent (the shell's child)
    assert snapshot(m) == before


def test_kill_vfork_parent_leaves_nothing(initrd_vm):
    m = initrd_vm
    run_line(m, "run /bin/t_fork storm 1")
    before = snapshot(m)
    parent, child, start = start_vforkhold(m)
    run_line(m, "elfunload")  # kills and reaps the blocked parent
    wait_for_kernel_tasks_only(m)  # the orphan ends on its own, the kernel reaps it
    assert "vforkhold: resumed" not in m.output[start:]
    assert snapshot(m) == before


def test_fork_storm_does_not_flood_the_console(initrd_vm):
    """A missing call the parent already logged is not logged again by each
    of its children (here: whatever musl's fork uses that SECoS lacks)."""
    out = run_line(initrd_vm, "run /bin/t_fork storm 5")
    assert "storm: 5 rounds ok" in out, out
    numbers = re.findall(r"^\[ENOSYS\] pid=\d+ name=t_fork nr=(\d+)$", out, re.M)
    assert len(numbers) == len(set(numbers)), out
