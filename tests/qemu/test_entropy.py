"""Entropy for the canary, heap cookie and ASLR. Without RDRAND/RDSEED the
kernel mixes timing jitter, the PIT and the CMOS clock with the TSC, so the
canary cannot be brute-forced from the BOOT_TSC value in the boot log (the
core.canary_not_from_boot_tsc selftest reruns that attack at every boot);
`info` says plainly when the machine has no good source."""
from __future__ import annotations

import re

import pytest

from secos import parse_info, require_image

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



@pytest.mark.uefi
def test_uefi_loader_seed_makes_the_pool_strong(boot_machine):
    """OVMF offers EFI_RNG_PROTOCOL through virtio-rng; with a CPU without
    RDRAND the loader's seed is then the only strong source, so STRONG and
    `loader` in the line show the seed went loader -> boot info -> pool."""
    require_image("esp-uefi")
    m = boot_machine("esp-uefi", extra_args=["-cpu", "qemu64", "-device", "virtio-rng-pci"])
    assert "[UEFI] loader seed: 32 bytes from EFI_RNG_PROTOCOL" in m.output, m.tail()
    line = parse_info(m.run("info"))["entropy"]
    assert re.match(r"STRONG: jitter\+pit\+rtc\+tsc\+loader\+virtio-rng$", line), line
    m.poweroff()


@pytest.mark.uefi
def test_uefi_without_rng_stays_weak(boot_machine):
    require_image("esp-uefi")
    m = boot_machine("esp-uefi", extra_args=["-cpu", "qemu64"])
    assert "[UEFI] no EFI_RNG_PROTOCOL: no loader seed" in m.output, m.tail()
    line = parse_info(m.run("info"))["entropy"]
    assert line.startswith("WEAK: jitter+pit+rtc+tsc;"), line
    m.poweroff()



VIRTIO_RNG_LINE = re.compile(r"\[VIRTIO\] [0-9a-f:.]+: rng: 64 bytes into the entropy pool")


@pytest.mark.parametrize("machine", ["pc", "q35"])
def test_kernel_virtio_rng_beside_the_default_nic(boot_machine, machine):
    """The kernel reads virtio-rng itself (the -kernel and GRUB paths have no
    loader seed): polled, with the device's INTx disabled, because a line
    left asserted would storm the NIC that shares it (this configuration hung
    when the driver took interrupts). The NIC must still exchange frames."""
    m = boot_machine("kernel", machine=machine, extra_args=["-cpu", "qemu64", "-device", "virtio-rng-pci"])
    assert VIRTIO_RNG_LINE.search(m.output), m.tail()
    line = parse_info(m.run("info"))["entropy"]
    assert re.match(r"STRONG: jitter\+pit\+rtc\+tsc\+virtio-rng$", line), line
    out = m.run("arping eth0 10.0.2.15 10.0.2.2")
    assert out.strip().startswith("arping: reply from 10.0.2.2 at "), out
    m.poweroff()


@pytest.mark.uefi
def test_uefi_e1000e_and_virtio_rng_boot_to_the_shell(boot_machine):
    """OVMF + q35's e1000e + virtio-rng: the firmware used the rng, then the
    kernel reads it again; the NIC answers."""
    require_image("esp-uefi")
    m = boot_machine("esp-uefi", extra_args=["-cpu", "qemu64", "-device", "virtio-rng-pci"])
    assert VIRTIO_RNG_LINE.search(m.output), m.tail()
    out = m.run("arping eth0 10.0.2.15 10.0.2.2")
    assert out.strip().startswith("arping: reply from 10.0.2.2 at "), out
    m.poweroff()


# Under -icount every instruction takes the same virtual time, and with the
# RTC pinned to a fixed date in virtual time the boot's timing sources
# (jitter, PIT, CMOS clock, TSC) repeat exactly from boot to boot: only a
# seed source (the UEFI loader's EFI_RNG_PROTOCOL seed, virtio-rng) can make
# two boots of the same image differ. canaryfp (test configuration) prints a
# fingerprint of the canary, never the canary.
DETERMINISTIC = ["-icount", "shift=0,sleep=off", "-cpu", "qemu64", "-rtc", "base=2026-01-01T00:00:00,clock=vm"]
CANARYFP = re.compile(r"canaryfp: ([0-9a-f]{16})")


LAYOUT = re.compile(r"KASLR slide (0x[0-9a-f]+).*\n.*layout:\s+physmap at (0x[0-9a-f]+), heap at (0x[0-9a-f]+)")


def canary_fingerprints(boot_machine, config, extra):
    """Per boot: the canary's fingerprint and (KASLR slide, physmap, heap)."""
    fps, layouts = [], []
    for _ in range(2):
        m = boot_machine(config, extra_args=DETERMINISTIC + extra)
        fp = CANARYFP.search(m.run("canaryfp"))
        assert fp, m.tail()
        fps.append(fp.group(1))
        lay = LAYOUT.search(m.run("info"))
        assert lay, m.tail()
        layouts.append(lay.groups())
        m.poweroff()
    return fps, layouts


@pytest.mark.uefi
def test_icount_boots_with_a_seed_source_get_different_canaries(boot_machine):
    """... and a different kernel layout: the slide (9 bits: equal on two boots
    1 time in 512, so the layout as a whole is compared), physmap and heap."""
    require_image("esp-uefi")
    (a, b), (la, lb) = canary_fingerprints(boot_machine, "esp-uefi", ["-device", "virtio-rng-pci"])
    assert a != b, "two -icount boots with EFI_RNG_PROTOCOL and virtio-rng got the same canary"
    assert la != lb and la[1:] != lb[1:], (la, lb)


def test_icount_boots_without_a_seed_source_get_the_same_canary(boot_machine):
    """The control for the test above: with no seed source the canary and the
    layout of an -icount boot are predictable (why `info` says WEAK), so a
    difference above comes from the seed, not from the emulator."""
    (a, b), (la, lb) = canary_fingerprints(boot_machine, "kernel", [])
    assert a == b, "without a seed source two -icount boots differed: the control no longer isolates the seed"
    assert la == lb, (la, lb)
