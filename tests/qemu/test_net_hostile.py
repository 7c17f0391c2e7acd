"""Hostile frames at the NIC drivers: the NIC is wired to a UDP socket on
the host (QEMU's `-netdev dgram`), so the test is the whole network. It
sends thousands of malformed frames (empty, runts, oversized and jumbo,
random bytes, ARP with every field wrong, a flood faster than the queue
drains) while answering real ARP requests itself; afterwards the kernel is
up, the errors and drops are counted, a normal exchange still works and
the heap is exactly as it was. Nothing leaves 127.0.0.1."""
from __future__ import annotations

import random
import re
import socket
import struct
import threading

import pytest

from test_memory import parse_mem

GUEST_MAC = bytes.fromhex("525400123456")
PEER_MAC = bytes.fromhex("020000000002")
PEER_IP = bytes([10, 0, 2, 2])


def arp_reply_to(frame: bytes):
    """Our answer to the guest's who-has PEER_IP, or None."""
    if len(frame) < 42 or frame[12:14] != b"\x08\x06" or frame[20:22] != b"\x00\x01" or frame[38:42] != PEER_IP:
        return None
    sender_mac, sender_ip = frame[22:28], frame[28:32]
    body = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 2) + PEER_MAC + PEER_IP + sender_mac + sender_ip
    return (sender_mac + PEER_MAC + b"\x08\x06" + body).ljust(60, b"\0")


class Peer:
    """The host end of the wire: answers ARP, and sends what the test asks."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        probe.bind(("127.0.0.1", 0))
        self.guest_port = probe.getsockname()[1]
        probe.close()
        self.stop = False
        self.seen = 0
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def qemu_args(self, device: str) -> list[str]:
        return ["-nic", "none",
                "-netdev", f"dgram,id=n0,local.type=inet,local.host=127.0.0.1,local.port={self.guest_port},"
                           f"remote.type=inet,remote.host=127.0.0.1,remote.port={self.port}",
                "-device", f"{device},netdev=n0"]

    def serve(self):
        self.sock.settimeout(0.2)
        while not self.stop:
            try:
                frame = self.sock.recv(65536)
            except (socket.timeout, OSError):
                continue
            self.seen += 1
            reply = arp_reply_to(frame)
            if reply:
                self.send(reply)

    def send(self, frame: bytes):
        self.sock.sendto(frame, ("127.0.0.1", self.guest_port))

    def close(self):
        self.stop = True
        self.thread.join(timeout=5)
        self.sock.close()


def hostile_frames(rng: random.Random):
    eth = GUEST_MAC + PEER_MAC
    # (No empty datagram: QEMU's dgram backend takes one as end of stream and stops receiving.)
    for n in range(1, 14):
        yield bytes(rng.randrange(256) for _ in range(n))          # runts
    for n in (1515, 1518, 1522, 1600, 2047, 2048, 2049, 4096, 9000, 16000, 65000):
        yield eth + b"\x08\x00" + bytes(n - 14)                     # oversized, jumbo
    good = arp_reply_to(b"\0" * 12 + b"\x08\x06\x00\x01\x08\x00\x06\x04\x00\x01" + GUEST_MAC + bytes([10, 0, 2, 15])
                        + bytes(6) + PEER_IP)
    for i in range(14, 42):                                          # ARP with each byte wrong
        bad = bytearray(good)
        bad[i] ^= 0xff
        yield bytes(bad)
    for _ in range(1500):                                            # noise of every length
        n = rng.choice((14, 15, 42, 60, 64, 100, 512, 1500, 1514, rng.randrange(14, 1515)))
        yield eth + bytes(rng.randrange(256) for _ in range(n - 12))
    for _ in range(500):                                             # a broadcast flood
        yield b"\xff" * 6 + PEER_MAC + b"\x08\x06" + bytes(46)


@pytest.mark.parametrize("device", ["e1000", "virtio-net-pci"])
def test_hostile_frames_are_counted_and_survived(boot_machine, device):
    peer = Peer()
    try:
        m = boot_machine("kernel", machine="pc", extra_args=peer.qemu_args(device))
        out = m.run("arping eth0 10.0.2.15 10.0.2.2")
        assert out.strip() == "arping: reply from 10.0.2.2 at 02:00:00:00:00:02", out
        before = parse_mem(m.run("mem"))
        rng = random.Random(1234)
        sent = 0
        for frame in hostile_frames(rng):
            peer.send(frame)
            sent += 1
        m.run("sleep 500")
        out = m.run("nic")
        rx = re.search(r"rx packets (\d+) bytes \d+ dropped (\d+) errors (\d+)", out)
        assert rx, out
        packets, dropped, errors = map(int, rx.groups())
        assert packets + dropped + errors > 0, out
        # The queue was never read: at most its 32 frames are in it, the rest
        # were dropped and counted, nothing blocked the driver.
        assert dropped > 0, out
        # A normal exchange works afterwards (arping empties the queue first).
        out = m.run("arping eth0 10.0.2.15 10.0.2.2")
        assert out.strip() == "arping: reply from 10.0.2.2 at 02:00:00:00:00:02", out
        after = parse_mem(m.run("mem"))
        assert after["heap in use"] == before["heap in use"], (before, after)
        assert after["phys free"] == before["phys free"], (before, after)
        assert "[EXC]" not in m.output and "[PANIC]" not in m.output
        m.poweroff()
    finally:
        peer.close()
