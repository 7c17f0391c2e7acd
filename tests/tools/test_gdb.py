"""A newcomer's `make debug` session: QEMU's gdb stub listens on 127.0.0.1
only, and `gdb -batch` with target remote, break kernel_main, continue, bt
shows a clean backtrace (kernel_main, then the boot stub that called it, and
nothing after it) without DWARF warnings."""
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from test_run import BUILD, REPO, Run, free_port, need


def test_gdb_session_is_clean():
    if not shutil.which("gdb"):
        pytest.skip("gdb not installed (tools/deps.sh installs it)")
    need(BUILD / "kernel.elf", "kernel")
    need(BUILD / "initrd.cpio", "initrd")
    port = free_port()
    qemu = Run(["tools/run.sh", "debug"], BUILD=str(BUILD), GDB_PORT=str(port))
    try:
        qemu.wait_for("Ctrl-A X", 20)
        for _ in range(100):   # the stub is listening once QEMU is up
            ss = subprocess.run(["ss", "-Hltn", f"sport = :{port}"], capture_output=True, text=True).stdout
            if ss.strip():
                break
            time.sleep(0.1)
        listen = re.findall(r"LISTEN\s+\d+\s+\d+\s+(\S+)", ss)
        assert listen == [f"127.0.0.1:{port}"], f"gdb stub listens on {listen}"
        r = subprocess.run(["gdb", "-batch", "-nx", str(BUILD / "kernel.elf"),
                            "-ex", f"target remote 127.0.0.1:{port}", "-ex", "break kernel_main",
                            "-ex", "continue", "-ex", "bt"],
                           cwd=REPO, capture_output=True, text=True, timeout=120)
        out = r.stdout + r.stderr
        assert "Breakpoint 1, kernel_main" in out, out
        assert "warning" not in out.lower() and "not in symtab" not in out, out
        frames = re.findall(r"^#(\d+)\s+(.*)$", out, re.M)
        assert frames and frames[0][1].startswith("kernel_main"), out
        assert len(frames) <= 2, f"frames beyond the boot stub:\n{out}"
        if len(frames) == 2:
            assert re.search(r" in (long_mode_high|_uefi_start) \(\)$", frames[1][1]), out
        assert "?? ()" not in out.split("Breakpoint 1, kernel_main", 1)[1], out
    finally:
        if qemu.p.poll() is None:
            assert qemu.quit() == 0, qemu.text()
