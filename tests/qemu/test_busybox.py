"""Debian's busybox-static on SECoS against the same binary on the host.

The test configuration's initrd carries /bin/busybox (Debian's, when
installed) and the tree tests/data/initrd (files under /data, a scratch
/tmp). Each case runs `busybox <applet> <args>` from the SECoS console and, on
the host, in a chroot holding the same busybox and the same tree, with the
same environment, and like on SECoS with a terminal (80x25) as stdin,
stdout and stderr; stdout and the exit status must match byte for byte.
Commands are plain words (the kernel console does not parse quotes): anything
needing shell syntax lives in /data/script.sh and runs through `busybox sh`.
"""
from __future__ import annotations

import os
import pty
import re
import shutil
import stat
import struct
import subprocess
import termios
import fcntl
from pathlib import Path

import pytest

from secos import BUILD, REPO

DATA = REPO / "tests" / "data" / "initrd"
BUSYBOX = Path("/bin/busybox")
ENV = {"PATH": "/bin", "HOME": "/", "TERM": "vt100"}  # what SECoS gives a program started from the console

# Command lines after "busybox": stdout (stderr merged) and exit status must
# match the host's byte for byte. "sorted:" compares the lines in any order
# (directory order differs between RAMFS and the host's file system).
CASES = [
    "echo hello world", "echo -n abc", "true", "false",
    "cat /data/poem.txt", "cat /data/fruits.txt /data/numbers.txt", "cat /data/missing.txt",
    "wc /data/poem.txt", "wc -l /data/fruits.txt", "wc -c /data/table.csv",
    "grep -n quick /data/poem.txt", "grep -c apple /data/fruits.txt", "grep -v a /data/fruits.txt",
    "grep nomatch /data/poem.txt", "grep -i -e PACK -e sphinx /data/poem.txt",
    "head -n 3 /data/numbers.txt", "tail -n 2 /data/numbers.txt", "tail -c 20 /data/poem.txt",
    "sort /data/fruits.txt", "sort -r -u /data/fruits.txt", "sort -n -r /data/numbers.txt",
    "sort -t, -k2 -n /data/table.csv", "uniq -c /data/fruits.txt",
    "sed s/quick/slow/g /data/poem.txt", "sed -n 2,3p /data/poem.txt",
    "awk -F, {print$2} /data/table.csv", "awk {s+=$1}END{print(s)} /data/numbers.txt",
    "hexdump -C /data/table.csv", "md5sum /data/poem.txt /data/fruits.txt", "sha256sum /data/poem.txt",
    "cut -d, -f1,3 /data/table.csv", "tac /data/fruits.txt", "nl /data/fruits.txt", "od -c /data/table.csv",
    "seq 1 5", "expr 2 + 3", "basename /a/b/c.txt .txt", "dirname /a/b/c",
    "ls /data", "ls -1 /data/tree", "ls -R /data/tree", "ls /data/missing",
    "sorted:find /data/tree", "sorted:find /data/tree -name *.txt", "sorted:find /data/tree -type d",
    "test -f /data/poem.txt", "test -d /data/poem.txt", "[ -e /data/missing ]",
    "env", "env -i A=1 B=2 env", "uname -m", "sleep 0", "kill -l",
    "sh -c echo|wc", "sh -c x=$(echo|wc);echo$x>/tmp/shout;cat</tmp/shout;rm${IFS}/tmp/shout",
    "sh /data/script.sh",
    # from the file-calls work: not du (block counts are the filesystem's)
    "ls -a /data/tree/sub", "wc /data/poem.txt /data/fruits.txt", "uniq /data/fruits.txt", "grep -n the /data/poem.txt",
    "find /data/tree -name c.txt", "md5sum /data/poem.txt /data/tree/a.txt", "sha256sum /data/table.csv",
    "hexdump -C /data/tree/sub/x.dat", "stat -c %s:%F:%h /data/poem.txt /data/tree", "test -d /data/tree",
    "test -f /data/tree", "cut -d, -f2 /data/table.csv",
]

# Run in this order, in both places: each step sees what the previous ones did.
SEQUENCE = [
    "mkdir /tmp/d", "mkdir /tmp/d", "cp /data/poem.txt /tmp/d/p", "mv /tmp/d/p /tmp/d/q", "cat /tmp/d/q",
    "ls /tmp/d", "rmdir /tmp/d", "rm /tmp/d/q", "rmdir /tmp/d", "ls /tmp", "rm /tmp/missing",
    "mkdir -p /tmp/x/y/z", "sorted:find /tmp/x", "rm -r /tmp/x", "ls /tmp",
]

# The console's own lines, not the program's output: [EXIT] (which may follow
# output that did not end its line), [ENOSYS], and the [KILL] line the kernel
# prints when a signal's default action ends a process (the script kills a
# job on purpose; Linux prints nothing, the shell its "Terminated").
NOISE = re.compile(r"\[EXIT\] pid=\d+ status=-?\d+\n|^\[ENOSYS\][^\n]*\n|"
                   r"^\[KILL\] pid=\d+ name=\S+ reason=signal \d+ rip=0x[0-9a-f]+ addr=0x[0-9a-f]+\n", re.M)


@pytest.fixture(scope="module")
def host_root(tmp_path_factory):
    """A chroot with the same busybox and the same files as the initrd."""
    if not BUSYBOX.exists():
        pytest.fail("/bin/busybox is missing: install busybox-static (tools/deps.sh)", pytrace=False)
    if os.geteuid() != 0:
        pytest.fail("the host side runs busybox in a chroot: run the tests as root", pytrace=False)
    root = tmp_path_factory.mktemp("bbroot")
    shutil.copytree(DATA, root, dirs_exist_ok=True)
    (root / "bin").mkdir(exist_ok=True)
    shutil.copy2(BUSYBOX, root / "bin" / "busybox")
    (root / "proc").mkdir(exist_ok=True)
    (root / "dev").mkdir(exist_ok=True)
    os.mknod(root / "dev" / "null", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    return root


def host_run(root: Path, cmd: str) -> tuple[str, int]:
    cmd = cmd.removeprefix("sorted:")
    # A private /proc in the chroot: busybox sh runs applets through
    # /proc/self/exe, as it does on SECoS (the chroot has no /bin/<applet>).
    # A terminal as on SECoS, where fds 0-2 are the console tty (ls prints
    # columns for its 80 cells); its CR LF becomes LF, as secos.py does.
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 25, 80, 0, 0))
    p = subprocess.Popen(["unshare", "--fork", "--pid", f"--mount-proc={root}/proc",
                          shutil.which("chroot") or "/usr/sbin/chroot", str(root), "/bin/busybox", *cmd.split()],
                         env=ENV, stdin=slave, stdout=slave, stderr=slave, start_new_session=True)
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:   # EIO: every holder of the terminal closed it
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    code = p.wait(timeout=60)
    return out.decode("latin-1").replace("\r\n", "\n"), code


def secos_run(vm, cmd: str, direct: bool = False) -> tuple[str, int]:
    """direct: run the applet as /bin/<applet> (the initrd's link to
    busybox), so busybox dispatches on argv[0]."""
    cmd = cmd.removeprefix('sorted:')
    out = vm.run(f"run /bin/{cmd}" if direct else f"run /bin/busybox {cmd}", timeout=120)
    status = re.search(r"\[EXIT\] pid=\d+ status=(-?\d+)$", out, re.M)
    assert status, out
    out = NOISE.sub("", out)
    assert "[KILL]" not in out, out  # a fault or a kernel kill
    return out, int(status.group(1))


def same(cmd: str, got: tuple[str, int], want: tuple[str, int]) -> None:
    if cmd.startswith("sorted:"):
        got, want = (sorted(got[0].splitlines()), got[1]), (sorted(want[0].splitlines()), want[1])
    assert got == want, f"busybox {cmd}\nSECoS: {got!r}\nhost:  {want!r}"


@pytest.mark.parametrize("cmd", CASES)
def test_applet_matches_host(initrd_vm, host_root, cmd):
    same(cmd, secos_run(initrd_vm, cmd), host_run(host_root, cmd))


# Run as /bin/<applet>: the initrd's applet names (tools/mkinitrd.sh). Not
# sh: /bin/sh is SECoS's own shell (user/sh), which wins over the applet.
DIRECT = ["ls /data", "cat /data/poem.txt", "wc -l /data/fruits.txt", "sort -r /data/fruits.txt",
          "echo hello world"]


@pytest.mark.parametrize("cmd", DIRECT)
def test_applet_name_matches_host(initrd_vm, host_root, cmd):
    same(cmd, secos_run(initrd_vm, cmd, direct=True), host_run(host_root, cmd))


def test_secos_programs_win_over_applets(initrd_vm):
    """/bin/true is SECoS's own program, not busybox's applet; the applet
    names share busybox's one data block (nlink counts them)."""
    out = initrd_vm.run("run /bin/true", timeout=60)
    assert re.search(r"\[EXIT\] pid=\d+ status=0$", out, re.M), out
    out, st = secos_run(initrd_vm, "stat -c %h%s /bin/busybox /bin/cat")
    lines = out.split()
    assert st == 0 and len(lines) == 2 and lines[0] == lines[1], out
    bb = secos_run(initrd_vm, "cmp /bin/busybox /bin/cat")
    assert bb == ("", 0), bb


def test_file_operations_sequence_matches_host(initrd_vm, host_root):
    for cmd in SEQUENCE:
        same(cmd, secos_run(initrd_vm, cmd), host_run(host_root, cmd))


def test_uname_date_ps(initrd_vm):
    """Not byte-comparable with the host, but checked for what they must say."""
    out, st = secos_run(initrd_vm, "uname -s -m")
    assert (out, st) == ("SECoS x86_64\n", 0), out
    year = subprocess.run(["date", "-u", "+%Y"], stdout=subprocess.PIPE, text=True).stdout
    out, st = secos_run(initrd_vm, "date -u +%Y")
    assert (out, st) == (year, 0), out
    out, st = secos_run(initrd_vm, "ps")
    assert st == 0 and re.search(r"^\s*PID\s+USER", out, re.M) and re.search(r"busybox ps", out), out
