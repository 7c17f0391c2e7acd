"""The build as the README describes it: what plain `make` builds, BUILD=dir
with a space in it, and quiet output (V=1 for the command lines)."""
import os
import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def make(*args, check=True):
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "V")}
    r = subprocess.run(["make", "--no-print-directory", *args], cwd=REPO, env=env,
                       capture_output=True, text=True, timeout=600)
    if check:
        assert r.returncode == 0, f"make {' '.join(args)}: exit {r.returncode}\n{r.stdout}\n{r.stderr}"
    return r


def test_default_goal_is_all():
    db = make("-pq", check=False).stdout   # -q: exits 1 when something is out of date
    assert re.search(r"^\.DEFAULT_GOAL := all$", db, re.M), "the default goal is not 'all'"
    m = re.search(r"^all: (.*)$", db, re.M)
    assert m, "no 'all' rule"
    assert set(m.group(1).split()) >= {"kernel", "uefi", "initrd", "iso", "esp"}, m.group(0)


def test_plain_make_builds_kernel_loader_initrd_and_images(tmp_path):
    out = make("-n", f"BUILD={tmp_path}").stdout   # no goal: the default one
    for what in (f"-o {tmp_path}/kernel.elf.tmp", f"{tmp_path}/BOOTX64.EFI", "tools/mkinitrd.sh",
                 "tools/mkesp.sh", "tools/mkiso.sh"):
        assert what in out, f"plain `make` does not build {what}"


def test_build_dir_with_a_space(tmp_path):
    build = tmp_path / "a b" / "out dir"
    make(f"BUILD={build}", "initrd")
    assert (build / "initrd.cpio").stat().st_size > 0
    assert (build / "user" / "hello.elf").is_file()
    # Every other target at least parses and plans (no "multiple target patterns").
    r = make("-n", f"BUILD={build}", "all", "unit-build-string", "fuzz-build", "user-hosttest")
    assert "multiple target patterns" not in r.stderr
    make(f"BUILD={build}", "clean")
    assert not build.exists()


def test_compiles_are_quiet_unless_v1(tmp_path):
    targets = [f"{tmp_path}/k/lib/string.o", f"{tmp_path}/uefi/log.o",
               f"{tmp_path}/unit/test_string", f"{tmp_path}/fuzz/obj/path/fs/path.o",
               f"{tmp_path}/user/obj/shared/string.o"]
    out = make(f"BUILD={tmp_path}", *targets).stdout
    lines = out.splitlines()
    assert lines, "nothing built"
    for line in lines:
        assert re.match(r"^  [A-Z]+ +\S", line) and len(line) < 120, f"not a short step line: {line!r}"
    make(f"BUILD={tmp_path}", "clean")
    verbose = make(f"BUILD={tmp_path}", "V=1", *targets).stdout
    for flag in ("-mcmodel=kernel", "-fshort-wchar", "-fsanitize=address,undefined", "-fsanitize=fuzzer"):
        assert flag in verbose, f"V=1 does not show the command line with {flag}"


def test_musl_programs_follow_the_abi_headers(tmp_path):
    """A manifest flag's value is baked into every program's note: a musl
    program built before include/secos/manifest.h changed must be rebuilt
    (it once kept the old bit, and the kernel refused what it asked for)."""
    prog = f"{tmp_path}/user/musl/t_power"
    make(f"BUILD={tmp_path}", prog)
    header = REPO / "include" / "secos" / "manifest.h"
    later = header.stat().st_mtime + 5
    os.utime(Path(prog), (later - 10, later - 10))        # older than the header
    try:
        os.utime(header, (later, later))
        out = make("-n", f"BUILD={tmp_path}", prog).stdout
    finally:
        os.utime(header, None)
    assert "musl-gcc" in out or "MUSLCC" in out, f"{prog} is not rebuilt after manifest.h changed:\n{out}"
