"""tools/bench.sh --quick: boots the kernel under -icount, runs kbench and
/bin/bench, and must print a well-formed BENCH line for every benchmark.
No timing assertions: the figures are for docs/PERFORMANCE.md, not a gate."""
from __future__ import annotations

import os
import re
import subprocess

import pytest

from secos import REPO, kernel_path, require_image

KERNEL_NAMES = ["pmm_alloc_free", "kmalloc_kfree_64", "kmalloc_kfree_4k", "kernel_page_fault"]
USER_NAMES = ["rdtsc_overhead", "null_syscall", "null_syscall_int80", "yield_switch",
              "spawn_exit_wait", "page_fault", "user_page_fault"]


@pytest.fixture(scope="module")
def bench_run():
    require_image("kernel")
    env = dict(os.environ, SECOS_KERNEL=str(kernel_path()))  # boot what the suite boots, no rebuild
    return subprocess.run([str(REPO / "tools" / "bench.sh"), "--quick"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=600)


def bench_lines(stdout: str) -> dict[str, list[str]]:
    lines = {}
    for line in stdout.splitlines():
        if line.startswith("BENCH "):
            fields = line.split()
            lines[fields[1]] = fields[2:]
    return lines


def test_bench_script_succeeds(bench_run):
    assert bench_run.returncode == 0, bench_run.stdout + bench_run.stderr


@pytest.mark.parametrize("name", KERNEL_NAMES + USER_NAMES)
def test_bench_line(bench_run, name):
    lines = bench_lines(bench_run.stdout)
    assert name in lines, bench_run.stdout + bench_run.stderr
    fields = lines[name]
    # <median> <iterations> <min> <p10> <p90>, all integers, iterations > 0
    assert len(fields) == 5 and all(re.fullmatch(r"\d+", f) for f in fields), (name, fields)
    assert int(fields[1]) > 0


def test_boot_to_shell_line(bench_run):
    fields = bench_lines(bench_run.stdout).get("boot_to_shell_tsc")
    assert fields is not None and len(fields) == 2, bench_run.stdout
    assert all(re.fullmatch(r"\d+", f) for f in fields) and fields[1] == "1", fields


def test_bench_output_is_only_bench_lines(bench_run):
    assert all(line.startswith("BENCH ") for line in bench_run.stdout.splitlines()), bench_run.stdout


BENCH_HEADER = ("# BENCH <name> <median_ticks> <iterations> <min_ticks> <p10_ticks> <p90_ticks>; "
                "ticks = rdtsc (guest instructions under -icount shift=0)")


@pytest.mark.parametrize("command", ["kbench 10", "run bench --quick"])
def test_bench_output_starts_with_a_header(vm, command):
    # The column names and units, once, before the first BENCH line.
    lines = vm.run(command, timeout=300).splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("BENCH "))
    assert BENCH_HEADER in lines[:first], lines[:first + 1]
    assert lines.count(BENCH_HEADER) == 1
