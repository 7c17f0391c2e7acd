#!/usr/bin/env bash
# Boot SECoS in QEMU for a person at this terminal (make run, run-*, debug).
#   tools/run.sh MODE
# MODE:  serial  -kernel kernel.elf -initrd initrd.cpio, serial console here
#        iso     the ISO under SeaBIOS (GRUB -> Multiboot 2), serial here
#        uefi    the ISO under OVMF (q35, our BOOTX64.EFI), serial here
#        vnc     the ISO, display on VNC 127.0.0.1:5900, serial here
#        gui     -kernel in a QEMU window (GTK: Debian's qemu-system-gui), serial here
#        debug   -kernel, stopped at the first instruction, gdb stub on
#                127.0.0.1:$GDB_PORT (default 1234)
# Every mode puts the serial console and QEMU's monitor on this terminal
# (-serial mon:stdio): Ctrl-A X quits, Ctrl-A C switches to the monitor and back.
# Each run gets its own folder, $BUILD/runs/XXXXXX (printed first), for the
# debugcon log (port 0xE9) and, under OVMF, a copy of the variable store, so
# two runs never share a file; it is removed at the end unless SECOS_KEEP_RUN=1.
# Environment: BUILD (default build), QEMU, QEMU_EXTRA (more QEMU arguments,
# split on spaces, e.g. QEMU_EXTRA="-cpu max" for the SMEP/SMAP crash tests),
# OVMF_CODE, OVMF_VARS, GDB_PORT, SECOS_KEEP_RUN;
# DISK=path attaches a raw disk image (read-write: the guest writes into the
# file), DISK_IF= its interface: virtio (default, virtio-blk-pci), ahci, ide;
# MACHINE=pc|q35 for the -kernel modes (default pc; the uefi mode is q35);
# NET=1 (the -kernel modes) boots with net=on: the kernel starts the network
# server (/sbin/netd: DHCP, then sockets for programs) and the NIC forwards
# host port 127.0.0.1:$NET_PORT (default 8080) to the guest's port 80;
# NET_MODEL picks the NIC (e1000, the default; e1000e; virtio-net-pci).
set -euo pipefail

BUILD=${BUILD:-build}
QEMU=${QEMU:-qemu-system-x86_64}
OVMF_CODE=${OVMF_CODE:-/usr/share/OVMF/OVMF_CODE_4M.fd}
OVMF_VARS=${OVMF_VARS:-/usr/share/OVMF/OVMF_VARS_4M.fd}
GDB_PORT=${GDB_PORT:-1234}

die() { echo "run.sh: $*" >&2; exit 2; }
need() { [ -f "$1" ] || die "$1 not found (run: $2)"; }
mode=${1:-}
[ $# -eq 1 ] || die "usage: tools/run.sh serial|iso|uefi|vnc|gui|debug"

mkdir -p "$BUILD/runs"
tmp=$(mktemp -d "$BUILD/runs/XXXXXX")
# shellcheck disable=SC2317   # called from the trap
finish() {
    if [ "${SECOS_KEEP_RUN:-0}" = 1 ]; then echo "run.sh: kept $tmp"; else rm -rf "$tmp"; fi
}
trap finish EXIT

kernel=("$BUILD/kernel.elf" "make kernel") initrd=("$BUILD/initrd.cpio" "make initrd")
iso=("$BUILD/secos.iso" "make iso")
args=(-m 512M -no-reboot -debugcon "file:$tmp/debugcon.log" -serial mon:stdio)
append=()   # the kernel command line of the -kernel modes
display=(-display none)
case $mode in
    serial|gui|debug)
        need "${kernel[@]}"; need "${initrd[@]}"
        args+=(-machine "${MACHINE:-pc}" -kernel "$BUILD/kernel.elf" -initrd "$BUILD/initrd.cpio") ;;
    iso|vnc)
        need "${iso[@]}"; args+=(-machine pc -cdrom "$BUILD/secos.iso") ;;
    uefi)
        need "${iso[@]}"; need "$OVMF_CODE" "apt-get install ovmf"; need "$OVMF_VARS" "apt-get install ovmf"
        cp "$OVMF_VARS" "$tmp/ovmf_vars.fd"
        args+=(-machine q35 -drive "if=pflash,format=raw,readonly=on,file=$OVMF_CODE"
               -drive "if=pflash,format=raw,file=$tmp/ovmf_vars.fd" -cdrom "$BUILD/secos.iso") ;;
    *) die "unknown mode '$mode' (serial|iso|uefi|vnc|gui|debug)" ;;
esac
case $mode in
    vnc) display=(-vnc 127.0.0.1:0)
         echo "run.sh: the display is on VNC 127.0.0.1:5900 (e.g. vncviewer 127.0.0.1:0)" ;;
    gui) [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] || die "no \$DISPLAY or \$WAYLAND_DISPLAY: use 'make run'"
         # Without the GTK module QEMU would not open a window: say what to install.
         compgen -G "/usr/lib/x86_64-linux-gnu/qemu/ui-gtk*.so" >/dev/null ||
             die "QEMU's window needs Debian's qemu-system-gui: apt-get install --no-install-recommends qemu-system-gui"
         display=(-display gtk) ;;
    debug) append+=(nokaslr)   # gdb's symbols are at the link addresses
         args+=(-S -gdb "tcp:127.0.0.1:$GDB_PORT")
         echo "run.sh: QEMU waits for gdb on 127.0.0.1:$GDB_PORT. In another terminal:"
         echo "  gdb $BUILD/kernel.elf -ex 'target remote 127.0.0.1:$GDB_PORT' -ex 'break kernel_main' -ex continue" ;;
esac
machine=${MACHINE:-pc}
case $mode in
    serial|gui|debug) case $machine in pc|q35) ;; *) die "MACHINE=$machine: pc or q35" ;; esac ;;
    *) [ -z "${MACHINE:-}" ] || die "MACHINE= applies to the -kernel modes (serial, gui, debug)" ;;
esac
[ "$mode" = uefi ] && machine=q35
if [ -n "${DISK:-}" ]; then
    [ -f "$DISK" ] || die "DISK=$DISK: no such file"
    case ${DISK_IF:-virtio} in
        virtio) args+=(-drive "file=$DISK,if=none,format=raw,id=disk0" -device "virtio-blk-pci,drive=disk0") ;;
        ahci)   [ "$machine" = q35 ] || args+=(-device "ahci,id=ahci0")
                bus=ahci0.0; [ "$machine" = q35 ] && bus=ide.0
                args+=(-drive "file=$DISK,if=none,format=raw,id=disk0" -device "ide-hd,drive=disk0,bus=$bus") ;;
        ide)    args+=(-drive "file=$DISK,if=ide,index=0,format=raw") ;;
        *) die "DISK_IF=${DISK_IF}: virtio, ahci or ide" ;;
    esac
fi
if [ "${NET:-0}" = 1 ]; then
    case $mode in serial|gui|debug) ;; *) die "NET=1 applies to the -kernel modes (serial, gui, debug)" ;; esac
    port=${NET_PORT:-8080}
    append+=(net=on)
    args+=(-nic "user,model=${NET_MODEL:-e1000},hostfwd=tcp:127.0.0.1:$port-:80")
    echo "run.sh: network on: the guest gets 10.0.2.15 by DHCP, the host is 10.0.2.2; 127.0.0.1:$port here reaches the guest's port 80"
fi
[ ${#append[@]} -eq 0 ] || args+=(-append "${append[*]}")
echo "run.sh: debugcon log: $tmp/debugcon.log (SECOS_KEEP_RUN=1 keeps it after the run)"
echo "run.sh: SECoS ($mode) on the serial console here: type 'help'. Quit: 'poweroff', or Ctrl-A X."
# shellcheck disable=SC2086   # QEMU_EXTRA is a list of arguments
"$QEMU" "${args[@]}" "${display[@]}" ${QEMU_EXTRA:-}
