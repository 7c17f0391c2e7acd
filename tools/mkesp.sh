#!/usr/bin/env bash
# Build the SECoS EFI System Partition image with mtools (no root, no loop
# mounts):  tools/mkesp.sh <BOOTX64.EFI> <kernel.elf> <out.img> [initrd.cpio]
#
# Layout:  /EFI/BOOT/BOOTX64.EFI   our UEFI loader (the removable-media path)
#          /kernel.elf             the kernel it loads
#          /initrd.cpio            the initrd it loads too (only if given)
# The image is FAT32 (40 MiB, sparse; FAT32 needs >= 65525 clusters, so
# 512-byte clusters) and is used as is: `-drive format=raw,file=esp.img`, and
# as the EFI partition/El Torito entry of the hybrid ISO (tools/mkiso.sh).
set -euo pipefail

ESP_MIB=${ESP_MIB:-40}

die() { echo "mkesp.sh: $*" >&2; exit 1; }
[ $# -eq 3 ] || [ $# -eq 4 ] || die "usage: mkesp.sh <BOOTX64.EFI> <kernel.elf> <out.img> [initrd.cpio]"
efi=$1 kernel=$2 out=$3 initrd=${4:-}
for t in mformat mmd mcopy mdir; do
    command -v "$t" >/dev/null || die "'$t' not found (Debian package: mtools)"
done
[ -f "$efi" ]    || die "UEFI loader '$efi' not found (make uefi)"
[ -f "$kernel" ] || die "kernel '$kernel' not found (make kernel)"
[ -z "$initrd" ] || [ -f "$initrd" ] || die "initrd '$initrd' not found (make initrd)"

tmp=$out.tmp
trap 'rm -f "$tmp"' EXIT
rm -f "$tmp"
truncate -s "${ESP_MIB}M" "$tmp"                 # sparse
export MTOOLS_SKIP_CHECK=1
mformat -i "$tmp" -F -c 1 -v SECOS_ESP ::        # FAT32, 512-byte clusters
mmd     -i "$tmp" ::/EFI ::/EFI/BOOT
mcopy   -i "$tmp" "$efi"    ::/EFI/BOOT/BOOTX64.EFI
mcopy   -i "$tmp" "$kernel" ::/kernel.elf
extra=''
if [ -n "$initrd" ]; then
    mcopy -i "$tmp" "$initrd" ::/initrd.cpio
    extra=' + /initrd.cpio'
fi
mv "$tmp" "$out"
echo "mkesp.sh: $out: FAT32 ${ESP_MIB} MiB ESP with /EFI/BOOT/BOOTX64.EFI + /kernel.elf$extra"
