"""KASLR: on the UEFI path the loader (uefi/elf_reloc.h), on the Multiboot
paths boot.asm (from .kaslr_relocs, tools/mkrelocs.py) moves the kernel
image by a random multiple of 2 MiB below 1 GiB and patches its relocation
records; the kernel checks that it runs where it was told. Three boots
under OVMF with virtio-rng (EFI_RNG_PROTOCOL) and `-cpu qemu64` (no RDRAND)
show slides that are multiples of 2 MiB and not all equal, in `info` on the
console only; the slid kernel runs programs, keeps W^X, and its backtraces
are printed as linked, so addr2line on kernel.elf names the functions.
Ring 3 cannot see the slide: no kernel address in /proc or /sys, and SGDT/
SIDT (which work without UMIP) show the fixed aliases of the descriptor
tables, the same on every boot."""
from __future__ import annotations

import re
import subprocess

import pytest

from secos import BUILD, require_image
from test_attack import ATTACKS, check_case, run_line, wait_for_kernel_tasks_only

SLIDE_RE = re.compile(r"KASLR slide (0x[0-9a-f]+|0)")
KDESC_ALIAS = 0xffff918000000000    # mm/vmm.h
RNG = ["-cpu", "qemu64", "-device", "virtio-rng-pci"]


def slide_of(m) -> int:
    out = m.run("info")
    hit = SLIDE_RE.search(out)
    assert hit, out
    return int(hit.group(1), 16)


@pytest.mark.uefi
def test_uefi_slides_differ_from_boot_to_boot(boot_machine):
    require_image("esp-uefi")
    slides, tables = [], []
    for _ in range(3):
        m = boot_machine("esp-uefi", extra_args=RNG)
        assert "[UEFI] KASLR: image slid" in m.output and "EFI_RNG_PROTOCOL)" in m.output, m.tail()
        assert "KASLR slide" not in m.output.split("[SHELL]")[0], "the slide was printed at boot"
        s = slide_of(m)
        assert s % (2 << 20) == 0 and s < (1 << 30), hex(s)
        slides.append(s)
        # qemu64 has no UMIP: SGDT and SIDT work in ring 3 and show the fixed aliases
        got = []
        for case in ("sgdt", "sidt"):
            out = run_line(m, f"run attack {case}")
            hit = re.search(rf"attack: {case} got=(0x[0-9a-f]+) allowed", out)
            assert hit, out
            got.append(int(hit.group(1), 16))
        assert all(KDESC_ALIAS <= v < KDESC_ALIAS + (8 << 12) for v in got), [hex(v) for v in got]
        tables.append(tuple(got))
        m.poweroff()
    assert len(set(slides)) >= 2, slides   # 512 slots: three equal draws are a 1 in 262,144 event
    assert len(set(tables)) == 1, tables   # the same on every boot, whatever the slide


@pytest.mark.uefi
def test_ring3_cannot_find_the_slid_image(boot_machine):
    """Every /proc and /sys file a program can read shows no kernel address
    (image, physmap or heap), and the attack suite passes on a slid kernel."""
    require_image("esp-uefi")
    m = boot_machine("esp-uefi", extra_args=RNG)
    assert slide_of(m) % (2 << 20) == 0
    # (no spaces inside an argument of the console's `run`: ${IFS} in sh -c; the pattern is a
    # bracket expression so that grep's own /proc/<pid>/cmdline does not match it)
    out = run_line(m, "run /bin/busybox sh -c cat${IFS}/proc/*${IFS}/proc/*/*${IFS}/sys/*/*${IFS}/sys/*/*/*"
                      "|/bin/busybox${IFS}grep${IFS}-ci${IFS}-e${IFS}fffffff[f]${IFS}-e${IFS}ffff[89];true", timeout=120)
    counts = [int(x) for x in re.findall(r"^(\d+)\r?$", out, re.M)]
    assert counts == [0], out
    # the slid kernel still runs the whole attack suite the same way
    for case in ATTACKS:
        check_case(m, case)
        if case == "orphanbomb":
            wait_for_kernel_tasks_only(m)


@pytest.mark.uefi
def test_slid_backtraces_resolve_in_kernel_elf(boot_machine):
    """A panic's backtrace is printed as linked: addr2line on kernel.elf
    names the functions although the image ran elsewhere."""
    require_image("esp-uefi")
    m = boot_machine("esp-uefi", extra_args=RNG, expect_faults=True)
    slide_of(m)
    m.send("crashtest null\r")
    m.wait_for("[PANIC] system halted", timeout=60)
    addrs = re.findall(r"\[BACKTRACE\] (0x[0-9a-f]+)", m.output)
    assert len(addrs) >= 2, m.tail()
    names = subprocess.run(["addr2line", "-f", "-e", str(BUILD / "kernel.elf")] + addrs, capture_output=True,
                           text=True, check=True).stdout.splitlines()[0::2]
    assert all(n != "??" for n in names), list(zip(addrs, names))
    assert any("crash" in n for n in names), list(zip(addrs, names))


LAYOUT_RE = re.compile(r"layout:\s+physmap at (0x[0-9a-f]+), heap at (0x[0-9a-f]+)")
PHYSMAP_BASE, KHEAP_BASE = 0xffff800000000000, 0xffff900000000000    # mm/physmap.h, mm/vmm.h


@pytest.mark.parametrize("cpu", ["max", "qemu64"])
def test_multiboot_path_slides_image_physmap_and_heap(boot_machine, cpu):
    """QEMU's -kernel (Multiboot 1): boot.asm slides the image itself from
    its .kaslr_relocs table (RDRAND under -cpu max, the TSC under qemu64),
    and the physmap (1 GiB steps below the heap's slot) and the heap (2 MiB
    steps in its slot) move too; programs run on the slid kernel."""
    seen = []
    for _ in range(3):
        m = boot_machine("kernel", extra_args=["-cpu", cpu])
        slide = slide_of(m)
        assert slide % (2 << 20) == 0 and slide < (1 << 30), hex(slide)
        assert "Hello from user space!" in m.run("run /bin/hello")
        hit = LAYOUT_RE.search(m.run("info"))
        assert hit, m.tail()
        pm, hp = int(hit.group(1), 16), int(hit.group(2), 16)
        assert pm % (1 << 30) == 0 and PHYSMAP_BASE <= pm < KHEAP_BASE, hex(pm)
        assert hp % (2 << 20) == 0 and KHEAP_BASE <= hp < KHEAP_BASE + (128 << 30), hex(hp)
        assert f"heap size:" in m.run("mem")
        seen.append((slide, pm, hp))
        m.poweroff()
    for i in range(3):
        assert len({s[i] for s in seen}) >= 2, [tuple(map(hex, s)) for s in seen]


@pytest.mark.image
def test_grub_path_slides_too(boot_machine):
    """GRUB (Multiboot 2, the ISO's BIOS path) loads a kernel.elf without
    relocation sections (GRUB refuses them; tools/mkiso.sh strips them) and
    the entry slides itself from .kaslr_relocs."""
    require_image("iso-bios")
    slides = []
    for _ in range(3):
        m = boot_machine("iso-bios")
        s = slide_of(m)
        assert s % (2 << 20) == 0 and s < (1 << 30), hex(s)
        assert "Hello from user space!" in m.run("run /bin/hello")
        slides.append(s)
        m.poweroff()
    assert len(set(slides)) >= 2, slides


def test_nokaslr_keeps_the_link_address(boot_machine):
    """`nokaslr` on the command line (make debug passes it, so gdb's
    breakpoints sit where kernel.elf says) keeps the image at its link address;
    the physmap and heap still move."""
    m = boot_machine("kernel", extra_args=["-append", "nokaslr"])
    out = m.run("info")
    assert "KASLR slide 0x0 (not slid)" in out, out
    assert LAYOUT_RE.search(out), out
