#!/usr/bin/env python3
"""Helpers of `tools/bench.sh --vs-linux` (see docs/PERFORMANCE.md).

  bench_table.py boot CONFIG IMAGE --tsv FILE --run N [--log FILE]
      Boots SECoS once under plain TCG (no icount, -cpu qemu64, -m 512M) and
      appends "CONFIG N <s to [SHELL] ready> <s to 'BdsDxe: starting'|->" to
      FILE. Seconds are host wall time from just before QEMU is started.
      CONFIG: kernel (-kernel ELF, SeaBIOS), iso-bios (-machine pc -cdrom ISO,
      SeaBIOS -> GRUB), esp-uefi (-machine q35, OVMF, ESP image as a raw disk).

  bench_table.py report --secos FILE --secos-log FILE --linux-log FILE
                        [--boot-tsv FILE] [--linux-boot-dir DIR] [--cpu M] [--commit C]
                        [--load-start L]
      Prints the side-by-side tables: micro-benchmarks (SECoS | Linux |
      SECoS/Linux), boot wall times, and the issue's targets, met or not.
      --secos: the BENCH lines of `tools/bench.sh`; --secos-log: its serial log
      (--log); --linux-log: tools/linux-bench/run.sh icountns log;
      --linux-boot-dir: folders r1, r2, ... each holding run.sh's
      tcg-qemu64-1.log and (if UEFI was measured) uefi-qemu64-1.log.
"""
from __future__ import annotations

import argparse
import ctypes
import glob
import os
import re
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

QEMU = os.environ.get("SECOS_QEMU", "qemu-system-x86_64")
OVMF_CODE = os.environ.get("SECOS_OVMF_CODE", "/usr/share/OVMF/OVMF_CODE_4M.fd")
OVMF_VARS = os.environ.get("SECOS_OVMF_VARS", "/usr/share/OVMF/OVMF_VARS_4M.fd")
READY = b"[SHELL] ready"
BDS = re.compile(rb"BdsDxe: starting")


# --- one boot of SECoS ----------------------------------------------------------------------
def boot_command(config: str, image: str, tmp: str) -> list[str]:
    cmd = [QEMU, "-accel", "tcg", "-cpu", "qemu64", "-m", "512M", "-display", "none",
           "-monitor", "none", "-no-reboot", "-serial", "stdio"]
    if config == "kernel":
        return cmd + ["-kernel", image]
    if config == "iso-bios":
        return cmd + ["-machine", "pc", "-cdrom", image]
    if config == "esp-uefi":
        vars_copy = os.path.join(tmp, "OVMF_VARS.fd")
        shutil.copyfile(OVMF_VARS, vars_copy)
        return cmd + ["-machine", "q35",
                      "-drive", f"if=pflash,format=raw,readonly=on,file={OVMF_CODE}",
                      "-drive", f"if=pflash,format=raw,file={vars_copy}",
                      "-drive", f"format=raw,snapshot=on,file={image}"]
    raise SystemExit(f"bench_table.py: unknown boot configuration {config}")


def die_with_parent():  # QEMU dies with us even if we are SIGKILLed
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)


def boot(args) -> int:
    timeout = float(os.environ.get("SECOS_BOOT_TIMEOUT", "180"))
    with tempfile.TemporaryDirectory(prefix="secos-boot.") as tmp:
        cmd = boot_command(args.config, args.image, tmp)
        print("    $ " + " ".join(cmd), file=sys.stderr, flush=True)
        out, ready_s, bds_s = b"", None, None
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, preexec_fn=die_with_parent)
        try:
            while ready_s is None and time.monotonic() - t0 < timeout:
                if not select.select([p.stdout], [], [], 0.5)[0]:
                    continue
                data = os.read(p.stdout.fileno(), 65536)
                if not data:
                    break
                now = time.monotonic() - t0
                seen = len(out)
                out += data
                # Search only the new bytes (plus a marker's length before them).
                window = out[max(0, seen - 64):]
                if bds_s is None and BDS.search(window):
                    bds_s = now
                if READY in window:
                    ready_s = now
            if ready_s is not None:  # a clean poweroff proves the shell works; not timed
                p.stdin.write(b"poweroff\r"); p.stdin.flush()
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    pass
        finally:
            if p.poll() is None:
                p.kill()
            p.wait()
        if args.log:
            with open(args.log, "wb") as f:
                f.write(out)
    if ready_s is None:
        print(f"bench_table.py: {args.config}: no '[SHELL] ready' within {timeout:.0f} s "
              f"(QEMU status {p.returncode}); last output:\n"
              + out[-1500:].decode("utf-8", "replace"), file=sys.stderr)
        return 1
    with open(args.tsv, "a") as f:
        f.write(f"{args.config}\t{args.run}\t{ready_s:.3f}\t"
                f"{'-' if bds_s is None else f'{bds_s:.3f}'}\n")
    extra = "" if bds_s is None else f" (firmware: 'BdsDxe: starting' at {bds_s:.2f} s)"
    print(f"    {args.config} run {args.run}: [SHELL] ready at {ready_s:.2f} s{extra}",
          file=sys.stderr, flush=True)
    return 0


# --- report ---------------------------------------------------------------------------------
def parse_bench(text: str) -> dict[str, list[int]]:
    """BENCH <name> <median> <iters> ... anywhere on a line (run.sh puts a timestamp first)."""
    res = {}
    for m in re.finditer(r"(?:^|\s)BENCH (\S+)((?: \d+)+)\s*$", text, re.M):
        res.setdefault(m.group(1), [int(x) for x in m.group(2).split()])
    return res


def first_number(pattern: str, text: str):
    m = re.search(pattern, text, re.M)
    return int(m.group(1)) if m else None


# (row label, SECoS name, Linux name); None = that side has no such figure.
# A SECoS name given as a string starting with "n/a" is printed as it is.
ROWS = [
    ("rdtsc_overhead", "rdtsc_overhead", "rdtsc_overhead"),
    ("null_syscall (SECoS getpid, Linux getppid)", "null_syscall", "null_syscall"),
    ("null_syscall_int80", "null_syscall_int80", None),
    ("yield_roundtrip", "yield_roundtrip", None),
    ("yield_switch", "yield_switch", "yield_switch"),
    ("pipe_pingpong (lxbench, the same binary on both)", "pipe_pingpong", "pipe_pingpong"),
    ("fork_exit_wait (lxbench)", "fork_exit_wait", "fork_exit_wait"),
    ("spawn_exec: fork+execve+wait (lxbench)", "spawn_exec", "spawn_exec"),
    ("vfork_exec: vfork+execve+wait (lxbench)", "vfork_exec", "vfork_exec"),
    ("spawn_exit_wait (SECoS spawn) vs spawn_exec", "spawn_exit_wait", "spawn_exec"),
    ("page_fault", "page_fault", "page_fault"),
    ("shell_script: busybox sh, 20 loops of pipe + redirect + $(...)", "shell_script", "shell_script"),
    ("user_page_fault (= page_fault)", "user_page_fault", "page_fault"),
    ("pmm_alloc_free (kernel)", "pmm_alloc_free", None),
    ("kmalloc_kfree_64 (kernel)", "kmalloc_kfree_64", None),
    ("kmalloc_kfree_4k (kernel)", "kmalloc_kfree_4k", None),
    ("kernel_page_fault (kernel)", "kernel_page_fault", None),
    ("ramfs_write_read_4k", "ramfs_write_read_4k", None),
    ("boot_to_shell_tsc (kernel entry -> prompt)", "boot_to_shell_tsc", None),
    ("power-on -> prompt / -> /init (SHELL_TSC / BOOT_TSC)", "@SHELL_TSC", "@BOOT_TSC"),
]


def fmt_int(v) -> str:
    return f"{v:,}" if isinstance(v, int) else str(v)


def ratio(a, b) -> str:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b:
        r = a / b
        return f"{r:.2f}" + (f" (1/{b / a:.0f})" if 0 < r < 0.05 else "")
    return "n/a"


def markdown(header: list[str], rows: list[list[str]], right: set[int]) -> str:
    w = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    def line(cells):
        return "| " + " | ".join(c.rjust(w[i]) if i in right else c.ljust(w[i])
                                 for i, c in enumerate(cells)) + " |"
    sep = "|" + "|".join(("-" * (w[i] + 1) + ":") if i in right else ("-" * (w[i] + 2))
                         for i in range(len(header))) + "|"
    return "\n".join([line(header), sep] + [line(r) for r in rows])


def bench_rows(secos: dict, linux: dict, secos_marks: dict, linux_marks: dict):
    rows, used_s, used_l, values = [], set(), set(), {}
    def value(side, name):
        if name is None:
            return None
        if name.startswith("n/a"):
            return name
        if name.startswith("@"):
            return (secos_marks if side == "s" else linux_marks).get(name[1:])
        src = secos if side == "s" else linux
        return src[name][0] if name in src else None
    for label, sn, ln in ROWS:
        s, l = value("s", sn), value("l", ln)
        if sn and not sn.startswith(("n/a", "@")):
            used_s.add(sn)
        if ln and not ln.startswith("@"):
            used_l.add(ln)
        if s is None and l is None:
            continue
        values[label] = (s, l)
        rows.append([label, "–" if s is None else fmt_int(s), "–" if l is None else fmt_int(l), ratio(s, l)])
    # Every other name present on either side gets a row too.
    for name in [n for n in secos if n not in used_s] + [n for n in linux if n not in used_l]:
        if name in used_s or name in used_l:
            continue
        s, l = (secos[name][0] if name in secos else None), (linux[name][0] if name in linux else None)
        used_s.add(name); used_l.add(name)
        rows.append([name, "–" if s is None else fmt_int(s), "–" if l is None else fmt_int(l), ratio(s, l)])
    return rows


def stat(xs: list[float]):
    return (statistics.median(xs), min(xs), max(xs), len(xs)) if xs else None


def fmt_stat(st) -> str:
    if st is None:
        return "not measured"
    med, lo, hi, n = st
    return f"{med:.2f} s ({lo:.2f}-{hi:.2f}, n={n})"


def linux_boot(dirpath: str, mode: str):
    """Per run: (seconds to the BOOT_TSC line = /init, seconds to 'BdsDxe: starting' or None)."""
    runs = []
    for log in sorted(glob.glob(os.path.join(dirpath, "r*", f"{mode}-qemu64-1.log"))):
        init = bds = None
        with open(log, "r", errors="replace") as f:
            for line in f:
                parts = line.split(" ", 1)
                if len(parts) < 2:
                    continue
                if init is None and "BOOT_TSC " in parts[1]:
                    init = float(parts[0])
                if bds is None and "BdsDxe: starting" in parts[1]:
                    bds = float(parts[0])
        if init is not None:
            runs.append((init, bds))
    return runs


def report(args) -> int:
    secos_text = open(args.secos, errors="replace").read()
    secos_log = open(args.secos_log, errors="replace").read().replace("\r", "")
    linux_text = open(args.linux_log, errors="replace").read()
    secos, linux = parse_bench(secos_text), parse_bench(linux_text)
    marks_s = {"SHELL_TSC": first_number(r"^SHELL_TSC (\d+)$", secos_log)}
    marks_l = {"BOOT_TSC": first_number(r"BOOT_TSC (\d+)", linux_text)}
    kernel = re.search(r"KERNEL (\S+) (.*)$", linux_text, re.M)

    print(f"## Micro-benchmarks: ticks per operation (median), -icount shift=0,sleep=off "
          f"-cpu {args.cpu} -m 512M")
    print(f"SECoS {args.commit}; Linux {kernel.group(1) + ' ' + kernel.group(2).strip() if kernel else '?'}"
          " (tools/linux-bench, run.sh icountns)\n")
    print(markdown(["name", "SECoS", "Linux", "SECoS/Linux"],
                   bench_rows(secos, linux, marks_s, marks_l), {1, 2, 3}))

    # Boot wall times.
    ours: dict[str, list[tuple[float, float | None]]] = {}
    if args.boot_tsv and os.path.exists(args.boot_tsv):
        for line in open(args.boot_tsv):
            f = line.split()
            if len(f) == 4:
                ours.setdefault(f[0], []).append((float(f[2]), None if f[3] == "-" else float(f[3])))
    lin_tcg = linux_boot(args.linux_boot_dir, "tcg") if args.linux_boot_dir else []
    lin_uefi = linux_boot(args.linux_boot_dir, "uefi") if args.linux_boot_dir else []

    def ready(cfg):
        return stat([r for r, _ in ours.get(cfg, [])])
    def fw(runs):
        return stat([b for _, b in runs if b is not None])
    def after_fw(runs):
        return stat([r - b for r, b in runs if b is not None])
    def med(st):
        return st[0] if st else None

    s_kernel, s_iso, s_esp = ready("kernel"), ready("iso-bios"), ready("esp-uefi")
    s_esp_fw, s_esp_after = fw(ours.get("esp-uefi", [])), after_fw(ours.get("esp-uefi", []))
    l_tcg = stat([i for i, _ in lin_tcg])
    l_uefi, l_uefi_fw, l_uefi_after = stat([i for i, _ in lin_uefi]), fw(lin_uefi), after_fw(lin_uefi)

    print("\n## Boot: host wall seconds from QEMU start (plain TCG, no icount, -cpu qemu64 -m 512M), "
          "median (min-max)")
    try:
        end_load = open("/proc/loadavg").read().split()[0]
    except OSError:
        end_load = "?"
    print(f"SECoS and Linux runs interleaved; host: {os.cpu_count()} CPUs, 1-minute load average "
          f"{args.load_start or '?'} before the boot runs, {end_load} after (other work on the host "
          "slows both sides)\n")
    rows = [
        ["SeaBIOS, QEMU -kernel (SECoS: Multiboot 1; Linux: bzImage + initramfs)",
         fmt_stat(s_kernel), fmt_stat(l_tcg), ratio(med(s_kernel), med(l_tcg))],
        ["SeaBIOS, SECoS ISO (GRUB -> Multiboot 2) vs Linux -kernel",
         fmt_stat(s_iso), fmt_stat(l_tcg), ratio(med(s_iso), med(l_tcg))],
        ["OVMF, ESP (SECoS: q35, our loader; Linux: pc, systemd-stub UKI)",
         fmt_stat(s_esp), fmt_stat(l_uefi), ratio(med(s_esp), med(l_uefi))],
        ["  of which firmware (QEMU start -> 'BdsDxe: starting')", fmt_stat(s_esp_fw), fmt_stat(l_uefi_fw), ""],
        ["  after firmware ('BdsDxe: starting' -> prompt / /init)", fmt_stat(s_esp_after),
         fmt_stat(l_uefi_after), ratio(med(s_esp_after), med(l_uefi_after))],
    ]
    print(markdown(["boot path", "SECoS -> [SHELL] ready", "Linux -> /init", "SECoS/Linux"], rows, {3}))

    # Targets of issue 8.
    def tick_target(name, limit, linux_name):
        v = secos.get(name, [None])[0]
        lv = linux.get(linux_name, [None])[0]
        verdict = "not measured" if v is None else ("met" if v <= limit else "not met")
        return [f"`{name}`", f"<= {limit:,}", fmt_int(v) if v is not None else "–",
                fmt_int(lv) if lv is not None else "–", verdict]
    def ratio_target(name, div):
        """At most 1/div of Linux's ticks for the same binary."""
        v = secos.get(name, [None])[0]
        lv = linux.get(name, [None])[0]
        if not v or not lv:
            return [f"`{name}`", f"<= 1/{div} of Linux", fmt_int(v) if v else "–", fmt_int(lv) if lv else "–",
                    "not measured"]
        return [f"`{name}`", f"<= 1/{div} of Linux", fmt_int(v), fmt_int(lv),
                ("met" if v * div <= lv else "not met") + f" ({v / lv:.2f})"]
    trows = [
        tick_target("null_syscall", 100, "null_syscall"),
        tick_target("yield_switch", 800, "yield_switch"),
        ratio_target("pipe_pingpong", 3),
        ratio_target("fork_exit_wait", 2),
        ratio_target("spawn_exec", 2),
        tick_target("spawn_exit_wait", 50000, "spawn_exec"),
        tick_target("page_fault", 1200, "page_fault"),
        ratio_target("shell_script", 1),
    ]
    def boot_target(label, st, lst):
        if st is None or lst is None:
            return [label, "<= 1/2 of Linux -> /init", fmt_stat(st), fmt_stat(lst), "not measured"]
        return [label, "<= 1/2 of Linux -> /init", f"{st[0]:.2f} s", f"{lst[0]:.2f} s",
                ("met" if st[0] <= lst[0] / 2 else "not met") + f" ({st[0] / lst[0]:.2f})"]
    trows.append(boot_target("boot, SeaBIOS, -kernel", s_kernel, l_tcg))
    trows.append(boot_target("boot, SeaBIOS, ISO (GRUB)", s_iso, l_tcg))
    if s_esp_after is None:
        trows.append(["boot, OVMF, ESP", "firmware + <= 1 s", "not measured", fmt_stat(l_uefi), "not measured"])
    else:
        trows.append(["boot, OVMF, ESP", "firmware + <= 1 s",
                      f"{s_esp[0]:.2f} s = firmware {s_esp_fw[0]:.2f} + {s_esp_after[0]:.2f}",
                      (f"{l_uefi[0]:.2f} s = firmware {l_uefi_fw[0]:.2f} + {l_uefi_after[0]:.2f}"
                       if l_uefi and l_uefi_fw and l_uefi_after else fmt_stat(l_uefi)),
                      "met" if s_esp_after[0] <= 1.0 else "not met"])
    print(f"\n## Targets of issue 8 (ticks: -cpu {args.cpu}{'' if args.cpu == 'qemu64' else '; the targets are for qemu64'})\n")
    print(markdown(["figure", "target", "SECoS", "Linux", "verdict"], trows, set()))
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("boot")
    b.add_argument("config", choices=["kernel", "iso-bios", "esp-uefi"])
    b.add_argument("image")
    b.add_argument("--tsv", required=True)
    b.add_argument("--run", default="1")
    b.add_argument("--log")
    r = sub.add_parser("report")
    r.add_argument("--secos", required=True)
    r.add_argument("--secos-log", required=True)
    r.add_argument("--linux-log", required=True)
    r.add_argument("--boot-tsv")
    r.add_argument("--linux-boot-dir")
    r.add_argument("--cpu", default="qemu64")
    r.add_argument("--commit", default="?")
    r.add_argument("--load-start", help="host load average before the boot runs (for the header)")
    args = ap.parse_args()
    return boot(args) if args.cmd == "boot" else report(args)


if __name__ == "__main__":
    sys.exit(main())
