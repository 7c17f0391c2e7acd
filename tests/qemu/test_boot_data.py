"""Hostile or unusual boot data: more boot modules than the kernel keeps, an
initrd far larger than its content, tiny RAM. Whatever the kernel cannot use
it must say so; what it no longer needs it must give back."""
from __future__ import annotations

import re


def test_more_than_8_modules_reported(boot_machine, tmp_path):
    mods = []
    for i in range(10):
        p = tmp_path / f"mod{i}.bin"
        p.write_bytes(b"module %d\n" % i)
        mods.append(str(p))
    m = boot_machine("kernel", extra_args=["-initrd", ",".join(mods)])
    assert re.search(r"^\[BOOT\] warning: 2 boot modules beyond the first 8 were ignored\r$", m.output,
                     re.M), m.tail()
    assert m.output.count('[initrd] ignoring boot module "') == 8, m.tail()
    m.poweroff()
