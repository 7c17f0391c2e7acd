"""PCI and the block layer under QEMU: lspci on pc and q35 (legacy ports and
ECAM from ACPI MCFG)."""
from __future__ import annotations

import re

import pytest

from secos import Disk


def lspci(m) -> dict:
    """bus:dev.fn -> (vendor:device, class, rest of the line)."""
    out = m.run("lspci")
    rows = {}
    for line in out.splitlines():
        r = re.match(r"([0-9a-f]{2}:[0-9a-f]{2}\.[0-7]) ([0-9a-f]{4}:[0-9a-f]{4}) ([0-9a-f]{4}) (.*)", line)
        if r:
            rows[r.group(1)] = (r.group(2), r.group(3), r.group(4))
    return rows


@pytest.mark.parametrize("machine,host,ecam", [("pc", "8086:1237", False), ("q35", "8086:29c0", True)])
def test_lspci_lists_the_machine(boot_machine, tmp_path, machine, host, ecam):
    img = tmp_path / "disk.img"
    img.write_bytes(bytes(1 << 20))
    m = boot_machine(machine=machine, disks=[Disk(img)])
    boot = m.output
    assert ("[PCI] ECAM at 0xb0000000" in boot) == ecam, boot
    rows = lspci(m)
    assert rows["00:00.0"][0] == host and rows["00:00.0"][1] == "0600"
    virtio = [r for r in rows.values() if r[0] in ("1af4:1001", "1af4:1042")]
    assert len(virtio) == 1 and virtio[0][1] == "0100", rows
    assert re.search(r"irq \d+$", virtio[0][2]), virtio
    if machine == "q35":
        ahci = [r for r in rows.values() if r[1] == "0106"]
        assert ahci and "AHCI" in ahci[0][2]
    else:
        assert any(r[1] == "0101" for r in rows.values())   # PIIX IDE
