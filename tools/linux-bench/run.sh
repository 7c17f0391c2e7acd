#!/usr/bin/env bash
# Boots the bench initramfs on a Debian kernel under QEMU TCG and logs the
# serial console, each line prefixed with the host seconds since QEMU started.
#   ./run.sh MODE [CPU [RUNS]]     CPU: qemu64 (default) or max; RUNS default 1
# MODE: tcg       plain TCG, -kernel/-initrd (SeaBIOS)
#       icountns  -icount shift=0,sleep=off (rdtsc counts guest instructions,
#                 what SECoS's tools/bench.sh uses)
#       uefi      OVMF booting out/esp.img (./uefi.sh builds it)
# Logs: $RESULTS/<mode>-<cpu>-<n>.log (RESULTS default results), the QEMU
# command first, "QEMU_EXIT rc=N" last. KERNEL= the kernel image (default: the
# newest /boot/vmlinuz-*), QEMU_EXTRA= more QEMU arguments.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
KERNEL=${KERNEL:-$(printf '%s\n' /boot/vmlinuz-* | sort -V | tail -n 1)}
RESULTS=${RESULTS:-results}
APPEND="console=ttyS0 quiet panic=-1"
OVMF_CODE=${OVMF_CODE:-/usr/share/OVMF/OVMF_CODE_4M.fd}
OVMF_VARS=${OVMF_VARS:-/usr/share/OVMF/OVMF_VARS_4M.fd}
read -r -a extra <<< "${QEMU_EXTRA:-}"
mode=${1:?usage: ./run.sh tcg|icountns|uefi [qemu64|max [runs]]} cpu=${2:-qemu64} runs=${3:-1}
mkdir -p "$RESULTS"

for i in $(seq 1 "$runs"); do
    log=$RESULTS/$mode-$cpu-$i.log
    q=(qemu-system-x86_64 -accel tcg -cpu "$cpu" -m 512M -nographic -no-reboot)
    case $mode in
        tcg)      q+=(-kernel "$KERNEL" -initrd out/initramfs.cpio.gz -append "$APPEND") ;;
        icountns) q+=(-icount shift=0,sleep=off -kernel "$KERNEL" -initrd out/initramfs.cpio.gz -append "$APPEND") ;;
        uefi)     cp "$OVMF_VARS" out/vars.fd
                  q+=(-drive "if=pflash,format=raw,readonly=on,file=$OVMF_CODE"
                      -drive if=pflash,format=raw,file=out/vars.fd -drive if=ide,format=raw,file=out/esp.img) ;;
        *) echo "run.sh: unknown mode '$mode'" >&2; exit 2 ;;
    esac
    q+=("${extra[@]}")
    echo "# ${q[*]}" > "$log"
    start=${EPOCHREALTIME/./}
    { timeout 600 "${q[@]}" < /dev/null 2>&1; echo "QEMU_EXIT rc=$?"; } |
        while IFS= read -r line; do
            us=$(( ${EPOCHREALTIME/./} - start ))
            printf '%d.%06d %s\n' $((us / 1000000)) $((us % 1000000)) "${line//$'\r'/}"
        done >> "$log"
    echo "run.sh: $log: $(grep -a -m1 -o 'BOOT_TSC [0-9]*' "$log"), $(tail -n 1 "$log" | cut -d' ' -f2-)"
done
