"""Untrusted names on the console: file names from the initrd (and so the
names of processes started from them) and the kernel command line may hold
C1 controls, raw (0x9b) or UTF-8 encoded (U+009B CSI), which a terminal
obeys like ESC [. Every place that prints them escapes them the same way
(lib/escape.c): rfls, rftree, ps, [KILL] name=, [initrd] skipping, info."""
from __future__ import annotations

import re

from secos import BUILD

S_IFDIR, S_IFREG, S_IFLNK = 0o040000, 0o100000, 0o120000


def newc(entries) -> bytes:
    """A cpio newc archive of (name bytes, mode, data) entries plus the trailer."""
    out = bytearray()
    for ino, (name, mode, data) in enumerate(list(entries) + [(b"TRAILER!!!", 0, b"")], 1):
        nb = name + b"\0"
        fields = (ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(nb), 0)
        out += b"070701" + "".join(f"{v:08X}" for v in fields).encode() + nb
        out += b"\0" * (-len(out) % 4) + data
        out += b"\0" * (-len(out) % 4)
    return bytes(out)


FAULT = b"c1\xc2\x9b2J\x9bfault"
SPIN = b"c1\xc2\x9bspin"
LINK = b"\xc2\x9b" b"31mlink"


def shown(name: bytes) -> str:
    """How the escaper prints these names: every C1 byte as \\xNN."""
    return "".join(f"\\x{b:02x}" if b >= 0x80 else chr(b) for b in name)


def test_c1_names_are_escaped_everywhere(boot_machine, tmp_path):
    initrd = tmp_path / "c1.cpio"
    initrd.write_bytes(newc([
        (b"bin", S_IFDIR | 0o755, b""),
        (b"bin/" + FAULT, S_IFREG | 0o755, (BUILD / "user" / "fault.elf").read_bytes()),
        (b"bin/" + SPIN, S_IFREG | 0o755, (BUILD / "user" / "spin.elf").read_bytes()),
        (b"etc/" + LINK, S_IFLNK | 0o777, b"/bin"),
    ]))
    cmdline = b"quiet x\xc2\x9b" b"2Jy\x9bz"
    m = boot_machine("kernel", extra_args=["-initrd", str(initrd), "-append", cmdline])
    assert f"[initrd] skipping etc/{shown(LINK)}: " in m.output, m.tail()
    assert shown(FAULT) in m.run("rfls /bin")
    assert shown(SPIN) in m.run("rftree /bin")
    info = m.run("info")
    assert " quiet x\\xc2\\x9b2Jy\\x9bz\n" in info, info  # printed escaped
    out = m.run("run spawnhex " + (b"/bin/" + FAULT).hex() + " null", timeout=60)
    assert re.search(rf"^\[KILL\] pid=\d+ name={re.escape(shown(FAULT))} reason=", out, re.M), out
    m.send("elfload spawnhex " + (b"/bin/" + SPIN).hex() + " 1000\r")
    pid = int(m.wait_for(re.compile(r"spin: pid=(\d+) spinning"), timeout=30).group(1))
    assert re.search(rf"^ *{pid} .* {re.escape(shown(SPIN))}$", m.run("ps"), re.M)
    m.send(f"kill {pid}\r")  # the parent's report may follow the prompt: no m.run
    m.wait_for(re.compile(rf"\[KILL\] pid={pid} name={re.escape(shown(SPIN))} reason=killed"), timeout=30)
    m.wait_for("spawnhex: pid", timeout=30)
    text = m.output
    assert "\x9b" not in text and "\x1b[31m" not in text, "a raw C1 byte reached the console"
    m.poweroff()
