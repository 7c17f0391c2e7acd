"""The console terminal (tty/): termios, canonical editing, raw mode, echo,
CR/NL mapping, the window size, process groups and the controlling
terminal, job-control signals, the hand-over between the kernel console and
user sessions, busybox's interactive sh and vi over the serial line, and
hostile input. Programs: user/musl/t_tty.c (its usage line says the modes)."""
from __future__ import annotations

import os
import re
import time

import pytest

# The test initrd's /data (tests/data/initrd/data): `ls /data | wc -l` counts it.
DATA = os.path.join(os.path.dirname(__file__), "..", "data", "initrd", "data")

EXIT = re.compile(r"\[EXIT\] pid=(\d+) status=(-?\d+)\r\n")
PROMPT = "secos> "


def start(vm, cmd: str, ready: str = "ready\r\n", timeout: float = 60):
    vm.send(cmd + "\r")
    vm.wait_for(ready, timeout=timeout)


def finish(vm, timeout: float = 60) -> tuple[str, int]:
    """Waits for the program's [EXIT] line and the prompt: (what it printed, status)."""
    begin = vm._pos
    m = vm.wait_for(EXIT, timeout=timeout)
    body = vm.output[begin:m.start()]
    vm.wait_for(PROMPT, timeout=30)
    time.sleep(0.2)
    return body.replace("\r\n", "\n"), int(m.group(2))


def lines(body: str) -> list[bytes]:
    return [bytes.fromhex(h) for h in re.findall(r"line \d+ <([0-9a-f]*)>", body)]


def alive(vm):
    assert vm.run("echo alive") == "alive\n"
    assert "[PANIC]" not in vm.output and "[EXC]" not in vm.output


def tty_stats(vm) -> dict:
    out = vm.run("tty")
    m = re.search(r"buffered (\d+), dropped (\d+), received (\d+)", out)
    assert m, out
    return {"buffered": int(m[1]), "dropped": int(m[2]), "received": int(m[3]), "text": out}


def run_checks(vm, cmd: str, timeout: float = 60) -> str:
    out = vm.run(f"run /bin/t_tty {cmd}", timeout=timeout)
    assert "FAIL" not in out and re.search(r"^t_tty: 0 failed$", out, re.M), out
    assert re.search(r"^\[EXIT\] pid=\d+ status=0$", out, re.M), out
    return out


def test_usage(initrd_vm):
    out = initrd_vm.run("run /bin/t_tty --help")
    assert "usage: t_tty termios|lines N|raw N" in out, out


def test_termios_round_trip_and_nonsense_values(initrd_vm):
    run_checks(initrd_vm, "termios")


def test_canonical_editing(initrd_vm):
    vm = initrd_vm
    start(vm, "run /bin/t_tty lines 6")
    vm.send(b"abx\x7fc\r")                # VERASE
    vm.send(b"junk words\x15ok\r")        # VKILL
    vm.send(b"one two  \x17three\r")      # VWERASE
    vm.send(b"\x7f\x7f\r")                # erase on an empty line: nothing
    vm.send(b"hi\x04")                    # VEOF ends a line without a newline
    vm.send(b"\x04")                      # VEOF on an empty line: end of file
    body, st = finish(vm)
    assert lines(body) == [b"abc\n", b"ok\n", b"one three\n", b"\n", b"hi"], body
    assert re.search(r"^eof$", body, re.M), body
    # The echo: typed characters, erase as backspace-space-backspace, CR LF.
    assert "abx\x08 \x08c" in vm.output
    alive(vm)


def test_raw_mode_all_256_bytes(initrd_vm):
    vm = initrd_vm
    data = bytes(range(256))
    start(vm, "run /bin/t_tty raw 256")
    vm.send(data)
    body, st = finish(vm)
    m = re.search(r"^raw 256 <([0-9a-f]+)>$", body, re.M)
    assert m and bytes.fromhex(m[1]) == data, body
    # Nothing was echoed and no signal fired (^C, ^Z, ^\ are bytes now).
    assert st == 0, body
    alive(vm)


def test_echo_off(initrd_vm):
    vm = initrd_vm
    start(vm, "run /bin/t_tty noecho")
    mark = len(vm.output)
    vm.send(b"hunter2\r")
    body, st = finish(vm)
    assert lines(body) == [b"hunter2\n"], body
    assert "hunter2" not in vm.output[mark:vm.output.index("line 8")], vm.output[mark:]


def test_icrnl_and_onlcr(initrd_vm):
    vm = initrd_vm
    echo, out = vm.run_raw("run /bin/t_tty output")
    assert "<a\r\nb\r\n>" in out, repr(out)     # OPOST ONLCR
    assert "<c\nd\n>" in out, repr(out)         # ONLCR off: LF alone
    assert "<e\nf\n>" in out, repr(out)         # OCRNL
    assert "<g\rh\n>" in out, repr(out)         # no OPOST: bytes as they are
    # ICRNL: the CR typed ends the line as a NL (test_canonical_editing reads "\n").


def test_window_size(initrd_vm):
    out = run_checks(initrd_vm, "winsz")
    assert re.search(r"^size 80x25$", out, re.M), out   # -kernel boots into VGA text 80x25


def test_process_group_and_controlling_terminal_rules(initrd_vm):
    run_checks(initrd_vm, "pgrp")


def test_background_reader_gets_sigttin_and_tostop_writer_sigttou(initrd_vm):
    run_checks(initrd_vm, "jobs")


def test_dev_tty_and_dev_console(initrd_vm):
    out = run_checks(initrd_vm, "devtty")
    assert "via /dev/tty\n" in out and "via /dev/console\n" in out, out
    out = initrd_vm.run("run /bin/busybox ls -l /dev/tty /dev/console")
    assert re.search(r"^crw.* 5,\s+0 .*/dev/tty$", out, re.M), out
    assert re.search(r"^crw.* 5,\s+1 .*/dev/console$", out, re.M), out


def test_nonblocking_read(initrd_vm):
    run_checks(initrd_vm, "nonblock")


def test_isig_reaches_the_foreground_group(initrd_vm):
    # Started through sh, which execs it: a session leader the console lent
    # the terminal to without its run-style Ctrl-C kill.
    vm = initrd_vm
    start(vm, "sh -c exec${IFS}/bin/t_tty${IFS}isig")
    vm.send(b"\x03")
    vm.wait_for("ready2\r\n", timeout=30)
    time.sleep(1)   # it prints ready2, then reads: the signal must find it in the read
    vm.send(b"\x1c")
    body, st = finish(vm)
    assert "parent got SIGINT" in vm.output and "ok child got SIGINT too" in vm.output, vm.tail()
    assert "ok SIGQUIT interrupts a read" in body, body
    assert "^C" in vm.output and "^\\" in vm.output   # ECHOCTL
    assert st == 0
    alive(vm)


def test_ctrl_c_in_run_still_kills(initrd_vm):
    vm = initrd_vm
    start(vm, "run /bin/t_tty lines 1")
    vm.send(b"\x03")
    vm.wait_for(re.compile(r"run: interrupted \(Ctrl-C\): killing pid \d+"), timeout=30)
    m = vm.wait_for(EXIT, timeout=30)
    assert m.group(2) == "137"
    vm.wait_for(PROMPT)
    alive(vm)


def test_hand_over_bytes_arrive_once_at_the_right_reader(initrd_vm):
    vm = initrd_vm
    # Before: typed right behind the command line, it is the program's.
    vm.send(b"run /bin/t_tty lines 2\rbefore\r")
    vm.wait_for("ready\r\n", timeout=60)
    # During.
    vm.send(b"during\r")
    body, st = finish(vm)
    assert lines(body) == [b"before\n", b"during\n"], body
    # After: the console's again, and only the console's.
    assert vm.run("echo after") == "after\n"
    # Typed during a run but not read: back to the console, once.
    vm.send(b"run /bin/t_tty lines 1\r")
    vm.wait_for("ready\r\n", timeout=60)
    vm.send(b"one\recho left\r")
    body, st = finish(vm)
    assert lines(body) == [b"one\n"], body
    # "echo left" was typed during the run, not read by it: the console runs it.
    vm.wait_for("left\r\n" + PROMPT, timeout=30)
    assert vm.output.count("left\r\n" + PROMPT) == 1
    s = tty_stats(vm)
    assert "the kernel console has the terminal" in s["text"] and s["buffered"] == 0, s
    alive(vm)


def test_termios_restored_after_a_program(initrd_vm):
    vm = initrd_vm
    start(vm, "run /bin/t_tty raw 3")
    vm.send(b"xyz")
    finish(vm)
    run_checks(vm, "termios")   # checks the defaults first


def test_flood_while_the_reader_sleeps(initrd_vm):
    vm = initrd_vm
    before = tty_stats(vm)
    # Lines: the serial line is held back while the buffer is full of them,
    # so none is lost even beyond its size.
    line = bytes(ord("a") + k % 26 for k in range(99)) + b"\r"
    start(vm, "run /bin/t_tty sleepread 3000 60")
    vm.send(line * 60, burst=True)
    body, st = finish(vm, timeout=120)
    got = re.findall(r"^got (\d+) sum \w+ pattern (\w+)$", body, re.M)
    assert got == [("100", "ok")] * 60, body
    after = tty_stats(vm)
    assert after["dropped"] == before["dropped"], (before, after)
    alive(vm)


def test_64k_line_is_cut_at_the_buffer_and_counted(initrd_vm):
    vm = initrd_vm
    before = tty_stats(vm)
    big = bytes(ord("a") + k % 26 for k in range(65536))
    start(vm, "run /bin/t_tty sleepread 100 2")
    vm.send(big + b"\r" + b"short\r", burst=True)
    body, st = finish(vm, timeout=180)
    got = re.findall(r"^got (\d+) sum \w+ pattern (\w+)$", body, re.M)
    # 4095 bytes of the line and its end: never overwritten, the rest dropped.
    assert got == [("4096", "ok"), ("6", "broken")] or got[0] == ("4096", "ok"), body
    after = tty_stats(vm)
    assert after["dropped"] - before["dropped"] == 65536 - 4095, (before, after)
    alive(vm)


def check_poll(vm):
    """Busybox's line editing and vi wait in poll(2) on the terminal
    (LINUX_ABI.md §4 D): it must see a typed line become readable."""
    vm.send("run /bin/t_tty poll\r")
    m = vm.wait_for(re.compile(r"ready\r\n|poll: ENOSYS"), timeout=60)
    assert m.group(0) != "poll: ENOSYS", "poll(2) is missing"
    vm.send(b"ab\r")
    body, st = finish(vm)
    assert st == 0 and "FAIL" not in body, body


def test_poll_on_the_terminal(initrd_vm):
    check_poll(initrd_vm)


def test_busybox_sh_interactive(initrd_vm):
    vm = initrd_vm
    check_poll(vm)
    start(vm, "session /bin/busybox sh -i", ready="/ # ", timeout=60)
    vm.send(b"echo one | cat\r")
    vm.wait_for("one\r\n/ # ", timeout=30)
    # Line editing: left arrows, insert, then history (up) and run it again.
    vm.send(b"echo abc\x1b[D\x1b[DX\r")
    vm.wait_for("aXbc\r\n", timeout=30)
    vm.send(b"\x1b[A\r")
    vm.wait_for("aXbc\r\n", timeout=30)
    vm.send(b"ls /data | wc -l\r")
    vm.wait_for(re.compile(r"^\s*%d\r\n" % len(os.listdir(DATA)), re.M), timeout=30)
    # Ctrl-C at the prompt is SIGINT for sh: a fresh prompt, sh lives.
    vm.send(b"sleep 100\r")
    time.sleep(1)
    vm.send(b"\x03")
    vm.send(b"echo still\r")
    vm.wait_for("still\r\n", timeout=30)
    vm.send(b"exit\r")
    m = vm.wait_for(EXIT, timeout=30)
    assert m.group(2) == "0"
    vm.wait_for(PROMPT)
    assert "poll: Function not implemented" not in vm.output
    alive(vm)
    s = tty_stats(vm)
    assert "the kernel console has the terminal" in s["text"], s


def test_busybox_vi_edits_a_file(initrd_vm):
    vm = initrd_vm
    check_poll(vm)
    start(vm, "run /bin/busybox vi /tmp/vi.txt", ready="/tmp/vi.txt", timeout=60)
    time.sleep(1)
    vm.send(b"ihello tty\x1b")
    time.sleep(0.5)
    vm.send(b"oline two\x1b")
    time.sleep(0.5)
    vm.send(b"0xx")             # cut two characters of "line two"
    time.sleep(0.5)
    vm.send(b":wq\r")
    body, st = finish(vm)
    assert st == 0, body
    out = vm.run("run /bin/busybox cat /tmp/vi.txt")
    assert out.startswith("hello tty\nne two\n"), out
    alive(vm)


def test_terminal_churn_leaks_nothing(initrd_vm):
    """Opening /dev/tty and /dev/console, sessions that take and give back
    the terminal, children in other sessions: the heap and the process table
    are as before."""
    from test_linux_files import heap_in_use
    vm = initrd_vm
    run_checks(vm, "devtty")   # warm-up: first-use allocations
    run_checks(vm, "pgrp")
    before = heap_in_use(vm)
    slots = vm.run("sched")
    for _ in range(3):
        run_checks(vm, "devtty")
        run_checks(vm, "pgrp")
        run_checks(vm, "jobs")
    time.sleep(1.5)   # pgrp's other-session child sleeps 1 s before it exits
    assert heap_in_use(vm) == before
    assert re.search(r"processes:\s+(\d+)", vm.run("sched"))[1] == re.search(r"processes:\s+(\d+)", slots)[1]
