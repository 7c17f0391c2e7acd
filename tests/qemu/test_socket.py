"""Sockets for programs, end to end: the kernel's socket calls served by
netd (`net=on` starts `/sbin/netd --daemon`, lwIP in ring 3) on QEMU's user
network, with e1000 and virtio-net. Every traffic generator talks only to
127.0.0.1 on the host and to the guest (slirp shows the host's 127.0.0.1
as 10.0.2.2; the guest's port 80 is forwarded from a free host port).

- t_sock (user/musl/t_sock.c): errors (ECONNREFUSED, bad addresses,
  EAFNOSUPPORT, EADDRINUSE), 1 MiB each way over 127.0.0.1 and 10.0.2.15,
  non-blocking connect + poll + SO_ERROR, UDP, shutdown, names, fork with a
  socket, ping sockets; then 1000 connect/close cycles with netd still the
  same process and the kernel's sockets all gone;
- busybox wget of 4 MiB from a host HTTP server, SHA-256 equal to the host's;
- busybox httpd in SECoS serving 4 MiB from a FAT disk to curl on the host,
  then 50 concurrent clients;
- UDP datagrams echoed by the host (t_sock udp);
- busybox nc both ways; busybox ping;
- netd killed with SIGKILL during a wget: wget fails (no hang), the kernel
  restarts netd, a new wget works.
"""
from __future__ import annotations

import hashlib
import http.server
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from secos import BUILD, Disk

NICS = ["e1000", "virtio-net-pci"]
SERVING = "netd: serving sockets on /dev/netsrv"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def require_netd():
    if not (BUILD / "user" / "netd" / "netd").exists():
        pytest.skip(f"no {BUILD}/user/netd/netd (lwIP could not be fetched: tools/fetch-lwip.sh)")


def boot_net(boot_machine, nic: str, fwd_port: int | None = None, disks=()):
    """A pc machine booted with net=on and one NIC on slirp; returns it
    once netd serves sockets."""
    require_netd()
    netdev = "user,id=n0" + (f",hostfwd=tcp:127.0.0.1:{fwd_port}-:80" if fwd_port else "")
    m = boot_machine("kernel", machine="pc", disks=list(disks), extra_args=[
        "-initrd", str(BUILD / "initrd.cpio"), "-append", "net=on",
        "-nic", "none", "-netdev", netdev, "-device", f"{nic},netdev=n0"])
    m.wait_for(SERVING, timeout=120)
    return m


def exit_status(out: str) -> int:
    st = re.search(r"^\[EXIT\] pid=\d+ status=(-?\d+)$", out, re.M)
    assert st, out
    return int(st.group(1))


def netd_pid(m) -> int:
    out = m.run("net")
    p = re.search(r"^server: up pid (\d+)", out, re.M)
    assert p, out
    return int(p.group(1))


def netd_pages(m, pid: int) -> int:
    """netd's resident pages, from the console's ps (PID PPID STATE TICKS PAGES FDS NAME)."""
    out = m.run("ps")
    row = re.search(rf"^\s*{pid}\s+-?\d+\s+\S+\s+\d+\s+(\d+)\s+\d+\s+netd$", out, re.M)
    assert row, out
    return int(row.group(1))


def fat_disk(tmp_path, files: dict) -> Disk:
    """A FAT32 image holding files (name -> bytes), attached as virtio vda."""
    if not shutil.which("mkfs.fat") or not shutil.which("mcopy"):
        pytest.skip("needs dosfstools and mtools (tools/deps.sh)")
    img = tmp_path / "www.img"
    subprocess.run(["mkfs.fat", "-C", "-F", "32", str(img), str(48 * 1024)], check=True, capture_output=True)
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        subprocess.run(["mcopy", "-i", str(img), str(tmp_path / name), "::/" + name], check=True,
                       capture_output=True, env={**os.environ, "MTOOLS_SKIP_CHECK": "1"})
    return Disk(img, "virtio")


class HostHttp:
    """A threading HTTP server on 127.0.0.1: /blob (4 MiB of random bytes)
    and /slow (16 KiB every 50 ms, without end; `streaming` is set once a
    client is being fed)."""

    def __init__(self):
        self.data = os.urandom(4 << 20)
        self.digest = hashlib.sha256(self.data).hexdigest()
        self.streaming = threading.Event()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, *args):
                pass

            def do_GET(self):
                if self.path == "/blob":
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(outer.data)))
                    self.end_headers()
                    self.wfile.write(outer.data)
                elif self.path == "/slow":
                    self.send_response(200)
                    self.send_header("Content-Length", str(1 << 30))
                    self.end_headers()
                    try:
                        for _ in range(20 * 600):
                            self.wfile.write(b"s" * 16384)
                            self.wfile.flush()
                            outer.streaming.set()
                            time.sleep(0.05)
                    except OSError:
                        pass
                else:
                    self.send_error(404)

        self.srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.srv.daemon_threads = True
        self.port = self.srv.server_address[1]
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def close(self):
        self.srv.shutdown()
        self.srv.server_close()


@pytest.fixture
def host_http():
    srv = HostHttp()
    yield srv
    srv.close()


def guest_wget(m, port: int, path: str = "/blob", timeout: float = 600) -> tuple[str, int, str]:
    """busybox wget of http://10.0.2.2:port/path piped into sha256sum (no
    copy in the RAM file system): (output, wget's status, SHA-256 of what
    arrived). The console splits words at blanks: ${IFS} keeps the script one."""
    url = f"http://10.0.2.2:{port}{path}"
    script = f"set -o pipefail;wget -q -O- {url}|sha256sum;echo wget=$?".replace(" ", "${IFS}")
    out = m.run(f"run /bin/busybox sh -c {script}", timeout=timeout)
    st = re.search(r"^wget=(\d+)$", out, re.M)
    h = re.search(r"^([0-9a-f]{64})  -$", out, re.M)
    assert st and h, out
    return out, int(st.group(1)), h.group(1)


@pytest.mark.parametrize("nic", NICS)
def test_socket_calls_and_many_cycles(boot_machine, nic):
    """t_sock's checks all pass; 1000 connect/accept/close cycles leave netd
    the same process (no assert, no leak that ends it) with every socket
    closed on the kernel's side; a second 1000 do not grow netd's memory;
    the checks pass again after."""
    m = boot_net(boot_machine, nic)
    pid = netd_pid(m)
    out = m.run("run /bin/t_sock", timeout=300)
    assert "t_sock: 0 failed" in out and exit_status(out) == 0, out
    pages = []
    for _ in range(2):
        out = m.run("run /bin/t_sock cycles 1000", timeout=600)
        assert re.search(r"^t_sock: 1000 cycles in \d+ ms$", out, re.M) and exit_status(out) == 0, out
        assert netd_pid(m) == pid
        assert re.search(r"^sockets: 0 open", m.run("net"), re.M)
        pages.append(netd_pages(m, pid))
    # The second thousand costs netd nothing more: records, pcbs and pbufs all came back.
    assert pages[1] <= pages[0] + 8, pages
    out = m.run("run /bin/t_sock", timeout=300)
    assert "t_sock: 0 failed" in out, out
    assert netd_pid(m) == pid and "[net] netd (pid" not in m.output
    m.poweroff()


@pytest.mark.parametrize("nic", NICS)
def test_wget_from_the_host(boot_machine, host_http, nic):
    """busybox wget: 4 MiB from the host's HTTP server with the host's
    SHA-256; a missing file is an error exit; a closed port is refused."""
    m = boot_net(boot_machine, nic)
    out, st, digest = guest_wget(m, host_http.port)
    assert st == 0 and digest == host_http.digest, out
    out, st, _ = guest_wget(m, host_http.port, "/missing", timeout=120)
    assert st != 0 and "404" in out, out
    closed = free_port()
    out, st, _ = guest_wget(m, closed, "/", timeout=120)
    assert st != 0 and "refused" in out.lower(), out
    m.poweroff()


@pytest.mark.parametrize("nic", NICS)
def test_udp_echo_with_the_host(boot_machine, nic):
    """Datagrams of 1..1472 bytes to an echo server on the host's
    127.0.0.1 (10.0.2.2 to the guest) come back intact, from its port."""
    srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    srv.bind(("127.0.0.1", 0))
    stop = threading.Event()

    def echo():
        srv.settimeout(0.2)
        while not stop.is_set():
            try:
                data, peer = srv.recvfrom(65536)
            except socket.timeout:
                continue
            srv.sendto(data, peer)

    t = threading.Thread(target=echo, daemon=True)
    t.start()
    try:
        m = boot_net(boot_machine, nic)
        out = m.run(f"run /bin/t_sock udp 10.0.2.2 {srv.getsockname()[1]}", timeout=120)
        assert "ok udp-echo-remote" in out and exit_status(out) == 0, out
        m.poweroff()
    finally:
        stop.set()
        t.join()
        srv.close()


def start_httpd(m):
    m.run("rfmkdir /www")
    assert m.run("mount vda /www").strip() == ""
    m.send("elfload /bin/busybox httpd -f -p 80 -h /www\r")
    m.wait_for("secos> ", timeout=30)
    time.sleep(1)


def fetch(url: str, timeout: float = 600) -> str:
    out = subprocess.run(["curl", "-sS", "--fail", "--max-time", str(int(timeout)), "-o", "-", url],
                         capture_output=True, timeout=timeout + 30)
    assert out.returncode == 0, (url, out.returncode, out.stderr.decode(errors="replace"))
    return hashlib.sha256(out.stdout).hexdigest()


@pytest.mark.parametrize("nic", NICS)
def test_httpd_in_secos_serves_the_host(boot_machine, tmp_path, nic):
    """busybox httpd (one process per connection) serves files from a FAT
    disk through the forwarded port: curl gets 4 MiB with the host's
    SHA-256, then 50 clients at once each get 64 KiB intact, and a last
    fetch works. busybox httpd forks a process per connection and SECoS has
    at most 64 processes: 50 at once stays below that with the console,
    netd and httpd itself; the listener's backlog (at most 64) queues the
    rest as Linux does (SYNs beyond it are dropped and retried)."""
    if not shutil.which("curl"):
        pytest.skip("needs curl on the host")
    files = {"blob.bin": os.urandom(4 << 20), "small.bin": os.urandom(64 << 10)}
    want = {k: hashlib.sha256(v).hexdigest() for k, v in files.items()}
    port = free_port()
    m = boot_net(boot_machine, nic, fwd_port=port, disks=[fat_disk(tmp_path, files)])
    start_httpd(m)
    url = f"http://127.0.0.1:{port}"
    assert fetch(f"{url}/blob.bin") == want["blob.bin"]
    with ThreadPoolExecutor(max_workers=50) as pool:
        got = list(pool.map(lambda _: fetch(f"{url}/small.bin"), range(50)))
    assert got == [want["small.bin"]] * 50
    assert fetch(f"{url}/small.bin") == want["small.bin"]
    m.poweroff()


@pytest.mark.parametrize("nic", NICS)
def test_nc_both_ways(boot_machine, tmp_path, nic):
    """busybox nc: the host sends 1 MiB to `nc -l -p 80` in SECoS through
    the forwarded port (SHA-256 checked in SECoS), and SECoS's nc sends a
    file from the disk to a listener on the host (SHA-256 checked here)."""
    data_in, data_out = os.urandom(1 << 20), os.urandom(1 << 20)
    hport = free_port()
    script = "nc -l -p 80 < /dev/null > /tmp/in\nsha256sum /tmp/in\n"
    files = {"out.bin": data_out, "ncin.sh": script.encode()}
    port = free_port()
    m = boot_net(boot_machine, nic, fwd_port=port, disks=[fat_disk(tmp_path, files)])
    m.run("rfmkdir /d")
    assert m.run("mount vda /d").strip() == ""
    # host -> SECoS
    m.send("elfload /bin/busybox sh /d/ncin.sh\r")
    m.wait_for("secos> ", timeout=30)
    deadline = time.monotonic() + 60
    while True:                        # until nc listens (slirp accepts and resets before that)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
                s.sendall(data_in)
                s.shutdown(socket.SHUT_WR)
                s.settimeout(120)
                while s.recv(65536):
                    pass
            break
        except (ConnectionResetError, BrokenPipeError):
            assert time.monotonic() < deadline, "nc never listened"
            time.sleep(1)
    m.wait_for(f"{hashlib.sha256(data_in).hexdigest()}  /tmp/in", timeout=120)
    # SECoS -> host: the host reads until it has the whole file, then closes
    lsn = socket.socket()
    lsn.bind(("127.0.0.1", hport))
    lsn.listen(1)
    lsn.settimeout(120)
    got = bytearray()

    def serve():
        c, _ = lsn.accept()
        with c:
            c.settimeout(120)
            while len(got) < len(data_out):
                b = c.recv(65536)
                if not b:
                    break
                got.extend(b)

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    m.send(f"elfload /bin/busybox nc 10.0.2.2 {hport} -e /bin/busybox cat /d/out.bin\r")
    t.join(timeout=300)
    lsn.close()
    assert hashlib.sha256(bytes(got)).hexdigest() == hashlib.sha256(data_out).hexdigest(), len(got)
    m.poweroff()


@pytest.mark.parametrize("nic", NICS)
def test_busybox_ping(boot_machine, nic):
    """busybox ping: SOCK_RAW ICMP gives it a ping socket that shows the IP
    header; three requests to the gateway, three replies."""
    m = boot_net(boot_machine, nic)
    out = m.run("run /bin/busybox ping -c 3 10.0.2.2", timeout=60)
    for seq in (0, 1, 2):
        assert re.search(rf"^64 bytes from 10\.0\.2\.2: seq={seq} ttl=\d+ time=", out, re.M), out
    assert "3 packets transmitted, 3 packets received, 0% packet loss" in out and exit_status(out) == 0, out
    m.poweroff()


@pytest.mark.parametrize("nic", NICS)
def test_killing_netd_during_a_transfer(boot_machine, host_http, nic):
    """kill -9 of netd while wget streams from the host: wget ends with an
    error (its connection was reset, no hang), the kernel restarts netd,
    and a new wget of 4 MiB arrives intact."""
    m = boot_net(boot_machine, nic)
    pid = netd_pid(m)
    m.send(f"elfload /bin/busybox wget -q -O /dev/null http://10.0.2.2:{host_http.port}/slow\r")
    wget = int(m.wait_for(re.compile(r"elfload: started /bin/busybox as pid (\d+)"), timeout=30).group(1))
    m.wait_for("secos> ", timeout=30)
    assert host_http.streaming.wait(120), m.tail()
    time.sleep(1)
    mark = len(m.output)               # what follows may come before or after kill's prompt
    m.run(f"run /bin/kill -9 {pid}")
    for what, timeout in ((r"wget: [^\r\n]*Connection reset by peer", 60), (r"\[net\] netd restarted pid=\d+", 60),
                          (re.escape(SERVING), 120)):
        m.wait_until(lambda text, pos: re.compile(what).search(text, mark), timeout, what)
    m.run("ps")                        # the console reaps its background program at a prompt
    st = re.search(rf"^\[EXIT\] pid={wget} status=(-?\d+)", m.output, re.M)
    assert st and int(st.group(1)) != 0, m.tail()
    new = netd_pid(m)
    assert new != pid
    out, st, digest = guest_wget(m, host_http.port)
    assert st == 0 and digest == host_http.digest, out
    m.poweroff()
