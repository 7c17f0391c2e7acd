"""The built images under real firmware: build/secos.iso under SeaBIOS (GRUB,
Multiboot 2) and OVMF (our BOOTX64.EFI), build/esp.img under OVMF. One boot per
class; skipped only when the image file does not exist (`make iso`/`make esp`
build them). Each class runs on one xdist worker (--dist loadscope)."""
from __future__ import annotations

import re

import pytest

from secos import (CONFIGS, MEMORY_TOLERANCE, Machine, check_protections_enabled, parse_info,
                   reported_mib, require_image, screen_colours)


@pytest.fixture(scope="class")
def image_vm(request):
    config = request.cls.CONFIG
    require_image(config)
    m = Machine(config, memory="512M", label=request.node.nodeid)
    try:
        m.boot()
    except BaseException:
        m.close()
        raise
    yield m
    faults = m.faults()
    tail = m.tail()
    m.close()
    if faults:
        pytest.fail(f"[{config}] guest reported exceptions/panics: {faults}\n{tail}", pytrace=False)


class _ImageBoot:
    CONFIG = ""

    @pytest.fixture
    def vm(self, image_vm):
        if not image_vm.alive():
            pytest.fail(f"the {self.CONFIG} QEMU is no longer running:\n{image_vm.tail()}", pytrace=False)
        return image_vm

    def test_reaches_shell(self, vm):
        assert "[SHELL] ready" in vm.output
        assert vm.boot_seconds is not None
        print(f"{self.CONFIG}: QEMU start -> [SHELL] ready in {vm.boot_seconds:.2f} s")

    def test_boot_line_path(self, vm):
        want = CONFIGS[self.CONFIG].boot_path
        assert re.search(rf"^\[BOOT\] path={want} ", vm.output, re.M), vm.tail()

    def test_boot_selftests_pass(self, vm):
        m = re.search(r"^\[SELFTEST\] summary: (\d+) passed, (\d+) failed\r$", vm.output, re.M)
        assert m, vm.tail()
        assert int(m.group(2)) == 0 and int(m.group(1)) >= 1, m.group(0)

    def test_info_boot_path(self, vm):
        out = vm.run("info")
        f = parse_info(out)
        want = CONFIGS[self.CONFIG].boot_path
        assert f["boot path"].split()[0] == want, out
        check_protections_enabled(out)

    def test_info_memory(self, vm):
        got = reported_mib(vm.run("info"))
        assert abs(got - 512) <= 512 * MEMORY_TOLERANCE, f"{self.CONFIG} -m 512M: kernel reports {got} MiB"

    def test_display(self, vm, tmp_path):
        """The kernel drives a display (the firmware's framebuffer, or VGA text)
        and has drawn on it."""
        disp = parse_info(vm.run("info"))["display"]
        assert re.fullmatch(r"framebuffer \d+x\d+x\d+|vga-text \d+x\d+", disp), \
            f"{self.CONFIG}: info says display: {disp!r}; the kernel draws on no screen"
        if CONFIGS[self.CONFIG].uefi:
            assert disp.startswith("framebuffer "), disp
        assert screen_colours(vm, tmp_path / "screen.ppm") > 1, "the screen is blank"

    def test_commands(self, vm):
        assert vm.run("echo image boot") == "image boot\n"
        assert re.match(r"^uptime: \d+\.\d{3} s", vm.run("uptime"))
        assert re.fullmatch(r"slept \d+ ms\n", vm.run("sleep 100"))
        assert "unknown command: nope (try 'help')\n" == vm.run("nope")
        assert vm.run("help").startswith("Commands:\n")

    def test_selftest_command(self, vm):
        out = vm.run("selftest", timeout=180)
        assert re.search(r"^\[SELFTEST\] summary: \d+ passed, 0 failed$", out, re.M), out

    def test_no_faults(self, vm):
        assert vm.faults() == [], vm.tail()

    # Last: ends this class's machine.
    def test_poweroff(self, vm):
        vm.poweroff(timeout=60)
        assert vm.exit_status == 0


@pytest.mark.image
class TestIsoBios(_ImageBoot):
    CONFIG = "iso-bios"


@pytest.mark.image
@pytest.mark.uefi
class TestIsoUefi(_ImageBoot):
    CONFIG = "iso-uefi"


@pytest.mark.image
@pytest.mark.uefi
class TestEspUefi(_ImageBoot):
    CONFIG = "esp-uefi"
