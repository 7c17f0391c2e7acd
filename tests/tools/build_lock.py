"""One `make` at a time in the test build directory: tests that run make
there (test_run's `make run`, test_sign's `make sign`) run in different
xdist workers, and two makes rebuilding the same targets at once lose each
other's temporary files (kernel.elf.tmp, initrd.cpio.tmp)."""
from __future__ import annotations

import contextlib
import fcntl
from pathlib import Path


@contextlib.contextmanager
def build_lock(build: Path):
    build.mkdir(parents=True, exist_ok=True)
    with open(build / ".make-lock", "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
