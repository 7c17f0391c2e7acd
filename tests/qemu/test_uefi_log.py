"""Under OVMF every line of our loader appears once on serial: the firmware
mirrors its console to COM1, so the loader writes COM1 itself only after
ExitBootServices."""
from __future__ import annotations

import collections

import pytest


@pytest.mark.image
@pytest.mark.uefi
def test_every_uefi_line_once_on_serial(boot_machine):
    m = boot_machine("esp-uefi")
    lines = [ln.strip() for ln in m.output.replace("\r", "").split("\n") if ln.startswith("[UEFI]")]
    assert len(lines) >= 3, m.output
    twice = {ln: n for ln, n in collections.Counter(lines).items() if n > 1}
    assert not twice, f"[UEFI] lines printed more than once: {twice}"
    m.poweroff()
