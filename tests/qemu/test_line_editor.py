"""The console's line editor over serial, as a terminal sends the keys:
cursor keys, Home/End/Delete, history, readline's control keys, Ctrl-C for
the line and for the program `run` waits for, and the prompt coming back
after a background program's output."""
import re
import time

import pytest

UP, DOWN, LEFT, RIGHT = b"\x1b[A", b"\x1b[B", b"\x1b[D", b"\x1b[C"
HOME, END, DELETE = b"\x1b[1~", b"\x1b[4~", b"\x1b[3~"


def alive(vm):
    assert vm.run("echo still here") == "still here\n"


@pytest.mark.parametrize("keys,want", [
    (b"echo helo" + LEFT + b"l", "hello"),
    (b"echo helo\x1bODl", "hello"),                         # SS3 form (application cursor keys)
    (b"cho hi" + HOME + b"e", "hi"),
    (b"cho hi\x1b[He", "hi"),                               # xterm Home
    (b"echo hxi" + LEFT + LEFT + DELETE, "hi"),
    (b"echo hi" + HOME + END + b"!", "hi!"),
    (b"cho hi\x01e", "hi"),                                  # Ctrl-A
    (b"echo h\x01\x05i", "hi"),                              # Ctrl-A, Ctrl-E
    (b"garbage\x15echo ok", "ok"),                           # Ctrl-U
    (b"echo one two\x17three", "one three"),                 # Ctrl-W
    (b"echo keep drop" + LEFT * 5 + b"\x0b", "keep"),        # Ctrl-K
    (b"echo a\x1b[5~\x1b[2~\x1b[15~\x1b[1;5Cb", "ab"),      # PgUp, Insert, F5, Ctrl-Right: consumed
])
def test_editing_keys(vm, keys, want):
    out = vm.run(keys)
    assert out == want + "\n", (keys, out)
    assert "[" not in out and "~" not in out


def test_up_recalls_history_not_unknown_command(vm):
    assert vm.run("echo first") == "first\n"
    assert vm.run("echo second") == "second\n"
    assert vm.run(UP) == "second\n"
    assert vm.run(UP + UP) == "first\n"
    # History now: first, second, first (a repeat of the newest is kept once).
    assert vm.run(UP + UP + UP + DOWN) == "second\n"
    assert vm.run(UP + DOWN + DOWN) == ""  # back to the empty new line


def test_ctrl_c_cancels_the_line(vm):
    vm.send(b"echo never\x03")
    vm.wait_for("^C\r\nsecos> ")
    alive(vm)


def test_ctrl_c_interrupts_run(vm):
    vm.send(b"run spin\r")
    vm.wait_for("spinning forever", timeout=30)
    time.sleep(0.3)
    t0 = time.monotonic()
    vm.send(b"\x03")
    vm.wait_for(re.compile(r"run: interrupted \(Ctrl-C\): killing pid (\d+)"), timeout=30)
    vm.wait_for(re.compile(r"\[EXIT\] pid=\d+ status=137\r\nsecos> "), timeout=30)
    assert time.monotonic() - t0 < 30
    assert "[PANIC]" not in vm.output
    ps = vm.run("ps")
    assert "spin" not in ps, ps
    alive(vm)


def test_ctrl_c_reaches_nothing_when_idle(vm):
    # Ctrl-C at an empty prompt only cancels the (empty) line.
    vm.send(b"\x03")
    vm.wait_for("^C\r\nsecos> ")
    alive(vm)


def test_background_output_redraws_prompt_and_partial_line(vm):
    out = vm.run("elfload hello --after 700")
    assert "started hello" in out, out
    vm.send(b"echo par")
    # The output starts on its own line and the prompt comes back with the
    # half-typed line after it.
    vm.wait_for(re.compile(r"echo par\r\nHello from user space! pid=\d+\r\nsecos> echo par"), timeout=30)
    out = vm.run(b"tial")
    assert out.startswith("partial\n") and "[EXIT] pid=" in out, out  # then the reaped background program
    alive(vm)
