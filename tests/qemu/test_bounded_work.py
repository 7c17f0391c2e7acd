"""Bounded work per system call: kernel code is not preemptible, so a long
call must yield between chunks. A 4 MiB write() to the console runs for tens
of seconds under TCG; the console shell must answer a command long before
that write returns."""
from __future__ import annotations

import re
import time


def test_console_answers_during_a_4mib_write(vm):
    vm.send("elfload bigwrite 4\r")
    pid = int(vm.wait_for(re.compile(r"elfload: started \S+ as pid (\d+)\r")).group(1))
    vm.wait_for("bigwrite: writing 4194304 bytes", timeout=60)
    time.sleep(0.5)                       # well into the write
    with vm._cond:
        mark = len(vm._text)
    vm.send("ps\r")
    # ps's header is not in what we typed: only the shell's answer has it.
    row = re.compile(rf"^\s*{pid}\s+1\s+\S+.*bigwrite", re.M)
    vm.wait_until(lambda text, pos: "PPID" in text[mark:] and row.search(text, mark), 60, "ps output")
    with vm._cond:
        answered = vm._text[mark:]
    assert "bigwrite: done" not in answered, "the shell answered only after the write had finished"
    # The writer is killable meanwhile, and nothing is left behind.
    vm.send(f"kill {pid}\r")
    vm.wait_for(re.compile(rf"\[KILL\] pid={pid} name=bigwrite reason=killed"), timeout=60)
    time.sleep(0.3)
    vm.run("echo synced", timeout=60)
    out = vm.run("ps")
    assert "bigwrite" not in out, out
    assert vm.run("echo still here") == "still here\n"


def test_huge_bss_is_not_zeroed_at_spawn(vm):
    """bigbss has 48 MiB of bss and touches one page of it: spawning it
    maps only the file's pages, the bss is demand-zero."""
    vm.send("elfload bigbss\r")
    pid = int(vm.wait_for(re.compile(r"elfload: started \S+ as pid (\d+)\r")).group(1))
    vm.wait_for("bigbss: ready", timeout=60)
    out = vm.run("ps")
    row = re.search(rf"^\s*{pid}\s+1\s+\S+\s+\d+\s+(\d+)\s+\d+\s+bigbss$", out, re.M)
    assert row, out
    assert int(row.group(1)) < 64, out     # a few code/data/stack pages, not 12288
    deadline = time.monotonic() + 30
    while "bigbss" in vm.run("ps"):
        assert time.monotonic() < deadline
        time.sleep(0.3)
    vm.run("echo synced")
