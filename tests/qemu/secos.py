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
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional, Pattern, Union

REPO = Path(__file__).resolve().parents[2]
# What the suite boots: the test configuration (make CONFIG=test, build/test),
# which has the crash tests, demos and attack programs. RELEASE_BUILD is the
# default configuration, booted by test_release_config.py.
BUILD = Path(os.environ.get("SECOS_BUILD", REPO / "build" / "test"))
RELEASE_BUILD = Path(os.environ.get("SECOS_RELEASE_BUILD", REPO / "build"))
QEMU = os.environ.get("SECOS_QEMU", "qemu-system-x86_64")
OVMF_CODE = Path(os.environ.get("SECOS_OVMF_CODE", "/usr/share/OVMF/OVMF_CODE_4M.fd"))
OVMF_VARS = Path(os.environ.get("SECOS_OVMF_VARS", "/usr/share/OVMF/OVMF_VARS_4M.fd"))
# Secure Boot (Machine(secure_boot=True)): Debian's SMM-protected firmware and
# variables with the snakeoil PK/KEK/db enrolled and Secure Boot on.
OVMF_SB_CODE = Path(os.environ.get("SECOS_OVMF_SB_CODE", "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd"))
OVMF_SB_VARS = Path(os.environ.get("SECOS_OVMF_SB_VARS", "/usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd"))

PROMPT = "secos> "
SHELL_READY = "[SHELL] ready"
FAULT_RE = re.compile(r"\[(?:EXC|PANIC)\][^\r\n]*")
# Quiet time that confirms a prompt really ends a command's output.
SETTLE = float(os.environ.get("SECOS_SETTLE", "0.05"))
# Input pacing (see Machine.send).
PACE_CHUNK = 32
PACE_DELAY = 0.01
# How much output to quote in timeout messages.
TAIL_BYTES = 2048


def kernel_path() -> Path:
    return Path(os.environ.get("SECOS_KERNEL", BUILD / "kernel.elf"))


def release_kernel_path() -> Path:
    return RELEASE_BUILD / "kernel.elf"


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
    "kernel": BootConfig("kernel", kernel_path, "multiboot1", 60.0, make_target="make CONFIG=test kernel"),
    "release": BootConfig("release", release_kernel_path, "multiboot1", 60.0, make_target="make kernel"),
    "iso-bios": BootConfig("iso-bios", iso_path, "multiboot2", 120.0, make_target="make CONFIG=test iso"),
    "iso-uefi": BootConfig("iso-uefi", iso_path, "uefi", 180.0, uefi=True, make_target="make CONFIG=test iso"),
    "esp-uefi": BootConfig("esp-uefi", esp_path, "uefi", 180.0, uefi=True, make_target="make CONFIG=test esp"),
}


@dataclass(frozen=True)
class Disk:
    """A raw disk image attached to a Machine (Machine(disks=[...])).

    interface: "virtio" (virtio-blk-pci; `device_opts` appends to its -device,
    e.g. "disable-legacy=on"), "ahci" (an ide-hd on an AHCI controller:
    q35's own, or one added on pc) or "ide" (the legacy IDE controller of pc).
    readonly: QEMU refuses guest writes (virtio-blk then offers
    VIRTIO_BLK_F_RO). drive_opts appends to the -drive (virtio and ahci),
    e.g. "throttling.iops-write=100" to slow the device down. Writes land
    in the file itself: tests make a copy."""
    path: Union[str, Path]
    interface: str = "virtio"
    readonly: bool = False
    device_opts: str = ""
    drive_opts: str = ""


def disk_args(disks, machine: str) -> list:
    """The QEMU arguments for disks, in order (drive ids d0, d1, ...)."""
    args, ahci_port, ide_index = [], 0, 0
    for i, d in enumerate(disks):
        ro = ",readonly=on" if d.readonly else ""
        dopts = f",{d.drive_opts}" if d.drive_opts else ""
        drive = f"file={d.path},if=none,format=raw,id=d{i}{ro}{dopts}"
        if d.interface == "virtio":
            opts = f",{d.device_opts}" if d.device_opts else ""
            args += ["-drive", drive, "-device", f"virtio-blk-pci,drive=d{i}{opts}"]
        elif d.interface == "ahci":
            if machine != "q35" and ahci_port == 0:
                args += ["-device", "ahci,id=ahci0"]
            bus = f"ide.{ahci_port}" if machine == "q35" else f"ahci0.{ahci_port}"
            args += ["-drive", drive, "-device", f"ide-hd,drive=d{i},bus={bus}"]
            ahci_port += 1
        elif d.interface == "ide":
            args += ["-drive", f"file={d.path},if=ide,index={ide_index},format=raw{ro}"]
            ide_index += 1
        else:
            raise ValueError(f"unknown disk interface {d.interface!r} (virtio, ahci, ide)")
    return args


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


class Qmp:
    """A minimal QMP client: collects events (SHUTDOWN tells a guest poweroff
    from a reset) and runs commands (screendump)."""

    def __init__(self, path: Path, timeout: float = 10.0, alive: Callable[[], bool] = lambda: True):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(str(path))
                break
            except (FileNotFoundError, ConnectionRefusedError):
                self.sock.close()
                if time.monotonic() > deadline or not alive():
                    raise
                time.sleep(0.02)
        self.sock.settimeout(timeout)
        self.file = self.sock.makefile("rb")
        self.events: list[dict] = []
        self._replies: list[dict] = []
        self._cond = threading.Condition()
        self._closed = False
        json.loads(self.file.readline())  # greeting
        self.sock.settimeout(None)
        self._thread = threading.Thread(target=self._loop, name="qmp", daemon=True)
        self._thread.start()
        self.execute("qmp_capabilities")

    def _loop(self) -> None:
        try:
            for line in self.file:
                msg = json.loads(line)
                with self._cond:
                    (self.events if "event" in msg else self._replies).append(msg)
                    self._cond.notify_all()
        except (OSError, ValueError):
            pass
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def execute(self, command: str, timeout: float = 30.0, **arguments) -> dict:
        msg = {"execute": command}
        if arguments:
            msg["arguments"] = arguments
        with self._cond:
            self._replies.clear()
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        with self._cond:
            if not self._cond.wait_for(lambda: self._replies or self._closed, timeout):
                raise MachineError(f"QMP {command}: no reply within {timeout} s")
            if not self._replies:
                raise MachineError(f"QMP {command}: connection closed")
            reply = self._replies.pop(0)
        if "error" in reply:
            raise MachineError(f"QMP {command}: {reply['error']}")
        return reply.get("return", {})

    def wait_event(self, name: str, timeout: float) -> Optional[dict]:
        with self._cond:
            self._cond.wait_for(lambda: self._closed or any(e["event"] == name for e in self.events),
                                timeout)
            return next((e for e in self.events if e["event"] == name), None)

    def close(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        self._thread.join(timeout=5)


class Machine:
    """One QEMU running SECoS. Use as a context manager or call close()."""

    def __init__(self, config: str = "kernel", memory: str = "512M", extra_args=(),
                 boot_timeout: Optional[float] = None, lifetime: float = 900.0,
                 label: str = "", workdir: Optional[Path] = None, debugcon: bool = True,
                 machine: Optional[str] = None, disks=(), secure_boot: bool = False):
        """machine: "pc" or "q35" for the -kernel configurations (default:
        QEMU's pc); disks: Disk()s attached in order; secure_boot: UEFI
        configurations only, boot OVMF_SB_CODE with a copy of OVMF_SB_VARS."""
        if config not in CONFIGS:
            raise ValueError(f"unknown boot configuration {config!r}; have {sorted(CONFIGS)}")
        self.cfg = CONFIGS[config]
        self.config = config
        self.memory = memory
        self.extra_args = list(extra_args)
        self.machine = machine
        self.disks = list(disks)
        if secure_boot and not self.cfg.uefi:
            raise ValueError(f"secure_boot needs a UEFI configuration, not {config!r}")
        self.secure_boot = secure_boot
        env_timeout = os.environ.get("SECOS_BOOT_TIMEOUT")
        self.boot_timeout = (boot_timeout if boot_timeout is not None
                             else float(env_timeout) if env_timeout else self.cfg.boot_timeout)
        self.lifetime = lifetime
        self.label = label
        self.use_debugcon = debugcon
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
        self.qmp_path = self.tmp / "qmp.sock"
        self.qmp: Optional[Qmp] = None

    # -- process --------------------------------------------------------------
    def command(self) -> list[str]:
        image = self.cfg.image()
        cmd = [QEMU, "-m", self.memory, "-no-reboot", "-display", "none",
               "-monitor", "none", "-serial", "stdio",
               "-qmp", f"unix:{self.qmp_path},server=on,wait=off"]
        if self.use_debugcon:
            cmd += ["-debugcon", f"file:{self.debugcon_path}"]
        if self.config in ("kernel", "release"):
            if self.machine:
                cmd += ["-machine", self.machine]
            cmd += ["-kernel", str(image)]
        elif self.config == "iso-bios":
            cmd += ["-machine", "pc", "-cdrom", str(image)]
        else:
            code, vars_src = (OVMF_SB_CODE, OVMF_SB_VARS) if self.secure_boot else (OVMF_CODE, OVMF_VARS)
            vars_copy = self.tmp / "OVMF_VARS.fd"
            shutil.copyfile(vars_src, vars_copy)
            if self.secure_boot:  # the secboot build keeps its variables behind SMM
                cmd += ["-machine", "q35,smm=on",
                        "-global", "driver=cfi.pflash01,property=secure,value=on"]
            else:
                cmd += ["-machine", "q35"]
            cmd += ["-drive", f"if=pflash,format=raw,readonly=on,file={code}",
                    "-drive", f"if=pflash,format=raw,file={vars_copy}"]
            if self.config == "iso-uefi":
                cmd += ["-cdrom", str(image)]
            else:  # esp-uefi: snapshot=on keeps writes away from the image
                cmd += ["-drive", f"format=raw,snapshot=on,file={image}"]
        machine = self.machine or ("q35" if self.cfg.uefi else "pc")
        return cmd + disk_args(self.disks, machine) + self.extra_args

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
        self.record = BootRecord(self.config, self.memory, None, test=self.label)
        BOOT_RECORDS.append(self.record)
        self._watchdog = threading.Timer(self.lifetime, self._lifetime_expired)
        self._watchdog.daemon = True
        self._watchdog.start()
        try:
            self.qmp = Qmp(self.qmp_path, alive=self.alive)
        except Exception as e:
            self.kill()
            raise MachineError(self._describe(f"cannot connect to QMP: {e!r}")) from None
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
            if self.qmp is not None:
                self.qmp.close()
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

    def wait_for(self, pattern: Union[str, Pattern], timeout: float = 30.0,
                 regex: bool = False) -> re.Match:
        """Waits for pattern (plain text; a regex if compiled or regex=True) in
        output that arrived after the previous wait/run; returns the match and
        moves past it. On timeout raises MachineError quoting the last 2 KiB."""
        if isinstance(pattern, re.Pattern):
            rx = pattern
        else:
            rx = re.compile(pattern if regex else re.escape(pattern), re.M)
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
    def send(self, data: Union[str, bytes], burst: bool = False) -> None:
        """Writes data to the serial port. Unless burst, input longer than
        PACE_CHUNK bytes goes in chunks PACE_DELAY apart, like fast typing:
        QEMU's UART has no baud rate, and the kernel drops what does not fit
        its 256-byte input ring while the shell is busy echoing."""
        if isinstance(data, str):
            data = data.encode("latin-1")
        if not self.alive():
            raise MachineError(self._describe("cannot send input: QEMU is not running"))
        step = len(data) if burst or len(data) <= PACE_CHUNK else PACE_CHUNK
        try:
            for i in range(0, len(data), max(step, 1)):
                if i:
                    time.sleep(PACE_DELAY)
                self.proc.stdin.write(data[i:i + step])
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
                settle: float = SETTLE, burst: bool = False) -> tuple[str, str]:
        """Sends line + CR and waits for the next prompt. Returns (echo, output):
        the echoed line and what came between it and the prompt, both raw (CRLF)."""
        if isinstance(line, str):
            line = line.encode("latin-1")
        with self._cond:
            start = self._pos = len(self._text)
        self.send(line + b"\r", burst=burst)

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

    def run(self, line: Union[str, bytes], timeout: float = 30.0, settle: float = SETTLE,
            burst: bool = False) -> str:
        """Runs one shell command line; returns its output with "\\n" line ends
        (the echo of the line and the next prompt are not included)."""
        return self.run_raw(line, timeout, settle, burst)[1].replace("\r\n", "\n")

    def shutdown_reason(self, timeout: float = 5.0) -> Optional[str]:
        """The reason of QEMU's SHUTDOWN event ("guest-shutdown" for an ACPI
        poweroff, "guest-reset" for a reset or triple fault under -no-reboot)."""
        ev = self.qmp.wait_event("SHUTDOWN", timeout) if self.qmp else None
        return ev["data"].get("reason") if ev else None

    def poweroff(self, timeout: float = 60.0) -> None:
        """Runs `poweroff`; asserts the guest powered off (not a reset or a
        triple fault) and QEMU exited with status 0 within timeout."""
        self.send("poweroff\r")
        self.wait_for("[POWEROFF]", timeout=timeout)
        status = self.expect_exit(timeout)
        reason = self.shutdown_reason()
        if status != 0 or reason != "guest-shutdown":
            raise MachineError(self._describe(
                f"after poweroff QEMU exited with status {status}, shutdown reason {reason!r} "
                f"(want 0 and 'guest-shutdown')"))

    def screendump(self, path: Path) -> tuple[int, int, bytes]:
        """Saves the display as PPM; returns (width, height, RGB bytes)."""
        self.qmp.execute("screendump", filename=str(path))
        data = Path(path).read_bytes()
        m = re.match(rb"P6\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
        if not m:
            raise MachineError(f"screendump: not a PPM file: {data[:20]!r}")
        w, h = int(m.group(1)), int(m.group(2))
        return w, h, data[m.end():m.end() + w * h * 3]


def memory_mib(size: str) -> int:
    """QEMU -m syntax (128M, 4G, 512) -> MiB."""
    m = re.fullmatch(r"(\d+)([MG]?)", size.strip().upper())
    if not m:
        raise ValueError(size)
    n = int(m.group(1))
    return n * 1024 if m.group(2) == "G" else n


# --- parsing what the shell prints ----------------------------------------------

# "within a few %": the firmware keeps some RAM for itself (below 1 MiB, ACPI
# tables, OVMF's own data); a kernel that misses a whole region is far off.
MEMORY_TOLERANCE = 0.04


def parse_info(out: str) -> dict:
    """`info` output -> {"boot path": "...", "memory": "...", ...}"""
    fields = {}
    for line in out.splitlines():
        m = re.match(r"^([a-z][a-z ]*):\s+(.*)$", line)
        if m:
            fields[m.group(1)] = m.group(2)
    return fields


def reported_mib(info_out: str) -> int:
    m = re.match(r"^(\d+) MiB RAM reported", parse_info(info_out).get("memory", ""))
    assert m, f"no memory line in info output:\n{info_out}"
    return int(m.group(1))


def check_protections_enabled(info_out: str) -> dict:
    """Asserts every protection the CPU offers is switched on (WP always);
    returns the CPU's features {"NX": "yes", ...}."""
    f = parse_info(info_out)
    have = dict(kv.split("=") for kv in f["features"].split())
    on = dict(kv.split("=") for kv in f["enabled"].split())
    assert on["WP"] == "yes", f["enabled"]
    assert on["NXE"] == have["NX"], (f["features"], f["enabled"])
    for feat in ("SMEP", "SMAP", "UMIP"):
        assert on[feat] == have[feat], (feat, f["features"], f["enabled"])
    return have


def require_image(config_name: str) -> None:
    """pytest.skip()s when the configuration's image (or OVMF) is missing."""
    import pytest
    cfg = CONFIGS[config_name]
    path = cfg.image()
    if not path.exists():
        pytest.skip(f"{config_name}: {path} does not exist; build it with `{cfg.make_target}` first")
    if cfg.uefi and not (OVMF_CODE.exists() and OVMF_VARS.exists()):
        pytest.skip(f"{config_name}: OVMF firmware not found ({OVMF_CODE}); install the ovmf package")


def screen_colours(machine: Machine, path: Path) -> int:
    """How many distinct colours the display shows (1 = blank screen)."""
    w, h, rgb = machine.screendump(path)
    return len({rgb[i:i + 3] for i in range(0, len(rgb), 3)})
