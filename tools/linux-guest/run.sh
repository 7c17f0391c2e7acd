#!/usr/bin/env bash
# Boots a Linux guest (tools/linux_kernel.sh's image) with an initramfs made
# by mkinitramfs.sh under QEMU TCG, serial console to LOG, no reboot.
#
#   tools/linux-guest/run.sh INITRAMFS LOG [QEMU ARG...]
#
# The QEMU arguments add the disks, e.g.
#   -drive file=a.img,if=virtio,format=raw -drive file=b.tar,if=virtio,format=raw,readonly=on
# (the first virtio disk is /dev/vda in the guest). Exit status 0 when the
# guest's script ended with rc=0 (its "GUEST_EXIT rc=0" line), 1 otherwise;
# LINUX_GUEST_TIMEOUT (default 900 s) bounds the whole run.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../linux_kernel.sh
. "$here/../linux_kernel.sh"
[ $# -ge 2 ] || { sed -n '2,11s/^# \{0,1\}//p' "$0"; exit 2; }
initrd=$1 log=$2
shift 2
kernel=$(linux_kernel_image)
[ -n "$kernel" ] && [ -f "$kernel" ] || { echo "run.sh: no Linux kernel image in /boot (install $(linux_kernel_pkg))" >&2; exit 1; }
q=(qemu-system-x86_64 -accel tcg -cpu max -m 512M -nographic -no-reboot -monitor none -net none
   -kernel "$kernel" -initrd "$initrd" -append "console=ttyS0 quiet panic=-1" "$@")
echo "# ${q[*]}" > "$log"
timeout "${LINUX_GUEST_TIMEOUT:-900}" "${q[@]}" < /dev/null >> "$log" 2>&1 || echo "QEMU_EXIT rc=$?" >> "$log"
grep -aq '^GUEST_EXIT rc=0' <(tr -d '\r' < "$log")
