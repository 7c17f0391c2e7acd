#!/usr/bin/env bash
# The network benchmark (tools/bench.sh --net, and part of --vs-linux): TCP
# throughput over QEMU's user network (slirp), host->guest and guest->host,
# on e1000 and virtio-net-pci, under plain TCG (no -icount: device time is
# real time), timed on the host in rdtsc ticks (the guest's rdtsc under
# plain TCG, so the unit of the storage benchmark). SECoS runs netd (lwIP):
# `netd --get` from a host HTTP server on 127.0.0.1, `netd --serve` from a
# FAT RAM disk to a host client through a forwarded port; with --vs-linux a
# Linux 6.1 guest does the same with busybox wget and httpd, the kernels
# interleaved run by run (tools/bench_net.py says exactly what is timed).
#   tools/bench_net.sh [--vs-linux] [--runs N] [--mib N] [--nics e1000,virtio] [--out DIR]
# Prints every BENCH line ("BENCH tcp_<h2g|g2h>[_sha256]_<nic>_per_mib
# <median ticks per MiB> <MiB>", prefixed with the kernel and run), then a
# table of medians with MiB/s. Only 127.0.0.1 and the guests are contacted.
# --out keeps the logs (default: a temporary folder). BUILD (default
# build/test) is built with `make CONFIG=test kernel initrd` first unless
# SECOS_NO_BUILD=1.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BUILD=${BUILD:-build/test}
runs=3 mib=32 nics=e1000,virtio vs_linux=0 out=''
usage() { echo "usage: tools/bench_net.sh [--vs-linux] [--runs N] [--mib N] [--nics e1000,virtio] [--out DIR]" >&2; exit 2; }
while [ $# -gt 0 ]; do
    case $1 in
    --vs-linux) vs_linux=1 ;;
    --runs) [[ ${2:-} =~ ^[1-9]$ ]] || { echo "bench_net.sh: --runs needs 1-9" >&2; exit 2; }; runs=$2; shift ;;
    --mib) [[ ${2:-} =~ ^[1-9][0-9]{0,2}$ ]] || { echo "bench_net.sh: --mib needs 1-999" >&2; exit 2; }; mib=$2; shift ;;
    --nics) [[ ${2:-} =~ ^(e1000|virtio)(,(e1000|virtio))*$ ]] || { echo "bench_net.sh: --nics e1000,virtio" >&2; exit 2; }
        nics=$2; shift ;;
    --out) [ $# -ge 2 ] || usage; out=$2; shift ;;
    *) usage ;;
    esac
    shift
done
[ "${SECOS_NO_BUILD:-0}" = 1 ] || make -s --no-print-directory CONFIG=test BUILD="$BUILD" kernel initrd >&2
[ -x "$BUILD/user/netd/netd" ] || { echo "bench_net.sh: no $BUILD/user/netd/netd (needs musl-gcc and the lwIP source: tools/fetch-lwip.sh)" >&2; exit 1; }
for t in mkfs.fat mcopy; do command -v $t >/dev/null || { echo "bench_net.sh: needs $t (dosfstools, mtools)" >&2; exit 1; }; done
if [ -z "$out" ]; then out=$(mktemp -d); trap 'rm -rf "$out"' EXIT; fi
only=(--only SECoS)
[ $vs_linux -eq 0 ] || only=()
/usr/bin/python3 tools/bench_net.py --runs "$runs" --mib "$mib" --nics "$nics" --secos-build "$BUILD" --out "$out" "${only[@]}"
