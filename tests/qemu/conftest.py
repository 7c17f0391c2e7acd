"""Fixtures for the QEMU integration tests.

Run with Debian's interpreter (it has pytest and pytest-xdist):

    /usr/bin/python3 -m pytest -n 2 --dist loadscope tests/qemu
    /usr/bin/python3 -m pytest tests/qemu -m "not image"     # skip image boots

One boot serves a whole module (or class): `kernel_vm` is module-scoped.
Tests that end a machine (poweroff, reboot, memory sizes) use `boot_machine`,
which boots a fresh one per call. Each boot's time from QEMU start to
"[SHELL] ready" is printed in the terminal summary, also under xdist.
"""
from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import secos  # noqa: E402
from secos import BUILD, CONFIGS, Machine, require_image  # noqa: E402


def pytest_configure(config):
    config.addinivalue_line("markers", "image: boots a built image (ISO/ESP) under SeaBIOS or OVMF; slow")
    config.addinivalue_line("markers", "uefi: boots under OVMF (slowest)")
    config.addinivalue_line("markers", "slow: long runs (the million-call fuzz)")
    config._secos_boots = []


def pytest_collection_modifyitems(session, config, items):
    # Slow boots first: with --dist loadscope the first scopes in collection
    # order are handed out first, so the two OVMF classes start at once on
    # different workers while the fast -kernel modules fill in around them.
    def rank(item):
        if item.get_closest_marker("uefi"):
            return 0
        if item.get_closest_marker("image"):
            return 1
        return 2
    items.sort(key=rank)  # stable: order within a class/module is kept


def _finish(machines, check_faults: bool = True):
    """Closes every machine, then fails (once) if any guest printed [EXC]/[PANIC]."""
    problems = []
    for m in machines:
        faults = m.faults()
        if faults and not getattr(m, "expect_faults", False):
            problems.append(f"[{m.config} -m {m.memory}] guest reported exceptions/panics: {faults}\n{m.tail()}")
        m.close()
    if check_faults and problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.fixture(scope="module")
def initrd_vm(request):
    """One -kernel boot (512M) with build/.../initrd.cpio as its module, shared
    by every test of the module: the Linux programs (musl, busybox) live only
    in the initrd."""
    require_image("kernel")
    initrd = BUILD / "initrd.cpio"
    if not initrd.exists():
        pytest.fail(f"{initrd} does not exist (run `make CONFIG=test initrd`)", pytrace=False)
    m = Machine("kernel", memory="512M", extra_args=["-initrd", str(initrd)], label=request.node.nodeid)
    try:
        m.boot()
    except BaseException:
        m.close()
        raise
    yield m
    _finish([m])


@pytest.fixture(scope="module")
def kernel_vm(request):
    """One -kernel boot (512M) shared by every test of the module."""
    require_image("kernel")
    m = Machine("kernel", memory="512M", label=request.node.nodeid)
    try:
        m.boot()
    except BaseException:
        m.close()
        raise
    yield m
    _finish([m])


@pytest.fixture
def boot_machine(request):
    """Factory: boot_machine(config="kernel", memory="512M", extra_args=(), **Machine
    options) -> a booted Machine, killed when the test ends. Skips if the image
    is missing."""
    machines = []

    def make(config="kernel", memory="512M", extra_args=(), boot=True, expect_faults=False, **options):
        require_image(config)
        m = Machine(config, memory=memory, extra_args=extra_args, label=request.node.nodeid, **options)
        m.expect_faults = expect_faults  # crash tests: [EXC]/[PANIC] is the point
        machines.append(m)
        if boot:
            m.boot()
        return m

    try:
        yield make
    finally:
        _finish(machines)


@pytest.fixture
def vm(kernel_vm):
    """The module's shared machine, checked to be alive and at the prompt."""
    if not kernel_vm.alive():
        pytest.fail("the shared QEMU is no longer running:\n" + kernel_vm.tail(), pytrace=False)
    return kernel_vm


# --- boot-time summary --------------------------------------------------------

def _is_worker(config) -> bool:
    return hasattr(config, "workerinput")


def pytest_sessionfinish(session, exitstatus):
    records = [r.as_dict() for r in secos.BOOT_RECORDS]
    if _is_worker(session.config):
        # pytest-xdist ships workeroutput to the controller (pytest_testnodedown).
        session.config.workeroutput["secos_boots"] = records
    else:
        session.config._secos_boots.extend(records)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    out = getattr(node, "workeroutput", None) or {}
    worker = getattr(getattr(node, "gateway", None), "id", "?")
    for r in out.get("secos_boots", []):
        r["worker"] = worker
        node.config._secos_boots.append(r)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    boots = getattr(config, "_secos_boots", [])
    if not boots:
        return
    tr = terminalreporter
    tr.section("SECoS boots (QEMU start -> [SHELL] ready)")
    order = {name: i for i, name in enumerate(CONFIGS)}
    boots = sorted(boots, key=lambda r: (order.get(r["config"], 99), r["seconds"] or 1e9))
    for r in boots:
        secs = f"{r['seconds']:7.2f} s" if r["seconds"] is not None else "   no shell"
        extra = ""
        if r.get("exit_status") is not None:
            extra += f" exit={r['exit_status']}"
        if r.get("faults"):
            extra += f" FAULTS={len(r['faults'])}"
        worker = f"[{r['worker']}] " if r.get("worker") else ""
        tr.write_line(f"{r['config']:<9} -m {r['memory']:<5} {secs}  {worker}{r['test']}{extra}")
    by_cfg = {}
    for r in boots:
        if r["seconds"] is not None:
            by_cfg.setdefault(r["config"], []).append(r["seconds"])
    summary = ", ".join(f"{c} {min(v):.2f}-{max(v):.2f} s (n={len(v)})" if len(v) > 1
                        else f"{c} {v[0]:.2f} s" for c, v in sorted(by_cfg.items(),
                                                                    key=lambda kv: order.get(kv[0], 99)))
    tr.write_line(f"boot times: {summary}; {len(boots)} boots in total")
