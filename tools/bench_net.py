#!/usr/bin/env python3
"""tools/bench_net.sh: TCP throughput over QEMU's user network (slirp), SECoS
and a Linux 6.1 guest under the same QEMU command (plain TCG, -machine pc,
default CPU, -m 512M), the same NIC model on both (e1000 and
virtio-net-pci), the same file of MIB random bytes, HTTP/1.0 both ways:

  host->guest  a Python HTTP server on 127.0.0.1 (the guest's 10.0.2.2)
               sends /blob; both guests fetch it with Debian's busybox
               `wget -O /dev/null`, and again with `wget -O - | sha256sum`
               (SECoS: through its sockets, served by netd, booted with
               net=on; a script on the RAM disk, run by SECoS's sh)
  guest->host  the guest serves the file on port 80, forwarded to a host
               port on 127.0.0.1 (hostfwd) with busybox `httpd` (SECoS from
               a FAT RAM disk, a boot module: ram0; Linux from its
               initramfs); a Python client on the host fetches /blob
  (netd's own client and server, `netd --get` and `--serve`, which skip the
  socket channel, were measured before sockets existed: docs/PERFORMANCE.md.)

Each transfer is timed on the host with rdtsc (under plain TCG the guest's
rdtsc is the host's TSC, so these are the storage benchmark's tick units):
host->guest from the server's accept() to the guest's FIN after the last
byte, guest->host from connect() to the end of the body. Every transfer is
checked: the bytes and their SHA-256 (netd prints its own; the host hashes
what it received and what busybox's sha256sum printed). The kernels
alternate run by run (SECoS, Linux, SECoS, ...); one boot per kernel, NIC
and run does both directions. Only 127.0.0.1 and the guest are contacted.

  bench_net.py --runs N --secos-build DIR --out DIR [--mib N] [--nics e1000,virtio]

Prints every BENCH line (prefixed with the kernel and the run):
  BENCH tcp_<h2g|g2h>[_sha256]_<nic>_per_mib <ticks per MiB> <MiB>
then one table: median over the runs (min-max), MiB/s, SECoS/Linux. Exit 1
when a run failed (its log is in --out)."""
from __future__ import annotations

import argparse
import ctypes
import hashlib
import mmap
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
QEMU = os.environ.get("SECOS_QEMU", "qemu-system-x86_64")
COMMON = ["-machine", "pc", "-m", "512M", "-no-reboot", "-display", "none"]
NIC_DEVICE = {"e1000": "e1000", "virtio": "virtio-net-pci"}
MIB = 1 << 20


# ---- host TSC ---------------------------------------------------------------------------
def _rdtsc_function():
    """lfence; rdtsc; shl rdx, 32; or rax, rdx; ret, in an executable page."""
    code = bytes.fromhex("0faee8" "0f31" "48c1e220" "4809d0" "c3")
    buf = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    buf.write(code)
    addr = ctypes.addressof(ctypes.c_char.from_buffer(buf))
    fn = ctypes.CFUNCTYPE(ctypes.c_uint64)(addr)
    fn._keep = buf   # the page lives as long as the function
    return fn


rdtsc = _rdtsc_function()


def tsc_per_second() -> float:
    t0, c0 = time.perf_counter(), rdtsc()
    time.sleep(0.5)
    return (rdtsc() - c0) / (time.perf_counter() - t0)


# ---- host side: an HTTP/1.0 server for host->guest, a client for guest->host ----------------
class BlobServer:
    """Serves GET /blob (the file) and GET /finished (200 once set_finished(),
    404 before: the Linux guest's script polls it to know the host is done).
    Each /blob transfer is recorded as (ticks from accept to the guest's FIN,
    bytes sent)."""

    def __init__(self, data: bytes):
        self.data = data
        self.finished = False
        self.transfers: list[tuple[int, int]] = []
        self.cond = threading.Condition()
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            t0 = rdtsc()
            threading.Thread(target=self._one, args=(c, t0), daemon=True).start()

    def _one(self, c: socket.socket, t0: int):
        with c:
            c.settimeout(900)
            req = b""
            try:
                while b"\r\n\r\n" not in req and len(req) < 8192:
                    chunk = c.recv(4096)
                    if not chunk:
                        return
                    req += chunk
                path = req.split(b" ")[1] if req.count(b" ") >= 2 else b""
                if path == b"/blob":
                    c.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: application/octet-stream\r\n"
                              b"Content-Length: %d\r\n\r\n" % len(self.data))
                    view = memoryview(self.data)
                    for off in range(0, len(view), 1 << 16):
                        c.sendall(view[off:off + (1 << 16)])
                    c.shutdown(socket.SHUT_WR)
                    while c.recv(65536):   # until the guest's FIN: everything arrived
                        pass
                    t1 = rdtsc()
                    with self.cond:
                        self.transfers.append((t1 - t0, len(self.data)))
                        self.cond.notify_all()
                elif path == b"/finished" and self.finished:
                    c.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")
                else:
                    c.sendall(b"HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            except OSError:
                return

    def close(self):
        self.sock.close()


def fetch_from_guest(port: int, want_sha: str, want_len: int, timeout: float = 900) -> tuple[int, str]:
    """GET /blob from 127.0.0.1:port (the guest's port 80): (ticks, error or '')."""
    deadline = time.monotonic() + timeout
    while True:   # the forwarded port accepts before the guest listens: retry until a reply
        s = socket.socket()
        s.settimeout(timeout)
        t0 = rdtsc()
        try:
            s.connect(("127.0.0.1", port))
            s.sendall(b"GET /blob HTTP/1.0\r\n\r\n")
            h = hashlib.sha256()
            head = b""
            n = 0
            while True:
                chunk = s.recv(1 << 16)
                if not chunk:
                    break
                if head is not None:
                    head += chunk
                    i = head.find(b"\r\n\r\n")
                    if i < 0:
                        continue
                    if not head.startswith(b"HTTP/1.") or b" 200 " not in head[:16]:
                        return 0, f"guest answered {head[:40]!r}"
                    chunk, head = head[i + 4:], None
                h.update(chunk)
                n += len(chunk)
            t1 = rdtsc()
        except OSError as e:
            s.close()
            if time.monotonic() > deadline:
                return 0, f"fetch from the guest: {e}"
            time.sleep(0.5)
            continue
        s.close()
        if head is not None and time.monotonic() < deadline:   # closed before a reply: not up yet
            time.sleep(0.5)
            continue
        if n != want_len or h.hexdigest() != want_sha:
            return 0, f"guest sent {n} bytes, sha256 {h.hexdigest()} (want {want_len}, {want_sha})"
        return t1 - t0, ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def nic_args(nic: str, fwd_port: int) -> list[str]:
    return ["-nic", "none", "-netdev", f"user,id=n0,hostfwd=tcp:127.0.0.1:{fwd_port}-:80",
            "-device", f"{NIC_DEVICE[nic]},netdev=n0"]


def per_mib(ticks: int, nbytes: int) -> int:
    return round(ticks * MIB / nbytes)


# ---- SECoS -------------------------------------------------------------------------------------
def run_secos(build: Path, www_img: Path, nic: str, srv: BlobServer, sha: str, nbytes: int,
              log: Path) -> dict[str, int]:
    os.environ["SECOS_BUILD"] = str(build)
    sys.path.insert(0, str(REPO / "tests" / "qemu"))
    from secos import Machine   # noqa: E402 (SECOS_BUILD first)

    fwd = free_port()
    vm = Machine("kernel", memory="512M", machine="pc", label="bench_net",
                 extra_args=["-initrd", f"{build / 'initrd.cpio'},{www_img}"] + nic_args(nic, fwd)
                 + ["-append", "net=on"])
    out = ""
    got: dict[str, int] = {}

    def host_transfer(line: str, check) -> int:
        """Runs line at the prompt; the host server's timing of the one transfer it caused."""
        nonlocal out
        n0 = len(srv.transfers)
        r = vm.run(line, timeout=1800)
        out += f"secos> {line}\n{r}\n"
        if "status=0" not in r or not check(r):
            raise RuntimeError(f"{line}: {r[-400:]}")
        with srv.cond:
            srv.cond.wait_for(lambda: len(srv.transfers) > n0, timeout=60)
        if len(srv.transfers) != n0 + 1:
            raise RuntimeError(f"{line}: the host server recorded no complete transfer")
        return per_mib(srv.transfers[n0][0], nbytes)

    try:
        vm.boot()
        vm.wait_for("holds /dev/netsrv", timeout=180)
        for line, t in (("rfmkdir /www", 30), ("mount ram0 /www", 60)):
            r = vm.run(line, timeout=t)
            out += f"secos> {line}\n{r}\n"
        # Through the sockets: the same busybox as the Linux guest runs.
        got[f"tcp_h2g_{nic}_per_mib"] = host_transfer(
            f"run /bin/busybox wget -q -O /dev/null http://10.0.2.2:{srv.port}/blob", lambda r: True)
        got[f"tcp_h2g_sha256_{nic}_per_mib"] = host_transfer("run /bin/sh /www/h2g.sh", lambda r: sha in r)
        vm.send("elfload /bin/busybox httpd -f -p 80 -h /www\r")
        time.sleep(2)
        ticks, err = fetch_from_guest(fwd, sha, nbytes)
        if err:
            raise RuntimeError(err)
        got[f"tcp_g2h_{nic}_per_mib"] = per_mib(ticks, nbytes)
        vm.run("run /bin/busybox pkill httpd", timeout=30)
        vm.poweroff(timeout=60)
    finally:
        log.write_text(out + "\n--- serial ---\n" + vm.output)
        vm.kill()
    return got


# ---- Linux -------------------------------------------------------------------------------------
LINUX_SCRIPT = """\
ip link set eth0 up
ip addr add 10.0.2.15/24 dev eth0
ip route add default via 10.0.2.2
echo NET_UP
wget -q -O /dev/null http://10.0.2.2:{port}/blob
echo H2G_DONE
echo "H2G_SHA $(wget -q -O - http://10.0.2.2:{port}/blob | sha256sum)"
mkdir -p /www
cp /bin/blob /www/blob
httpd -p 80 -h /www
echo G2H_SERVING
n=0
while ! wget -q -O /dev/null http://10.0.2.2:{port}/finished; do
    sleep 1; n=$((n + 1)); [ $n -lt 1800 ] || exit 1
done
echo G2H_DONE
"""


def run_linux(kernel: str, initramfs: Path, nic: str, srv: BlobServer, sha: str, nbytes: int,
              log: Path) -> dict[str, int]:
    fwd = free_port()
    cmd = [QEMU, *COMMON, "-serial", "stdio", "-monitor", "none", "-kernel", kernel, "-initrd", str(initramfs),
           "-append", "console=ttyS0 quiet panic=-1"] + nic_args(nic, fwd)
    srv.finished = False
    n0 = len(srv.transfers)
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    text = []
    seen = threading.Event()

    def reader():
        for raw in p.stdout:
            line = raw.decode("latin-1")
            text.append(line)
            if "G2H_SERVING" in line:
                seen.set()
    th = threading.Thread(target=reader, daemon=True)
    th.start()
    got: dict[str, int] = {}
    err = ""
    try:
        if not seen.wait(timeout=1800):
            err = "the Linux guest never served"
        else:
            ticks, err = fetch_from_guest(fwd, sha, nbytes)
            if not err:
                got[f"tcp_g2h_{nic}_per_mib"] = per_mib(ticks, nbytes)
        srv.finished = True
        p.wait(timeout=600)
    except subprocess.TimeoutExpired:
        err = err or "the Linux guest did not power off"
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        th.join(timeout=10)
        out = "".join(text)
        log.write_text("# " + " ".join(cmd) + "\n" + out)
    if err:
        raise RuntimeError(err)
    if "GUEST_EXIT rc=0" not in out or "H2G_DONE" not in out:
        raise RuntimeError(f"the Linux guest failed: {log}")
    m = re.search(r"H2G_SHA ([0-9a-f]{64})", out)
    if not m or m.group(1) != sha:
        raise RuntimeError(f"the Linux guest's sha256sum differs: {log}")
    tr = srv.transfers[n0:]
    if len(tr) != 2 or any(b != nbytes for _, b in tr):
        raise RuntimeError(f"the host server recorded {len(tr)} transfers, not 2")
    got[f"tcp_h2g_{nic}_per_mib"] = per_mib(tr[0][0], nbytes)
    got[f"tcp_h2g_sha256_{nic}_per_mib"] = per_mib(tr[1][0], nbytes)
    return got


# ---- main --------------------------------------------------------------------------------------
def make_fat_image(path: Path, blob: Path, mib: int, port: int):
    path.unlink(missing_ok=True)
    kib = max(48 * 1024, (mib + 16) * 1024)
    subprocess.run(["mkfs.fat", "-C", "-F", "32", str(path), str(kib)], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["mcopy", "-i", str(path), str(blob), "::/blob"], check=True,
                   env={**os.environ, "MTOOLS_SKIP_CHECK": "1"})
    script = path.parent / "h2g.sh"
    script.write_text(f"/bin/busybox wget -q -O - http://10.0.2.2:{port}/blob | /bin/busybox sha256sum\n")
    subprocess.run(["mcopy", "-i", str(path), str(script), "::/h2g.sh"], check=True,
                   env={**os.environ, "MTOOLS_SKIP_CHECK": "1"})


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--mib", type=int, default=32)
    ap.add_argument("--nics", default="e1000,virtio")
    ap.add_argument("--secos-build", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--only", choices=["SECoS", "Linux"], help="one kernel only")
    a = ap.parse_args()
    nics = [n for n in a.nics.split(",") if n]
    if any(n not in NIC_DEVICE for n in nics):
        print(f"bench_net: --nics takes {','.join(NIC_DEVICE)}", file=sys.stderr)
        return 2
    a.out.mkdir(parents=True, exist_ok=True)
    data = os.urandom(a.mib * MIB)
    sha = hashlib.sha256(data).hexdigest()
    blob = a.out / "blob"
    blob.write_bytes(data)
    srv = BlobServer(data)
    whos = [a.only] if a.only else ["SECoS", "Linux"]
    kernel = ""
    if "SECoS" in whos:
        www = a.out / "www.img"
        make_fat_image(www, blob, a.mib, srv.port)
    if "Linux" in whos:
        kernel = subprocess.run(["bash", "-c", f". {HERE}/linux_kernel.sh; linux_kernel_image"],
                                stdout=subprocess.PIPE, text=True, check=True).stdout.strip()
        if not kernel or not Path(kernel).exists():
            print("bench_net: no Linux kernel image in /boot (tools/linux_kernel.sh)", file=sys.stderr)
            return 1
        script = a.out / "linux-script.sh"
        script.write_text(LINUX_SCRIPT.format(port=srv.port))
        initramfs = a.out / "linux-initramfs.cpio.gz"
        subprocess.run([str(HERE / "linux-guest" / "mkinitramfs.sh"), str(initramfs), str(script),
                        "e1000", "virtio_pci", "virtio_net"],
                       env={**os.environ, "LINUX_GUEST_BINS": str(blob)}, check=True)
    hz = tsc_per_second()
    load = [os.getloadavg()[0]]
    res: dict[str, list[dict[str, int]]] = {w: [] for w in whos}
    for r in range(1, a.runs + 1):
        for who in whos:
            got: dict[str, int] = {}
            for nic in nics:
                log = a.out / f"{who.lower()}-{nic}-{r}.log"
                print(f"==> run {r}/{a.runs}: {who}, {nic}", file=sys.stderr, flush=True)
                try:
                    got.update(run_secos(a.secos_build, www, nic, srv, sha, len(data), log) if who == "SECoS"
                               else run_linux(kernel, initramfs, nic, srv, sha, len(data), log))
                except Exception as e:   # noqa: BLE001 (any failure: say which run, keep its log)
                    print(f"bench_net: {who} {nic} run {r} failed: {e} (log {log})", file=sys.stderr)
                    return 1
                load.append(os.getloadavg()[0])
            for f in sorted(got):
                print(f"{who} run {r}: BENCH {f} {got[f]} {a.mib}", flush=True)
            res[who].append(got)
    srv.close()
    print(f"\nTCP over QEMU user networking (slirp), {a.mib} MiB per transfer, plain TCG, -machine pc,"
          f" {a.runs} interleaved runs each, host TSC {hz / 1e9:.3f} GHz, host load average"
          f" {min(load):.2f}-{max(load):.2f}; median (min-max) of rdtsc ticks per MiB (MiB/s)")
    names = sorted({f for w in whos for g in res[w] for f in g})
    cols = " | ".join(whos)
    print(f"| figure | {cols} |" + (" SECoS/Linux |" if len(whos) == 2 else ""))
    print("|---|" + "---|" * len(whos) + ("---|" if len(whos) == 2 else ""))
    for f in names:
        cells, meds = [], {}
        for w in whos:
            v = [g[f] for g in res[w] if f in g]
            if not v:
                cells.append("-")
                continue
            meds[w] = statistics.median(v)
            cells.append(f"{meds[w]:,.0f} ({min(v):,}-{max(v):,}) ({hz / meds[w]:.1f} MiB/s)")
        ratio = f" {meds['SECoS'] / meds['Linux']:.2f} |" if len(meds) == 2 else (" - |" if len(whos) == 2 else "")
        print(f"| {f} | " + " | ".join(cells) + " |" + ratio)
    return 0


if __name__ == "__main__":
    sys.exit(main())
