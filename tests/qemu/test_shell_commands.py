"""Every shell command on one -kernel (Multiboot 1) boot."""
from __future__ import annotations

import datetime
import re
import time

import pytest

import secos
from secos import MEMORY_TOLERANCE, check_protections_enabled, kernel_path, parse_info, screen_colours
from shellspec import REQUIRED_COMMANDS, registered_commands


# --- the boot itself -------------------------------------------------------------

def test_boot_banner_first(vm):
    out = vm.output.replace("\r\n", "\n")
    m = re.search(r"^SECoS build (\S+) git:(\S+)$", out, re.M)
    assert m, out[:2000]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", m.group(1)), m.group(0)
    assert re.fullmatch(r"[0-9a-f]{7,40}(-dirty)?|unknown", m.group(2)), m.group(0)
    # The banner comes before any other kernel line.
    assert out.index(m.group(0)) < out.index("[BOOT] path=")


def test_boot_path_line(vm):
    assert re.search(r"^\[BOOT\] path=multiboot1 loader=\"[^\"]*\" kernel at phys 0x[0-9a-f]+\r$",
                     vm.output, re.M), vm.tail()


def test_boot_selftests_all_pass(vm):
    out = vm.output.replace("\r\n", "\n")
    results = re.findall(r"^\[SELFTEST\] (\S+) (PASS|FAIL)$", out, re.M)
    summary = re.findall(r"^\[SELFTEST\] summary: (\d+) passed, (\d+) failed$", out, re.M)
    assert summary, "no selftest summary in the boot output"
    passed, failed = map(int, summary[0])
    assert failed == 0, [n for n, r in results if r == "FAIL"]
    assert passed >= 1 and passed == len(results)
    assert out.index("[SELFTEST] summary") < out.index("[SHELL] ready")


def test_debugcon_mirrors_serial(vm):
    # The kernel also writes to QEMU's debugcon (port 0xE9) when present.
    dc = vm.debugcon()
    for marker in ("SECoS build", "[BOOT] path=multiboot1", "[SELFTEST] summary:", "[SHELL] ready"):
        assert marker in dc, f"{marker!r} missing from debugcon output:\n{dc[-1500:]}"


def test_display_shows_text(vm, tmp_path):
    # -kernel leaves VGA text mode on; the kernel writes the console there too.
    assert screen_colours(vm, tmp_path / "screen.ppm") > 1, "the VGA screen is blank"


# --- help ------------------------------------------------------------------------

def _help_lines(vm):
    out = vm.run("help")
    lines = out.splitlines()
    assert lines[0] == "Commands:", out
    return lines[1:]


def test_help_lists_required_commands_with_text(vm):
    lines = _help_lines(vm)
    for name in REQUIRED_COMMANDS:
        hits = [l for l in lines if re.match(rf"^  {re.escape(name)}(\s|$)", l)]
        assert len(hits) == 1, f"help lists {name!r} {len(hits)} times:\n" + "\n".join(lines)
        words = hits[0].split()
        assert len(words) >= 3, f"no help text for {name!r}: {hits[0]!r}"


def test_help_matches_registered_commands(vm):
    """Each command in the booted kernel's command table appears exactly as
    "  <usage padded to 22> <help>", in name order, and nothing else does."""
    cmds = registered_commands(kernel_path())
    assert set(REQUIRED_COMMANDS) <= set(cmds), sorted(cmds)
    lines = _help_lines(vm)
    expected = [f"  {usage:<22} {text}" for _, (usage, text) in sorted(cmds.items())]
    assert lines == expected


# --- echo ------------------------------------------------------------------------

@pytest.mark.parametrize("line,expected", [
    ("echo hello world", "hello world\n"),
    ("echo", "\n"),
    ("echo    spaced     out   ", "spaced out\n"),
    ("echo 'not quoted' \"either\"", "'not quoted' \"either\"\n"),
    ("echo %s %d %n %x %%", "%s %d %n %x %%\n"),
    ("echo !#$&*()_+-=[]{};:,./<>?~`|\\", "!#$&*()_+-=[]{};:,./<>?~`|\\\n"),
    ("echo secos> not a prompt", "secos> not a prompt\n"),
])
def test_echo_exact(vm, line, expected):
    # Output containing "secos> " needs a longer quiet time to tell it from the prompt.
    assert vm.run(line, settle=0.5 if "secos>" in line else secos.SETTLE) == expected


def test_echo_is_echoed_back(vm):
    echo, out = vm.run_raw("echo abc")
    assert echo == "echo abc"
    assert out == "abc\r\n"


def test_echo_many_arguments(vm):
    words = [f"w{i}" for i in range(15)]            # command + 15 = SHELL_MAX_ARGS words
    assert vm.run("echo " + " ".join(words)) == " ".join(words) + "\n"


def test_too_many_arguments(vm):
    words = [f"w{i}" for i in range(16)]
    assert vm.run("echo " + " ".join(words)) == "error: too many arguments (max 15)\n"
    assert vm.run("echo ok") == "ok\n"


# --- clear, colors ---------------------------------------------------------------

def test_clear(vm):
    # On serial, clear is the ANSI "erase display" + "cursor home".
    assert vm.run("clear") == "\x1b[2J\x1b[H"
    assert vm.run("echo after clear") == "after clear\n"


COLOR_NAMES = ["black", "blue", "green", "cyan", "red", "magenta", "brown", "light grey",
               "dark grey", "light blue", "light green", "light cyan", "light red", "pink",
               "yellow", "white"]


def test_colors(vm):
    out = vm.run("colors")
    lines = out.splitlines()
    assert len(lines) == 4, out
    expected = [""] * 4
    for i, name in enumerate(COLOR_NAMES):
        expected[i // 4] += f" {i:2d} {name:<12}"
    assert lines == expected
    assert "\x1b" not in out  # colours go to the display only


# --- info ------------------------------------------------------------------------

def test_info_fields(vm):
    out = vm.run("info")
    assert out.startswith("SECoS build "), out
    f = parse_info(out)
    for key in ("boot path", "memory", "kernel", "display", "cmdline", "acpi rsdp", "cpu", "features", "enabled"):
        assert key in f, f"info lacks {key!r}:\n{out}"
    assert re.match(r"^multiboot1 \(loader: .+\)$", f["boot path"]), f["boot path"]
    m = re.match(r"^(\d+) MiB RAM reported, (\d+) map entries$", f["memory"])
    assert m, f["memory"]
    assert abs(int(m.group(1)) - 512) <= 512 * MEMORY_TOLERANCE, f["memory"]
    assert int(m.group(2)) >= 1
    assert f["display"] == "vga-text 80x25"
    assert re.match(r"^physical base 0x100000, KASLR slide 0x[0-9a-f]+( \(not slid\))?$", f["kernel"]), f["kernel"]
    assert re.fullmatch(r"NX=(yes|no) SMEP=(yes|no) SMAP=(yes|no) UMIP=(yes|no) RDRAND=(yes|no)",
                        f["features"]), f["features"]
    assert re.fullmatch(r"NXE=(yes|no) WP=(yes|no) SMEP=(yes|no) SMAP=(yes|no) UMIP=(yes|no)",
                        f["enabled"]), f["enabled"]


def test_info_protections_match_cpu(vm):
    have = check_protections_enabled(vm.run("info"))
    assert have["NX"] == "yes"  # every x86-64 CPU QEMU models has NX


def test_info_repeatable(vm):
    a = vm.run("info")
    b = vm.run("info")
    assert a == b


# --- uptime, sleep ---------------------------------------------------------------

UPTIME_RE = re.compile(r"^uptime: (\d+)\.(\d{3}) s \((\d+) ticks at (\d+) Hz\)\n"
                       r"wall clock: (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC|unavailable \(RTC kept updating\))\n$")


def parse_uptime(out: str):
    """-> (ms, ticks, hz, wall clock as a datetime or None if unavailable)"""
    m = UPTIME_RE.match(out)
    assert m, f"unexpected uptime output: {out!r}"
    ms = int(m.group(1)) * 1000 + int(m.group(2))
    ticks, hz = int(m.group(3)), int(m.group(4))
    wall = None
    if m.group(5).endswith("UTC"):
        wall = datetime.datetime.strptime(m.group(5), "%Y-%m-%d %H:%M:%S UTC").replace(
            tzinfo=datetime.timezone.utc)
    return ms, ticks, hz, wall


def test_uptime_format(vm):
    ms, ticks, hz, _ = parse_uptime(vm.run("uptime"))
    assert hz > 0 and ticks * 1000 // hz == ms


def test_uptime_advances(vm):
    ms1, *_ = parse_uptime(vm.run("uptime"))
    assert vm.run("sleep 300").startswith("slept ")
    ms2, *_ = parse_uptime(vm.run("uptime"))
    assert ms2 - ms1 >= 300, (ms1, ms2)


def test_uptime_wall_clock(vm):
    """QEMU's RTC starts at the host's UTC time and never stalls, so every
    read must succeed (the "unavailable" fallback is for real hardware)."""
    # Read the clock after several different commands: a read that compares
    # uninitialised stack bytes (e.g. struct padding) would pass or fail
    # depending on what the previous command left on the stack.
    outs = []
    for before in ("", "colors", "echo hi", "info", "help", "sleep 5", "selftest", "clear", "uptime"):
        if before:
            vm.run(before)
        outs.append(vm.run("uptime"))
    walls = [parse_uptime(o)[3] for o in outs]
    failed = sum(w is None for w in walls)
    assert failed == 0, f"{failed} of {len(outs)} uptime calls had no wall clock: " + \
        repr([o.splitlines()[1] for o in outs])
    now = datetime.datetime.now(datetime.timezone.utc)
    for w in walls:
        assert abs((w - now).total_seconds()) < 120, (w, now)
    assert walls == sorted(walls)


@pytest.mark.parametrize("ms", [1, 250, 1000])
def test_sleep(vm, ms):
    t0 = time.monotonic()
    out = vm.run(f"sleep {ms}", timeout=60)
    wall = time.monotonic() - t0
    m = re.fullmatch(r"slept (\d+) ms\n", out)
    assert m, out
    slept = int(m.group(1))
    assert ms <= slept <= ms + 50, out
    # The PIT runs on QEMU's virtual clock, which follows the host's under TCG.
    assert wall >= ms / 1000 * 0.5, (ms, wall)
    assert wall < ms / 1000 + 15, (ms, wall)


def test_sleep_hex_argument(vm):
    # parse_u64 accepts 0x-prefixed numbers.
    assert vm.run("sleep 0x10").startswith("slept ")


# --- selftest --------------------------------------------------------------------

def test_selftest_command(vm):
    out = vm.run("selftest", timeout=120)
    results = re.findall(r"^\[SELFTEST\] (\S+) (PASS|FAIL)$", out, re.M)
    m = re.search(r"^\[SELFTEST\] summary: (\d+) passed, (\d+) failed$", out, re.M)
    assert m, out
    assert int(m.group(2)) == 0, out
    assert int(m.group(1)) == len(results) >= 1
    assert all(r == "PASS" for _, r in results), out
    assert out.splitlines()[-1] == m.group(0)


def test_selftest_prefix(vm):
    names = re.findall(r"^\[SELFTEST\] (\S+) PASS$", vm.run("selftest"), re.M)
    assert names
    name = names[0]
    out = vm.run(f"selftest {name}")
    ran = re.findall(r"^\[SELFTEST\] (\S+) PASS$", out, re.M)
    assert ran == [n for n in names if n.startswith(name)], out
    assert out.endswith(f"[SELFTEST] summary: {len(ran)} passed, 0 failed\n"), out
    assert vm.run("selftest no.such.test") == (
        "[SELFTEST] no test name starts with \"no.such.test\" (selftest with no argument runs them all)\n")


def test_selftest_usage(vm):
    assert vm.run("selftest a b") == "usage: selftest [name-prefix]\n"


# --- the end of this module's machine ---------------------------------------------

def test_no_faults_in_output(vm):
    assert vm.faults() == [], vm.tail()
    assert vm.alive()
