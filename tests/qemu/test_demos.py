"""The seed's milestone demos (built with -DM7_RING3_DEMO=1 / -DM8_SCHED_DEMO=1):
tools/selftest.sh builds and boots each and checks selftests, alternation in
both directions, preemption, reaping and the free-frame count."""
from __future__ import annotations

import subprocess

from secos import REPO


def test_milestone_demos():
    r = subprocess.run(["tools/selftest.sh"], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "selftest.sh: 3 passed, 0 failed" in r.stdout, r.stdout
