"""Every console command under memory exhaustion. One program (`hold`, a
default-budget process) takes all that the system-wide user cap lets it have
on a 64 MiB machine, and `memhog` (test configuration) takes the kernel's
reserve too, but for a handful of frames; then each command of the kernel's
own command table runs. A command may
fail (it should say why), but the kernel must not panic or fault, and the
shell must still answer afterwards. No kernel path may rely on a
demand-zero fault that can fail."""
from __future__ import annotations

import re

from secos import kernel_path
from shellspec import registered_commands
from test_memory import parse_mem

# Arguments that make a command do real work (without them most print usage).
ARGS = {
    "run": ["run hello", "run true"],
    "elfload": ["elfload hello"],
    "kbench": ["kbench 20"],
    "memtest": ["memtest"],
    "memstress": ["memstress 50"],
    "selftest": ["selftest"],
    "sleep": ["sleep 1"],
    "echo": ["echo hi"],
    "rfadd": ["rfadd /p1 some text"],
    "rfappendline": ["rfappendline /p2 line"],
    "rfwrite": ["rfwrite /p3 0 data"],
    "rfmkdir": ["rfmkdir /pd"],
    "rfcat": ["rfcat /VERSION"],
    "rfls": ["rfls /bin"],
    "rftree": ["rftree /"],
    "source": ["source /init.rc"],
    "vls": ["vls /"],
    "vcat": ["vcat /VERSION"],
    "drvtest": ["drvtest"],
    "crashtest": ["crashtest"],   # no kind: usage only
    "kill": ["kill"],
    "aslr": ["aslr"],
    "arping": ["arping eth0 10.0.2.15 10.0.2.2"],
}
SKIP = {"reboot", "poweroff",     # end the machine; poweroff ends the test
        "elfunload",             # kills the last program elfload started: the hog
        "memhog"}                # holds the memory: already used above


def test_every_command_under_memory_exhaustion(boot_machine):
    m = boot_machine("kernel", memory="64M")
    mem = m.run("mem")
    free = parse_mem(mem)["phys free"]
    cap, in_use = (int(x) for x in re.search(r"user frames: +(\d+) in use, cap (\d+)", mem).groups()[::-1])
    # All the cap allows, less the hog's own page tables.
    kib = (min(free, cap - in_use) * 98 // 100 - 32) * 4
    m.send(f"elfload hold {kib}\r")
    m.wait_for(re.compile(r"hold: holding \d+ KiB"), timeout=120)
    m.run("echo settled")
    left = parse_mem(m.run("mem"))["phys free"]
    out = m.run(f"memhog {max(left - 24, 0)}")
    assert out.startswith("memhog: holding"), out
    left = parse_mem(m.run("mem"))["phys free"]
    assert left < 64, f"memory not exhausted: {left} frames free"
    names = sorted(registered_commands(kernel_path()))
    for name in names:
        if name in SKIP:
            continue
        for line in ARGS.get(name, [name]):
            m.run(line, timeout=120)
            assert not m.faults(), f"{line!r} under memory exhaustion:\n{m.tail()}"
            assert m.run("echo alive") == "alive\n", f"after {line!r}:\n{m.tail()}"
    assert "[KILL]" not in m.output or "name=hold" not in m.output, "the hog itself died"
    assert m.run("memhog release").startswith("memhog: released")
    m.poweroff()
