"""Syscall handlers are checked interfaces: every name in the syscall list has
a prototype (kernel/syscall.h) and an entry in the generated table
(init/syscall_table.c), so a renamed or missing handler fails the build
instead of silently becoming -ENOSYS."""
import re
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def kernel_cflags():
    out = subprocess.run(["make", "-s", "--no-print-directory", "print-KERNEL_CFLAGS"], cwd=REPO,
                         capture_output=True, text=True, check=True).stdout
    return out.split()


def compile_c(src, obj, cwd=REPO):
    return subprocess.run(["gcc", *kernel_cflags(), "-c", str(src), "-o", str(obj)], cwd=cwd,
                          capture_output=True, text=True)


def syscall_names():
    text = (REPO / "include/secos/syscall.h").read_text()
    return re.findall(r"X\(\d+,\s*(\w+)\)", text)


def test_handler_file_compiles_as_is(tmp_path):
    r = compile_c(REPO / "fs/fd.c", tmp_path / "fd.o")
    assert r.returncode == 0, r.stderr


def test_renamed_handler_is_a_compile_error(tmp_path):
    src = (REPO / "fs/fd.c").read_text()
    assert "long sys_lseek(SYSARGS)" in src
    renamed = tmp_path / "fd_renamed.c"
    renamed.write_text(src.replace("long sys_lseek(SYSARGS)", "long sys_lseek2(SYSARGS)"))
    r = compile_c(renamed, tmp_path / "fd.o")
    assert r.returncode != 0
    assert "no previous prototype for 'sys_lseek2'" in r.stderr.replace("\u2018", "'").replace("\u2019", "'"), r.stderr


def test_wrong_signature_is_a_compile_error(tmp_path):
    src = (REPO / "fs/fd.c").read_text()
    bad = tmp_path / "fd_bad.c"
    bad.write_text(src.replace("long sys_lseek(SYSARGS)", "int sys_lseek(SYSARGS)"))
    r = compile_c(bad, tmp_path / "fd.o")
    assert r.returncode != 0 and "conflicting types for" in r.stderr, r.stderr


def test_table_names_every_handler(tmp_path):
    """The table object needs sys_<name> for every syscall: a handler nobody
    defines is an undefined reference when the kernel links."""
    obj = tmp_path / "syscall_table.o"
    r = compile_c(REPO / "init/syscall_table.c", obj)
    assert r.returncode == 0, r.stderr
    nm = subprocess.run(["nm", "-u", str(obj)], capture_output=True, text=True, check=True).stdout
    undefined = set(re.findall(r"U (\w+)", nm))
    names = syscall_names()
    assert len(names) >= 18
    assert {f"sys_{n}" for n in names} <= undefined, undefined


def test_no_weak_symbols_in_the_kernel():
    hits = subprocess.run(["grep", "-rnE", r"__attribute__\s*\(\(\s*weak|#pragma\s+weak", "lib", "boot",
                           "arch", "mm", "kernel", "fs", "drivers", "dspace", "console", "init",
                           "tests/kernel"], cwd=REPO, capture_output=True, text=True).stdout
    assert hits == "", hits
