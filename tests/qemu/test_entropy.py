"""Entropy for the canary, heap cookie and ASLR. Without RDRAND/RDSEED the
kernel mixes timing jitter, the PIT and the CMOS clock with the TSC, so the
canary cannot be brute-forced from the BOOT_TSC value in the boot log (the
core.canary_not_from_boot_tsc selftest reruns that attack at every boot);
`info` says plainly when the machine has no good source."""
from __future__ import annotations

import re

from secos import parse_info

SELFTEST = re.compile(r"^\[SELFTEST\] core\.canary_not_from_boot_tsc PASS\r$", re.M)


def test_without_rdrand_info_says_entropy_is_weak(boot_machine):
    m = boot_machine("kernel", extra_args=["-cpu", "qemu64"])  # no RDRAND, no RDSEED
    assert SELFTEST.search(m.output), m.tail()
    line = parse_info(m.run("info"))["entropy"]
    assert line.startswith("WEAK: jitter+pit+rtc+tsc; no RDRAND/RDSEED"), line
    assert m.output.index("BOOT_TSC ") > m.output.index("SECoS build")
    m.poweroff()


def test_with_rdrand_info_names_the_hardware_source(boot_machine):
    m = boot_machine("kernel", extra_args=["-cpu", "max"])
    assert SELFTEST.search(m.output), m.tail()
    line = parse_info(m.run("info"))["entropy"]
    assert re.match(r"STRONG: (rdseed\+)?rdrand\+jitter\+pit\+rtc\+tsc$", line), line
    m.poweroff()

