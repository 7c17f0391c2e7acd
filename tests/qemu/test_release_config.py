"""The release configuration (plain `make`, build/) against the test
configuration this suite otherwise boots (make CONFIG=test, build/test): the
release image has the seed's commands, its selftests and its programs, and
none of the test scaffolding (crash tests, kbench and its buffer, the demos,
the attack programs)."""
import re
import subprocess

import pytest

from secos import BUILD, RELEASE_BUILD, Machine
from shellspec import registered_commands

SCAFFOLD_COMMANDS = {"crashtest", "kbench", "memhog", "atatest", "blkfill", "blksync", "blkbench", "diskdump", "canaryfp"}
TEST_PROGRAMS = {"attack", "attack_sysret", "attack_iret", "fuzz"}
SEED_COMMANDS = {"help", "clear", "echo", "info", "uptime", "sleep", "colors", "reboot", "poweroff",
                 "selftest", "mem", "memtest", "memstress", "vmmap", "wxcheck", "elfload", "elfunload",
                 "run", "ps", "kill", "sched", "aslr", "rfls", "rfcat", "rfinfo", "rfadd", "rfwrite",
                 "rfappendline", "rfdel", "rfmkdir", "rfrmdir", "rfmv", "rftruncate", "rfcd", "rfpwd",
                 "rftree", "rfusage", "vls", "vcat", "vinfo", "vpwd", "vmount", "source", "drvinfo",
                 "drvreg", "drvunreg", "drvlog", "drvrate", "drvtest"}


def need(path):
    if not path.exists():
        pytest.skip(f"{path} missing (make kernel initrd; make CONFIG=test kernel initrd)")
    return path


def sizes(elf):
    """{section: bytes} for the allocated sections of an ELF, from binutils' size -A."""
    out = subprocess.run(["size", "-A", str(elf)], capture_output=True, text=True, check=True).stdout
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\.\S+)\s+(\d+)\s+\d+$", out, re.M)}


@pytest.fixture(scope="module")
def release_vm():
    need(RELEASE_BUILD / "kernel.elf")
    initrd = need(RELEASE_BUILD / "initrd.cpio")
    with Machine("release", extra_args=["-initrd", str(initrd)], label="release") as m:
        m.boot()
        yield m


def test_command_tables():
    release = set(registered_commands(need(RELEASE_BUILD / "kernel.elf")))
    test = set(registered_commands(need(BUILD / "kernel.elf")))
    assert SEED_COMMANDS <= release, SEED_COMMANDS - release
    assert not (SCAFFOLD_COMMANDS & release), SCAFFOLD_COMMANDS & release
    assert test == release | SCAFFOLD_COMMANDS, test ^ (release | SCAFFOLD_COMMANDS)


def test_release_image_is_smaller():
    rel, tst = sizes(need(RELEASE_BUILD / "kernel.elf")), sizes(need(BUILD / "kernel.elf"))
    # kbench's 400 KB sample buffer is bss in the test configuration only.
    assert tst[".bss"] - rel[".bss"] >= 390_000, (rel, tst)
    # The attack programs are embedded (rodata) in the test configuration only.
    assert tst[".rodata"] > rel[".rodata"], (rel, tst)


def test_release_boots_with_selftests_and_no_scaffolding(release_vm):
    boot = release_vm.output
    assert re.search(r"\[SELFTEST\] summary: \d+ passed, 0 failed", boot), boot
    help_text = release_vm.run("help")
    for name in SCAFFOLD_COMMANDS:
        assert not re.search(rf"^  {name}\b", help_text, re.M), help_text
    assert release_vm.run("crashtest null").startswith("unknown command: crashtest"), "crashtest answered"
    assert release_vm.run("kbench").startswith("unknown command: kbench")


def test_release_has_no_attack_programs(release_vm):
    listing = release_vm.run("vls /bin")
    names = {line.rsplit("/", 1)[-1] for line in listing.splitlines()}
    assert "hello" in names and "testdriver" in names, listing
    assert not (TEST_PROGRAMS & names), listing
    out = release_vm.run("run attack")
    assert out.startswith("error: cannot start attack: no such program"), out
    assert "Hello from user space!" in release_vm.run("run hello")
