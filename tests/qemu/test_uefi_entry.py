"""BOOTX64.EFI refuses a kernel.elf whose ELF entry is not the kernel's 64-bit
UEFI entry (the 32-bit Multiboot `_start`, or any other code), saying why on
the screen and the serial line, instead of jumping there after
ExitBootServices and dying without a word."""
from __future__ import annotations

import re
import struct
import subprocess

import pytest

from secos import BUILD, REPO, Machine, kernel_path, require_image, screen_colours


def symbol(elf, name):
    out = subprocess.run(["nm", str(elf)], capture_output=True, text=True, check=True).stdout
    m = re.search(rf"^([0-9a-f]+) [Tt] {re.escape(name)}$", out, re.M)
    assert m, f"no symbol {name} in {elf}"
    return int(m.group(1), 16)


@pytest.mark.image
@pytest.mark.uefi
@pytest.mark.parametrize("entry", ["_start"])
def test_loader_refuses_kernel_with_wrong_entry(tmp_path, monkeypatch, entry):
    require_image("esp-uefi")
    efi = BUILD / "BOOTX64-nopin.EFI"  # the pinned loader would refuse any crafted kernel
    if not efi.exists():
        pytest.skip(f"{efi} does not exist; build it with `make uefi`")
    kernel = bytearray(kernel_path().read_bytes())
    struct.pack_into("<Q", kernel, 24, symbol(kernel_path(), entry))  # e_entry
    bad = tmp_path / "kernel.elf"
    bad.write_bytes(kernel)
    esp = tmp_path / "esp.img"
    subprocess.run([str(REPO / "tools" / "mkesp.sh"), str(efi), str(bad), str(esp)], check=True,
                   capture_output=True, env={"PATH": "/usr/bin:/bin", "ESP_MIB": "40"})
    monkeypatch.setenv("SECOS_ESP", str(esp))
    with Machine("esp-uefi", memory="256M", label=f"wrong entry {entry}") as m:
        m.start()
        m.wait_for("[UEFI] kernel.elf rejected", timeout=180)
        m.wait_for(re.compile(r"\[UEFI\] error: entry point is not the kernel's 64-bit UEFI entry"), timeout=10)
        assert "entering kernel" not in m.output, m.tail()
        assert screen_colours(m, tmp_path / "screen.ppm") > 1, "nothing on the screen"
