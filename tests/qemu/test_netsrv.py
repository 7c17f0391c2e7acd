"""The socket channel /dev/netsrv from the kernel's side, without lwIP: a
program with MANIFEST_FLAG_NET_RAW (t_netsrv) plays a hostile network
server to a forked client and checks the documented messages
(include/secos/netsrv.h), the refusal of malformed writes, the reset of a
socket whose server overruns its window, and that the server's end fails
every waiting call instead of hanging it. Programs without the flag are
refused; without a server, socket() says ENETDOWN; nothing stays on the
heap afterwards."""
from __future__ import annotations

import re

from test_memory import parse_mem
from test_net import initrd_args


def test_hostile_server_costs_only_its_sockets(boot_machine):
    m = boot_machine("kernel", extra_args=initrd_args(["-nic", "none"]))
    before = parse_mem(m.run("mem"))
    out = m.run("run /bin/t_netsrv", timeout=120)
    assert "t_netsrv: 0 failed" in out, out
    assert "[net] network server pid" in out and "every socket fails" in out, out
    net = m.run("net")
    assert re.search(r"server: down", net), net
    assert re.search(r"sockets: 0 open", net), net
    counts = re.search(r"(\d+) refused, (\d+) protocol violations", net)
    assert counts and int(counts.group(1)) == 3 and int(counts.group(2)) == 1, net
    after = parse_mem(m.run("mem"))
    assert after["heap in use"] == before["heap in use"], (before, after)
    m.poweroff()


def test_no_server_and_no_right(boot_machine):
    m = boot_machine("kernel", extra_args=initrd_args(["-nic", "none"]))
    out = m.run("run /bin/busybox cat /dev/netsrv")          # a Linux program: no manifest, no flag
    assert "Operation not permitted" in out, out
    out = m.run("run /bin/busybox ls -l /dev/netsrv")
    assert re.search(r"^crw------- .* 241,\s+0 .*/dev/netsrv$", out, re.M), out
    out = m.run("run /bin/busybox wget -q -O /dev/null http://10.0.2.2/")
    assert "Network is down" in out, out
    out = m.run("net")
    assert "server: down (keeper off: boot with net=on, started 0 times)" in out, out
    out = m.run("help")
    assert re.search(r"^\s*net\b.*network server", out, re.M), out
    m.poweroff()


def test_net_option_is_checked(boot_machine):
    m = boot_machine("kernel", extra_args=initrd_args(["-nic", "none", "-append", "net=maybe"]))
    assert "[net] net= takes on or off; the network server is not started" in m.output, m.tail()
    assert "keeper off" in m.run("net")
    m.poweroff()


def test_interface_tools_read_the_servers_address(boot_machine):
    """busybox ifconfig (SIOCGIF* ioctls on a socket, /proc/net/dev) and the
    console's `net` show what the server reported; nothing configures it."""
    m = boot_machine("kernel", extra_args=initrd_args([]))
    m.send("elfload /bin/t_netsrv --ifaddr\r")
    m.wait_for("t_netsrv: holding /dev/netsrv", timeout=30)
    out = m.run("run /bin/busybox ifconfig")        # only interfaces that are up: eth0 is not (nobody opened it)
    assert "eth0" not in out, out
    out = m.run("run /bin/busybox ifconfig -a")
    assert re.search(r"^eth0\s+Link encap:Ethernet\s+HWaddr 52:54:00:12:34:56", out, re.M), out
    assert "inet addr:10.0.2.15  Bcast:10.0.2.255  Mask:255.255.255.0" in out, out
    assert re.search(r"^\s+BROADCAST MULTICAST\s+MTU:1500\s+Metric:1$", out, re.M), out
    out = m.run("run /bin/busybox ifconfig eth1")
    assert "eth1: error fetching interface information: Device not found" in out, out
    out = m.run("run /bin/busybox ifconfig eth0 10.0.2.99")
    assert "Operation not permitted" in out, out
    out = m.run("run /bin/busybox cat /proc/net/dev")
    assert re.search(r"^\s+eth0:\s*\d+\s+\d+", out, re.M) and "compressed multicast" in out, out
    out = m.run("net")
    assert "eth0: inet 10.0.2.15 netmask 255.255.255.0 gateway 10.0.2.2 dns 10.0.2.3" in out, out
    assert re.search(r"server: up pid \d+", out), out
    m.poweroff()
