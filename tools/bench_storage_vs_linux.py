#!/usr/bin/env python3
"""tools/bench_storage.sh --vs-linux: the same static musl program
(user/musl/lxstorage.c) on SECoS and on a Linux guest, under the same QEMU
command (plain TCG, -machine pc, default CPU, -m 512M, one virtio-blk-pci
disk), each on a fresh copy of the same FAT32 image (mkfs.fat -F 32 -s 8:
4 KiB clusters). Per boot: write a 64 MiB file (1 MiB writes, fsync), drop
the caches, read it back in 1 MiB reads, drop the caches, 1000 random 4 KiB
preads. Dropping the caches: SECoS unmounts and mounts again (its block
cache keeps at most 1 MiB across that); Linux runs `sync; echo 3 >
/proc/sys/vm/drop_caches`. The kernels alternate boot by boot (SECoS, Linux,
SECoS, ...), so load on the shared host falls on both alike.

  bench_storage_vs_linux.py --runs N --secos-build DIR --lxstorage BIN --out DIR

Prints every BENCH line (prefixed with the kernel and the run), then one
table: median over the runs of each figure (min-max), SECoS/Linux. Exit 1
when a run failed (its log is in --out)."""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
IMAGE_KIB = 320 * 1024   # 81,920 clusters of 4 KiB: FAT32 by the count, as the spec defines it
MIB = 64
RANDS = 1000
QEMU = os.environ.get("SECOS_QEMU", "qemu-system-x86_64")
# What both kernels get (SECoS's Machine adds -serial stdio, -monitor none, a QMP socket).
COMMON = ["-machine", "pc", "-m", "512M", "-no-reboot", "-display", "none"]
FIGURES = [("seq_write_per_mib", "sequential write, ticks/MiB"), ("seq_read_per_mib", "sequential read, ticks/MiB"),
           ("rand_read_4k", "random 4 KiB pread, median ticks")]

LINUX_SCRIPT = f"""\
mount -t vfat /dev/vda /mnt
lxstorage write /mnt/bench.dat {MIB}
sync; echo 3 > /proc/sys/vm/drop_caches
lxstorage read /mnt/bench.dat
sync; echo 3 > /proc/sys/vm/drop_caches
lxstorage rand /mnt/bench.dat {RANDS}
umount /mnt
"""


def bench_lines(text: str) -> dict[str, int]:
    got = {}
    for line in text.replace("\r", "").splitlines():
        f = line.split()
        if len(f) >= 3 and f[0] == "BENCH" and f[1] in dict(FIGURES):
            got[f[1]] = int(f[2])
    return got


def run_secos(build: Path, img: Path, log: Path) -> dict[str, int]:
    os.environ["SECOS_BUILD"] = str(build)
    sys.path.insert(0, str(REPO / "tests" / "qemu"))
    from secos import Disk, Machine   # noqa: E402 (SECOS_BUILD first)

    vm = Machine("kernel", memory="512M", machine="pc", label="bench_storage",
                 extra_args=["-initrd", str(build / "initrd.cpio")], disks=[Disk(img, "virtio")])
    out = ""
    try:
        vm.boot()
        steps = [("rfmkdir /mnt", 30), ("mount vda /mnt", 60),
                 (f"run /bin/lxstorage write /mnt/bench.dat {MIB}", 900), ("umount /mnt", 120), ("mount vda /mnt", 60),
                 ("run /bin/lxstorage read /mnt/bench.dat", 900), ("umount /mnt", 60), ("mount vda /mnt", 60),
                 (f"run /bin/lxstorage rand /mnt/bench.dat {RANDS}", 900), ("umount /mnt", 60)]
        for line, t in steps:
            r = vm.run(line, timeout=t)
            out += f"secos> {line}\n{r}\n"
            if "lxstorage" in line and "status=0" not in r:
                raise RuntimeError(f"{line}: {r[-500:]}")
        vm.poweroff(timeout=60)
    finally:
        log.write_text(out + "\n--- serial ---\n" + vm.output)
        vm.kill()
    return bench_lines(out)


def run_linux(initramfs: Path, kernel: str, img: Path, log: Path) -> dict[str, int]:
    cmd = [QEMU, *COMMON, "-serial", "stdio", "-monitor", "none", "-kernel", kernel, "-initrd", str(initramfs),
           "-append", "console=ttyS0 quiet panic=-1",
           "-drive", f"file={img},if=none,format=raw,id=d0", "-device", "virtio-blk-pci,drive=d0"]
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=1800)
    text = p.stdout.decode("latin-1")
    log.write_text("# " + " ".join(cmd) + "\n" + text)
    if "GUEST_EXIT rc=0" not in text:
        raise RuntimeError(f"the Linux guest failed: {log}")
    return bench_lines(text)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--secos-build", type=Path, required=True)
    ap.add_argument("--lxstorage", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(HERE))
    kernel = subprocess.run(["bash", "-c", f". {HERE}/linux_kernel.sh; linux_kernel_image"],
                            stdout=subprocess.PIPE, text=True, check=True).stdout.strip()
    if not kernel or not Path(kernel).exists():
        print("bench_storage: no Linux kernel image in /boot (tools/linux_kernel.sh)", file=sys.stderr)
        return 1
    script = a.out / "linux-script.sh"
    script.write_text(LINUX_SCRIPT)
    initramfs = a.out / "linux-initramfs.cpio.gz"
    subprocess.run([str(HERE / "linux-guest" / "mkinitramfs.sh"), str(initramfs), str(script),
                    "virtio_pci", "virtio_blk", "vfat", "nls_cp437", "nls_ascii", "nls_utf8"],
                   env={**os.environ, "LINUX_GUEST_BINS": str(a.lxstorage)}, check=True)
    base = a.out / "fat32.img"
    base.unlink(missing_ok=True)
    subprocess.run(["mkfs.fat", "-C", "-F", "32", "-s", "8", str(base), str(IMAGE_KIB)], check=True,
                   stdout=subprocess.DEVNULL)
    load = [os.getloadavg()[0]]
    res: dict[str, list[dict[str, int]]] = {"SECoS": [], "Linux": []}
    for r in range(1, a.runs + 1):
        for who in ("SECoS", "Linux"):
            img = a.out / f"disk-{who}-{r}.img"
            subprocess.run(["cp", "--sparse=always", str(base), str(img)], check=True)
            log = a.out / f"{who.lower()}-{r}.log"
            print(f"==> run {r}/{a.runs}: {who}", file=sys.stderr, flush=True)
            try:
                got = (run_secos(a.secos_build, img, log) if who == "SECoS"
                       else run_linux(initramfs, kernel, img, log))
            except Exception as e:   # noqa: BLE001 (any failure: say which run, keep its log)
                print(f"bench_storage: {who} run {r} failed: {e} (log {log})", file=sys.stderr)
                return 1
            finally:
                img.unlink(missing_ok=True)
            missing = [f for f, _ in FIGURES if f not in got]
            if missing:
                print(f"bench_storage: {who} run {r} printed no {missing} (log {log})", file=sys.stderr)
                return 1
            for f, _ in FIGURES:
                print(f"{who} run {r}: BENCH {f} {got[f]}", flush=True)
            res[who].append(got)
            load.append(os.getloadavg()[0])
    print(f"\nstorage vs Linux ({kernel}), virtio-blk, FAT32 4 KiB clusters, plain TCG, {a.runs} interleaved runs"
          f" each, host load average {min(load):.2f}-{max(load):.2f}; median (min-max) of rdtsc ticks")
    print("| figure | SECoS | Linux | SECoS/Linux |")
    print("|---|---|---|---|")
    for f, label in FIGURES:
        s = [g[f] for g in res["SECoS"]]
        lx = [g[f] for g in res["Linux"]]
        ms, ml = statistics.median(s), statistics.median(lx)
        print(f"| {label} | {ms:,.0f} ({min(s):,}-{max(s):,}) | {ml:,.0f} ({min(lx):,}-{max(lx):,}) |"
              f" {ms / ml:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
