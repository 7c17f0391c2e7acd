"""NICs under QEMU's user network: the e1000 (pc's default NIC), e1000e
(q35's) and virtio-net drivers find the device, read its MAC, report link state, send a
frame and receive the answer (an ARP who-has to slirp's gateway and DNS
addresses, which slirp answers with its own MAC); an address nobody has
times out cleanly; a link taken down through QMP is reported and answers
nothing; without a NIC the commands say so; the heap is exactly back after
a burst of exchanges."""
from __future__ import annotations

import re

import pytest

from test_memory import parse_mem

SLIRP_MAC = "52:55:0a:00:02:02"


def slirp_mac(ip: str) -> str:
    """slirp answers for each of its addresses with 52:55 and the address."""
    return "52:55:" + ":".join(f"{int(b):02x}" for b in ip.split("."))
NIC_LINE = re.compile(r"^(eth\d): (.+?) mac ([0-9a-f:]{17}) link (up|down) irq (on|polling)$", re.M)
COUNTERS = re.compile(r"rx packets (\d+) bytes \d+ dropped (\d+) errors (\d+)\n\s+tx packets (\d+)")


def nics(m) -> dict:
    out = m.run("nic")
    found = {g[0]: g[1:] for g in NIC_LINE.findall(out)}
    assert found, out
    return found


def counters(m) -> tuple[int, int, int, int]:
    out = m.run("nic")
    c = COUNTERS.search(out)
    assert c, out
    return tuple(int(x) for x in c.groups())


VIRTIO_NET = ["-nic", "none", "-netdev", "user,id=n0", "-device", "virtio-net-pci,netdev=n0,id=nic0"]


@pytest.mark.parametrize("machine,model,extra", [
    ("pc", "82540EM (e1000)", []), ("q35", "82574L (e1000e)", []),
    ("pc", "virtio-net", VIRTIO_NET), ("q35", "virtio-net", VIRTIO_NET)],
    ids=["pc-e1000", "q35-e1000e", "pc-virtio", "q35-virtio"])
def test_nic_sends_and_receives(boot_machine, machine, model, extra):
    m = boot_machine("kernel", machine=machine, extra_args=extra)
    assert re.search(r"\] eth0: " + re.escape(model), m.output), m.tail()
    assert nics(m) == {"eth0": (model, "52:54:00:12:34:56", "up", "on")}
    for ip in ("10.0.2.2", "10.0.2.3"):
        out = m.run(f"arping eth0 10.0.2.15 {ip}")
        assert out.strip() == f"arping: reply from {ip} at {slirp_mac(ip)}", out
    out = m.run("arping eth0 10.0.2.15 10.0.2.77")
    assert out.strip() == "arping: no reply from 10.0.2.77 within 2 s", out
    rx, dropped, errors, tx = counters(m)
    assert tx == 3 and rx >= 2 and errors == 0, (rx, dropped, errors, tx)
    m.poweroff()


@pytest.mark.parametrize("device", ["e1000", "virtio-net-pci"])
def test_mac_from_the_command_line_and_link_down(boot_machine, device):
    m = boot_machine("kernel", machine="pc", extra_args=[
        "-nic", "none", "-netdev", "user,id=n0", "-device", f"{device},netdev=n0,id=nic0,mac=02:11:22:33:44:55"])
    assert nics(m)["eth0"][1:3] == ("02:11:22:33:44:55", "up")
    m.qmp.execute("set_link", name="nic0", up=False)
    assert nics(m)["eth0"][2] == "down"
    out = m.run("arping eth0 10.0.2.15 10.0.2.2")
    assert "no reply" in out, out
    m.qmp.execute("set_link", name="nic0", up=True)
    # QEMU's e1000 renegotiates for 500 ms (virtual) before the link is up again.
    for _ in range(50):
        if nics(m)["eth0"][2] == "up":
            break
        m.run("sleep 100")
    assert nics(m)["eth0"][2] == "up"
    out = m.run("arping eth0 10.0.2.15 10.0.2.2")
    assert out.strip() == f"arping: reply from 10.0.2.2 at {SLIRP_MAC}", out
    m.poweroff()


def test_without_a_nic_the_commands_say_so(boot_machine):
    m = boot_machine("kernel", machine="q35", extra_args=["-nic", "none"])
    assert m.run("nic").strip() == "nic: no network interfaces"
    assert m.run("arping eth0 10.0.2.15 10.0.2.2").strip() == "arping: no network interface 'eth0'"
    for bad in ("arping", "arping eth0 10.0.2.15", "arping eth0 10.0.2 10.0.2.2", "arping eth0 1.2.3.4 300.1.1.1"):
        assert m.run(bad).strip() == "usage: arping <nic> <source-ipv4> <target-ipv4>", bad
    assert m.run("nic extra").strip() == "usage: nic"
    m.poweroff()


@pytest.mark.parametrize("extra", [[], VIRTIO_NET], ids=["e1000", "virtio"])
def test_exchanges_leave_the_heap_as_it_was(boot_machine, extra):
    """40 exchanges go round each 32-buffer ring more than once. The NIC
    costs nothing until it is first used (a 4 MiB machine still boots:
    test_boot_data), then its rings and queue stay."""
    m = boot_machine("kernel", machine="pc", extra_args=extra)
    m.run("arping eth0 10.0.2.15 10.0.2.2")
    before = parse_mem(m.run("mem"))
    for _ in range(40):
        out = m.run("arping eth0 10.0.2.15 10.0.2.2")
        assert "reply from 10.0.2.2" in out, out
    after = parse_mem(m.run("mem"))
    assert after["heap in use"] == before["heap in use"], (before, after)
    assert after["phys free"] == before["phys free"], (before, after)
    rx, dropped, errors, tx = counters(m)
    assert tx == 41 and errors == 0, (rx, dropped, errors, tx)
    m.poweroff()


def initrd_args(extra):
    from secos import BUILD
    return ["-initrd", str(BUILD / "initrd.cpio")] + list(extra)


def require_netd():
    """netd is built from Debian's lwip source package, fetched at the first
    build (tools/fetch-lwip.sh). When that fetch could not run (no network
    then), the tests that need netd skip and say why; when it ran, a missing
    netd is a failure."""
    from secos import BUILD, REPO
    if (BUILD / "user" / "netd" / "netd").exists():
        return
    if not (REPO / "build" / "lwip" / ".secos-fetched").exists():
        pytest.skip("no /sbin/netd: tools/fetch-lwip.sh could not fetch Debian's lwip source package")
    pytest.fail(f"lwIP was fetched but {BUILD}/user/netd/netd was not built")


@pytest.mark.parametrize("extra", [[], VIRTIO_NET], ids=["e1000", "virtio"])
def test_raw_frame_device_for_the_network_process(boot_machine, extra):
    """/dev/eth0 opens only with MANIFEST_FLAG_NET_RAW, one holder at a time;
    t_netraw's own checks (refused writes, EAGAIN, EMSGSIZE, poll, an ARP
    exchange through the device) all pass; while it is held the console's
    arping refuses; after close everything is as before."""
    m = boot_machine("kernel", machine="pc", extra_args=initrd_args(extra))
    m.run("arping eth0 10.0.2.15 10.0.2.2")     # the NIC's rings and queue are allocated on first use
    before = parse_mem(m.run("mem"))
    out = m.run("run /bin/t_netraw", timeout=60)
    assert "t_netraw: 0 failed" in out, out
    assert "mac 52:54:00:12:34:56 mtu 1500 link 1" in out, out
    assert f"reply from {SLIRP_MAC}" in out, out
    out = m.run("run /bin/t_netraw_denied")
    assert "t_netraw_denied: 0 failed" in out, out
    out = m.run("run /bin/busybox cat /dev/eth0")      # a Linux program: no manifest at all
    assert "Operation not permitted" in out, out
    out = m.run("run /bin/busybox ls -l /dev/eth0")
    assert re.search(r"^crw------- .* 240,\s+0 .*/dev/eth0$", out, re.M), out
    # The console's own path keeps working once the device is free again.
    assert m.run("arping eth0 10.0.2.15 10.0.2.2").strip() == f"arping: reply from 10.0.2.2 at {SLIRP_MAC}"
    after = parse_mem(m.run("mem"))
    assert after["heap in use"] == before["heap in use"], (before, after)
    m.poweroff()


def test_console_arping_refuses_a_held_nic(boot_machine):
    m = boot_machine("kernel", machine="pc", extra_args=initrd_args([]))
    m.send("elfload /bin/t_netraw --hold 4000\r")   # in the background
    m.wait_for("holding /dev/eth0", timeout=60)
    m.wait_for("secos> ", timeout=30)
    out = m.run("arping eth0 10.0.2.15 10.0.2.2")
    assert re.match(r"arping: eth0 is held by pid \d+ \(/dev/eth0\)", out.strip()), out
    m.wait_for("released /dev/eth0", timeout=120)
    m.poweroff()


@pytest.mark.parametrize("machine,extra", [("pc", []), ("q35", []), ("q35", VIRTIO_NET)],
                         ids=["pc-e1000", "q35-e1000e", "q35-virtio"])
def test_netd_gets_a_lease_and_pings_the_gateway(boot_machine, machine, extra):
    """netd (lwIP in ring 3 over /dev/eth0): DHCP from slirp gives
    10.0.2.15, and three echo requests to the gateway are all answered."""
    require_netd()
    m = boot_machine("kernel", machine=machine, extra_args=initrd_args(extra))
    out = m.run("run /sbin/netd --ping 10.0.2.2 3", timeout=120)
    assert "netd: eth0 bound 10.0.2.15 netmask 255.255.255.0 gateway 10.0.2.2 dns 10.0.2.3" in out, out
    for seq in (1, 2, 3):
        assert re.search(rf"^64 bytes from 10\.0\.2\.2: icmp_seq={seq} time=\d+ ms$", out, re.M), out
    assert "3 packets transmitted, 3 received" in out and "status=0" in out, out
    m.poweroff()


def test_netd_usage_and_a_missing_device(boot_machine):
    require_netd()
    m = boot_machine("kernel", machine="pc", extra_args=initrd_args([]))
    usage = "usage: netd [--dev /dev/ethN] [--daemon] [--ping <ipv4> [count]] [--get <ipv4> <port> <path>] [--serve <port> <dir>] [--once]"
    for bad in ("--bogus", "--ping", "--ping 10.0.2", "--ping 10.0.2.2 0", "--dev"):
        out = m.run(f"run /sbin/netd {bad}")
        assert usage in out and "status=2" in out, (bad, out)
    out = m.run("run /sbin/netd --dev /dev/eth3 --once")
    assert "netd: /dev/eth3: No such file or directory" in out and "status=1" in out, out
    m.poweroff()


@pytest.fixture(scope="module")
def http_server(tmp_path_factory):
    """A Python HTTP server on 127.0.0.1 (the guest sees it as 10.0.2.2)
    serving 4 MiB of random bytes as /blob."""
    import functools
    import hashlib
    import http.server
    import os
    import threading
    root = tmp_path_factory.mktemp("www")
    data = os.urandom(4 << 20)
    (root / "blob").write_bytes(data)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv.server_address[1], hashlib.sha256(data).hexdigest()
    srv.shutdown()


@pytest.mark.parametrize("extra", [[], VIRTIO_NET], ids=["e1000", "virtio"])
def test_netd_fetches_a_file_over_tcp(boot_machine, http_server, extra):
    """TCP through netd (lwIP's raw API): 4 MiB from a host HTTP server, the
    SHA-256 of what arrived equals the host's; a closed port is a clean error."""
    require_netd()
    port, digest = http_server
    m = boot_machine("kernel", machine="pc", extra_args=initrd_args(extra))
    out = m.run(f"run /sbin/netd --get 10.0.2.2 {port} /blob", timeout=600)
    assert re.search(rf"netd: GET status 200, 4194304 bytes in \d+ ms, sha256 {digest}$", out, re.M), out
    assert "status=0" in out, out
    out = m.run(f"run /sbin/netd --get 10.0.2.2 {port} /missing", timeout=120)
    assert re.search(r"netd: GET status 404, \d+ bytes", out), out
    out = m.run("run /sbin/netd --get 10.0.2.2 1 /", timeout=120)   # nothing listens on port 1
    assert "netd: GET: connection failed" in out and "status=1" in out, out
    m.poweroff()


def test_netd_serves_files_to_many_clients_through_a_forwarded_port(boot_machine, tmp_path):
    """netd --serve: files from a FAT disk (made on the host) served over
    HTTP through QEMU's forwarded port; the host fetches a 4 MiB file, then
    a 64 KiB one with 50 concurrent clients, every copy with the host's
    SHA-256; a missing file is 404, a path with '..' is 400, and the server
    is still there after."""
    import hashlib
    import os
    import shutil
    import socket
    import subprocess
    import urllib.error
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor
    from secos import Disk
    require_netd()
    if not shutil.which("mkfs.fat") or not shutil.which("mcopy"):
        pytest.skip("needs dosfstools and mtools (tools/deps.sh)")
    files = {"blob.bin": os.urandom(4 << 20), "small.bin": os.urandom(64 << 10)}
    img = tmp_path / "www.img"
    subprocess.run(["mkfs.fat", "-C", "-F", "32", str(img), str(48 * 1024)], check=True, capture_output=True)
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        subprocess.run(["mcopy", "-i", str(img), str(tmp_path / name), "::/" + name], check=True,
                       capture_output=True, env={**os.environ, "MTOOLS_SKIP_CHECK": "1"})
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    m = boot_machine("kernel", machine="pc", disks=[Disk(img, "virtio")], extra_args=initrd_args(
        ["-nic", f"user,model=e1000,hostfwd=tcp:127.0.0.1:{port}-:80"]))
    m.run("rfmkdir /www")
    assert m.run("mount vda /www").strip() == ""
    m.send("elfload /sbin/netd --serve 80 /www\r")
    m.wait_for("netd: serving /www on port 80", timeout=120)
    url = f"http://127.0.0.1:{port}"
    want = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}

    def fetch(name):
        with urllib.request.urlopen(f"{url}/{name}", timeout=600) as r:
            return hashlib.sha256(r.read()).hexdigest()

    assert fetch("blob.bin") == want["blob.bin"]
    with ThreadPoolExecutor(max_workers=50) as pool:
        got = list(pool.map(fetch, ["small.bin"] * 50))
    assert got == [want["small.bin"]] * 50
    for path, code in (("/nothere", 404), ("/../etc/motd", 400), ("/a%20b", 400)):
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(url + path, timeout=60)
        assert e.value.code == code, path
    assert fetch("small.bin") == want["small.bin"]
    m.poweroff()
