"""tools/smoke.sh (make smoke) ends a mode as soon as it is judged, not at
its timeout, and shows progress while it waits."""
import os
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("SECOS_BUILD", REPO / "build" / "test"))


def test_smoke_finishes_when_the_shell_is_up(tmp_path):
    if not (BUILD / "kernel.elf").is_file():
        pytest.skip(f"{BUILD}/kernel.elf missing (make CONFIG=test kernel)")
    t0 = time.monotonic()
    r = subprocess.run(["tools/smoke.sh", "--kernel", "--timeout", "60", "--log", str(tmp_path / "smoke.log")],
                       cwd=REPO, env={**os.environ, "BUILD": str(BUILD)}, capture_output=True, text=True,
                       timeout=120)
    took = time.monotonic() - t0
    assert r.returncode == 0, r.stdout + r.stderr
    assert "smoke[kernel]: booting (at most 60s)" in r.stdout, r.stdout
    assert "smoke[kernel]: [SHELL] ready after" in r.stdout, r.stdout
    assert "smoke[kernel]: PASS" in r.stdout, r.stdout
    assert took < 40, f"smoke.sh waited {took:.0f} s of its 60 s timeout after the shell was up"
