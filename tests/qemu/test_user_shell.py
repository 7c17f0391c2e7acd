"""SECoS's own user space on SECoS: /bin/sh (user/sh/) non-interactively,
the small programs (ps, free, uptime, kill, dmesg), #! scripts through the
kernel's loader, reboot(2)'s permission rule, and /sbin/init as pid 1 with
init= on the kernel command line. The shell's language and its interactive
side (line editing, job control under a pty) are tested on the Linux host
(tests/tools/test_sh_host.py); the scripts here are the same files with the
same expected output (tests/data/initrd/data/sh/)."""
from __future__ import annotations

import re
import shutil
import subprocess
import time

import pytest

from secos import BUILD, REPO
from test_attack import run_line, snapshot, wait_for_kernel_tasks_only

SCRIPTS = REPO / "tests" / "data" / "initrd" / "data" / "sh"

# Console lines that are the kernel's, not the program's (see test_busybox.py).
NOISE = re.compile(r"\[EXIT\] pid=\d+ status=-?\d+\n|^\[ENOSYS\][^\n]*\n|"
                   r"^\[KILL\] pid=\d+ name=\S+ reason=signal \d+ rip=0x[0-9a-f]+ addr=0x[0-9a-f]+\n", re.M)


def run(m, line: str, timeout: float = 120.0) -> tuple[str, int]:
    out = run_line(m, line, timeout=timeout)
    st = re.search(r"^\[EXIT\] pid=\d+ status=(-?\d+)$", out, re.M)
    assert st, out
    return NOISE.sub("", out), int(st.group(1))


# --- the shell, non-interactive ---------------------------------------------------

@pytest.mark.parametrize("name", ["lang", "jobs"])
def test_shared_script(initrd_vm, name):
    out, st = run(initrd_vm, f"run /bin/sh /data/sh/{name}.sh A B")
    assert (out, st) == ((SCRIPTS / f"{name}.out").read_text(), 0)


# `run` splits at blanks and knows no quotes, so -c scripts spell blanks ${IFS}.
C_CASES = [
    ("echo${IFS}hello|tr${IFS}a-z${IFS}A-Z", "HELLO\n", 0),
    ("exit${IFS}7", "", 7),
    ("nosuch", "sh: nosuch: not found\n", 127),
    ("echo${IFS}'(", "sh: -c: line 1, column 1: syntax error: unterminated quote or $( (at end of input)\n", 2),
    ("x=$(echo${IFS}sub);echo${IFS}$x>/tmp/c.out;cat</tmp/c.out;rm${IFS}/tmp/c.out", "sub\n", 0),
    ("false||echo${IFS}or;true&&echo${IFS}and", "or\nand\n", 0),
]


@pytest.mark.parametrize("script,out,status", C_CASES)
def test_dash_c(initrd_vm, script, out, status):
    assert run(initrd_vm, f"run /bin/sh -c {script}") == (out, status)


def test_usage_lines(initrd_vm):
    for prog in ("sh", "ps", "free", "uptime", "kill", "dmesg", "poweroff", "reboot"):
        out, st = run(initrd_vm, f"run /bin/{prog} --help")
        assert st == 0 and out.startswith(f"usage: {prog}"), (prog, out)
    out, st = run(initrd_vm, "run /sbin/init")
    assert st == 1 and "usage: init" in out and "PID 1 only" in out, out


def test_shell_leaves_nothing(initrd_vm):
    """A script with pipelines, subshells and background jobs gives back
    every frame, heap block and process slot."""
    line = "run /bin/sh /data/sh/lang.sh"
    run_line(initrd_vm, line, timeout=120)
    wait_for_kernel_tasks_only(initrd_vm)
    before = snapshot(initrd_vm)
    run_line(initrd_vm, line, timeout=120)
    run_line(initrd_vm, "run /bin/sh /data/sh/jobs.sh", timeout=120)
    wait_for_kernel_tasks_only(initrd_vm)
    assert snapshot(initrd_vm) == before


# --- #! scripts -------------------------------------------------------------------

def test_shebang_from_the_kernel_console(initrd_vm):
    """The kernel's loader runs the interpreter: argv = interpreter, script, args."""
    out, st = run(initrd_vm, "run /data/sh/hello.sh x y")
    assert (out, st) == ("hello from /data/sh/hello.sh with 2 arguments: x y\n", 0)
    out, st = run(initrd_vm, "run /data/sh/withArg.sh z")  # "#!/bin/busybox sh": one argument
    assert (out, st) == ("busybox ran /data/sh/withArg.sh: z\n", 0)


def test_shebang_from_execve(initrd_vm):
    out, st = run(initrd_vm, "run /bin/sh -c /data/sh/hello.sh${IFS}1;echo${IFS}st=$?")
    assert (out, st) == ("hello from /data/sh/hello.sh with 1 arguments: 1\nst=0\n", 0)
    # Not #!, not ELF: execve says ENOEXEC and sh runs it itself (POSIX).
    out, st = run(initrd_vm, "run /bin/sh -c /data/sh/plain.sh${IFS}p")
    assert (out, st) == ("no #! line, run by sh itself: p\n", 0)


def test_shebang_refusals(initrd_vm):
    # An interpreter that is a script itself: one level only (ELOOP).
    out = run_line(initrd_vm, "run /data/sh/loop.sh")
    assert "script itself" in out and "[EXIT]" not in out, out
    out, st = run(initrd_vm, "run /bin/sh -c /data/sh/loop.sh")
    assert st == 126 and "sh: /data/sh/loop.sh:" in out, out
    # A CR in the #! line (a DOS file) is not taken as part of the name.
    out = run_line(initrd_vm, "run /data/sh/crlf.sh")
    assert "#! line is not usable" in out and "[EXIT]" not in out, out


# --- the small programs -----------------------------------------------------------

def test_ps(initrd_vm):
    out, st = run(initrd_vm, "run /bin/ps")
    assert st == 0, out
    lines = out.splitlines()
    assert lines[0].split() == ["PID", "PPID", "STATE", "NAME"], out
    rows = {int(l.split()[0]): l.split() for l in lines[1:]}
    assert rows[1][3] == "kshell" and rows[1][1] == "0", out  # /proc has no pid 0 (idle)
    me = [r for r in rows.values() if r[3] == "ps"]
    assert me and me[0][2] == "R", out


def test_free_and_meminfo(initrd_vm):
    out, st = run(initrd_vm, "run /bin/free")
    m = re.search(r"^Mem:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$", out, re.M)
    assert st == 0 and m, out
    total, used, free, avail = map(int, m.groups())
    assert total > 400 * 1024 and used + free == total and avail <= total, out
    out, st = run(initrd_vm, "run /bin/free -m")
    assert re.search(r"^Mem:\s+(\d+)", out, re.M) and 400 < int(re.search(r"^Mem:\s+(\d+)", out, re.M).group(1)) < 520


def test_uptime(initrd_vm):
    out, st = run(initrd_vm, "run /bin/uptime")
    assert st == 0 and re.fullmatch(r"up \d\d:\d\d:\d\d\n", out), out
    out, st = run(initrd_vm, "run /bin/uptime -s")
    assert st == 0 and re.fullmatch(r"\d+\.\d\d\n", out) and float(out) > 1, out


def test_kill(initrd_vm):
    out, st = run(initrd_vm, "run /bin/kill -l")
    assert st == 0 and " 9) SIGKILL" in out and "15) SIGTERM" in out, out
    out, st = run(initrd_vm, "run /bin/kill -l 143")
    assert (out, st) == ("TERM\n", 0)
    out, st = run(initrd_vm, "run /bin/sh -c sleep${IFS}20&/bin/kill${IFS}-s${IFS}KILL${IFS}$!;wait${IFS}$!;echo${IFS}$?")
    assert (out, st) == ("137\n", 0)
    out, st = run(initrd_vm, "run /bin/sh -c sleep${IFS}20&/bin/kill${IFS}-USR1${IFS}$!;wait${IFS}$!;echo${IFS}$?")
    assert (out, st) == ("138\n", 0)
    out, st = run(initrd_vm, "run /bin/kill 99999")
    assert st == 1 and "kill: 99999: No such process" in out, out
    out, st = run(initrd_vm, "run /bin/kill 1")  # the kernel console is not a target
    assert st == 1 and "Operation not permitted" in out, out
    out, st = run(initrd_vm, "run /bin/kill -s NOPE 5")
    assert st == 2 and "usage: kill" in out, out


def test_dmesg_is_the_kernel_log_without_kernel_addresses(initrd_vm):
    out, st = run(initrd_vm, "run /bin/dmesg")
    assert st == 0, out
    assert "[BOOT] sealed" in out and "[SELFTEST] summary" in out, out
    # The boot stack pointer line is there, its kernel address is not.
    assert re.search(r"^\[M2\] Stack switch ok rsp=<kaddr>$", out, re.M), out
    assert not re.search(r"ffff[89a-f][0-9a-f]{11}", out, re.I), out
    # What programs write is not the kernel's log.
    run(initrd_vm, "run /bin/sh -c echo${IFS}program-output-xyzzy")
    out, _ = run(initrd_vm, "run /bin/dmesg")
    assert "program-output-xyzzy" not in out.replace("run /bin/sh -c echo${IFS}program-output-xyzzy", "")


def test_reboot_refused_to_an_ordinary_program(initrd_vm):
    out, st = run(initrd_vm, "run /bin/t_reboot")
    assert st == 0 and "t_reboot: 0 failed" in out, out
    out, st = run(initrd_vm, "run /bin/t_power")
    assert st == 0 and "t_power: 0 failed" in out, out
    assert initrd_vm.alive()
    # busybox (no manifest) asks for the real thing: refused too.
    out, st = run(initrd_vm, "run /bin/busybox poweroff -f")
    assert initrd_vm.alive() and "[POWEROFF]" not in out, out


def test_poweroff_program_without_init(boot_machine):
    """No user-space init: poweroff calls reboot(2) itself (its manifest
    allows it) and the machine switches off cleanly."""
    m = boot_machine(extra_args=["-initrd", str(BUILD / "initrd.cpio")])
    m.send("run /bin/poweroff\r")
    m.wait_for("[POWEROFF]", timeout=60)
    assert m.expect_exit(60) == 0 and m.shutdown_reason() == "guest-shutdown"


# --- /sbin/init as pid 1 ----------------------------------------------------------

PROMPT_RE = re.compile(r"^\S+ \$ ", re.M)


def boot_init(boot_machine, append="init=/sbin/init"):
    m = boot_machine(extra_args=["-initrd", str(BUILD / "initrd.cpio"), "-append", append], boot=False)
    m.start()
    m.wait_for("[INIT] /sbin/init runs as pid 1", timeout=m.boot_timeout)
    m.wait_for("init: started /bin/sh", timeout=60)
    m.wait_for(PROMPT_RE, timeout=60)
    return m


def say(m, line: str, timeout: float = 60.0) -> str:
    """Types a line at the user shell; its output up to the next prompt."""
    m.send(line + "\r")
    m.wait_for(line, timeout=timeout)  # the shell's echo
    start = m._pos
    m.wait_for(PROMPT_RE, timeout=timeout)
    return m.output[start:m._pos].replace("\r\n", "\n")


def used_and_procs(m):
    """Memory in use (free) and the process list, as the user shell sees them."""
    out = say(m, "free; ps")
    used = int(re.search(r"^Mem:\s+\d+\s+(\d+)", out, re.M).group(1))
    procs = sorted((l.split()[3], l.split()[1] == "1") for l in out.splitlines()
                   if re.match(r"\s*\d+\s+\d+\s+[RSZ]\s", l) and l.split()[3] not in ("free", "ps"))
    return used, procs


def restart_shell(m):
    m.send("exit\r")
    m.wait_for(re.compile(r"init: /bin/sh exited \(status 0\); starting a new one"), timeout=60)
    m.wait_for("init: started /bin/sh", timeout=60)
    m.wait_for(PROMPT_RE, timeout=60)


def test_init_runs_the_shell_and_restarts_it(boot_machine):
    m = boot_init(boot_machine)
    assert re.search(r"^rc: hello from /etc/rc, pid \d+, parent 1\r?$", m.output, re.M), m.tail()
    assert "init: /etc/rc ended, status 0" in m.output, m.tail()
    out = say(m, "ps")
    rows = [l.split() for l in out.strip().splitlines()[1:]]
    init = [r for r in rows if r[0] == "1"]
    assert init and init[0][1] == "0" and init[0][3] == "init", out
    assert any(r[3] == "kshell" for r in rows), out
    assert "\n0 ppid-of-init\n" in "\n" + say(m, "echo $(cut -d' ' -f4 /proc/1/stat) ppid-of-init")
    out = say(m, "echo $$ is my pid; cd /tmp; pwd")
    assert "/tmp" in out
    restart_shell(m)
    assert "hello-again" in say(m, "echo hello-again")
    # A shell that ran pipelines and exited gives back its frames and its
    # process slot: after each restart the same processes and the same memory
    # within a few pages (the kernel heap gives whole pages back in runs; a
    # shell's worth of frames is well over a hundred pages). The exact,
    # frame-by-frame check is test_shell_leaves_nothing's, with the console.
    say(m, "cat /data/poem.txt | sort | uniq | wc -l; (sleep 0 &); sleep 1")
    used, procs = used_and_procs(m)
    for _ in range(3):
        say(m, "cat /data/poem.txt | sort | uniq | wc -l; (sleep 0 &); sleep 1")
        restart_shell(m)
        used2, procs2 = used_and_procs(m)
        assert procs2 == procs and abs(used2 - used) <= 16, (used, used2, procs2)


def test_init_survives_kill_and_reaps_orphans(boot_machine):
    m = boot_init(boot_machine)
    say(m, "kill -9 1; kill -KILL 1; /bin/kill -9 1; echo sent")
    time.sleep(1)
    assert "[INIT] pid 1" not in m.output.split("runs as pid 1")[-1], m.tail()
    # Orphans: a subshell's background sleep outlives it and is init's to reap.
    say(m, "(sleep 1 &); echo started-orphan")
    time.sleep(3)
    out = say(m, "ps")
    assert " Z " not in out and "sleep" not in out, out


def test_init_poweroff(boot_machine):
    m = boot_init(boot_machine)
    m.send("poweroff\r")
    m.wait_for("init: powering off: stopping every process", timeout=60)
    m.wait_for("[POWEROFF]", timeout=60)
    assert m.expect_exit(60) == 0 and m.shutdown_reason() == "guest-shutdown"


def test_init_reboot(boot_machine):
    m = boot_init(boot_machine)
    m.send("reboot\r")
    m.wait_for("[REBOOT] pid 1 (init): restarting", timeout=60)
    m.expect_exit(60)  # -no-reboot: a reset ends QEMU
    assert m.shutdown_reason() == "guest-reset"


def test_init_exit_falls_back_to_the_kernel_console(boot_machine):
    """An init that ends (here busybox's true as init=) is reported and the
    kernel console takes over, reachable as ever."""
    m = boot_machine(extra_args=["-initrd", str(BUILD / "initrd.cpio"), "-append", "init=/bin/true"], boot=False)
    m.boot()
    assert re.search(r"\[INIT\] pid 1 \(/bin/true\) exited with status 0: falling back to the kernel console",
                     m.output), m.tail()
    out = m.run("ps")
    assert "kshell" in out


def test_bad_init_path_is_refused(boot_machine):
    m = boot_machine(extra_args=["-initrd", str(BUILD / "initrd.cpio"), "-append", "init=/sbin/../bin/sh"],
                     boot=False)
    m.boot()
    assert "[INIT] init= refused: the path has an empty, . or .. component" in m.output, m.tail()
    m2 = boot_machine(extra_args=["-initrd", str(BUILD / "initrd.cpio"), "-append", "init=/sbin/nosuch"],
                      boot=False)
    m2.boot()
    assert "[INIT] cannot start /sbin/nosuch" in m2.output, m2.tail()


# --- init= on the other boot paths ------------------------------------------------

def _build(cmd):
    r = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    if r.returncode != 0:
        pytest.fail(f"{' '.join(map(str, cmd))} failed:\n{r.stdout}{r.stderr}")


def _wait_init(m):
    m.wait_for("[INIT] /sbin/init runs as pid 1", timeout=m.boot_timeout)
    m.wait_for("init: started /bin/sh", timeout=120)
    m.wait_for(PROMPT_RE, timeout=60)
    assert "1 init-ok" in say(m, "echo $(cut -d' ' -f1 /proc/1/stat) init-ok", timeout=120)


@pytest.mark.image
def test_grub_second_entry_starts_init(boot_machine, tmp_path, monkeypatch):
    """boot/grub.cfg's second entry, "SECoS (init=/sbin/init)", chosen by
    making it the default in a copy (the real one boots the first at once)."""
    for f in ("kernel.elf", "esp.img", "initrd.cpio"):
        if not (BUILD / f).exists():
            pytest.skip(f"{BUILD / f} missing (make CONFIG=test iso)")
    cfg = (REPO / "boot" / "grub.cfg").read_text()
    assert "set default=0" in cfg and 'menuentry "SECoS (init=/sbin/init)"' in cfg
    (tmp_path / "grub.cfg").write_text(cfg.replace("set default=0", "set default=1"))
    iso = tmp_path / "init.iso"
    _build(["tools/mkiso.sh", BUILD / "kernel.elf", BUILD / "esp.img", tmp_path / "grub.cfg", iso,
            BUILD / "initrd.cpio"])
    monkeypatch.setenv("SECOS_ISO", str(iso))
    m = boot_machine("iso-bios", boot=False)
    m.start()
    _wait_init(m)


@pytest.mark.image
@pytest.mark.uefi
def test_uefi_cmdline_txt_starts_init(boot_machine, tmp_path, monkeypatch):
    """The UEFI loader passes \\cmdline.txt from the ESP as the command line."""
    esp = BUILD / "esp.img"
    if not esp.exists():
        pytest.skip(f"{esp} missing (make CONFIG=test esp)")
    img = tmp_path / "esp.img"
    shutil.copyfile(esp, img)
    (tmp_path / "cmdline.txt").write_text("init=/sbin/init\n")
    _build(["env", "MTOOLS_SKIP_CHECK=1", "mcopy", "-i", str(img), str(tmp_path / "cmdline.txt"), "::/cmdline.txt"])
    monkeypatch.setenv("SECOS_ESP", str(img))
    m = boot_machine("esp-uefi", boot=False)
    m.start()
    m.wait_for('[UEFI] cmdline: "init=/sbin/init"', timeout=m.boot_timeout)
    _wait_init(m)
