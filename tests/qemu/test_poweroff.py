"""`poweroff` switches the machine off through ACPI on pc and q35, under
QEMU's -kernel (SeaBIOS) and under OVMF, every time: QEMU exits 0 with a guest
shutdown and the kernel never prints that it failed (it waits for the
request to take effect before it says so)."""
from __future__ import annotations

import os

import pytest

FAILED = "no supported power-off method"
RUNS = int(os.environ.get("SECOS_POWEROFF_RUNS", "10"))


def poweroff_n_times(boot_machine, config, machine, runs):
    for i in range(runs):
        m = boot_machine(config, extra_args=["-machine", machine])
        m.poweroff(timeout=60)  # status 0 and QMP SHUTDOWN reason "guest-shutdown"
        assert "poweroff:" not in m.output and FAILED not in m.output, f"run {i + 1}: {m.tail()}"
        m.close()


@pytest.mark.parametrize("machine", ["pc", "q35"])
def test_poweroff_kernel_boot(boot_machine, machine):
    poweroff_n_times(boot_machine, "kernel", machine, RUNS)


@pytest.mark.image
@pytest.mark.uefi
@pytest.mark.parametrize("machine", ["q35", "pc"])
def test_poweroff_ovmf(boot_machine, machine):
    poweroff_n_times(boot_machine, "esp-uefi", machine, 2)
