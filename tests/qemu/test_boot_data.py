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


# --- the boot script is untrusted ------------------------------------------------

S_IFDIR, S_IFREG = 0o040000, 0o100000


def newc(entries) -> bytes:
    """A cpio newc archive of (name, mode, data) entries plus the trailer."""
    out = bytearray()
    for ino, (name, mode, data) in enumerate(list(entries) + [("TRAILER!!!", 0, b"")], 1):
        nb = name.encode() + b"\0"
        fields = (ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(nb), 0)
        out += b"070701" + "".join(f"{v:08X}" for v in fields).encode() + nb
        out += b"\0" * (-len(out) % 4) + data
        out += b"\0" * (-len(out) % 4)
    return bytes(out)


HOSTILE_RC = b"""echo [evil] start
aslr off
crashtest null
reboot
poweroff
run spin
elfload spin
sleep 10000
kill 1
memstress
clear
source /etc/more.rc
rfadd /etc/note written by init.rc
echo [evil] end
"""
MORE_RC = b"crashtest stack\nrun hello\necho [more] ran\n"
REFUSED = ["aslr off", "crashtest null", "reboot", "poweroff", "run spin", "elfload spin", "sleep 10000",
           "kill 1", "memstress", "clear"]


def test_boot_script_cannot_run_privileged_commands(boot_machine, tmp_path):
    """init.rc from the initrd runs with script rights: privileged, destructive
    and blocking commands are refused (also in scripts it sources), the shell
    starts, ASLR stays on; harmless commands still run."""
    initrd = tmp_path / "evil.cpio"
    initrd.write_bytes(newc([("init.rc", S_IFREG | 0o644, HOSTILE_RC), ("etc", S_IFDIR | 0o755, b""),
                             ("etc/more.rc", S_IFREG | 0o644, MORE_RC)]))
    m = boot_machine("kernel", extra_args=["-initrd", str(initrd)], boot_timeout=30)
    out = m.output
    for line in REFUSED:
        assert f" failed: {line} (not allowed in the boot script: console only)" in out, (line, m.tail())
    assert "crashtest stack (not allowed" in out and "run hello (not allowed" in out, m.tail()
    assert "[evil] start" in out and "[evil] end" in out and "[more] ran" in out
    assert not m.faults(), m.tail()
    assert m.run("aslr").startswith("aslr: on"), "init.rc switched ASLR off"
    assert m.run("rfcat /etc/note") == "written by init.rc\n"
    # The same commands typed at the console still work: the restriction is the script's.
    assert m.run("sleep 10").startswith("slept ")
    m.poweroff()


def test_boot_script_is_bounded(boot_machine, tmp_path):
    """A boot script that never ends (thousands of lines, sourcing itself)
    is cut off at its budget and the shell starts."""
    rc = b"source /init.rc\n" + b"".join(b"echo line %d\n" % i for i in range(5000))
    initrd = tmp_path / "long.cpio"
    initrd.write_bytes(newc([("init.rc", S_IFREG | 0o644, rc)]))
    m = boot_machine("kernel", extra_args=["-initrd", str(initrd)], boot_timeout=60)
    assert "(boot script stopped: over its line or time budget)" in m.output, m.tail()
    assert m.output.count("\r\nline ") < 600, "the budget did not stop the script"
    assert m.run("echo ok") == "ok\n"
    m.poweroff()


def test_initrd_frames_returned_after_unpacking(boot_machine, tmp_path):
    """A 200 MiB initrd that holds 6 bytes must not cost 200 MiB: once its
    contents are in RAMFS the module's frames go back to the allocator."""
    from test_memory import parse_mem
    initrd = tmp_path / "big.cpio"
    with open(initrd, "wb") as f:
        f.write(newc([("etc", S_IFDIR | 0o755, b""), ("etc/tiny", S_IFREG | 0o644, b"hello\n")]))
        f.truncate(200 << 20)  # zeros after the trailer: part of the module, never read
    m = boot_machine("kernel", memory="512M", extra_args=["-initrd", str(initrd)])
    assert re.search(r"^\[initrd\] boot module 0: (\d+) KiB returned to the allocator\r$", m.output, re.M), m.tail()
    returned = int(re.search(r"boot module 0: (\d+) KiB returned", m.output).group(1))
    assert returned >= (200 << 10) - 8, returned
    assert m.run("rfcat /etc/tiny") == "hello\n"
    mem = parse_mem(m.run("mem"))
    assert mem["phys free"] * 4 > 400 << 10, f"the initrd's frames were kept: {mem}"  # frames -> KiB
    # They are really usable: the allocator hands them out and takes them back.
    assert m.run("memtest", timeout=60).strip().endswith("memtest: PASS")
    m.poweroff()


# --- too little RAM ---------------------------------------------------------------

NO_MEMORY = "SECoS: not enough memory: at least 4 MiB of RAM is needed"


def test_tiny_ram_says_not_enough_memory(boot_machine):
    """With 2 or 3 MiB the boot stack is not RAM: _start checks the loader's
    memory size before its first push and says so (serial, debugcon, VGA),
    instead of blaming the CPU for missing long mode."""
    from secos import Machine
    for size in ("2M", "3M"):
        with Machine("kernel", memory=size, label=f"-m {size}") as m:
            m.start()
            m.wait_for(NO_MEMORY, timeout=20)
            assert "long mode" not in m.output, m.tail()
            m.wait_until(lambda text, pos: NO_MEMORY in m.debugcon(), 10, "the message on debugcon")
    m = boot_machine("kernel", memory="4M")  # the smallest size that boots
    assert m.run("echo ok") == "ok\n"
    m.poweroff()
