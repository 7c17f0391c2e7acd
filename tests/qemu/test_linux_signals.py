"""Signals, pipes and safe killing for Linux-personality programs (kernel/signal.c,
kernel/linux_signal.c, kernel/sigframe.c, fs/pipe.c). The musl programs check
from inside (t_signal, t_pipe); these tests check what only the console shows:
[KILL] lines, exit statuses, that a forged signal frame never faults the
kernel, and that the shell stays alive."""
from __future__ import annotations

import re

from test_processes import start_background

KILL_RE = re.compile(r"^\[KILL\] pid=(\d+) name=(\S+) reason=(.+?) rip=(0x[0-9a-f]+) addr=(0x[0-9a-f]+)$", re.M)


def status_of(out: str) -> int:
    m = re.search(r"^\[EXIT\] pid=\d+ status=(-?\d+)$", out, re.M)
    assert m, out
    return int(m.group(1))


def no_kernel_fault(out: str) -> None:
    assert "[EXC]" not in out and "[PANIC]" not in out, out


def test_t_signal_all_checks(initrd_vm):
    out = initrd_vm.run("run /bin/t_signal", timeout=60)
    assert "t_signal: 0 failed" in out, out
    assert "FAIL" not in out and "[KILL]" not in out and "[ENOSYS]" not in out, out
    assert status_of(out) == 0
    # The action table (kernel heap, allocated by the first handler) goes with the process.
    before = heap_in_use(initrd_vm)
    out = initrd_vm.run("run /bin/t_signal", timeout=60)
    assert "t_signal: 0 failed" in out, out
    assert heap_in_use(initrd_vm) == before


def test_default_terminate_prints_kill_line(initrd_vm):
    out = initrd_vm.run("run /bin/t_signal term", timeout=30)
    m = KILL_RE.search(out)
    assert m and m.group(2) == "t_signal" and m.group(3) == "signal 15", out
    assert status_of(out) == 128 + 15
    no_kernel_fault(out)


def test_uncaught_fault_is_the_usual_kill_line_with_sigsegv(initrd_vm):
    for mode, addr in (("segv", "0x30"), ("segv-blocked", "0x40")):
        out = initrd_vm.run(f"run /bin/t_signal {mode}", timeout=30)
        m = KILL_RE.search(out)
        assert m and m.group(3) == "#PF page fault" and m.group(5) == addr, out
        assert status_of(out) == 128 + 11, out
        no_kernel_fault(out)


def test_handler_without_restorer_dies_at_delivery(initrd_vm):
    out = initrd_vm.run("run /bin/t_signal norestorer", timeout=30)
    assert "norestorer: sigaction 0" in out, out  # accepted, as on Linux
    m = KILL_RE.search(out)
    assert m and m.group(3) == "bad signal frame", out
    assert status_of(out) == 128 + 11
    assert "still alive" not in out, out


def test_kill_command_ends_a_process_blocked_in_pause(initrd_vm):
    vm = initrd_vm
    pid = start_background(vm, "elfload /bin/t_signal pause", "pausing")
    ps = vm.run("ps")
    assert re.search(rf"^\s*{pid}\s+1\s+BLOCKED\s", ps, re.M), ps
    out = vm.run(f"kill {pid}")
    assert f"[KILL] pid={pid} name=t_signal reason=killed" in out, out
    out = vm.run("ps")
    assert not re.search(rf"^\s*{pid}\s", out, re.M), out
    no_kernel_fault(vm.output)
    assert "FAIL pause" not in vm.output


def heap_in_use(vm) -> tuple[int, int]:
    m = re.search(r"^heap in use:\s+(\d+) bytes in (\d+) blocks$", vm.run("mem"), re.M)
    assert m
    return int(m.group(1)), int(m.group(2))


def test_t_pipe_all_checks_and_the_heap_comes_back(initrd_vm):
    vm = initrd_vm
    vm.run("run /bin/t_pipe", timeout=60)  # warm-up: first-use allocations
    before = heap_in_use(vm)
    out = vm.run("run /bin/t_pipe", timeout=60)
    assert "t_pipe: 0 failed" in out, out
    assert "FAIL" not in out and "[KILL]" not in out and "[ENOSYS]" not in out, out
    assert status_of(out) == 0
    assert heap_in_use(vm) == before


def test_sigpipe_default_kills_the_writer(initrd_vm):
    out = initrd_vm.run("run /bin/t_pipe sigpipe", timeout=30)
    m = KILL_RE.search(out)
    assert m and m.group(3) == "signal 13", out
    assert status_of(out) == 128 + 13
    assert "still alive" not in out


def test_kill_command_ends_a_process_blocked_on_a_pipe(initrd_vm):
    vm = initrd_vm
    before = heap_in_use(vm)
    pid = start_background(vm, "elfload /bin/t_pipe block", "blocking")
    out = vm.run(f"kill {pid}")
    assert f"[KILL] pid={pid} name=t_pipe reason=killed" in out, out
    assert not re.search(rf"^\s*{pid}\s", vm.run("ps"), re.M)
    assert heap_in_use(vm) == before
    assert "FAIL block" not in vm.output
    no_kernel_fault(vm.output)


LANDS = ("ok", "kernel-cs", "rflags")
KILLED = ("rip-noncanonical", "rip-kernel", "rsp-noncanonical", "mxcsr", "fpstate-unmapped", "fpstate-kernel",
          "fpstate-noncanonical", "frame-kernel", "frame-unmapped")


def test_forged_signal_frames_are_contained(initrd_vm):
    vm = initrd_vm
    for mode in LANDS:
        out = vm.run(f"run /bin/t_sigattack {mode}", timeout=30)
        no_kernel_fault(out)
        # The kernel took back the registers, forced user CS/SS and cleared
        # IOPL, NT, AC and TF (a TF left on would end in SIGTRAP).
        assert f"landed {mode} cs=0x23 ss=0x1b iopl=0 nt=0 ac=0 tf=0 if=1 r12=0x1234\n" in out, out
        assert status_of(out) == 0, out
    for mode in KILLED:
        out = vm.run(f"run /bin/t_sigattack {mode}", timeout=30)
        no_kernel_fault(out)
        assert f"forging {mode}" in out and "landed" not in out, out
        m = KILL_RE.search(out)
        assert m and m.group(2) == "t_sigattack" and m.group(3) == "bad signal frame", out
        assert status_of(out) == 128 + 11, out
    assert vm.run("echo alive") == "alive\n"


def test_signal_from_another_process_interrupts_a_sleep_or_a_busy_loop(initrd_vm):
    vm = initrd_vm
    for mode, call in (("sleeper", "nanosleep returned -1 errno 4 handler 1"), ("spinner", " 0 bad, handler 1")):
        pid = start_background(vm, f"elfload /bin/t_signal {mode}", "waiting pid=")
        out = vm.run(f"run /bin/t_signal send {pid} 10", timeout=30)
        assert "send: 0 errno 0" in out, out
        # The program prints after the prompt: look at the whole output.
        want = call
        vm.wait_until(lambda text, pos: want in text or None, 30, want)
        vm.run("echo synced")  # the shell reaps and reports background children before its prompt
        assert re.search(rf"^\[EXIT\] pid={pid} status=0\r$", vm.output, re.M), vm.tail()
        if mode == "sleeper":
            assert "rem ok" in vm.output, vm.tail()
    out = vm.run("run /bin/t_signal send 1 15")
    assert "send: -1 errno 1" in out, out  # the kernel shell: EPERM
    no_kernel_fault(vm.output)


def test_ctrl_c_kills_a_program_blocked_reading_the_console(initrd_vm):
    # The console read returns -EINTR for the pending SIGKILL; the program
    # dies on its way out instead of reading on (it would print "read returned").
    vm = initrd_vm
    vm.send("run /bin/t_signal reader\r")
    vm.wait_for("waiting pid=", timeout=30)
    vm.send("\x03")
    m = vm.wait_for(re.compile(r"\[EXIT\] pid=(\d+) status=(\d+)\r"), timeout=30)
    assert m.group(2) == "137", vm.tail()
    assert re.search(rf"\[KILL\] pid={m.group(1)} name=t_signal reason=killed", vm.output), vm.tail()
    assert "read returned" not in vm.output
    assert vm.run("echo alive") == "alive\n"


def test_interval_timer_sends_sigalrm(initrd_vm):
    """alarm, setitimer and getitimer (ITIMER_REAL): busybox ping paces its
    requests with SIGALRM."""
    out = initrd_vm.run("run /bin/t_itimer", timeout=60)
    assert "t_itimer: 0 failed" in out, out
    assert "[ENOSYS]" not in out, out
