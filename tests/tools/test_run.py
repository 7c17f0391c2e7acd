"""The run targets a person types (make run, run-*, debug): every path puts
QEMU's monitor on the terminal (-serial mon:stdio, so Ctrl-A X quits), says
how to quit, and gives each run its own files."""
import os
import re
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from build_lock import build_lock

REPO = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("SECOS_BUILD", REPO / "build" / "test"))
RUN_TARGETS = ["run", "run-serial", "run-gui", "run-iso", "run-uefi", "run-vnc", "debug"]


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "V")}
    env.update(extra)
    return env


class Run:
    """A run target on a pipe; quit() types Ctrl-A X once it has said how to quit."""

    def __init__(self, cmd, **env):
        self.p = subprocess.Popen(cmd, cwd=REPO, env=clean_env(**env), stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.out = b""
        self.t = threading.Thread(target=self._read, daemon=True)
        self.t.start()

    def _read(self):
        for chunk in iter(lambda: self.p.stdout.read1(4096), b""):
            self.out += chunk

    def text(self):
        return self.out.decode("utf-8", "replace")

    def wait_for(self, what, timeout):
        end = time.monotonic() + timeout
        while what not in self.text():
            assert self.p.poll() is None or what in self.text(), f"exited before {what!r}:\n{self.text()}"
            assert time.monotonic() < end, f"no {what!r} within {timeout} s:\n{self.text()}"
            time.sleep(0.05)

    def quit(self, timeout=20):
        self.p.stdin.write(b"\x01x")
        self.p.stdin.flush()
        try:
            rc = self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            pytest.fail(f"Ctrl-A X did not quit QEMU:\n{self.text()}")
        self.t.join(5)
        return rc


def need(path, target):
    if not path.is_file():
        pytest.skip(f"{path} missing (make CONFIG=test {target})")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_every_run_target_goes_through_run_sh():
    for target in RUN_TARGETS:
        r = subprocess.run(["make", "-n", "--no-print-directory", target], cwd=REPO, env=clean_env(),
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        assert re.search(r"tools/run\.sh \w+$", r.stdout, re.M), f"make {target} does not use tools/run.sh"
        assert "-serial stdio" not in r.stdout, r.stdout
        assert not re.search(r"^qemu-system", r.stdout, re.M), f"make {target} starts QEMU itself"


@pytest.mark.parametrize("mode,needs", [("serial", "kernel.elf"), ("iso", "secos.iso"),
                                        ("uefi", "secos.iso"), ("debug", "kernel.elf")])
def test_ctrl_a_x_quits_every_mode(mode, needs):
    need(BUILD / needs, "kernel initrd iso")
    need(BUILD / "initrd.cpio", "initrd")
    r = Run(["tools/run.sh", mode], BUILD=str(BUILD), GDB_PORT=str(free_port()))
    r.wait_for("Ctrl-A X", 20)
    time.sleep(1)   # QEMU is up and reading its terminal
    assert r.quit() == 0, r.text()
    assert "QEMU: Terminated" in r.text(), r.text()
    if mode == "debug":
        assert re.search(r"target remote 127\.0\.0\.1:\d+", r.text()), r.text()


def test_two_runs_share_no_file():
    need(BUILD / "kernel.elf", "kernel")
    need(BUILD / "initrd.cpio", "initrd")
    runs = [Run(["tools/run.sh", "serial"], BUILD=str(BUILD)) for _ in range(2)]
    logs = []
    for r in runs:
        r.wait_for("[SHELL] ready", 60)
        m = re.search(r"debugcon log: (\S+)", r.text())
        assert m, r.text()
        logs.append(Path(m.group(1)))
        assert logs[-1].stat().st_size > 0, "QEMU did not write the run's debugcon log"
    assert logs[0] != logs[1] and logs[0].parent != logs[1].parent
    for r in runs:
        assert r.quit() == 0, r.text()
    assert not any(p.exists() for p in logs), "a run left its files behind"


def test_make_run_is_quiet_and_says_how_to_quit():
    need(BUILD / "kernel.elf", "kernel")
    # BUILD as make check's build spells it (relative): an absolute path would change
    # the kernel flags (-I<BUILD>/gen) and rebuild the kernel the other tests boot.
    build = os.path.relpath(BUILD, REPO) if BUILD.resolve().is_relative_to(REPO) else str(BUILD)
    with build_lock(BUILD):                 # the build part: QEMU's banner ends it
        r = Run(["make", "--no-print-directory", "CONFIG=test", f"BUILD={build}", "run"])
        r.wait_for("Ctrl-A X", 600)
    time.sleep(1)
    assert r.quit() == 0, r.text()
    assert "is up to date" not in r.text() and "Nothing to be done" not in r.text(), r.text()


def test_net_1_boots_with_the_network_server():
    """NET=1: net=on on the kernel command line, a NIC whose host port
    forwards to the guest's 80; netd gets its address and holds /dev/netsrv.
    Only the -kernel modes take it."""
    need(BUILD / "kernel.elf", "kernel")
    need(BUILD / "initrd.cpio", "initrd")
    if not (BUILD / "user" / "netd" / "netd").is_file():
        pytest.skip("no netd (tools/fetch-lwip.sh could not fetch Debian's lwip source package)")
    port = free_port()
    r = Run(["tools/run.sh", "serial"], BUILD=str(BUILD), NET="1", NET_PORT=str(port))
    r.wait_for(f"127.0.0.1:{port} here reaches the guest's port 80", 20)
    r.wait_for("holds /dev/netsrv", 120)
    assert "netd: eth0 bound 10.0.2.15" in r.text(), r.text()
    assert r.quit() == 0, r.text()
    bad = subprocess.run(["tools/run.sh", "iso"], cwd=REPO, env=clean_env(BUILD=str(BUILD), NET="1"),
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "NET=1 applies to the -kernel modes" in bad.stderr, bad.stderr
