"""External NMIs and machine checks: neither is the fault of the code they
interrupt. An NMI is logged (with the port 0x61 reason) and ignored, in the
kernel and in a running program, which must finish normally. A machine check
(QEMU's monitor `mce`, which needs CR4.MCE or it shuts the CPU down) is
reported bank by bank; a recoverable one lets the machine go on, a
context-corrupt one ends in a clear [PANIC] instead of a silent reset."""
from __future__ import annotations

import re

NMI_RE = re.compile(r"\[NMI\] #(\d+): .*port 0x61=\S+, at rip=\S+ in (kernel|user) mode; ignored\r$", re.M)


def inject_nmi(m):
    m.qmp.execute("human-monitor-command", **{"command-line": "nmi"})


def test_nmi_in_kernel_is_logged_and_ignored(boot_machine):
    m = boot_machine("kernel")
    for i in range(3):  # one at a time: the CPU latches only one pending NMI
        inject_nmi(m)
        m.wait_until(lambda text, pos: len(NMI_RE.findall(text)) > i, 20, f"[NMI] line {i + 1}")
    assert all(mode == "kernel" for _, mode in NMI_RE.findall(m.output)), m.tail()
    assert m.run("echo still here") == "still here\n"
    assert not m.faults(), m.tail()
    m.poweroff()


def test_nmi_while_a_program_runs_does_not_kill_it(boot_machine):
    m = boot_machine("kernel")
    m.send("run spin 3\r")
    m.wait_for("spin: pid=", timeout=30)
    user = 0
    for i in range(40):
        inject_nmi(m)
        m.wait_until(lambda text, pos: len(NMI_RE.findall(text)) > i, 10, "an [NMI] line")
        user = sum(1 for _, mode in NMI_RE.findall(m.output) if mode == "user")
        if user >= 2:
            break
    assert user >= 2, "no NMI landed in ring 3:\n" + m.tail()
    m.wait_for(re.compile(r"^spin: pid=\d+ done\r$", re.M), timeout=120)
    m.wait_for(re.compile(r"^\[EXIT\] pid=\d+ status=0\r?$", re.M), timeout=30)
    m.wait_for("secos> ", timeout=30)   # the prompt comes after [EXIT]: type only then
    assert "[KILL]" not in m.output, m.tail()
    assert m.run("echo ok") == "ok\n"
    assert not m.faults(), m.tail()
    m.poweroff()


def mce(m, bank, status, mcg_status):
    m.qmp.execute("human-monitor-command",
                  **{"command-line": f"mce 0 {bank} {status:#x} {mcg_status:#x} 0x1234000 0"})


MCI_VAL_UC_EN_ADDRV = (1 << 63) | (1 << 61) | (1 << 60) | (1 << 58)
MCI_PCC = 1 << 57
MCG_RIPV_EIPV = 0x3


def test_machine_check_reported_recoverable_then_fatal(boot_machine):
    m = boot_machine("kernel", expect_faults=True)
    mce(m, 1, MCI_VAL_UC_EN_ADDRV, MCG_RIPV_EIPV)
    m.wait_for(re.compile(r"^\[MCE\] bank 1 status=0xb400000000000000 addr=0x1234000 .*uncorrected\r$", re.M),
               timeout=20)
    m.wait_for("[MCE] recovered, execution continues", timeout=10)
    assert m.run("echo alive") == "alive\n"
    assert not m.faults(), m.tail()
    # Processor context corrupt: there is nothing to return to.
    mce(m, 2, MCI_VAL_UC_EN_ADDRV | MCI_PCC, MCG_RIPV_EIPV)
    m.wait_for(re.compile(r"^\[MCE\] bank 2 .* context-corrupt\r$", re.M), timeout=20)
    m.wait_for("[PANIC] machine check: processor context corrupt", timeout=10)
    assert m.alive(), "QEMU exited (reset) instead of the kernel reporting the machine check"
