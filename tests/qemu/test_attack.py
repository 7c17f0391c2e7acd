"""The adversarial suite: `run attack <case>` for every case of
user/progs/attack.c, each checked against the outcome written next to it.

Every case is a separate process. A kill case must end in exactly the
[KILL] line the table names (and the process's status 128 + vector); an error
case must print "got=<-errno> ok"; after every case the shell must still
answer. The bombs (processes, memory, page tables, physical memory) must leave
nothing behind: after them `ps` shows only the kernel tasks and the free
frames and heap usage are exactly what they were before.

A case that panics the kernel fails alone: the next case gets a fresh boot
(AttackMachines), so one kernel bug does not hide the rest of the table.
Helpers here (run_line, snapshot, AttackMachines) are shared with
test_fuzz.py.
"""
from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from secos import PROMPT, REPO, Machine, parse_info, require_image

# --- the table: case -> expected outcome, exactly as attack.c prints it -------
# "umip" cases expect kill:#GP when the CPU has UMIP (the kernel enables it
# whenever CPUID offers it) and allowed:no-UMIP otherwise (QEMU's default CPU).
ATTACKS = {
    # privileged instructions
    "cli": "kill:#GP", "sti": "kill:#GP", "hlt": "kill:#GP", "in": "kill:#GP", "in-dx": "kill:#GP",
    "out": "kill:#GP", "out-dx": "kill:#GP", "lgdt": "kill:#GP", "lidt": "kill:#GP", "ltr": "kill:#GP",
    "cr0-read": "kill:#GP", "cr0-write": "kill:#GP", "cr3-read": "kill:#GP", "cr3-write": "kill:#GP",
    "cr4-read": "kill:#GP", "cr4-write": "kill:#GP", "rdmsr": "kill:#GP", "wrmsr": "kill:#GP",
    "invlpg": "kill:#GP", "swapgs": "kill:#GP", "wbinvd": "kill:#GP", "invd": "kill:#GP",
    "clts": "kill:#GP", "lmsw": "kill:#GP", "dr7": "kill:#GP", "rdpmc": "kill:#GP",
    "sysret-user": "kill:#GP", "iopl-popf": "kill:#GP", "iopl-iret": "kill:#GP",
    # descriptor-table reads: UMIP
    "sgdt": "umip", "sidt": "umip", "sldt": "umip", "smsw": "umip", "str": "umip",
    # the kernel image, physmap, kernel stacks, non-canonical addresses
    "kernel-read": "kill:#PF", "kernel-write": "kill:#PF", "kernel-exec": "kill:#PF",
    "physmap-read": "kill:#PF", "physmap-write": "kill:#PF", "physmap-exec": "kill:#PF",
    "kstack-read": "kill:#PF", "kstack-write": "kill:#PF", "kstack-exec": "kill:#PF",
    "kstack-guard": "kill:#PF", "noncanon-read": "kill:#GP", "noncanon-jump": "kill:#GP",
    # own memory: W^X, NX
    "writecode": "kill:#PF", "writerodata": "kill:#PF", "execstack": "kill:#PF", "execheap": "kill:#PF",
    "execdata": "kill:#PF", "execrodata": "kill:#PF", "mmap-ro-write": "kill:#PF",
    "use-after-munmap": "kill:#PF",
    # the null page
    "null-read": "kill:#PF", "null-write": "kill:#PF", "null-call": "kill:#PF",
    # software interrupts other than 0x80
    "int3": "kill:#GP", "int-0x03": "kill:#GP", "int-0x02": "kill:#GP", "int-0x08": "kill:#GP",
    "int-0x0e": "kill:#GP", "int-0x20": "kill:#GP", "int-0x30": "kill:#GP", "int-0x81": "kill:#GP",
    "int-0xff": "kill:#GP", "icebp": "kill:#DB|#UD", "into": "kill:#UD",
    # segments and far transfers into ring 0
    "iret-ring0": "kill:#GP", "farjmp-kernel": "kill:#GP", "farjmp-tss": "kill:#GP",
    "loadds-kernel": "kill:#GP", "loadss-kernel": "kill:#GP",
    # the syscall return paths
    "sysret": "kill:non-canonical return address", "int80-noncanon": "kill:non-canonical return address",
    "top-exec": "error:-ENOEXEC", "tf-syscall": "kill:#DB", "tf-int80": "kill:#DB",
    "badrsp-syscall": "return:ok", "badrsp-int80": "return:ok", "ksp-syscall": "return:ok",
    "ksp-int80": "return:ok", "badrsp-spin": "return:ok", "flags-syscall": "return:ok",
    "flags-int80": "return:ok",
    # kernel memory through system calls
    "leak-write": "error:-EFAULT", "leak-read": "error:-EFAULT",
    # stack exhaustion
    "stackoverflow": "kill:#PF", "stackjump": "kill:#PF",
    # resource limits
    "spawnbomb": "error:-EAGAIN", "spawnchain": "error:-EAGAIN", "orphanbomb": "error:-EAGAIN",
    "membomb": "kill:memory limit reached", "ptbomb": "kill:memory limit reached",
    "oom": "children:killed", "manifest-raise": "kill:memory limit reached",
    "syscap": "children:killed",
    "mmap-slots": "error:-ENOMEM", "mmap-huge": "error:-ENOMEM", "mmap-exec": "error:-EPERM",
    "mmap-kernel": "error:-EINVAL", "munmap-code": "error:-EINVAL",
    "argv-e2big": "error:-E2BIG", "arg-long": "error:-E2BIG", "path-long": "error:-ENAMETOOLONG",
    "wait-nochild": "error:-ECHILD", "wait-self": "error:-ECHILD", "wait-parent": "error:-ECHILD",
    "sleep-huge": "error:-EINVAL", "badnr": "error:-ENOSYS", "abi-linux-nr": "error:-ENOSYS",
    # descriptors
    "close-highfd": "return:ok",
    # RAMFS quota per process
    "fs-quota": "error:-ENOSPC",
    # the boot tree: /bin stays the system's, /init.rc is sealed
    "bin-rename": "error:-EPERM", "bin-rmdir": "error:-EPERM", "bin-mkdir": "error:-EEXIST",
    "bin-plant": "return:ok", "kaslr-leak": "return:ok", "initrc-write": "error:-EPERM",
}

# The exception a kill reason names, for the status check (128 + vector).
VECTORS = {"#DE": 0, "#DB": 1, "#BP": 3, "#UD": 6, "#SS": 12, "#GP": 13, "#PF": 14,
           "memory limit reached": 14, "non-canonical return address": 13}
# Cases whose victim is a helper process rather than attack itself.
HELPER_VICTIM = {"sysret": "attack_sysret", "int80-noncanon": "attack_iret", "manifest-raise": "bigmem"}


def _errnos() -> dict:
    text = (REPO / "include/secos/errno.h").read_text()
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"#define\s+(E[A-Z0-9]+)\s+(\d+)", text)}


ERRNO = _errnos()
KILL_RE = re.compile(r"^\[KILL\] pid=(\d+) name=(\S+) reason=(.+?) rip=(0x[0-9a-f]+) addr=(0x[0-9a-f]+)$", re.M)
EXIT_RE = re.compile(r"^\[EXIT\] pid=(\d+) status=(-?\d+)$", re.M)
PANIC_RE = re.compile(r"\[PANIC\][^\r\n]*|\[EXC\][^\r\n]*")


# --- running commands without hanging on a panic -------------------------------

class KernelDied(AssertionError):
    pass


def run_line(m: Machine, line: str, timeout: float = 60.0, settle: float = 0.05) -> str:
    """Like Machine.run, but a kernel panic ends the wait at once (and marks
    the machine dead) instead of waiting out the timeout. Returns the output
    between the echoed line and the next prompt, "\\n" line ends."""
    with m._cond:
        start = len(m._text)
    m.send(line + "\r")

    def done(text: str, pos: int):
        t = text[start:]
        if "[PANIC]" in t:
            return "panic"
        eol = t.find("\r\n")
        if eol >= 0 and t.endswith("\n" + PROMPT) and len(t) - len(PROMPT) >= eol + 2:
            return "prompt"
        return None

    deadline = time.monotonic() + timeout
    while True:
        what = m.wait_until(done, max(deadline - time.monotonic(), 0.1), f"the prompt after {line!r}")
        if what == "panic":
            time.sleep(1.0)  # the rest of the panic report
            m.dead = True
            raise KernelDied(f"the kernel panicked during {line!r}:\n{m.tail(3000)}")
        with m._cond:  # quiet for `settle` seconds: the prompt really ends the output
            n = len(m._text)
            m._cond.wait_for(lambda: len(m._text) != n, timeout=settle)
            if len(m._text) == n:
                text = m._text
                m._pos = n
                break
    t = text[start:]
    eol = t.find("\r\n")
    return t[eol + 2:len(t) - len(PROMPT)].replace("\r\n", "\n")


class AttackMachines:
    """Hands out a booted machine; boots a fresh one when the previous one
    died (panic) so that later tests still run. Machines that did not die
    must not have printed [EXC]/[PANIC]."""

    def __init__(self, label: str, memory: str = "512M", extra_args=()):
        self.label, self.memory, self.extra_args = label, memory, list(extra_args)
        self.current = None
        self.machines = []

    def get(self) -> Machine:
        m = self.current
        if m is None or getattr(m, "dead", False) or not m.alive():
            if m is not None:
                m.dead = True
            m = Machine("kernel", memory=self.memory, extra_args=self.extra_args, label=self.label)
            m.dead = False
            self.machines.append(m)
            self.current = m
            try:
                m.boot()
            except BaseException:
                m.dead = True
                raise
        return m

    def close(self) -> list:
        problems = []
        for m in self.machines:
            if not getattr(m, "dead", False) and m.faults():
                problems.append(f"guest reported exceptions/panics: {m.faults()}\n{m.tail()}")
            m.close()
        return problems


def machines_fixture(request, **kw):
    require_image("kernel")
    holder = AttackMachines(request.node.nodeid, **kw)
    yield holder
    problems = holder.close()
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.fixture(scope="module")
def machines(request):
    yield from machines_fixture(request)


# --- state the bombs must not change --------------------------------------------

def parse_ps(out: str) -> list:
    """`ps` rows without the TICKS column (it always moves)."""
    lines = [l for l in out.splitlines() if l.strip()]
    head = lines[0].split()
    assert head[:3] == ["PID", "PPID", "STATE"], out
    rows = []
    for l in lines[1:]:
        f = l.split(None, len(head) - 1)
        rows.append(tuple(v for k, v in zip(head, f) if k != "TICKS"))
    return rows


def snapshot(m: Machine) -> dict:
    """Everything the kernel holds on behalf of processes, as the shell shows it."""
    mem = run_line(m, "mem")
    snap = {}
    for key, rx in (("phys free", r"^phys free:\s+(\d+) frames"),
                    ("heap in use", r"^heap in use:\s+(\d+) bytes in (\d+) blocks")):
        mm = re.search(rx, mem, re.M)
        assert mm, mem
        snap[key] = mm.groups()
    snap["ps"] = parse_ps(run_line(m, "ps"))
    snap["processes"] = re.search(r"processes:.*", run_line(m, "sched")).group(0)
    return snap


def kernel_tasks_only(m: Machine) -> bool:
    rows = parse_ps(run_line(m, "ps"))
    return all(r[-1].endswith("[kernel]") for r in rows)


def wait_for_kernel_tasks_only(m: Machine, timeout: float = 60.0) -> None:
    """Orphans end on their own (sleepers) and the kernel reaps them."""
    deadline = time.monotonic() + timeout
    while not kernel_tasks_only(m):
        assert time.monotonic() < deadline, run_line(m, "ps")
        time.sleep(0.5)


# --- the cases -------------------------------------------------------------------

def cpu_has_umip(m: Machine) -> bool:
    if not hasattr(m, "umip"):
        info = parse_info(run_line(m, "info"))
        have = dict(kv.split("=") for kv in info["features"].split())
        m.umip = have.get("UMIP") == "yes"
    return m.umip


def expected(case: str, m: Machine) -> str:
    exp = ATTACKS[case]
    if exp == "umip":
        return "kill:#GP" if cpu_has_umip(m) else "allowed:no-UMIP"
    return exp


def check_case(m: Machine, case: str) -> str:
    exp = expected(case, m)
    out = run_line(m, f"run attack {case}", timeout=300)
    assert f"attack: {case} expect={exp}\n" in out, out
    assert "NOT blocked" not in out, out
    exits = EXIT_RE.findall(out)
    assert len(exits) == 1, out
    status = int(exits[0][1])
    kills = KILL_RE.findall(out)
    kind, _, what = exp.partition(":")

    if kind == "kill" and case not in HELPER_VICTIM:
        assert len(kills) == 1, out
        _, name, reason, _, _ = kills[0]
        assert name == "attack", out
        alternatives = what.split("|")
        assert reason in alternatives or reason.split()[0] in alternatives, (reason, exp, out)
        want_status = {128 + VECTORS[a] for a in alternatives}
        assert status in want_status, (status, want_status, out)
    elif kind == "kill":  # the helper is the victim; attack reports its status
        refused = f"attack: {case} got={-ERRNO['ENOEXEC']} ok" in out   # the loader may refuse the page
        if not refused:
            assert len(kills) == 1 and kills[0][1] == HELPER_VICTIM[case] and kills[0][2] == what, out
            assert f"attack: {case} got={128 + VECTORS[what]} ok" in out, out
        assert status == 0, out
    elif kind == "error":
        want = -ERRNO[what.lstrip("-")]
        assert re.search(rf"^attack: {re.escape(case)} got={want} ok$", out, re.M), out
        assert not kills and status == 0, out
    elif kind == "return":
        assert re.search(rf"^attack: {re.escape(case)} got=-?\d+ ok$", out, re.M), out
        assert not kills and status == 0, out
    elif kind == "children":
        assert re.search(rf"^attack: {re.escape(case)} got=\d+ ok$", out, re.M), out
        assert kills, out
        for _, name, reason, _, _ in kills:   # the budget, or no frame left at all
            assert name == "attack" and reason in ("memory limit reached", "#PF page fault"), out
        if case in ("syscap", "oom"):          # the system-wide cap stops them before the PMM runs dry
            assert all(k[2] == "memory limit reached" for k in kills), out
        assert status == 0, out
    elif kind == "allowed":
        assert re.search(rf"^attack: {re.escape(case)} got=0x[0-9a-f]+ allowed", out, re.M), out
        assert not kills and status == 0, out
    else:
        raise AssertionError(f"unknown expectation {exp!r}")
    return out


def test_attack_table_matches_the_program(machines):
    m = machines.get()
    out = run_line(m, "run attack list")
    listed = dict(re.findall(r"^attack: (\S+) expect=(.*)$", out, re.M))
    want = {c: expected(c, m) for c in ATTACKS}
    assert listed == want, (set(listed.items()) ^ set(want.items()))
    assert f"attack: {len(ATTACKS)} cases" in out
    assert len(ATTACKS) >= 25


@pytest.mark.parametrize("case", list(ATTACKS))
def test_attack(machines, case):
    m = machines.get()
    out = check_case(m, case)
    if case == "spawnbomb":
        mm = re.search(r"spawned (\d+), reaped (\d+), 0 with a non-zero status, wait then -10", out)
        assert mm and mm.group(1) == mm.group(2) and int(mm.group(1)) > 0, out
    if case == "orphanbomb":   # its sleepers outlive it: the kernel must reap them
        wait_for_kernel_tasks_only(m)
    assert run_line(m, "echo still here") == "still here\n"


def test_bombs_leave_nothing_behind(machines):
    """Process, memory, page-table and physical-memory bombs: afterwards the
    kernel holds exactly what it held before (after one warm-up round, which
    creates the kernel-stack page tables of slots never used before)."""
    m = machines.get()
    bombs = ["spawnbomb", "spawnchain", "orphanbomb", "membomb", "ptbomb", "oom"]
    for case in bombs:  # warm-up
        check_case(m, case)
        wait_for_kernel_tasks_only(m)   # orphanbomb's sleepers hold every slot for a while
    before = snapshot(m)
    for case in bombs:
        check_case(m, case)
        assert run_line(m, "echo still here") == "still here\n"
        wait_for_kernel_tasks_only(m)
    after = snapshot(m)
    assert after == before
    assert all(r[-1].endswith("[kernel]") for r in after["ps"]), after["ps"]


UMIP_CASES = [c for c, e in ATTACKS.items() if e == "umip"]


@pytest.fixture(scope="module")
def umip_machines(request):
    yield from machines_fixture(request, extra_args=["-cpu", "max"])


@pytest.mark.parametrize("case", UMIP_CASES)
def test_umip_blocks_descriptor_reads_under_cpu_max(umip_machines, case):
    """-cpu max has UMIP: sgdt & co. must then kill with #GP."""
    m = umip_machines.get()
    assert cpu_has_umip(m), run_line(m, "info")
    check_case(m, case)
    assert run_line(m, "echo still here") == "still here\n"


def test_sysret_helper_runs_directly(machines):
    """The helper ELF on its own: the loader accepts its page at the very top
    of the user half, and the kernel kills it on the way back."""
    m = machines.get()
    out = run_line(m, "run attack_sysret")
    if "(ENOEXEC, -8)" in out:
        return   # refused to load: the other acceptable answer
    kills = KILL_RE.findall(out)
    assert len(kills) == 1 and kills[0][1] == "attack_sysret", out
    assert kills[0][2] == "non-canonical return address" and kills[0][3] == "0x800000000000", out
    assert re.search(r"^\[EXIT\] pid=\d+ status=141$", out, re.M), out
    assert run_line(m, "echo still here") == "still here\n"
