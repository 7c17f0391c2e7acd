#!/usr/bin/env bash
# Boots SECoS headless under QEMU TCG with -icount shift=0,sleep=off (guest
# rdtsc = guest instructions, so figures repeat run to run), runs `kbench` and
# `run bench` on the serial shell and prints every BENCH line:
#
#   BENCH <name> <median_ticks> <iterations> <min> <p10> <p90>
#   BENCH boot_to_shell_tsc <SHELL_TSC - BOOT_TSC> 1
#
#   tools/bench.sh [--quick] [--cpu max] [--log FILE]
#
#   --quick     few iterations (make check): kbench 200, bench --quick
#   --cpu M     QEMU CPU model (default qemu64, the Linux anchor's column)
#   --log FILE  keep the whole serial output in FILE
#
# Builds the kernel first (make kernel, BUILD=dir honoured) unless SECOS_KERNEL
# names a kernel to boot. Exits non-zero if no BENCH line appeared, the guest
# printed [PANIC]/[EXC] or a FAILED line, a step timed out, or QEMU did not
# power off; QEMU is always killed. Method and figures: docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

quick=0 cpu=qemu64 log=
while [ $# -gt 0 ]; do
    case $1 in
    --quick) quick=1 ;;
    --cpu) [ $# -ge 2 ] || { echo "bench.sh: --cpu needs a model" >&2; exit 2; }; cpu=$2; shift ;;
    --log) [ $# -ge 2 ] || { echo "bench.sh: --log needs a file" >&2; exit 2; }; log=$2; shift ;;
    --vs-linux) echo "bench.sh: --vs-linux is not implemented yet (see docs/PERFORMANCE.md)" >&2; exit 2 ;;
    *) echo "usage: tools/bench.sh [--quick] [--cpu max] [--log FILE]" >&2; exit 2 ;;
    esac
    shift
done

BUILD=${BUILD:-build}
if [ -n "${SECOS_KERNEL:-}" ]; then
    kernel=$SECOS_KERNEL
else
    make --no-print-directory -s BUILD="$BUILD" kernel >&2
    kernel=$BUILD/kernel.elf
fi
[ -f "$kernel" ] || { echo "bench.sh: no kernel at $kernel" >&2; exit 1; }

exec /usr/bin/python3 - "$kernel" "$cpu" "$quick" "$log" <<'PY'
import ctypes, os, re, select, signal, subprocess, sys, time

kernel, cpu, quick, logpath = sys.argv[1], sys.argv[2], sys.argv[3] == "1", sys.argv[4]
qemu = os.environ.get("SECOS_QEMU", "qemu-system-x86_64")
cmd = [qemu, "-kernel", kernel, "-icount", "shift=0,sleep=off", "-cpu", cpu, "-m", "512M",
       "-display", "none", "-no-reboot", "-serial", "stdio"]
PROMPT = "secos> "
# Host seconds per step; TCG with -icount runs about 1e8 guest instructions/s.
BOOT_T, KBENCH_T, BENCH_T = 120, (60 if quick else 300), (120 if quick else 900)

def die_with_parent():  # QEMU dies with us even if we are SIGKILLed
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)

signal.signal(signal.SIGTERM, lambda *_: sys.exit(124))
try:
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         preexec_fn=die_with_parent)
except OSError as e:
    sys.exit(f"bench.sh: cannot start {qemu}: {e}")
out = ""

def pump(timeout):
    """Reads what QEMU wrote within timeout seconds; False once it has exited."""
    global out
    if select.select([p.stdout], [], [], timeout)[0]:
        data = os.read(p.stdout.fileno(), 65536)
        if not data:
            return False
        out += data.decode("utf-8", "replace")
    return True

def wait_for(pattern, start, seconds, what):
    deadline = time.monotonic() + seconds
    while True:
        m = re.compile(pattern).search(out, start)
        if m:
            return m
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {seconds} s waiting for {what}")
        if not pump(0.2):
            raise RuntimeError(f"QEMU exited (status {p.poll()}) while waiting for {what}")

def send(line):
    data = (line + "\r").encode()
    for i in range(0, len(data), 32):  # the UART has no baud rate: pace the input
        p.stdin.write(data[i:i + 32]); p.stdin.flush(); time.sleep(0.01)

def command(line, seconds):
    """Runs a shell command: the shell prints the next prompt when it is done."""
    start = len(out)
    send(line)
    wait_for(r"\n" + re.escape(PROMPT), start, seconds, f"'{line}' to finish")

rc, why = 0, ""
try:
    wait_for(r"(?s)" + re.escape("[SHELL] ready") + r".*?" + re.escape(PROMPT), 0, BOOT_T, "the shell prompt")
    command("kbench 200" if quick else "kbench", KBENCH_T)
    command("run bench --quick" if quick else "run bench", BENCH_T)
    send("poweroff")
    deadline = time.monotonic() + 30
    while p.poll() is None and time.monotonic() < deadline:
        pump(0.2)
    if p.poll() is None:
        rc, why = 1, "QEMU did not exit after poweroff"
except (RuntimeError, OSError) as e:
    rc, why = 1, str(e)
finally:
    if p.poll() is None:
        p.kill()
    p.wait()
    while pump(0):
        pass

text = out.replace("\r", "")
if logpath:
    with open(logpath, "w") as f:
        f.write(text)
bench = re.findall(r"^BENCH \S+(?: \d+)+$", text, re.M)
for line in bench:
    print(line)
boot = re.search(r"^BOOT_TSC (\d+)$", text, re.M)
shell = re.search(r"^SHELL_TSC (\d+)$", text, re.M)
if boot and shell:
    print(f"BENCH boot_to_shell_tsc {int(shell.group(1)) - int(boot.group(1))} 1")
problems = [why] if why else []
if not bench:
    problems.append("no BENCH lines")
problems += re.findall(r"\[(?:PANIC|EXC)\][^\n]*|^(?:unknown command|error): [^\n]*", text, re.M)
problems += re.findall(r"^(?:kbench|bench): (?:FAILED|leak)[^\n]*|^bench: .* failed .*$", text, re.M)
m = re.search(r"^\[EXIT\] pid=\d+ status=(-?\d+)$", text, re.M)
if not m or m.group(1) != "0":
    problems.append(f"bench exited with status {m.group(1)}" if m else "no [EXIT] line for bench")
if problems:
    for msg in problems:
        print(f"bench.sh: {msg}", file=sys.stderr)
    print("bench.sh: last serial output:\n" + text[-2000:], file=sys.stderr)
    sys.exit(1)
sys.exit(rc)
PY
