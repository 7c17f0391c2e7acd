#!/usr/bin/env bash
# Build the SECoS hybrid ISO:
#   tools/mkiso.sh <kernel.elf> <esp.img> <grub.cfg> <out.iso> [initrd.cpio]
#
# One image, four ways to boot:
#  - BIOS, CD:   El Torito entry 1 -> GRUB (i386-pc core image with every
#                module built in) -> grub.cfg -> multiboot2 /boot/kernel.elf,
#                module2 /boot/initrd.cpio (when the ISO has one)
#  - BIOS, disk: isohybrid MBR (GRUB's boot_hybrid.img) -> the same GRUB core
#  - UEFI, CD:   El Torito entry 2 = the appended ESP image (tools/mkesp.sh):
#                our own \EFI\BOOT\BOOTX64.EFI, which loads \kernel.elf
#                (and \initrd.cpio, if tools/mkesp.sh put one there)
#  - UEFI, disk: MBR partition 2 (type 0xEF) = that same ESP image
# The ISO 9660 tree holds only /boot/kernel.elf, /boot/initrd.cpio and
# /boot/grub/ (GRUB's files); the ESP is not copied into it, it is appended
# after it.
set -euo pipefail

GRUB_PC=${GRUB_PC:-/usr/lib/grub/i386-pc}
# test: grub.cfg loads the initrd only if the ISO has one ([ -f ... ]).
GRUB_MODULES=(biosdisk part_msdos iso9660 normal configfile echo serial terminal boot multiboot2 all_video test)

die() { echo "mkiso.sh: $*" >&2; exit 1; }
[ $# -eq 4 ] || [ $# -eq 5 ] || die "usage: mkiso.sh <kernel.elf> <esp.img> <grub.cfg> <out.iso> [initrd.cpio]"
kernel=$1 esp=$2 cfg=$3 out=$4 initrd=${5:-}
command -v xorriso     >/dev/null || die "'xorriso' not found (Debian package: xorriso)"
command -v grub-mkimage >/dev/null || die "'grub-mkimage' not found (Debian package: grub-common)"
if [ ! -f "$GRUB_PC/boot_hybrid.img" ] || [ ! -f "$GRUB_PC/multiboot2.mod" ]; then
    die "GRUB BIOS files not found in $GRUB_PC (Debian package: grub-pc-bin)"
fi
for f in "$kernel" "$esp" "$cfg" ${initrd:+"$initrd"}; do [ -f "$f" ] || die "input '$f' not found"; done

stage=$out.d
trap 'rm -rf "$stage" "$out.tmp"' EXIT
rm -rf "$stage" "$out.tmp"
mkdir -p "$stage/boot/grub"
# GRUB's multiboot2 refuses an ELF with relocation sections ("ELF files with
# relocs are not supported yet"): its copy goes without them. The Multiboot
# entry slides itself from .kaslr_relocs, which stays (docs/SECURITY.md, KASLR).
objcopy --remove-section='.rela*' "$kernel" "$stage/boot/kernel.elf"
if [ -n "$initrd" ]; then cp "$initrd" "$stage/boot/initrd.cpio"; fi
cp "$cfg"    "$stage/boot/grub/grub.cfg"
# -p /boot/grub without a device: GRUB reads its config from the device it
# booted from (CD or the raw disk), without searching other drives.
grub-mkimage -O i386-pc-eltorito -d "$GRUB_PC" -p /boot/grub \
    -o "$stage/boot/grub/eltorito.img" "${GRUB_MODULES[@]}"

# xorriso prints its banner even with -quiet: drop it and the empty line after it.
xorriso_quiet() { "$@" 2> >(grep -v -e '^xorriso [0-9.]* : RockRidge filesystem manipulator' -e '^$' >&2); }
xorriso_quiet xorriso -as mkisofs -quiet -o "$out.tmp" -r -J -V SECOS \
    --grub2-mbr "$GRUB_PC/boot_hybrid.img" --mbr-force-bootable \
    -partition_offset 16 \
    -append_partition 2 0xef "$esp" \
    -c boot/boot.cat \
    -b boot/grub/eltorito.img -no-emul-boot -boot-load-size 4 -boot-info-table --grub2-boot-info \
    -eltorito-alt-boot \
    -e --interval:appended_partition_2:all:: -no-emul-boot \
    "$stage"
fallocate --dig-holes "$out.tmp" 2>/dev/null || true   # the ESP is mostly zeros

# Both El Torito entries must be there: 1 = BIOS (GRUB), 2 = UEFI (the ESP).
boot=$(xorriso -indev "$out.tmp" -report_el_torito plain 2>/dev/null | grep '^El Torito boot img')
if ! grep -Eq ' 1 +BIOS ' <<<"$boot" || ! grep -Eq ' 2 +UEFI ' <<<"$boot"; then
    die "El Torito entries missing in $out.tmp:"$'\n'"$boot"
fi
mv "$out.tmp" "$out"
echo "mkiso.sh: $out: hybrid ISO (BIOS: GRUB multiboot2${initrd:+ + initrd}; UEFI: our BOOTX64.EFI on the appended ESP)"
