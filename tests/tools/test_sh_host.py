"""SECoS's /bin/sh (user/sh/) on the Linux host: it is a static musl binary,
so the language is tested here against expected outputs (and against dash
where both agree), and interactively under a pty for line editing, history
and job control, which SECoS's terminal gets from the tty work. The same
non-interactive cases run on SECoS in tests/qemu/test_user_shell.py."""
from __future__ import annotations

import os
import pty
import select
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("SECOS_BUILD", REPO / "build" / "test"))
SH = BUILD / "user" / "musl" / "sh"
DASH = shutil.which("dash")

# (script, stdout, exit status). Each runs as `sh -c script` in a fresh
# temporary directory with a small fixed environment. POSIX ones are also
# run with dash, which must agree.
POSIX = [
    ("echo hello world", "hello world\n", 0),
    ("echo a | tr a b", "b\n", 0),
    ("echo one two | tr ' ' '\\n' | sort -r | head -n 1 | cat", "two\n", 0),
    ("printf 'x\\ny\\nz\\n' | grep -v y | wc -l | tr -d ' '", "2\n", 0),
    ("echo foo > f; echo bar >> f; cat < f", "foo\nbar\n", 0),
    ("ls /nonexistent 2> err; test -s err && echo has-error", "has-error\n", 0),
    ("ls /nonexistent 2>&1 | wc -l | tr -d ' '", "1\n", 0),
    ("echo to-stderr 1>&2 2>/dev/null", "", 0),
    ("(echo out; echo err 1>&2) 2>&1 >/dev/null", "err\n", 0),
    ("exec 3>three; echo via3 >&3; cat three", "via3\n", 0),
    ("true && echo and", "and\n", 0),
    ("false && echo no", "", 1),
    ("false || echo or", "or\n", 0),
    ("true || echo no; echo after", "after\n", 0),
    ("false; echo $?; true; echo $?", "1\n0\n", 0),
    ("! true; echo $?", "1\n", 0),
    ("echo 'single $HOME \"q\"'", "single $HOME \"q\"\n", 0),
    ("x=1; echo \"dq $x \\$x \\\"q\\\" 'sq'\"", "dq 1 $x \"q\" 'sq'\n", 0),
    ("echo back\\ slash \\$x", "back slash $x\n", 0),
    ("x=value; echo $x ${x} ${x}s", "value value values\n", 0),
    ("echo ${unset:-default} ${unset-d2} [${unset}]", "default d2 []\n", 0),
    ("x=abc; echo ${#x} ${x:+set}", "3 set\n", 0),
    ("y='a  b   c'; echo $y; echo \"$y\"", "a b c\na  b   c\n", 0),
    ("set -- 1; echo $(echo sub $(echo nested))", "sub nested\n", 0),
    ("echo `echo back` quote", "back quote\n", 0),
    ("x=$(printf 'a\\n\\n\\n'); echo \"[$x]\"", "[a]\n", 0),
    ("x=$(exit 3); echo $?", "3\n", 0),
    ("cd /tmp && pwd", "/tmp\n", 0),
    ("export V=exported; sh -c 'echo $V'", "exported\n", 0),
    ("V=local; sh -c 'echo [$V]'", "[]\n", 0),
    ("V=prefix sh -c 'echo $V'; echo [$V]", "prefix\n[]\n", 0),
    ("V=1; unset V; echo [$V]", "[]\n", 0),
    ("exit 7", "", 7),
    ("(exit 4); echo $?", "4\n", 0),
    ("sleep 0 & wait $!; echo $?", "0\n", 0),
    ("(exit 5) & wait $!; echo $?", "5\n", 0),
    ("sh -c 'kill -TERM $$'; echo $?", "143\n", 0),
    ("echo a; # comment\necho b", "a\nb\n", 0),
    ("echo a &&\necho b", "a\nb\n", 0),
    ("echo $((1))x 2>/dev/null | wc -l | tr -d ' '", "1\n", 0),
    ("touch b.txt a.txt; echo *.txt; echo '*.txt'; echo none*", "a.txt b.txt\n*.txt\nnone*\n", 0),
    ("echo ~", os.environ.get("HOME", "/root") + "\n", 0),
]

# Ours only: messages and builtins whose wording differs from dash's.
OURS = [
    ("nosuchcommand", "", 127),
    ("cd /nonexistent-dir; echo $?", "1\n", 0),
    ("exec sh -c 'echo replaced'; echo not-here", "replaced\n", 0),
    ("./f", "", 126),                      # f exists (made below) but is not executable
    ("/", "", 126),
    ("echo $# $0", "0 sh\n", 0),
    ("jobs; echo ok", "ok\n", 0),
    ("kill -l | head -n 1", " 1) SIGHUP\n", 0),
    ("kill -s KILL 999999999; echo $?", "1\n", 0),
    ("kill %5; echo $?", "1\n", 0),
    ("sleep 10 & kill %1; wait %1; echo $?", "143\n", 0),
    ("sleep 10 & kill $!; wait; echo done", "done\n", 0),
    ("echo 'unterminated", "", 2),
    ("echo a | | b", "", 2),
    ("echo ok; (", "", 2),
    ("echo x > ", "", 2),
    ("help | head -n 1", "sh builtins:\n", 0),
]

ERRORS = [  # script, a piece of stderr
    ("nosuchcommand", "sh: nosuchcommand: not found"),
    ("./f", "sh: ./f: Permission denied"),
    ("echo 'unterminated", "line 1, column 6: syntax error: unterminated quote"),
    ("echo a | | b", "line 1, column 10: syntax error: a command was expected near '|'"),
    ("echo ok\necho x >", "line 2, column 9: syntax error: a redirection needs a file name"),
    ("cat < /nonexistent", "sh: /nonexistent: No such file or directory"),
    ("cd /nonexistent-dir", "sh: cd: /nonexistent-dir: No such file or directory"),
    ("kill %5", "sh: kill: %5: no such job"),
    ("fg", "sh: fg: no job control"),
]

ENV = {"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/root"), "LC_ALL": "C"}


def need_sh():
    if not SH.exists():
        pytest.fail(f"{SH} is missing: build with make CONFIG=test (needs musl-gcc)", pytrace=False)


def run(shell, script, tmp_path, *args):
    (tmp_path / "f").write_text("not a program\n")
    return subprocess.run([str(shell), "-c", script, *args], cwd=tmp_path, env=ENV, stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=30)


@pytest.mark.parametrize("script,out,status", POSIX + OURS)
def test_language(tmp_path, script, out, status):
    need_sh()
    p = run(SH, script, tmp_path)
    assert (p.stdout, p.returncode) == (out, status), p.stderr


@pytest.mark.skipif(DASH is None, reason="dash is not installed")
@pytest.mark.parametrize("script,out,status", POSIX)
def test_dash_agrees(tmp_path, script, out, status):
    p = run(DASH, script, tmp_path)
    assert (p.stdout, p.returncode) == (out, status), p.stderr


@pytest.mark.parametrize("script,err", ERRORS)
def test_error_messages(tmp_path, script, err):
    need_sh()
    p = run(SH, script, tmp_path)
    assert err in p.stderr, p.stderr


def test_script_file_positional_and_shebang(tmp_path):
    need_sh()
    script = tmp_path / "s.sh"
    script.write_text(f"#!{SH}\necho \"0=$0 n=$# 1=$1 2=$2 all=$@\"\nshift\necho \"after shift: $1\"\nexit 3\n")
    p = subprocess.run([str(SH), str(script), "A", "B C"], env=ENV, stdout=subprocess.PIPE, text=True)
    want = f"0={script} n=2 1=A 2=B C all=A B C\nafter shift: B C\n"
    assert (p.stdout, p.returncode) == (want, 3)
    script.chmod(0o755)  # executed through #! by the kernel's execve
    p = subprocess.run([str(SH), "-c", f"{script} x y; echo st=$?"], env=ENV, stdout=subprocess.PIPE, text=True)
    assert p.stdout == f"0={script} n=2 1=x 2=y all=x y\nafter shift: y\nst=3\n"
    plain = tmp_path / "plain"  # no #!: the shell runs it as its own script
    plain.write_text("echo plain script $1\n")
    plain.chmod(0o755)
    p = subprocess.run([str(SH), "-c", f"{plain} arg"], env=ENV, stdout=subprocess.PIPE, text=True)
    assert p.stdout == "plain script arg\n"


SCRIPTS = REPO / "tests" / "data" / "initrd" / "data" / "sh"


@pytest.mark.parametrize("name", ["lang", "jobs"])
def test_shared_scripts(name):
    """The scripts tests/qemu/test_user_shell.py runs on SECoS: the expected
    output is checked here first, on Linux."""
    need_sh()
    p = subprocess.run([str(SH), str(SCRIPTS / f"{name}.sh"), "A", "B"], env=ENV, cwd="/",
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
    assert (p.stdout, p.returncode) == ((SCRIPTS / f"{name}.out").read_text(), 0)


def test_dot_and_stdin_script(tmp_path):
    need_sh()
    (tmp_path / "lib.sh").write_text("LIBVAR=from-lib\n")
    p = run(SH, ". ./lib.sh; echo $LIBVAR", tmp_path)
    assert p.stdout == "from-lib\n"
    p = subprocess.run([str(SH)], input="echo from stdin\nexit 4\n", env=ENV, stdout=subprocess.PIPE, text=True)
    assert (p.stdout, p.returncode) == ("from stdin\n", 4)


def test_usage():
    need_sh()
    p = subprocess.run([str(SH), "--help"], stdout=subprocess.PIPE, text=True)
    assert p.returncode == 0 and p.stdout.startswith("usage: sh ")
    p = subprocess.run([str(SH), "-Z"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert p.returncode == 2 and "usage: sh" in p.stderr


def test_long_pipeline(tmp_path):
    need_sh()
    p = run(SH, "echo x" + " | cat" * 40, tmp_path)
    assert p.stdout == "x\n"


# ---- interactive, under a pseudo-terminal ---------------------------------------

class Pty:
    """sh as the session leader of a fresh pty, as a terminal would start it."""

    def __init__(self, tmp_path):
        need_sh()
        env = dict(ENV, PS1="$ ", TERM="vt100")
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.chdir(tmp_path)
            os.execve(str(SH), [str(SH)], env)
        self.buf = b""

    def expect(self, what: bytes, timeout=10.0) -> bytes:
        end = time.time() + timeout
        while what not in self.buf:
            left = end - time.time()
            if left <= 0:
                raise AssertionError(f"did not see {what!r}; got {self.buf!r}")
            r, _, _ = select.select([self.fd], [], [], left)
            if r:
                try:
                    self.buf += os.read(self.fd, 4096)
                except OSError:
                    break
        i = self.buf.index(what) + len(what)
        seen, self.buf = self.buf[:i], self.buf[i:]
        return seen

    def send(self, data: bytes):
        os.write(self.fd, data)

    def wait_foreground_job(self, timeout=10.0):
        """Until a job, not the shell, owns the terminal (so that ^C / ^Z
        reach it and not the shell, whatever the machine's load)."""
        end = time.time() + timeout
        while os.tcgetpgrp(self.fd) == self.pid:
            assert time.time() < end, "the job never got the terminal"
            time.sleep(0.02)
        time.sleep(0.1)  # the job has execed sleep (it set the group before exec)

    def close(self):
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(self.pid, 0)
        os.close(self.fd)


@pytest.fixture
def tty(tmp_path):
    t = Pty(tmp_path)
    t.expect(b"$ ")
    yield t
    t.close()


def test_line_editing_and_history(tty):
    tty.send(b"echo wrld\x1b[D\x1b[D\x1b[Do\r")   # three Lefts, insert 'o'
    assert b"world" in tty.expect(b"$ ")
    tty.send(b"echo second\r")
    tty.expect(b"$ ")
    tty.send(b"\x1b[A\x1b[A\r")                     # Up twice: "echo world"
    assert b"world\r\n" in tty.expect(b"$ ")
    tty.send(b"partial line\x03")                   # Ctrl-C drops the line
    tty.expect(b"$ ")
    tty.send(b"echo $?\r")
    assert b"130" in tty.expect(b"$ ")


def test_ctrl_c_kills_the_foreground_job(tty):
    tty.send(b"sleep 100\r")
    tty.wait_foreground_job()
    tty.send(b"\x03")
    tty.expect(b"$ ")
    tty.send(b"echo status=$?\r")
    assert b"status=130" in tty.expect(b"$ ")


def test_ctrl_z_jobs_bg_fg(tty):
    tty.send(b"sleep 100\r")
    tty.wait_foreground_job()
    tty.send(b"\x1a")
    assert b"Stopped" in tty.expect(b"$ ")
    tty.send(b"jobs\r")
    out = tty.expect(b"$ ")
    assert b"[1]+  Stopped" in out and b"sleep 100" in out
    tty.send(b"bg\r")
    assert b"[1]+ sleep 100 &" in tty.expect(b"$ ")
    tty.send(b"jobs\r")
    assert b"Running" in tty.expect(b"$ ")
    tty.send(b"fg %1\r")
    tty.expect(b"sleep 100")
    tty.wait_foreground_job()
    tty.send(b"\x03")
    tty.expect(b"$ ")
    tty.send(b"jobs; echo end\r")
    out = tty.expect(b"end\r\n")
    assert b"sleep" not in out.split(b"jobs; echo end")[-1]


def test_background_job_reported_done(tty):
    tty.send(b"sleep 0.2 &\r")
    assert b"[1] " in tty.expect(b"$ ")
    time.sleep(0.5)
    tty.send(b"\r")
    assert b"Done" in tty.expect(b"$ ")


def test_ctrl_d_exits(tty):
    """Ctrl-D the moment the prompt shows: the shell switched the terminal
    to raw mode before printing it, so the byte arrives as itself (in
    canonical mode it became an end-of-file mark, read as NUL: the shell
    never ended and this test waited forever)."""
    tty.send(b"\x04")
    end = time.time() + 30
    pid, st = 0, 0
    while pid == 0 and time.time() < end:
        pid, st = os.waitpid(tty.pid, os.WNOHANG)
        time.sleep(0.05)
    assert pid == tty.pid, "the shell did not exit on Ctrl-D"
    tty.pid = 0  # reaped: close() must not kill or wait again
    assert os.WIFEXITED(st)
