"""tools/check_layers.py passes on the tree and fails, naming file and line,
on an include that points up the layer order or sideways between subsystems."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHECK = REPO / "tools" / "check_layers.py"
TREE = ["lib", "include", "boot", "arch", "mm", "kernel", "fs", "drivers", "dspace", "console",
        "init", "tests/kernel", "uefi", "user"]


def run(root):
    return subprocess.run([sys.executable, str(CHECK), "--root", str(root)], capture_output=True, text=True)


@pytest.fixture
def tree(tmp_path):
    for d in TREE:
        shutil.copytree(REPO / d, tmp_path / d)
    return tmp_path


def add_include(root, path, header):
    f = root / path
    lines = f.read_text().splitlines(keepends=True)
    lines.insert(1, f'#include "{header}"\n')
    f.write_text("".join(lines))
    return 2  # the line it now sits on


def test_tree_passes():
    r = run(REPO)
    assert r.returncode == 0, r.stderr
    assert "check_layers: ok" in r.stdout


@pytest.mark.parametrize("path,header,reason", [
    ("mm/pmm.c", "console/shell.h", "mm (layer 3) includes console (layer 8), which is above it"),
    ("lib/string.c", "kernel/proc.h", "lib (layer 0) includes kernel (layer 4), which is above it"),
    ("arch/x86_64/interrupts.c", "kernel/proc.h", "includes kernel (layer 4), which is above it"),
    ("kernel/sched.c", "drivers/pit.h", "kernel (layer 4) includes drivers (layer 6)"),
    ("fs/vfs.c", "drivers/serial.h", "fs and drivers are peers"),
    ("uefi/main.c", "kernel/proc.h", "uefi/ is a separate program"),
    ("user/lib/ulib.c", "mm/vmm.h", "user/ is a separate program"),
])
def test_upward_include_fails(tree, path, header, reason):
    line = add_include(tree, path, header)
    r = run(tree)
    assert r.returncode == 1, r.stdout + r.stderr
    assert f"{path}:{line}: #include \"{header}\"" in r.stderr, r.stderr
    assert reason in r.stderr, r.stderr


def test_downward_include_passes(tree):
    add_include(tree, "console/shell.c", "mm/pmm.h")
    r = run(tree)
    assert r.returncode == 0, r.stderr


def compile_obj(path, code):
    path.parent.mkdir(parents=True, exist_ok=True)
    src = path.with_suffix(".c")
    src.write_text(code)
    subprocess.run(["gcc", "-c", str(src), "-o", str(path)], check=True)
    return str(path)


def test_object_reaching_up_by_name_fails(tmp_path):
    k = tmp_path / "k"
    low = compile_obj(k / "mm" / "low.o", "void proc_kill_all(void); void mm_thing(void) { proc_kill_all(); }\n")
    high = compile_obj(k / "kernel" / "high.o", "void proc_kill_all(void) {}\n")
    r = subprocess.run([sys.executable, str(CHECK), "--root", str(REPO), "--objects", low, high],
                       capture_output=True, text=True)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "uses proc_kill_all from" in r.stderr and "mm (layer 3) reaches by name into kernel (layer 4)" in r.stderr, r.stderr


def test_object_calling_down_passes(tmp_path):
    k = tmp_path / "k"
    high = compile_obj(k / "kernel" / "high.o", "void mm_thing(void); void k(void) { mm_thing(); }\n")
    low = compile_obj(k / "mm" / "low.o", "void mm_thing(void) {}\n")
    r = subprocess.run([sys.executable, str(CHECK), "--root", str(REPO), "--objects", low, high],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
