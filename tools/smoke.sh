#!/usr/bin/env bash
# Boot SECoS headless in QEMU and judge the run.
#   tools/smoke.sh MODE [--timeout N] [--log FILE] [--mem SIZE] [--send TEXT]
# MODE:  --kernel    -kernel build/kernel.elf  (QEMU's Multiboot 1 loader)
#        --mb2       the ISO as a CD under SeaBIOS  (GRUB -> multiboot2)
#        --mb2-disk  the ISO as a raw disk (USB stick) under SeaBIOS
#        --uefi      the ISO as a CD under OVMF, q35 (our BOOTX64.EFI)
#        --uefi-esp  build/esp.img as a raw disk under OVMF, q35
# --timeout N  longest time to wait (default 30 s); --mem SIZE  guest RAM (512M)
# --settle N   without --send: seconds the shell must stay up after
#              "[SHELL] ready" (default 2) before the run passes
# --log FILE   serial log (default build/smoke-MODE.log); debugcon (port
#              0xE9) goes to FILE.debugcon
# --send TEXT  type TEXT + Enter on the serial console once the shell is
#              ready (e.g. --send poweroff, --send 'crashtest null')
# Exit 0: "[SHELL] ready" seen and still alive --settle seconds later (a run
#         with --send: alive at the timeout), or a clean ACPI poweroff.
# A run ends as soon as it is judged; a progress line every 5 s until then.
# Exit 1: "[PANIC]" or "[EXC]" in the log, a reset (triple fault or reboot:
#         -no-reboot makes QEMU exit), no shell before the timeout, or QEMU
#         failed. Exit 2: bad usage or a missing file/tool.
# QEMU's QMP SHUTDOWN event tells a poweroff from a reset. QEMU is always
# killed on the way out. Environment: BUILD, QEMU, OVMF_CODE, OVMF_VARS,
# QEMU_EXTRA (more QEMU arguments, split on spaces).
set -euo pipefail

BUILD=${BUILD:-build}
QEMU=${QEMU:-qemu-system-x86_64}
OVMF_CODE=${OVMF_CODE:-/usr/share/OVMF/OVMF_CODE_4M.fd}
OVMF_VARS=${OVMF_VARS:-/usr/share/OVMF/OVMF_VARS_4M.fd}

usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0" >&2; exit 2; }
die()   { echo "smoke.sh: $*" >&2; exit 2; }

mode='' timeout=30 log='' mem=512M send='' settle=2
while [ $# -gt 0 ]; do
    case $1 in
        --kernel|--mb2|--mb2-disk|--uefi|--uefi-esp) mode=${1#--} ;;
        --timeout) timeout=${2:?--timeout needs seconds}; shift ;;
        --log)     log=${2:?--log needs a file}; shift ;;
        --mem)     mem=${2:?--mem needs a size}; shift ;;
        --send)    send=${2:?--send needs text}; shift ;;
        --settle)  settle=${2:?--settle needs seconds}; shift ;;
        *) usage ;;
    esac
    shift
done
[ -n "$mode" ] || usage
[[ $timeout =~ ^[0-9]+$ ]] || die "--timeout wants whole seconds, got '$timeout'"
[[ $settle =~ ^[0-9]+$ ]] || die "--settle wants whole seconds, got '$settle'"
log=${log:-$BUILD/smoke-$mode.log}
command -v "$QEMU" >/dev/null || die "'$QEMU' not found (Debian package: qemu-system-x86)"
need() { [ -f "$1" ] || die "$1 not found (run: $2)"; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/secos-smoke.XXXXXX")
pids=()
# shellcheck disable=SC2317   # called from the trap
cleanup() {
    local pid
    for pid in "${pids[@]}"; do
        if kill "$pid" 2>/dev/null; then wait "$pid" 2>/dev/null || true; fi
    done
    rm -rf "$tmp"
    return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ovmf() {
    need "$OVMF_CODE" "apt-get install ovmf"; need "$OVMF_VARS" "apt-get install ovmf"
    cp "$OVMF_VARS" "$tmp/vars.fd"
    args+=(-machine q35 -drive "if=pflash,format=raw,readonly=on,file=$OVMF_CODE"
           -drive "if=pflash,format=raw,file=$tmp/vars.fd")
}
args=()
case $mode in
    kernel)   need "$BUILD/kernel.elf" "make kernel"
              args+=(-machine pc -kernel "$BUILD/kernel.elf") ;;
    mb2)      need "$BUILD/secos.iso" "make iso"
              args+=(-machine pc -cdrom "$BUILD/secos.iso") ;;
    mb2-disk) need "$BUILD/secos.iso" "make iso"
              args+=(-machine pc -drive "format=raw,file=$BUILD/secos.iso,snapshot=on") ;;
    uefi)     need "$BUILD/secos.iso" "make iso"; ovmf
              args+=(-cdrom "$BUILD/secos.iso") ;;
    uefi-esp) need "$BUILD/esp.img" "make esp"; ovmf
              args+=(-drive "format=raw,file=$BUILD/esp.img,snapshot=on") ;;
esac

# Serial and QMP on FIFO pairs (QEMU's "pipe" chardev: NAME.in, NAME.out).
# The .in ends stay open read-write here so writing never blocks; a cat per
# .out end copies to the log and ends when QEMU closes it.
mkdir -p "$(dirname "$log")"
: > "$log.debugcon"
mkfifo "$tmp/ser.in" "$tmp/ser.out" "$tmp/qmp.in" "$tmp/qmp.out"
exec 3<>"$tmp/ser.in" 4<>"$tmp/qmp.in"
cat "$tmp/ser.out" > "$log" & readers=($!)
cat "$tmp/qmp.out" > "$tmp/qmp.log" & readers+=($!)
pids+=("${readers[@]}")
echo '{"execute":"qmp_capabilities"}' >&4

ms() { echo $(( $(date +%s%N) / 1000000 )); }
secs() { printf '%d.%03ds' $(( $1 / 1000 )) $(( $1 % 1000 )); }
t0=$(ms)
# shellcheck disable=SC2086   # QEMU_EXTRA is a list of arguments
"$QEMU" "${args[@]}" -m "$mem" -display none -no-reboot -monitor none \
    -chardev "pipe,id=ser,path=$tmp/ser" -serial chardev:ser \
    -debugcon "file:$log.debugcon" \
    -chardev "pipe,id=qmp,path=$tmp/qmp" -mon chardev=qmp,mode=control \
    ${QEMU_EXTRA:-} 2> "$tmp/qemu.err" &
qpid=$!; pids+=("$qpid")

verdict() {   # verdict PASS|FAIL message
    if [ "$1" = FAIL ]; then
        echo "--- last lines of $log ---" >&2
        tail -n 15 "$log" | tr -d '\r' | cut -c1-160 >&2
        if [ -s "$tmp/qemu.err" ]; then echo "--- QEMU stderr ---" >&2; cat "$tmp/qemu.err" >&2; fi
    fi
    echo "smoke[$mode]: $1: $2 (log: $log)"
    [ "$1" = PASS ]; exit
}
crash_line() { { grep -ah -m1 -e '\[PANIC\]' -e '\[EXC\]' "$log" "$log.debugcon" || true; } | tr -d '\r' | head -n1; }
check_crash() {   # on a crash, give the register dump a second to land
    local l; l=$(crash_line); [ -n "$l" ] || return 0
    sleep 1; verdict FAIL "kernel crashed: $l"
}

ready_at=
echo "smoke[$mode]: booting (at most ${timeout}s)"
next_note=5000
while kill -0 "$qpid" 2>/dev/null; do
    now=$(( $(ms) - t0 ))
    if [ -z "$ready_at" ] && grep -qa '\[SHELL\] ready' "$log"; then
        ready_at=$now
        echo "smoke[$mode]: [SHELL] ready after $(secs "$ready_at")${send:+, typing '$send'}"
        [ -z "$send" ] || printf '%s\r' "$send" >&3
    fi
    check_crash
    if [ -n "$ready_at" ] && [ -z "$send" ] && [ "$now" -ge $(( ready_at + settle * 1000 )) ]; then
        verdict PASS "[SHELL] ready after $(secs "$ready_at"), still up ${settle}s later"
    fi
    if [ "$now" -ge "$next_note" ]; then
        echo "smoke[$mode]: $(( now / 1000 ))s, ${ready_at:+shell up, }waiting"
        next_note=$(( next_note + 5000 ))
    fi
    if [ "$now" -ge $(( timeout * 1000 )) ]; then
        [ -n "$ready_at" ] || verdict FAIL "no '[SHELL] ready' within ${timeout}s"
        verdict PASS "[SHELL] ready after $(secs "$ready_at"), alive at ${timeout}s"
    fi
    sleep 0.1
done

# QEMU exited by itself: a poweroff, a reset (-no-reboot) or an error.
rc=0; wait "$qpid" || rc=$?
end=$(( $(ms) - t0 ))
for _ in $(seq 30); do kill -0 "${readers[@]}" 2>/dev/null || break; sleep 0.1; done
check_crash
[ -n "$ready_at" ] || ! grep -qa '\[SHELL\] ready' "$log" || ready_at=$end
shell="never reached '[SHELL] ready'"
[ -z "$ready_at" ] || shell="[SHELL] ready after $(secs "$ready_at")"
if grep -q '"reason": *"guest-shutdown"' "$tmp/qmp.log"; then
    verdict PASS "clean poweroff at $(secs "$end"); $shell"
elif grep -q '"reason": *"guest-reset"' "$tmp/qmp.log"; then
    verdict FAIL "machine reset at $(secs "$end") (triple fault or reboot); $shell"
else
    verdict FAIL "QEMU exited (status $rc) at $(secs "$end") without a guest poweroff; $shell"
fi
