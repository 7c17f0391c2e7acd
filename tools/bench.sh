#!/usr/bin/env bash
# Boots SECoS headless under QEMU TCG with -icount shift=0,sleep=off (guest
# rdtsc = guest instructions, so figures repeat run to run), runs `kbench` and
# `run bench` on the serial shell and prints every BENCH line:
#
#   BENCH <name> <median_ticks> <iterations> <min> <p10> <p90>
#   BENCH boot_to_shell_tsc <SHELL_TSC - BOOT_TSC> 1
#
#   tools/bench.sh [--quick] [--cpu max] [--log FILE]
#   tools/bench.sh --vs-linux [--cpu max] [--boot-runs N] [--out DIR] [--log FILE]
#   tools/bench.sh --storage [--runs N] [--machine pc|q35]   (tools/bench_storage.sh)
#   tools/bench.sh --net [--vs-linux] [--runs N] [--mib N]   (tools/bench_net.sh; --vs-linux runs it too)
#
#   --quick     few iterations (make check): kbench 200, bench --quick
#   --cpu M     QEMU CPU model (default qemu64, the Linux anchor's column)
#   --log FILE  keep the whole serial output in FILE
#   --vs-linux  also run the Linux harness (tools/linux-bench, or
#               BENCH_LINUX_DIR) under the same QEMU flags and print one
#               table SECoS | Linux | SECoS/Linux, then boot wall times
#               (QEMU start -> [SHELL] ready / -> /init, plain TCG) and the
#               targets of the performance issue. Installs the Debian
#               packages it needs when root (else prints the apt-get command
#               and exits 1). Takes 3-5 minutes. Tables on stdout, what
#               is being run on stderr. Details: docs/PERFORMANCE.md.
#   --boot-runs N  boots per configuration for the wall times (default 3)
#   --out DIR   keep every log there (default: a temporary folder, removed)
#
# Builds the kernel first (make kernel, BUILD=dir honoured) unless SECOS_KERNEL
# names a kernel to boot. Exits non-zero if no BENCH line appeared, the guest
# printed [PANIC]/[EXC] or a FAILED line, a step timed out, or QEMU did not
# power off; QEMU is always killed. Method and figures: docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

quick=0 cpu=qemu64 log='' vs_linux=0 boot_runs=3 outdir=''
# The storage benchmark is its own script (plain TCG, a disk image).
[ "${1:-}" = --storage ] && { shift; exec tools/bench_storage.sh "$@"; }
# So is the network benchmark (plain TCG, QEMU's user network): tools/bench_net.sh.
[ "${1:-}" = --net ] && { shift; exec tools/bench_net.sh "$@"; }
while [ $# -gt 0 ]; do
    case $1 in
    --quick) quick=1 ;;
    --cpu) [ $# -ge 2 ] || { echo "bench.sh: --cpu needs a model" >&2; exit 2; }; cpu=$2; shift ;;
    --log) [ $# -ge 2 ] || { echo "bench.sh: --log needs a file" >&2; exit 2; }; log=$2; shift ;;
    --vs-linux) vs_linux=1 ;;
    --boot-runs) [[ ${2:-} =~ ^[1-9][0-9]?$ ]] || { echo "bench.sh: --boot-runs needs a count (1-99)" >&2; exit 2; }
        boot_runs=$2; shift ;;
    --out) [ $# -ge 2 ] || { echo "bench.sh: --out needs a folder" >&2; exit 2; }; outdir=$2; shift ;;
    *) echo "usage: tools/bench.sh [--quick] [--cpu max] [--log FILE]" >&2
       echo "       tools/bench.sh --vs-linux [--cpu max] [--boot-runs N] [--out DIR] [--log FILE]" >&2; exit 2 ;;
    esac
    shift
done

# kbench and its sample buffer are in the test configuration only.
BUILD=${BUILD:-build/test}

# --- --vs-linux: SECoS and the Linux harness side by side -----------------------------------
say() { echo "==> $*" >&2; }
show() { echo "    \$ $*" >&2; "$@"; }   # print the exact command, then run it
installed() { [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]; }

vs_linux() {
    local t_all=$SECONDS root=0 uefi=1 here k
    here=$(pwd)
    [ "$(id -u)" -eq 0 ] && root=1
    local src=${BENCH_LINUX_DIR:-$here/tools/linux-bench}
    if [ ! -f "$src/bench.c" ] || [ ! -x "$src/run.sh" ]; then
        echo "bench.sh: no Linux harness at $src (set BENCH_LINUX_DIR)" >&2; exit 1
    fi
    src=$(cd "$src" && pwd)

    # Packages: the harness (README: musl-tools cpio nasm, a Debian kernel; UEFI: ovmf
    # systemd-boot-efi dosfstools mtools) and QEMU. The kernel image: the README's exact
    # version when the archive still has it, else linux-image-amd64.
    # shellcheck source=linux_kernel.sh
    . "$here/tools/linux_kernel.sh"
    local readme_kernel=$LINUX_KERNEL_README_PKG kpkg=
    local -a base=() extra=()
    for k in musl-tools cpio nasm binutils gzip busybox-static qemu-system-x86; do installed "$k" || base+=("$k"); done
    for k in ovmf systemd-boot-efi dosfstools mtools; do installed "$k" || extra+=("$k"); done
    if [ -z "${LINUX_KERNEL:-}" ] && ! compgen -G "/boot/vmlinuz-*" >/dev/null; then
        kpkg=$(linux_kernel_pkg)
        base+=("$kpkg")
    fi
    if [ $((${#base[@]} + ${#extra[@]})) -gt 0 ]; then
        say "missing Debian packages: ${base[*]} ${extra[*]}"
        if [ $root -eq 0 ]; then
            echo "bench.sh: not root; install them with:" >&2
            echo "  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${base[*]} ${extra[*]}" >&2
            exit 1
        fi
        local -a apt=(env DEBIAN_FRONTEND=noninteractive apt-get -y -q)
        show "${apt[@]}" update >&2 || true
        if [ "$kpkg" = linux-image-amd64 ] && apt-cache show --no-all-versions "$readme_kernel" >/dev/null 2>&1; then
            base=("${base[@]/#linux-image-amd64/$readme_kernel}")   # the index knows it now
        fi
        if [ ${#base[@]} -gt 0 ]; then
            show "${apt[@]}" install --no-install-recommends "${base[@]}" >&2 ||
                { echo "bench.sh: apt-get install failed" >&2; exit 1; }
        fi
        if [ ${#extra[@]} -gt 0 ] && ! show "${apt[@]}" install --no-install-recommends "${extra[@]}" >&2; then
            say "UEFI packages not installable (${extra[*]}): no Linux OVMF boot time"
        fi
    fi
    for k in ovmf systemd-boot-efi dosfstools mtools; do installed "$k" || uefi=0; done
    [ $root -eq 1 ] || { echo "bench.sh: the Linux harness's build.sh needs root (mknod /dev/console)" >&2; exit 1; }
    local lk
    lk=$(linux_kernel_image)
    [ -f "$lk" ] || { echo "bench.sh: no Linux kernel image ($lk)" >&2; exit 1; }

    local out cleanup=
    if [ -n "$outdir" ]; then
        mkdir -p "$outdir" && out=$(cd "$outdir" && pwd)
    else
        out=$(mktemp -d "${TMPDIR:-/tmp}/secos-vs-linux.XXXXXX"); cleanup=$out
    fi
    # shellcheck disable=SC2064
    [ -z "$cleanup" ] || trap "rm -rf '$cleanup'" EXIT
    say "logs in $out${cleanup:+ (removed at the end; --out DIR keeps them)}"
    local slog=${log:-$out/secos-serial.log} lin=$out/bench-linux

    local commit   # what the images are built from (HEAD may move while this runs)
    commit=$(git rev-parse --short HEAD 2>/dev/null || echo "?")
    say "[1/5] SECoS images at commit $commit (working tree): make BUILD=$BUILD kernel iso esp"
    show make --no-print-directory -s CONFIG=test BUILD="$BUILD" kernel iso esp >&2

    say "[2/5] SECoS benchmarks (-icount shift=0,sleep=off -cpu $cpu -m 512M)"
    show env SECOS_KERNEL="$BUILD/kernel.elf" "$here/tools/bench.sh" --cpu "$cpu" --log "$slog" > "$out/secos-bench.txt" ||
        { echo "bench.sh: the SECoS benchmark run failed" >&2; exit 1; }
    sed 's/^/    /' "$out/secos-bench.txt" >&2

    say "[3/5] Linux harness: copy $src to $lin, build.sh, run.sh icountns $cpu 1 (kernel $lk)"
    rm -rf "$lin" && mkdir -p "$lin" && cp "$src"/*.c "$src"/*.asm "$src"/*.sh "$lin"/ && chmod -R u+w "$lin"
    (cd "$lin" && show ./build.sh) >&2 || { echo "bench.sh: the harness's build.sh failed" >&2; exit 1; }
    (cd "$lin" && show env KERNEL="$lk" ./run.sh icountns "$cpu" 1) >&2
    local llog=$lin/results/icountns-$cpu-1.log
    grep -q "BENCH_DONE" "$llog" 2>/dev/null || { echo "bench.sh: the Linux run did not finish: $llog" >&2; tail -20 "$llog" >&2; exit 1; }
    grep -a " BENCH " "$llog" | sed 's/^/    /' >&2
    if [ $uefi -eq 1 ]; then
        (cd "$lin" && show env KERNEL="$lk" ./uefi.sh >/dev/null) >&2 || { say "uefi.sh failed: no Linux OVMF boot time"; uefi=0; }
    fi

    say "[4/5] boot wall times, $boot_runs run(s) each, SECoS and Linux interleaved (plain TCG, -cpu qemu64)"
    local i tsv=$out/boot.tsv bt=(/usr/bin/python3 tools/bench_table.py boot) load0
    load0=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo "?")
    : > "$tsv"
    for i in $(seq 1 "$boot_runs"); do
        "${bt[@]}" kernel "$BUILD/kernel.elf" --tsv "$tsv" --run "$i" --log "$out/boot-kernel-$i.log" || exit 1
        "${bt[@]}" iso-bios "$BUILD/secos.iso" --tsv "$tsv" --run "$i" --log "$out/boot-iso-bios-$i.log" || exit 1
        "${bt[@]}" esp-uefi "$BUILD/esp.img" --tsv "$tsv" --run "$i" --log "$out/boot-esp-uefi-$i.log" || exit 1
        (cd "$lin" && show env RESULTS="$lin/boot/r$i" KERNEL="$lk" ./run.sh tcg qemu64 1 | sed 's/^/    /') >&2
        if [ $uefi -eq 1 ]; then
            (cd "$lin" && show env RESULTS="$lin/boot/r$i" ./run.sh uefi qemu64 1 | sed 's/^/    /') >&2
        fi
    done

    say "[5/5] tables (total $((SECONDS - t_all)) s)"
    commit="commit $commit, kernel build '$(grep -a -m1 -o 'git:[0-9a-f]*\(-dirty\)\?' "$slog" || echo "?")'"
    /usr/bin/python3 tools/bench_table.py report --secos "$out/secos-bench.txt" --secos-log "$slog" \
        --linux-log "$llog" --boot-tsv "$tsv" --linux-boot-dir "$lin/boot" --cpu "$cpu" --commit "$commit" \
        --load-start "$load0"

    # TCP throughput beside Linux (tools/bench_net.sh; BENCH_NET=0 leaves it out).
    if [ "${BENCH_NET:-1}" != 0 ]; then
        say "network: tools/bench_net.sh --vs-linux --runs $boot_runs (TCP over QEMU user networking, e1000 and virtio-net)"
        SECOS_NO_BUILD=1 BUILD="$BUILD" show "$here/tools/bench_net.sh" --vs-linux --runs "$boot_runs" --out "$out/net" ||
            { echo "bench.sh: the network benchmark failed (logs in $out/net)" >&2; exit 1; }
    fi
}

if [ $vs_linux -eq 1 ]; then
    [ $quick -eq 0 ] || { echo "bench.sh: --quick and --vs-linux do not go together" >&2; exit 2; }
    vs_linux
    exit 0
fi

if [ -n "${SECOS_KERNEL:-}" ]; then
    kernel=$SECOS_KERNEL
else
    make --no-print-directory -s CONFIG=test BUILD="$BUILD" kernel initrd >&2
    kernel=$BUILD/kernel.elf
fi
[ -f "$kernel" ] || { echo "bench.sh: no kernel at $kernel" >&2; exit 1; }

# The initrd next to the kernel carries /bin/lxbench (tools/linux-bench/bench.c
# built with musl-gcc: the same binary the Linux column runs) for the
# benchmarks that need Linux calls: pipes, fork, execve.
initrd=${SECOS_INITRD:-$(dirname "$kernel")/initrd.cpio}

exec /usr/bin/python3 - "$kernel" "$cpu" "$quick" "$log" "$initrd" <<'PY'
import ctypes, os, re, select, signal, subprocess, sys, time

kernel, cpu, quick, logpath, initrd = sys.argv[1], sys.argv[2], sys.argv[3] == "1", sys.argv[4], sys.argv[5]
qemu = os.environ.get("SECOS_QEMU", "qemu-system-x86_64")
cmd = [qemu, "-kernel", kernel, "-icount", "shift=0,sleep=off", "-cpu", cpu, "-m", "512M",
       "-display", "none", "-no-reboot", "-serial", "stdio"]
lxbench = not quick and os.path.exists(initrd) and b"bin/lxbench" in open(initrd, "rb").read()
if lxbench:
    cmd += ["-initrd", initrd]
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
    if lxbench:
        command("run /bin/lxbench pipe_pingpong fork_exit_wait spawn_exec vfork_exec shell_script", BENCH_T)
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
