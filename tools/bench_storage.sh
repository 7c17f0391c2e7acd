#!/usr/bin/env bash
# The storage benchmark (tools/bench.sh --storage): boots the test kernel
# under plain QEMU TCG (no -icount: device time is real time) with a 64 MiB
# image of random bytes on virtio-blk, runs `blkbench vda 64` (a sequential
# 64 MiB read in 1 MiB calls, then 1000 random 4 KiB reads) RUNS times
# (default 3) and prints every BENCH and BLKBENCH line, then the median
# MiB/s and IOPS over the runs (guest milliseconds, 1 ms timer).
#   tools/bench_storage.sh [--runs N] [--machine pc|q35]
#   tools/bench_storage.sh --vs-linux [--runs N] [--out DIR]
# --vs-linux: the file-system benchmark side by side with a Linux guest
# (tools/bench_storage_vs_linux.py: user/musl/lxstorage on a FAT32 image,
# 64 MiB sequential write and read, 1000 random 4 KiB preads), the kernels
# interleaved run by run; --out keeps the logs (default: a temporary folder).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BUILD=${BUILD:-build/test}
QEMU=${QEMU:-qemu-system-x86_64}
runs=3 machine=pc vs_linux=0 out=''
while [ $# -gt 0 ]; do
    case $1 in
    --vs-linux) vs_linux=1 ;;
    --out) [ $# -ge 2 ] || { echo "bench_storage.sh: --out needs a folder" >&2; exit 2; }; out=$2; shift ;;
    --runs) [[ ${2:-} =~ ^[1-9]$ ]] || { echo "bench_storage.sh: --runs needs 1-9" >&2; exit 2; }; runs=$2; shift ;;
    --machine) [[ ${2:-} =~ ^(pc|q35)$ ]] || { echo "bench_storage.sh: --machine pc|q35" >&2; exit 2; }; machine=$2; shift ;;
    *) echo "usage: tools/bench_storage.sh [--runs N] [--machine pc|q35] | --vs-linux [--runs N] [--out DIR]" >&2
       exit 2 ;;
    esac
    shift
done
if [ $vs_linux -eq 1 ]; then
    [ -n "${SECOS_KERNEL:-}" ] || make -s --no-print-directory CONFIG=test BUILD="$BUILD" kernel initrd >&2
    [ -x "$BUILD/user/musl/lxstorage" ] || { echo "bench_storage.sh: no $BUILD/user/musl/lxstorage (needs musl-gcc)" >&2; exit 1; }
    if [ -z "$out" ]; then out=$(mktemp -d); trap 'rm -rf "$out"' EXIT; fi
    /usr/bin/python3 tools/bench_storage_vs_linux.py --runs "$runs" --secos-build "$BUILD" \
        --lxstorage "$BUILD/user/musl/lxstorage" --out "$out"
    exit
fi
[ -n "${SECOS_KERNEL:-}" ] || make -s --no-print-directory CONFIG=test kernel >&2
kernel=${SECOS_KERNEL:-$BUILD/kernel.elf}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
head -c $((64 << 20)) /dev/urandom >"$tmp/disk.img"
seq_ms=() rand_ms=()
for r in $(seq "$runs"); do
    log=$tmp/run$r.log
    # shellcheck disable=SC2094   # the feeder only reads the log QEMU writes, to pace the commands
    # Commands only once the shell is up: the boot prints SHELL_TSC just before the prompt.
    { for _ in $(seq 600); do grep -q "SHELL_TSC" "$log" 2>/dev/null && break; sleep 0.1; done
      printf 'blkbench vda 64\r'
      for _ in $(seq 1200); do grep -q "BLKBENCH rand_read_4k\|FAILED\|usage" "$log" && break; sleep 0.1; done
      printf 'poweroff\r'; sleep 5; } |
        timeout 180 "$QEMU" -machine "$machine" -m 512M -no-reboot -display none -monitor none -serial stdio \
            -kernel "$kernel" -drive "file=$tmp/disk.img,if=none,format=raw,id=d0" -device "virtio-blk-pci,drive=d0" \
            >"$log" 2>&1 || true
    grep -a "^BENCH\|^BLKBENCH" "$log" | tr -d '\r'
    if grep -aq "FAILED\|\[PANIC\]\|\[EXC\]" "$log" || ! grep -aq "BLKBENCH rand_read_4k" "$log"; then
        echo "bench_storage.sh: run $r failed:" >&2; tail -20 "$log" >&2; exit 1
    fi
    seq_ms+=("$(grep -a "BLKBENCH seq_read" "$log" | awk '{print $5}')")
    rand_ms+=("$(grep -a "BLKBENCH rand_read_4k" "$log" | awk '{print $5}')")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
s=$(median "${seq_ms[@]}") q=$(median "${rand_ms[@]}")
awk -v s="$s" -v q="$q" -v n="$runs" -v m="$machine" 'BEGIN {
    printf "storage (%s, virtio-blk, plain TCG, median of %d): sequential read %.0f MiB/s (%d ms for 64 MiB), random 4 KiB reads %.0f IOPS (%d ms for 1000)\n",
        m, n, s ? 64000 / s : 0, s, q ? 1000000 / q : 0, q }'
