#!/usr/bin/env python3
"""Flat profile of SECoS in QEMU, by sampling RIP over QEMU's gdbstub.

    tools/profile.py [--initrd FILE] [--top N] KERNEL.elf "shell command" MARKER

Boots KERNEL (with -icount, like tools/bench.sh), waits for the `secos> `
prompt, types the command, and until MARKER appears on serial stops the
guest every 2-6 ms of host time, reads RIP (and, inside memset/memcpy/
scan_nonzero64, the caller through the frame pointer) and prints the share
of samples per kernel symbol ("user" for ring 3). The samples follow host
time, not guest instructions: a CR3 write or a TLB-heavy path counts more
here than in the BENCH ticks. Example:

    tools/profile.py --initrd build/test/initrd.cpio build/test/kernel.elf \\
        "run /bin/lxbench fork_exit_wait" BENCH_DONE
"""
import argparse, bisect, collections, os, random, socket, subprocess, sys, threading, time

LEAF_HELPERS = ("memset", "memcpy", "memmove", "scan_nonzero64")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("kernel"); ap.add_argument("command"); ap.add_argument("marker")
    ap.add_argument("--initrd"); ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--boot-timeout", type=float, default=400)
    a = ap.parse_args()
    port = 12000 + os.getpid() % 1000
    cmd = ["qemu-system-x86_64", "-kernel", a.kernel, "-icount", "shift=0,sleep=off", "-m", "512M",
           "-display", "none", "-serial", "stdio", "-no-reboot", "-gdb", f"tcp:127.0.0.1:{port}"]
    if a.initrd: cmd += ["-initrd", a.initrd]
    q = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = bytearray(); lock = threading.Lock()

    def reader():
        while (b := q.stdout.read1(4096)):
            with lock: out.extend(b)
    threading.Thread(target=reader, daemon=True).start()
    try:
        end = time.time() + a.boot_timeout
        while b"secos> " not in out:
            if time.time() > end or q.poll() is not None: sys.exit("profile: no shell prompt")
            time.sleep(0.05)
        syms = []
        for line in subprocess.run(["nm", "-n", a.kernel], capture_output=True, text=True).stdout.splitlines():
            f = line.split()
            if len(f) == 3 and f[1] in "tTwW": syms.append((int(f[0], 16), f[2]))
        addrs = [x for x, _ in syms]
        sym = lambda va: syms[bisect.bisect_right(addrs, va) - 1][1] if va >= addrs[0] else "?"
        gdb = Gdb(port)
        with lock: start = len(out)
        q.stdin.write((a.command + "\r").encode()); q.stdin.flush()
        counts = collections.Counter(); n = 0
        while True:
            time.sleep(random.uniform(0.002, 0.006))
            regs = gdb.stop_and_read_registers()
            rip = regs[16]
            name = "user" if rip < 0x800000000000 else sym(rip)
            if name in LEAF_HELPERS:
                name += "<-" + sym(gdb.read_u64(regs[6] + 8))   # rbp + 8: the caller's return address
            counts[name] += 1; n += 1
            gdb.cont()
            with lock:
                if a.marker.encode() in out[start:]: break
        with lock: print(out[start:].decode(errors="replace").strip()[-2000:])
        print(f"samples {n}")
        for name, c in counts.most_common(a.top): print(f"{100 * c / n:6.2f}% {c:6d} {name}")
    finally:
        q.kill()


class Gdb:
    """Just enough of the GDB remote protocol: interrupt, g, m, c."""

    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)   # one round trip per packet
        self.rx = bytearray()
        self.send("?"); self.reply(lambda r: r[:1] in ("S", "T"))
        self.send("c")

    def send(self, data):
        self.s.sendall(f"${data}#{sum(data.encode()) & 0xff:02x}".encode())

    def reply(self, accept):
        while True:
            i = self.rx.find(b"$"); j = self.rx.find(b"#", i) if i >= 0 else -1
            if j >= 0 and len(self.rx) >= j + 3:
                body = bytes(self.rx[i + 1:j]).decode(); del self.rx[:j + 3]
                self.s.sendall(b"+")
                if accept(body): return body
                continue
            self.rx += self.s.recv(4096)

    def stop_and_read_registers(self):
        self.s.sendall(b"\x03"); self.reply(lambda r: r[:1] in ("S", "T"))
        self.send("g"); r = self.reply(lambda r: len(r) >= 17 * 16)
        return [int.from_bytes(bytes.fromhex(r[k * 16:(k + 1) * 16]), "little") for k in range(17)]

    def read_u64(self, addr):
        self.send(f"m{addr:x},8"); r = self.reply(lambda r: len(r) == 16 or r.startswith("E"))
        return 0 if r.startswith("E") else int.from_bytes(bytes.fromhex(r), "little")

    def cont(self):
        self.send("c")


if __name__ == "__main__":
    main()
