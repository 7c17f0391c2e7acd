"""The boot tree with the real initrd: /bin and the initrd's directories are
pinned (no rename, no removal, no second /bin), the loader cannot be
redirected to a planted program, and /init.rc is immutable. The same attack
cases run without an initrd in test_attack.py."""
from __future__ import annotations

import pytest

from secos import BUILD
from test_attack import check_case, run_line

INITRD = BUILD / "initrd.cpio"
CASES = ["bin-rename", "bin-rmdir", "bin-mkdir", "bin-plant", "initrc-write"]


def test_boot_tree_with_initrd(boot_machine):
    if not INITRD.exists():
        pytest.skip("build/initrd.cpio is missing: make iso (or make build/initrd.cpio)")
    m = boot_machine("kernel", extra_args=("-initrd", str(INITRD)))
    assert "[initrd]" in m.output and "unpacked" in m.output, m.tail()
    for case in CASES:
        check_case(m, case)
    # Directories of the initrd other than /bin: pinned too, though they take new entries.
    assert "rfmv: /etc -> /etc2: read-only (immutable)" in run_line(m, "rfmv /etc /etc2")
    assert run_line(m, "rfadd /etc/new x") == ""
    assert run_line(m, "rfdel /etc/new") == ""
    assert "immutable: yes" in run_line(m, "rfinfo /init.rc")
