"""Drive SECoS in QEMU over its serial console.

A Machine starts one QEMU process (always with -no-reboot and -display none),
collects everything the guest writes on COM1 in a reader thread, and lets a
test wait for output and run shell commands:

    with Machine("kernel", memory="512M") as m:
        m.boot()                       # waits for "[SHELL] ready" + prompt
        out = m.run("echo hi")         # -> "hi\\n"
        m.poweroff()                   # asserts QEMU exits with status 0

Boot configurations (CONFIGS): "kernel" (-kernel build/kernel.elf, Multiboot 1),
"iso-bios" (SeaBIOS, -machine pc -cdrom secos.iso), "iso-uefi" (OVMF, q35,
-cdrom secos.iso) and "esp-uefi" (OVMF, q35, esp.img as a raw disk).

Paths come from the environment so the suite can run against other builds:
SECOS_BUILD (default <repo>/build), SECOS_KERNEL, SECOS_ISO, SECOS_ESP,
SECOS_QEMU (default qemu-system-x86_64), SECOS_OVMF_CODE, SECOS_OVMF_VARS,
SECOS_BOOT_TIMEOUT (seconds, overrides every configuration's boot timeout).

Every QEMU is killed when its Machine closes, when a hard lifetime runs out,
at interpreter exit, and (via PR_SET_PDEATHSIG) when the test process dies.
"""
from __future__ import annotations

import atexit
import ctypes
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional, Pattern, Union

REPO = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("SECOS_BUILD", REPO / "build"))
QEMU = os.environ.get("SECOS_QEMU", "qemu-system-x86_64")
OVMF_CODE = Path(os.environ.get("SECOS_OVMF_CODE", "/usr/share/OVMF/OVMF_CODE_4M.fd"))
OVMF_VARS = Path(os.environ.get("SECOS_OVMF_VARS", "/usr/share/OVMF/OVMF_VARS_4M.fd"))

PROMPT = "secos> "
SHELL_READY = "[SHELL] ready"
FAULT_RE = re.compile(r"\[(?:EXC|PANIC)\][^\r\n]*")
# Quiet time that confirms a prompt really ends a command's output.
SETTLE = float(os.environ.get("SECOS_SETTLE", "0.05"))
# How much output to quote in timeout messages.
TAIL_BYTES = 2048


def kernel_path() -> Path:
    return Path(os.environ.get("SECOS_KERNEL", BUILD / "kernel.elf"))


def iso_path() -> Path:
    return Path(os.environ.get("SECOS_ISO", BUILD / "secos.iso"))


def esp_path() -> Path:
    return Path(os.environ.get("SECOS_ESP", BUILD / "esp.img"))


@dataclass(frozen=True)
class BootConfig:
    name: str
    image: Callable[[], Path]       # the file this configuration boots
    boot_path: str                  # what `info` must report as the boot path
    boot_timeout: float             # seconds from QEMU start to the prompt
    uefi: bool = False
    make_target: str = ""           # what builds the image (for skip messages)


CONFIGS = {
    "kernel": BootConfig("kernel", kernel_path, "multiboot1", 60.0, make_target="make kernel"),
    "iso-bios": BootConfig("iso-bios", iso_path, "multiboot2", 120.0, make_target="make iso"),
    "iso-uefi": BootConfig("iso-uefi", iso_path, "uefi", 180.0, uefi=True, make_target="make iso"),
    "esp-uefi": BootConfig("esp-uefi", esp_path, "uefi", 180.0, uefi=True, make_target="make esp"),
}


class MachineError(AssertionError):
    """A wait timed out, QEMU died early, or it exited badly."""


@dataclass
class BootRecord:
    """One boot, for the end-of-run summary."""
    config: str
    memory: str
    seconds: Optional[float]        # QEMU start -> "[SHELL] ready"; None if never reached
    test: str = ""
    exit_status: Optional[int] = None
    faults: list = field(default_factory=list)

    def as_dict(self) -> dict:
        return dict(config=self.config, memory=self.memory, seconds=self.seconds,
                    test=self.test, exit_status=self.exit_status, faults=list(self.faults))


# Every boot of this process; conftest.py reports them (and ships them from
# xdist workers to the controller).
BOOT_RECORDS: list[BootRecord] = []
_LIVE: "set[Machine]" = set()
_LIVE_LOCK = threading.Lock()


def _kill_all_live() -> None:
    with _LIVE_LOCK:
        machines = list(_LIVE)
    for m in machines:
        m.kill()


atexit.register(_kill_all_live)

_PR_SET_PDEATHSIG = 1


def _child_setup() -> None:  # runs in the forked child before exec
    # Own process group, so a kill reaches nothing else; and die with the parent.
    os.setpgid(0, 0)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except Exception:
        pass


class Machine:
    """One QEMU running SECoS. Use as a context manager or call close()."""

    def __init__(self, config: str = "kernel", memory: str = "512M", extra_args=(),
                 boot_timeout: Optional[float] = None, lifetime: float = 900.0,
                 label: str = "", workdir: Optional[Path] = None):
        if config not in CONFIGS:
            raise ValueError(f"unknown boot configuration {config!r}; have {sorted(CONFIGS)}")
        self.cfg = CONFIGS[config]
        self.config = config
        self.memory = memory
        self.extra_args = list(extra_args)
        env_timeout = os.environ.get("SECOS_BOOT_TIMEOUT")
        self.boot_timeout = (boot_timeout if boot_timeout is not None
                             else float(env_timeout) if env_timeout else self.cfg.boot_timeout)
        self.lifetime = lifetime
        self.label = label
        self._own_tmp = workdir is None
        self.tmp = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix=f"secos-{config}-"))
        self.debugcon_path = self.tmp / "debugcon.log"
        self.serial_log_path = self.tmp / "serial.log"
        self.stderr_path = self.tmp / "qemu-stderr.log"
        self.proc: Optional[subprocess.Popen] = None
        self._buf = bytearray()
        self._text = ""              # latin-1 view of _buf (1 byte = 1 char)
        self._eof = False
        self._cond = threading.Condition()
        self._pos = 0                # where the next wait_for starts searching
        self._reader: Optional[threading.Thread] = None
        self._watchdog: Optional[threading.Timer] = None
        self._stderr_file = None
        self.start_time: Optional[float] = None
        self.boot_seconds: Optional[float] = None
        self.record: Optional[BootRecord] = None
        self.exit_status: Optional[int] = None

    # -- process --------------------------------------------------------------
    def command(self) -> list[str]:
        image = self.cfg.image()
        cmd = [QEMU, "-m", self.memory, "-no-reboot", "-display", "none",
               "-monitor", "none", "-serial", "stdio",
               "-debugcon", f"file:{self.debugcon_path}"]
        if self.config == "kernel":
            cmd += ["-kernel", str(image)]
        elif self.config == "iso-bios":
            cmd += ["-machine", "pc", "-cdrom", str(image)]
        else:
            vars_copy = self.tmp / "OVMF_VARS.fd"
            shutil.copyfile(OVMF_VARS, vars_copy)
            cmd += ["-machine", "q35",
                    "-drive", f"if=pflash,format=raw,readonly=on,file={OVMF_CODE}",
                    "-drive", f"if=pflash,format=raw,file={vars_copy}"]
            if self.config == "iso-uefi":
                cmd += ["-cdrom", str(image)]
            else:  # esp-uefi: snapshot=on keeps writes away from the image
                cmd += ["-drive", f"format=raw,snapshot=on,file={image}"]
        return cmd + self.extra_args

    def start(self) -> "Machine":
        if self.proc is not None:
            raise RuntimeError("machine already started")
        image = self.cfg.image()
        if not image.exists():
            raise FileNotFoundError(f"{image} does not exist (run `{self.cfg.make_target}`)")
        cmd = self.command()
        self.cmdline = cmd
        self._stderr_file = open(self.stderr_path, "wb")
        # preexec_fn's PDEATHSIG fires when the *thread* that forked exits, so
        # only ask for it from the main thread (pytest and xdist run tests there).
        main = threading.current_thread() is threading.main_thread()
        self.start_time = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self._stderr_file, cwd=str(REPO), bufsize=0,
                                     preexec_fn=_child_setup if main else None,
                                     start_new_session=not main)
        with _LIVE_LOCK:
            _LIVE.add(self)
        self._reader = threading.Thread(target=self._read_loop, name=f"serial-{self.config}",
                                        daemon=True)
        self._reader.start()
        self._watchdog = threading.Timer(self.lifetime, self._lifetime_expired)
        self._watchdog.daemon = True
        self._watchdog.start()
        self.record = BootRecord(self.config, self.memory, None, test=self.label)
        BOOT_RECORDS.append(self.record)
        return self

    def _lifetime_expired(self) -> None:
        if self.alive():
            with self._cond:
                self._buf += f"\n[TEST] QEMU killed: lifetime of {self.lifetime:.0f} s exceeded\n".encode()
                self._text = self._buf.decode("latin-1")
                self._cond.notify_all()
            self.kill()

    def _read_loop(self) -> None:
        fd = self.proc.stdout.fileno()
        with open(self.serial_log_path, "wb") as log:
            while True:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    break
                log.write(chunk)
                log.flush()
                with self._cond:
                    self._buf += chunk
                    self._text += chunk.decode("latin-1")
                    self._cond.notify_all()
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        p = self.proc
        if p is None:
            return
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                p.kill()
            except ProcessLookupError:
                pass
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass

    def close(self) -> None:
        """Kill QEMU (if still running) and release everything. Idempotent."""
        if self.proc is not None:
            self.kill()
            if self.exit_status is None:
                self.exit_status = self.proc.returncode
            for f in (self.proc.stdin, self.proc.stdout):
                try:
                    f.close()
                except Exception:
                    pass
            if self._reader is not None:
                self._reader.join(timeout=5)
            if self.record is not None:
                self.record.faults = self.faults()
        if self._watchdog is not None:
            self._watchdog.cancel()
        if self._stderr_file is not None:
            self._stderr_file.close()
            self._stderr_file = None
        with _LIVE_LOCK:
            _LIVE.discard(self)
        if self._own_tmp and not os.environ.get("SECOS_KEEP_LOGS"):
            shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self) -> "Machine":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Machine {self.config} -m {self.memory} pid={self.proc.pid if self.proc else None}>"

    # -- output ---------------------------------------------------------------
    @property
    def output(self) -> str:
        """Everything received so far (latin-1 decoded, CRLF as sent)."""
        with self._cond:
            return self._text

    def debugcon(self) -> str:
        try:
            return self.debugcon_path.read_bytes().decode("latin-1")
        except FileNotFoundError:
            return ""

    def stderr(self) -> str:
        try:
            return self.stderr_path.read_bytes().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def faults(self) -> list[str]:
        """Every [EXC]/[PANIC] line the guest printed."""
        return FAULT_RE.findall(self.output)

    def tail(self, n: int = TAIL_BYTES) -> str:
        text = self.output[-n:]
        return text.replace("\r\n", "\n")

    def _describe(self, what: str) -> str:
        state = "running" if self.alive() else f"exited with status {self.proc.returncode}"
        msg = f"{what} [{self.config} -m {self.memory}, QEMU {state}]\n"
        msg += f"--- last {TAIL_BYTES} bytes of serial output ---\n{self.tail()}\n--- end ---"
        err = self.stderr().strip()
        if err:
            msg += f"\nQEMU stderr:\n{err[-1000:]}"
        return msg

    def wait_until(self, predicate: Callable[[str, int], Optional[object]], timeout: float,
                   what: str):
        """Calls predicate(text, pos) whenever output arrives until it returns
        something truthy (returned), or raises MachineError after timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                res = predicate(self._text, self._pos)
                if res:
                    return res
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                if self._eof:
                    raise MachineError(self._describe(f"QEMU exited while waiting for {what}"))
                self._cond.wait(min(left, 0.5))
        raise MachineError(self._describe(f"timed out after {timeout:.0f} s waiting for {what}"))

    def wait_for(self, pattern: Union[str, Pattern], timeout: float = 30.0) -> re.Match:
        """Waits for pattern (plain text, or a compiled regex) in output that
        arrived after the previous wait; returns the match and moves past it."""
        rx = pattern if isinstance(pattern, re.Pattern) else re.compile(re.escape(pattern))
        m = self.wait_until(lambda text, pos: rx.search(text, pos), timeout, f"{rx.pattern!r}")
        self._pos = m.end()
        return m

    def expect_exit(self, timeout: float = 30.0) -> int:
        """Waits for QEMU to exit on its own; returns the exit status."""
        assert self.proc is not None
        try:
            status = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise MachineError(self._describe(f"QEMU did not exit within {timeout:.0f} s")) from None
        if self._reader is not None:
            self._reader.join(timeout=5)
        self.exit_status = status
        if self.record is not None:
            self.record.exit_status = status
        return status

    # -- input ----------------------------------------------------------------
    def send(self, data: Union[str, bytes]) -> None:
        if isinstance(data, str):
            data = data.encode("latin-1")
        if not self.alive():
            raise MachineError(self._describe("cannot send input: QEMU is not running"))
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        except BrokenPipeError:
            raise MachineError(self._describe("cannot send input: QEMU closed its stdin")) from None

    # -- shell ----------------------------------------------------------------
    def boot(self, timeout: Optional[float] = None) -> float:
        """Starts QEMU (if needed) and waits for the shell prompt. Returns the
        seconds from QEMU start to "[SHELL] ready"."""
        if self.proc is None:
            self.start()
        t = self.boot_timeout if timeout is None else timeout
        self.wait_for(SHELL_READY, timeout=t)
        self.boot_seconds = time.monotonic() - self.start_time
        if self.record is not None:
            self.record.seconds = self.boot_seconds
        self.wait_for(PROMPT, timeout=30)
        return self.boot_seconds

    def run_raw(self, line: Union[str, bytes], timeout: float = 30.0,
                settle: float = SETTLE) -> tuple[str, str]:
        """Sends line + CR and waits for the next prompt. Returns (echo, output):
        the echoed line and what came between it and the prompt, both raw (CRLF)."""
        if isinstance(line, str):
            line = line.encode("latin-1")
        with self._cond:
            start = self._pos = len(self._text)
        self.send(line + b"\r")

        def done(text: str, pos: int):
            # The echo ends at the first CRLF; the command is finished when the
            # output so far ends with a prompt at the start of a line (or right
            # after the ANSI "home" that `clear` sends). Nothing else prints
            # while the shell waits for input.
            eol = text.find("\r\n", start)
            if eol < 0 or not text.endswith(PROMPT):
                return None
            body_end = len(text) - len(PROMPT)
            if body_end < eol + 2:
                return None
            if body_end == eol + 2 or text.endswith("\n" + PROMPT) or text.endswith("\x1b[H" + PROMPT):
                return (eol, body_end)
            return None

        shown = line.decode("latin-1")
        deadline = time.monotonic() + timeout
        while True:
            eol, body_end = self.wait_until(done, max(deadline - time.monotonic(), 0.1),
                                            f"the prompt after {shown[:80]!r}")
            # Output that merely contains "secos> " (say `echo secos> x`) can
            # look finished between two serial chunks: accept the prompt only
            # once the guest has been quiet for `settle` seconds.
            with self._cond:
                n = len(self._text)
                self._cond.wait_for(lambda: len(self._text) != n, timeout=settle)
                if len(self._text) == n:
                    text = self._text
                    self._pos = n
                    break
        return text[start:eol], text[eol + 2:body_end]

    def run(self, line: Union[str, bytes], timeout: float = 30.0, settle: float = SETTLE) -> str:
        """Runs one shell command line; returns its output with "\\n" line ends
        (the echo of the line and the next prompt are not included)."""
        return self.run_raw(line, timeout, settle)[1].replace("\r\n", "\n")

    def poweroff(self, timeout: float = 60.0) -> None:
        """Runs `poweroff` and asserts QEMU exits with status 0 in time."""
        self.send("poweroff\r")
        self.wait_for("[POWEROFF]", timeout=timeout)
        status = self.expect_exit(timeout)
        if status != 0:
            raise MachineError(self._describe(f"QEMU exited with status {status} after poweroff"))


def memory_mib(size: str) -> int:
    """QEMU -m syntax (128M, 4G, 512) -> MiB."""
    m = re.fullmatch(r"(\d+)([MG]?)", size.strip().upper())
    if not m:
        raise ValueError(size)
    n = int(m.group(1))
    return n * 1024 if m.group(2) == "G" else n
