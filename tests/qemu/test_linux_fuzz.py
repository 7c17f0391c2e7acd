"""The Linux-personality fuzzer (user/musl/lxfuzz.c): random Linux system
calls with hostile arguments from a musl program. The kernel must survive,
the fuzzer must finish, and afterwards the kernel holds exactly what it held
before: free frames, heap bytes and blocks, process slots (`ps`, FDS
included) and the RAMFS usage. SECOS_FUZZ_SEED replays a run."""
from __future__ import annotations

import os
import re

from test_attack import KILL_RE, run_line, snapshot

SEED = int(os.environ.get("SECOS_FUZZ_SEED", "20240607"))


def test_linux_fuzz_leaves_nothing_behind(initrd_vm):
    m = initrd_vm
    run_line(m, "run /bin/lxfuzz 100 1", timeout=60)  # warm-up: first-use allocations are not leaks
    before = snapshot(m), run_line(m, "rfusage")
    for seed in (SEED, SEED + 1):
        out = run_line(m, f"run /bin/lxfuzz 30000 {seed}", timeout=300)
        assert re.search(r"^lxfuzz: 30000 calls, \d+ ok, \d+ errors$", out, re.M), out
        assert not KILL_RE.search(out), out
        assert re.search(r"^\[EXIT\] pid=\d+ status=0$", out, re.M), out
    after = snapshot(m), run_line(m, "rfusage")
    assert after == before
    assert run_line(m, "echo alive") == "alive\n"
