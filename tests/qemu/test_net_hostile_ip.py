"""Hostile packets at the network server: the NIC is wired to this test
(QEMU's `-netdev dgram`), which is the guest's whole network: it answers ARP
for 10.0.2.2 and plays the DHCP server, so netd (booted by the kernel with
net=on) takes 10.0.2.15 and serves sockets; a listener waits on port 80.
Then the wire sends IPv4 packets with every header field wrong, bad
checksums, fragments that overlap, never end or reach past 64 KiB, TCP
segments with broken data offsets and option garbage, UDP with lying
lengths, ICMP noise, and a SYN flood bounded in count (3,000) and time.
Afterwards the kernel is up, netd is the same process (or the kernel
restarted it), a datagram from a guest program still reaches the wire,
a new TCP connection is accepted, and the kernel's heap is back where it was.
Nothing leaves 127.0.0.1."""
from __future__ import annotations

import random
import re
import socket
import struct
import time

import pytest

from test_memory import parse_mem
from test_net import initrd_args, require_netd
from test_net_hostile import GUEST_MAC, PEER_IP, PEER_MAC, Peer, arp_reply_to

GUEST_IP = bytes([10, 0, 2, 15])


def csum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def ipv4(proto: int, payload: bytes, src=PEER_IP, dst=GUEST_IP, ident=0, frag=0, ttl=64, fix=True) -> bytes:
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, frag, ttl, proto, 0, src, dst)
    if fix:
        hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + payload


def eth(payload: bytes, dst=GUEST_MAC) -> bytes:
    return dst + PEER_MAC + b"\x08\x00" + payload


def tcp(sport: int, dport: int, seq: int, flags: int, options: bytes = b"", data: bytes = b"", ack=0,
        offset=None, src=PEER_IP, dst=GUEST_IP) -> bytes:
    off = offset if offset is not None else 5 + (len(options) + 3) // 4
    opts = options.ljust(((len(options) + 3) // 4) * 4, b"\0")
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, off << 4, flags, 65535, 0, 0) + opts
    pseudo = src + dst + struct.pack("!BBH", 0, 6, len(hdr) + len(data))
    c = csum(pseudo + hdr + data)
    return hdr[:16] + struct.pack("!H", c) + hdr[18:] + data


def dhcp_reply(frame: bytes):
    """OFFER for a DISCOVER, ACK for a REQUEST (10.0.2.15/24, router
    10.0.2.2, DNS 10.0.2.3), or None."""
    if len(frame) < 14 + 20 + 8 + 240 or frame[12:14] != b"\x08\x00" or frame[23] != 17:
        return None
    ihl = (frame[14] & 15) * 4
    udp = frame[14 + ihl:]
    if struct.unpack("!H", udp[2:4])[0] != 67:
        return None
    bootp = udp[8:]
    if bootp[236:240] != b"\x63\x82\x53\x63":
        return None
    opts, kind, i = bootp[240:], None, 0
    while i < len(opts) and opts[i] != 255:
        if opts[i] == 0:
            i += 1
            continue
        if opts[i] == 53:
            kind = opts[i + 2]
        i += 2 + opts[i + 1]
    answer = {1: 2, 3: 5}.get(kind)
    if not answer:
        return None
    body = struct.pack("!BBBB4sHH4s4s4s4s16s", 2, 1, 6, 0, bootp[4:8], 0, 0, bytes(4), GUEST_IP, PEER_IP,
                       bytes(4), bootp[28:44]) + bytes(192) + b"\x63\x82\x53\x63"
    body += bytes([53, 1, answer, 54, 4]) + PEER_IP + bytes([51, 4]) + struct.pack("!I", 3600)
    body += bytes([1, 4, 255, 255, 255, 0, 3, 4]) + PEER_IP + bytes([6, 4, 10, 0, 2, 3, 255])
    udp_out = struct.pack("!HHHH", 67, 68, 8 + len(body), 0) + body
    return eth(ipv4(17, udp_out, dst=b"\xff\xff\xff\xff"), dst=b"\xff" * 6)


class Wire(Peer):
    """The host end (test_net_hostile's Peer): ARP and DHCP answered; SYNs
    to port 9 and SYN-ACKs noted."""

    def __init__(self):
        self.syn9 = 0               # connection attempts to port 9 (a guest program's)
        self.synacks = []           # the ports our SYNs came from, per SYN-ACK
        super().__init__()

    def serve(self):
        self.sock.settimeout(0.2)
        while not self.stop:
            try:
                frame = self.sock.recv(65536)
            except (socket.timeout, OSError):
                continue
            reply = arp_reply_to(frame) or dhcp_reply(frame)
            if reply:
                self.send(reply)
                continue
            if len(frame) >= 34 and frame[12:14] == b"\x08\x00":
                ihl = (frame[14] & 15) * 4
                l4 = frame[14 + ihl:]
                if frame[23] == 6 and len(l4) >= 14:
                    dport = struct.unpack("!H", l4[2:4])[0]
                    if l4[13] & 0x12 == 0x02 and dport == 9:
                        self.syn9 += 1
                    elif l4[13] & 0x12 == 0x12:
                        self.synacks.append(dport)


def hostile_packets(rng: random.Random):
    good = ipv4(17, struct.pack("!HHHH", 5000, 7, 12, 0) + b"abcd")
    for i in range(20):                                   # every header byte wrong, checksum fixed or not
        for fix in (True, False):
            bad = bytearray(good)
            bad[i] ^= rng.randrange(1, 256)
            if fix:
                bad[10:12] = b"\0\0"
                bad[10:12] = struct.pack("!H", csum(bytes(bad[:20])))
            yield eth(bytes(bad))
    for ihl in (0, 1, 4, 6, 15):                          # header lengths that lie
        yield eth(bytes([0x40 | ihl]) + good[1:])
    for total in (0, 19, 21, 1500, 65535):                # total lengths that lie
        yield eth(good[:2] + struct.pack("!H", total) + good[4:])
    for ident in range(40):                               # fragments: overlapping, never ending, past 64 KiB
        for off in (0, 1, 8, 100, 8189, 8190, 8191):
            yield eth(ipv4(17, bytes(rng.randrange(256) for _ in range(rng.choice((8, 16, 64, 600)))),
                           ident=ident + 1000, frag=0x2000 | off))
    for _ in range(300):                                  # broken TCP to the listener
        off = rng.choice((0, 1, 4, 5, 6, 15))
        opts = bytes(rng.randrange(256) for _ in range(rng.choice((0, 1, 3, 4, 8, 20, 40))))
        yield eth(ipv4(6, tcp(rng.randrange(1024, 65536), 80, rng.getrandbits(32), rng.choice((0x02, 0x12, 0x10, 0x3f, 0x01, 0x04)),
                              options=opts, data=bytes(rng.randrange(50)), offset=off)))
    for opts in (b"\x02\x04\x00", b"\x02\x00", b"\x03\x03\xff", b"\x05\x02", b"\x08\x0a", b"\x01" * 40,
                 b"\x04\x02\x02\x04\x05\xb4", b"\xfe\xff" + bytes(38)):
        yield eth(ipv4(6, tcp(40000, 80, 1, 0x02, options=opts)))   # SYNs with option garbage
    for n in (0, 7, 9, 100, 65535):                       # UDP lengths that lie
        yield eth(ipv4(17, struct.pack("!HHHH", 5000, 7, n, 0) + b"x" * 16))
    for _ in range(200):                                  # ICMP noise, right and wrong checksums
        body = bytes([rng.choice((0, 3, 5, 8, 11, 13, 17, 255)), rng.randrange(256), 0, 0]) + bytes(
            rng.randrange(256) for _ in range(rng.randrange(60)))
        if rng.random() < 0.5:
            body = body[:2] + struct.pack("!H", csum(body)) + body[4:]
        yield eth(ipv4(1, body))


def syn_flood(rng: random.Random, count: int):
    for i in range(count):
        yield eth(ipv4(6, tcp(1024 + i % 60000, 80, rng.getrandbits(32), 0x02, options=b"\x02\x04\x05\xb4")))


@pytest.mark.parametrize("device", ["e1000", "virtio-net-pci"])
def test_hostile_packets_at_the_network_server(boot_machine, device):
    require_netd()
    wire = Wire()
    try:
        m = boot_machine("kernel", machine="pc", extra_args=initrd_args(wire.qemu_args(device) + ["-append", "net=on"]))
        m.wait_for("holds /dev/netsrv", timeout=120)
        pid = re.search(r"\[net\] netd started pid=(\d+)", m.output).group(1)
        m.send("elfload /bin/busybox nc -l -p 80\r")
        time.sleep(2)
        m.run("sleep 200")
        before = parse_mem(m.run("mem"))
        rng = random.Random(4321)
        start = time.monotonic()
        for frame in hostile_packets(rng):
            wire.send(frame)
        for i, frame in enumerate(syn_flood(rng, 3000)):
            wire.send(frame)
            if i % 100 == 99:
                time.sleep(0.02)
        assert time.monotonic() - start < 60
        m.run("sleep 1000")
        assert "[PANIC]" not in m.output and "[EXC]" not in m.output
        net = m.run("net")
        assert re.search(r"server: up pid \d+", net), net
        restarted = "[net] netd restarted" in m.output
        assert restarted or f"server: up pid {pid} " in net, net
        assert wire.synacks                          # the listener answered some of the flood
        # The server still talks: a program's connection attempt reaches the wire...
        m.run("run /bin/busybox nc -w 2 10.0.2.2 9", timeout=60)
        assert wire.syn9 > 0
        # ...and once the flood's half-open connections time out (lwIP: 20 s),
        # a new SYN to the listener is answered again.
        deadline = time.monotonic() + 60
        while 33333 not in wire.synacks and time.monotonic() < deadline:
            wire.send(eth(ipv4(6, tcp(33333, 80, 777, 0x02, options=b"\x02\x04\x05\xb4"))))
            time.sleep(2)
        assert 33333 in wire.synacks, "the listener never answered again after the flood"
        m.run("run /bin/busybox pkill nc")
        m.run("sleep 500")
        after = parse_mem(m.run("mem"))
        assert after["heap in use"] == before["heap in use"], (before, after)
        m.poweroff()
    finally:
        wire.close()
