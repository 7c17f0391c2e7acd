"""The filesystem layer on one -kernel boot: RAMFS at /, the boot files,
/init.rc, the rf*/v* shell commands, limits, immutability and scripts.

Every test cleans up what it creates, so they can run alone (-k) or in any
order on the shared machine."""
from __future__ import annotations

import re

import pytest

from secos import REPO

IMMUTABLE = "read-only (immutable)"


def run(vm, line: str, timeout: float = 30.0) -> str:
    """A command's output as text (the kernel writes UTF-8; the harness
    decodes serial bytes as latin-1)."""
    return vm.run(line, timeout=timeout).encode("latin-1").decode("utf-8")


def quiet(vm, *lines: str) -> None:
    """Commands that must succeed silently."""
    for line in lines:
        assert run(vm, line) == "", line


def usage(vm) -> dict:
    """rfusage -> {"files": 5, "dirs": 3, "bytes": 425, "free slots": 248}"""
    out = run(vm, "rfusage")
    fields = {k: int(v) for k, v in re.findall(r"^([a-z ]+):\s+(\d+)", out, re.M)}
    assert set(fields) == {"files", "dirs", "bytes", "free slots"}, out
    return fields


def syscalls_from_header() -> list[str]:
    text = (REPO / "include/secos/syscall.h").read_text()
    block = re.search(r"#define SECOS_SYSCALLS\(X\)(.*?)\n\n", text, re.S).group(1)
    pairs = re.findall(r"X\((\d+),\s*(\w+)\)", block)
    assert pairs, "no X(num, name) entries in SECOS_SYSCALLS"
    linux = (REPO / "include/secos/linux_syscall.h").read_text()
    block = re.search(r"#define LINUX_SYSCALLS\(X\)(.*?)\n\n", linux, re.S).group(1)
    lpairs = re.findall(r"X\((\d+),\s*(\w+),\s*\w+\)", block)
    assert lpairs, "no X(num, name, handler) entries in LINUX_SYSCALLS"
    return [f"{num} {name}" for num, name in pairs] + [f"linux {num} {name}" for num, name in lpairs]


# --- boot ----------------------------------------------------------------------------

def test_boot_mounts_ramfs_and_runs_init_rc(vm):
    out = vm.output.replace("\r\n", "\n")
    assert re.search(r"^\[FS\] RAMFS mounted at /: \d+ files, \d+ dirs, \d+ bytes$", out, re.M), out[-3000:]
    # /init.rc ran: its own output, then the summary with nothing failed,
    # all before the shell came up.
    assert "\n[init] running /init.rc\n" in out
    done = re.search(r"^\[init\.rc\] done: (\d+) lines, (\d+) failed$", out, re.M)
    assert done, out[-3000:]
    assert int(done.group(1)) >= 1 and done.group(2) == "0"
    assert "[init.rc] line" not in out
    assert out.index("[init] running /init.rc") < out.index("[init.rc] done:") < out.index("[SHELL] ready")


def test_version_matches_banner(vm):
    banner = re.search(r"^SECoS build \S+ git:\S+$", vm.output.replace("\r\n", "\n"), re.M).group(0)
    assert run(vm, "rfcat /VERSION") == banner + "\n"
    info = run(vm, "rfinfo /VERSION")
    assert "immutable: yes" in info
    assert f"size:      {len(banner) + 1} bytes" in info


def test_syscalls_txt_matches_header(vm):
    want = syscalls_from_header()
    assert run(vm, "rfcat /sys/syscalls.txt") == "".join(line + "\n" for line in want)
    assert want[0] == "0 yield"
    assert "immutable: yes" in run(vm, "rfinfo /sys/syscalls.txt")


def test_init_rc_is_immutable_script(vm):
    """The console runs it with its own rights: sealed once the initrd had
    its chance to replace it (fs/boot_seal.c)."""
    out = run(vm, "rfcat /init.rc")
    assert "echo [init] running /init.rc\n" in out
    assert "immutable: yes" in run(vm, "rfinfo /init.rc")


def test_manifest_lists_boot_entries(vm):
    text = run(vm, "rfcat /sys/manifest.txt")
    entries = {}
    for line in text.splitlines():
        m = re.fullmatch(r"([FD]) (\d+) (/\S*)", line)
        assert m, f"bad manifest line {line!r}"
        entries[m.group(3)] = (m.group(1), int(m.group(2)))
    for path, kind in (("/", "D"), ("/VERSION", "F"), ("/init.rc", "F"), ("/sys", "D"),
                       ("/sys/syscalls.txt", "F"), ("/sys/manifest.txt", "F")):
        assert path in entries and entries[path][0] == kind, (path, text)
    # The manifest is written last and describes itself exactly.
    assert entries["/sys/manifest.txt"][1] == len(text.encode())
    # Boot files keep the size the manifest recorded (they are immutable, or untouched).
    for path in ("/VERSION", "/sys/syscalls.txt", "/sys/manifest.txt", "/init.rc", "/sys"):
        kind, size = entries[path]
        assert f"size:  {size} {'entries' if kind == 'D' else 'bytes'}" in run(vm, f"vinfo {path}"), path
    assert "immutable: yes" in run(vm, "rfinfo /sys/manifest.txt")


# --- the issue's example ---------------------------------------------------------------

def test_issue_example_exact_output(vm):
    quiet(vm, "rfmkdir docs", "rfadd docs/readme.txt HelloRAMFS", "rfwrite docs/readme.txt 5 _World")
    assert run(vm, "rfcat docs/readme.txt") == "Hello_World\n"
    quiet(vm, "rfmv docs/readme.txt docs/info.txt")
    assert run(vm, "rftree docs") == "/docs\n\u2514\u2500 info.txt\n"
    quiet(vm, "rftruncate docs/info.txt 5")
    assert run(vm, "rfcat docs/info.txt") == "Hello\n"
    assert "no such file" in run(vm, "rfcat docs/readme.txt")
    quiet(vm, "rfdel docs/info.txt", "rfrmdir docs")


def test_rftree_drawing(vm):
    quiet(vm, "rfmkdir t", "rfmkdir t/a", "rfadd t/a/x 1", "rfadd t/a/y 2", "rfmkdir t/b", "rfadd t/b/z 3",
          "rfadd t/c 4")
    assert run(vm, "rftree t") == (
        "/t\n"
        "\u251c\u2500 a/\n"
        "\u2502  \u251c\u2500 x\n"
        "\u2502  \u2514\u2500 y\n"
        "\u251c\u2500 b/\n"
        "\u2502  \u2514\u2500 z\n"
        "\u2514\u2500 c\n")
    quiet(vm, "rfdel t/a/x", "rfdel t/a/y", "rfdel t/b/z", "rfdel t/c", "rfrmdir t/a", "rfrmdir t/b", "rfrmdir t")
    assert run(vm, "rftree /VERSION") == "rftree: /VERSION: not a directory\n"


# --- rename --------------------------------------------------------------------------------

def test_rfmv_into_itself_refused(vm):
    quiet(vm, "rfmkdir docs", "rfmkdir docs/sub")
    out = run(vm, "rfmv docs docs/sub")
    assert out == "rfmv: /docs -> /docs/sub: cannot move a directory into itself\n"
    assert "cannot move a directory into itself" in run(vm, "rfmv docs docs/sub/deeper")
    assert run(vm, "rfls docs") == "D        0  sub/\n"
    quiet(vm, "rfrmdir docs/sub", "rfrmdir docs")


def test_rfmv_directory_takes_descendants_and_cwd(vm):
    quiet(vm, "rfmkdir mv1", "rfmkdir mv1/inner", "rfadd mv1/inner/f deep", "rfcd mv1/inner",
          "rfmv /mv1 /mv2")
    assert run(vm, "rfpwd") == "/mv2/inner\n"      # the working directory moved along
    assert run(vm, "rfcat f") == "deep\n"
    assert "no such file" in run(vm, "rfls /mv1")
    assert run(vm, "rfmv /mv2/inner/f /VERSION") == "rfmv: /mv2/inner/f -> /VERSION: already exists\n"
    assert run(vm, "rfrmdir /mv2") == "rfrmdir: /mv2: directory not empty\n"
    quiet(vm, "rfcd ../..", "rfdel mv2/inner/f", "rfrmdir mv2/inner", "rfrmdir mv2")
    assert run(vm, "rfpwd") == "/\n"


# --- immutability ------------------------------------------------------------------------------

@pytest.mark.parametrize("line,prefix", [
    ("rfdel /VERSION", "rfdel: /VERSION"),
    ("rfwrite /VERSION 0 hacked", "rfwrite: /VERSION"),
    ("rftruncate /VERSION 0", "rftruncate: /VERSION"),
    ("rfmv /VERSION /VERSION.old", "rfmv: /VERSION -> /VERSION.old"),
    ("rfadd /sys/extra x", "rfadd: /sys/extra"),
    ("rfdel /sys/syscalls.txt", "rfdel: /sys/syscalls.txt"),
    ("rfmv /sys /system", "rfmv: /sys -> /system"),
])
def test_immutable_refusals(vm, line, prefix):
    before = run(vm, "rfcat /VERSION")
    assert run(vm, line) == f"{prefix}: {IMMUTABLE}\n"
    assert run(vm, "rfcat /VERSION") == before
    assert run(vm, "echo still here") == "still here\n"


# --- limits ------------------------------------------------------------------------------------

def test_name_length_limit(vm):
    # A console line holds 256 characters, so the longest name "rfadd" can
    # take is 247 bytes, past the old 63-byte limit; names of VFS_NAME_MAX
    # (255) and past it are tested through busybox in test_fat.py and in
    # tests/unit/test_ramfs.c.
    name = "n" * 240
    quiet(vm, f"rfadd {name} ok")
    assert run(vm, f"rfcat {name}") == "ok\n"
    quiet(vm, f"rfmv {name} short")
    assert run(vm, "rfcat short") == "ok\n"
    quiet(vm, "rfdel short")


FILE_MAX = 8 * 1024 * 1024  # RAMFS_MAX_FILE_SIZE (fs/ramfs.h); the whole fs holds 8 of them


def test_space_limit_then_cleanup(vm):
    start = usage(vm)
    made, err = [], ""
    for i in range(10):  # 64 MiB in all, 8 MiB a file: the boot files leave room for 7
        name = f"big{i}"
        quiet(vm, f"rfadd {name}")
        made.append(name)
        err = run(vm, f"rfwrite {name} {FILE_MAX - 1} x", timeout=60)  # a full file: zero-filled to the last byte
        if err:
            break
    assert err == f"rfwrite: /{made[-1]}: no space left on the filesystem\n"
    assert len(made) == 8
    assert run(vm, f"rfinfo {made[-1]}").count("size:      0 bytes") == 1   # nothing partial
    full = usage(vm)
    assert full["bytes"] == start["bytes"] + 7 * FILE_MAX
    assert full["bytes"] <= 8 * FILE_MAX
    for name in made:
        quiet(vm, f"rfdel {name}")
    assert usage(vm) == start                         # every byte and slot given back


def test_file_size_limit(vm):
    quiet(vm, "rfadd fat")
    assert run(vm, f"rfwrite fat {FILE_MAX} x") == "rfwrite: /fat: file too large\n"
    assert run(vm, f"rftruncate fat {FILE_MAX + 1}") == "rftruncate: /fat: file too large\n"
    quiet(vm, f"rftruncate fat {FILE_MAX}")
    assert f"size:      {FILE_MAX} bytes" in run(vm, "rfinfo fat")
    quiet(vm, "rfdel fat")


# --- other commands ----------------------------------------------------------------------------

def test_write_gap_and_safe_output(vm):
    quiet(vm, "rfadd gap ab", "rfwrite gap 4 cd")
    assert run(vm, "rfcat gap") == "ab\\x00\\x00cd\n"       # the gap is zeros, shown escaped
    assert 'first:     "ab\\x00\\x00cd"' in run(vm, "rfinfo gap")
    quiet(vm, "rftruncate gap 8")
    assert run(vm, "rfcat gap") == "ab\\x00\\x00cd\\x00\\x00\n"
    quiet(vm, "rfdel gap")


def test_rfadd_joins_words(vm):
    quiet(vm, "rfadd words one   two    three")
    assert run(vm, "rfcat words") == "one two three\n"
    quiet(vm, "rfdel words")


def test_rfusage_counts(vm):
    before = usage(vm)
    assert before["files"] >= 4 and before["dirs"] >= 2
    quiet(vm, "rfmkdir u", "rfadd u/f 12345")
    after = usage(vm)
    assert after["files"] == before["files"] + 1
    assert after["dirs"] == before["dirs"] + 1
    assert after["bytes"] == before["bytes"] + 5
    assert after["free slots"] == before["free slots"] - 2
    quiet(vm, "rfdel u/f", "rfrmdir u")
    assert usage(vm) == before


def test_working_directory(vm):
    assert run(vm, "rfpwd") == "/\n"
    quiet(vm, "rfmkdir wd", "rfmkdir wd/x", "rfcd wd/x")
    assert run(vm, "rfpwd") == "/wd/x\n"
    assert run(vm, "vpwd") == "/wd/x\n"
    quiet(vm, "rfadd here 1", "rfcd ..")
    assert run(vm, "rfls") == "D        1  x/\n"
    assert run(vm, "vls") == "D 1 /wd/x\n"
    assert run(vm, "rfcat ../wd/./x//here") == "1\n"
    assert run(vm, "rfrmdir /wd") == "rfrmdir: /wd: is the working directory (rfcd elsewhere first)\n"
    assert run(vm, "rfcd /VERSION") == "rfcd: /VERSION: not a directory\n"
    quiet(vm, "rfcd ../../..")                        # ".." at / stays at /
    assert run(vm, "rfpwd") == "/\n"
    quiet(vm, "rfdel wd/x/here", "rfrmdir wd/x", "rfrmdir wd")


def test_vfs_commands(vm):
    assert run(vm, "vmount").splitlines()[0] == "/ ramfs"
    out = run(vm, "vls /")
    assert re.search(r"^F \d+ /VERSION$", out, re.M), out
    assert re.search(r"^D \d+ /sys$", out, re.M), out
    assert run(vm, "vls /sys/syscalls.txt").startswith("F ")
    assert run(vm, "vinfo /sys") == "path:  /sys\ntype:  directory\nsize:  3 entries\nmount: / (ramfs)\n"  # syscalls.txt, manifest.txt, kernel/
    assert run(vm, "vcat /VERSION") == run(vm, "rfcat /VERSION")
    assert run(vm, "vcat /nope") == "vcat: /nope: no such file or directory\n"


@pytest.mark.parametrize("line,expected", [
    ("rfcat /nope", "rfcat: /nope: no such file or directory\n"),
    ("rfcat /sys", "rfcat: /sys: is a directory\n"),
    ("rfdel /sys", "rfdel: /sys: is a directory (use rfrmdir)\n"),
    ("rfrmdir /VERSION", "rfrmdir: /VERSION: not a directory\n"),
    ("rfrmdir /sys", f"rfrmdir: /sys: {IMMUTABLE}\n"),
    ("rfmkdir /sys", "rfmkdir: /sys: already exists\n"),
    ("rfadd /init.rc x", "rfadd: /init.rc: already exists\n"),
    ("rfwrite /nope 0 x", "rfwrite: /nope: no such file or directory\n"),
    ("rfwrite /init.rc zero x", "rfwrite: bad offset 'zero' (a decimal or 0x number)\n"),
    ("rftruncate /init.rc -1", "rftruncate: bad size '-1' (a decimal or 0x number)\n"),
    ("rfadd /nodir/f x", "rfadd: /nodir/f: no such file or directory\n"),
    ("rfadd /VERSION/f x", "rfadd: /VERSION/f: not a directory\n"),
    ("rfcat", "usage: rfcat <path>\n"),
    ("rfmv a", "usage: rfmv <old> <new>\n"),
])
def test_errors_are_clear_and_shell_goes_on(vm, line, expected):
    assert run(vm, line) == expected
    assert run(vm, "echo ok") == "ok\n"


# --- scripts -------------------------------------------------------------------------------------

def test_source_reports_failing_line(vm):
    quiet(vm, "rfappendline s.rc echo first", "rfappendline s.rc nosuchcommand arg",
          "rfappendline s.rc # a comment", "rfappendline s.rc rfcat /nope", "rfappendline s.rc echo last")
    assert run(vm, "rfcat s.rc") == "echo first\nnosuchcommand arg\n# a comment\nrfcat /nope\necho last\n"
    assert run(vm, "source s.rc") == (
        "first\n"
        "unknown command: nosuchcommand (try 'help')\n"
        "[/s.rc] line 2 failed: nosuchcommand arg\n"
        "rfcat: /nope: no such file or directory\n"
        "[/s.rc] line 4 failed: rfcat /nope\n"
        "last\n"
        "[/s.rc] done: 5 lines, 2 failed\n")
    quiet(vm, "rfdel s.rc")
    assert run(vm, "source s.rc") == "[/s.rc] cannot run /s.rc: no such file or directory\n"


def test_source_nesting_is_bounded(vm):
    quiet(vm, "rfappendline loop.rc source loop.rc")
    out = run(vm, "source loop.rc")
    assert "[/loop.rc] cannot run /loop.rc: scripts nested too deep (max 4)\n" in out
    assert out.endswith("[/loop.rc] done: 1 lines, 1 failed\n")
    assert run(vm, "echo alive") == "alive\n"
    quiet(vm, "rfdel loop.rc")


def test_help_lists_fs_commands(vm):
    out = run(vm, "help")
    for name in ("rfls", "rfcat", "rfinfo", "rfadd", "rfwrite", "rfdel", "rfmkdir", "rfrmdir", "rfcd",
                 "rfpwd", "rftree", "rfusage", "rfmv", "rftruncate", "rfappendline", "source",
                 "vls", "vcat", "vinfo", "vpwd", "vmount"):
        assert re.search(rf"^  {name}\b", out, re.M), name


# --- the quota per process (fs/fs_quota.c) ------------------------------------------


def test_quota_per_process_manifest_lowers_it(vm):
    """fsquota's manifest lowers its quota to 8 nodes and 256 KiB."""
    out = vm.run("run fsquota 8 256", timeout=60)
    assert "fsquota: ok: 8 nodes (then -28), 262144 bytes (then -28)" in out, out


def test_quota_an_exited_program_leaves_room_for_others(vm):
    """Nodes an exited program left stay charged to it: the next program
    still gets its whole quota."""
    before = usage(vm)
    out = vm.run("run fsquota 8 256 leave", timeout=60)
    assert "fsquota: ok" in out, out
    left = usage(vm)
    assert left["files"] == before["files"] + 8, (before, left)
    out = vm.run("run fsquota 8 256", timeout=60)
    assert "fsquota: ok" in out, out
    for line in run(vm, "rfls /").splitlines():
        name = line.split()[-1]
        if name.startswith("fsq-"):
            assert run(vm, f"rfdel /{name}") == ""
    assert usage(vm)["files"] == before["files"]
