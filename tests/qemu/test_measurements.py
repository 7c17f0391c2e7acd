"""The measurement log: the UEFI loader hashes kernel.elf and initrd.cpio as
it reads them and hands the digests over in the boot info; the kernel lists
them in `measurements` and in the read-only /sys/kernel/security/measurements.
A -kernel (Multiboot) boot has no loader measurements and says so."""
import hashlib
import re

import pytest

from secos import BUILD

LINE = re.compile(r"^(\d+) (\w+) (\S+) sha256:([0-9a-f]{64})( pinned| unpinned)?$", re.M)
FILE = "/sys/kernel/security/measurements"


def _sha(name):
    return hashlib.sha256((BUILD / name).read_bytes()).hexdigest()


def _entries(text):
    return {m.group(3): (m.group(2), m.group(4), (m.group(5) or "").strip()) for m in LINE.finditer(text)}


def _log(text):
    """The log's own lines: entries, the no-measurements line, the dropped count."""
    keep = [ln.rstrip("\r") for ln in text.replace("\r\n", "\n").split("\n")]
    return [ln for ln in keep if LINE.match(ln) or ln.startswith("no loader measurements") or ln.startswith("dropped:")]


@pytest.mark.image
@pytest.mark.uefi
def test_uefi_boot_lists_pinned_image_hashes(boot_machine):
    m = boot_machine("esp-uefi")
    out = m.run("measurements")
    got = _entries(out)
    assert got.get("kernel.elf") == ("kernel", _sha("kernel.elf"), "pinned"), out
    assert got.get("initrd.cpio") == ("initrd", _sha("initrd.cpio"), "pinned"), out
    assert "no loader measurements" not in out, out
    assert not re.search(r"0x[0-9a-f]{8,}|ffffffff", out), out  # no kernel addresses

    cat = m.run(f"run /bin/busybox cat {FILE}", timeout=120)
    assert re.search(r"\[EXIT\] pid=\d+ status=0$", cat, re.M), cat
    assert _log(cat) == _log(out) and len(_log(out)) == 2, (cat, out)

    # Read-only: a write through busybox fails and leaves the text as it was.
    cp = m.run(f"run /bin/busybox cp /VERSION {FILE}", timeout=120)
    st = re.search(r"\[EXIT\] pid=\d+ status=(-?\d+)$", cp, re.M)
    assert st and st.group(1) != "0", cp
    again = m.run(f"run /bin/busybox cat {FILE}", timeout=120)
    assert _log(again) == _log(out), again
    m.poweroff()


def test_kernel_boot_has_no_loader_measurements(boot_machine):
    m = boot_machine("kernel")
    out = m.run("measurements")
    assert _log(out) == ["no loader measurements (this boot path does not hash the images)"], out
    assert "sha256:" not in out, out
    assert _log(m.run(f"rfcat {FILE}")) == _log(out), m.tail()
    m.poweroff()
