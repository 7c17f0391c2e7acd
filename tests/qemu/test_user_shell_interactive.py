"""SECoS's own sh, used interactively at the console terminal as a person
would: `sh` at `secos> `, line editing and history, Ctrl-C and Ctrl-Z on a
foreground job, jobs/bg/fg/kill %n, a background reader stopped by SIGTTIN,
and `exit` back to `secos> ` with no process left and the frames back."""
import re
import time

import pytest

PROMPT = re.compile(r"secos> $")
SH = re.compile(r"(/[^\r\n]*)? \$ $")   # the prompt shows the working directory


def sh_prompt(vm, timeout=30):
    return vm.wait_for(SH, timeout=timeout)


def typed(vm, line, expect, timeout=30):
    vm.send(line.encode() + b"\r")
    return vm.wait_for(expect, timeout=timeout)


def free_frames(vm):
    out = vm.run("mem")
    return int(re.search(r"phys free:\s+(\d+) frames", out).group(1))


def processes(vm):
    out = vm.run("ps")
    return [l for l in out.splitlines()[1:] if l.strip() and "[kernel]" not in l]


def enter_shell(vm):
    vm.send(b"sh\r")
    sh_prompt(vm, timeout=60)


def one_session(vm):
    enter_shell(vm)
    typed(vm, "echo one | cat > /tmp/ia.txt && cat /tmp/ia.txt", "one\r\n")
    sh_prompt(vm)
    typed(vm, "sleep 100 &", SH)
    typed(vm, "sleep 200 &", SH)
    typed(vm, "exit", PROMPT)            # its jobs go with it (SIGHUP, as bash's huponexit)
    time.sleep(1)


def test_exit_returns_to_the_console_with_everything_back(initrd_vm):
    vm = initrd_vm
    one_session(vm)                      # warm-up: what the kernel keeps (heap pages, /tmp/ia.txt)
    assert processes(vm) == [], vm.tail(2000)
    before = free_frames(vm)
    one_session(vm)
    assert processes(vm) == [], vm.tail(2000)
    assert free_frames(vm) == before, vm.tail(2000)


def test_prompt_editing_and_history(initrd_vm):
    vm = initrd_vm
    enter_shell(vm)
    typed(vm, "cd /tmp", re.compile(r"/tmp \$ $"))
    vm.send(b"echo abc\x1b[D\x1b[DX\r")             # two lefts, insert X
    vm.wait_for("aXbc\r\n")
    sh_prompt(vm)
    vm.send(b"\x1b[A\r")                             # up: the same line again
    vm.wait_for(re.compile(r"aXbc\r\n.*aXbc\r\n", re.S))
    sh_prompt(vm)
    typed(vm, "nosuch; echo status=$?", "status=127")
    assert "sh: nosuch: not found" in vm.output
    typed(vm, "exit", PROMPT)


def test_ctrl_c_kills_the_foreground_job(initrd_vm):
    vm = initrd_vm
    enter_shell(vm)
    typed(vm, "sleep 100", "sleep 100\r\n")
    time.sleep(1)
    vm.send(b"\x03")
    sh_prompt(vm)
    typed(vm, "echo after=$?", "after=130")
    typed(vm, "exit", PROMPT)


def test_ctrl_z_jobs_bg_fg(initrd_vm):
    vm = initrd_vm
    enter_shell(vm)
    typed(vm, "sleep 100", "sleep 100\r\n")
    time.sleep(1)
    vm.send(b"\x1a")
    vm.wait_for(re.compile(r"\[1\]\+?\s+Stopped\s+sleep 100"))
    sh_prompt(vm)
    typed(vm, "jobs", re.compile(r"\[1\]\+?\s+Stopped\s+sleep 100"))
    typed(vm, "bg", re.compile(r"\[1\]\+? sleep 100 &"))
    typed(vm, "jobs", re.compile(r"\[1\]\+?\s+Running\s+sleep 100"))
    typed(vm, "fg", "sleep 100\r\n")
    time.sleep(1)
    vm.send(b"\x03")
    sh_prompt(vm)
    typed(vm, "jobs; echo none", "none\r\n")
    typed(vm, "exit", PROMPT)
    assert processes(vm) == []


def test_background_reader_is_stopped_by_sigttin(initrd_vm):
    vm = initrd_vm
    enter_shell(vm)
    typed(vm, "cat &", re.compile(r"\[1\] \d+"))
    # cat stops when its read reaches the terminal: how soon depends on the load.
    # ($$ in the marker: the echoed command line never matches it.)
    stopped = re.compile(r"\[1\]\+?\s+Stopped[^\r\n]*cat\r\n[^\r\n]*listed\d+\r\n")
    for _ in range(30):
        vm.send(b"jobs; echo listed$$\r")
        m = vm.wait_for(re.compile(r"listed\d+\r\n"))
        if stopped.search(vm.output, max(0, m.start() - 200)):
            break
        time.sleep(1)
    assert stopped.search(vm.output), vm.tail(1500)
    # A stopped job is continued to receive the signal: the kernel reports the
    # kill, on its own line, whenever it happens.
    typed(vm, "kill %1", re.compile(r"\[KILL\] pid=\d+ name=cat reason=signal 15"))
    vm.send(b"jobs; echo gone$$\r")
    m = vm.wait_for(re.compile(r"gone\d+\r\n"))
    listing = vm.output[vm.output.rfind("jobs; echo gone$$", 0, m.start()):m.start()]
    assert not re.search(r"(Stopped|Running)[^\r\n]*cat", listing), vm.tail(1500)   # gone ("Terminated" at most)
    typed(vm, "exit", PROMPT)
    assert processes(vm) == []
