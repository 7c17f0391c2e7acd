#!/usr/bin/env bash
# Builds out/esp.img for `./run.sh uefi`: a FAT ESP whose
# \EFI\BOOT\BOOTX64.EFI is a unified kernel image (systemd's EFI stub + the
# kernel + out/initramfs.cpio.gz + the command line run.sh uses).
# Needs ./build.sh first and systemd-boot-efi, binutils, dosfstools, mtools.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
KERNEL=${KERNEL:-$(printf '%s\n' /boot/vmlinuz-* | sort -V | tail -n 1)}
STUB=/usr/lib/systemd/boot/efi/linuxx64.efi.stub
printf '%s' "console=ttyS0 quiet panic=-1" > out/cmdline.txt
objcopy --add-section .osrel=/etc/os-release --change-section-vma .osrel=0x20000 \
    --add-section .cmdline=out/cmdline.txt --change-section-vma .cmdline=0x30000 \
    --add-section .linux="$KERNEL" --change-section-vma .linux=0x2000000 \
    --add-section .initrd=out/initramfs.cpio.gz --change-section-vma .initrd=0x3000000 \
    "$STUB" out/uki.efi
rm -f out/esp.img
mkfs.vfat -C -n ESP out/esp.img 32768 > /dev/null
mmd -i out/esp.img ::/EFI ::/EFI/BOOT
mcopy -i out/esp.img out/uki.efi ::/EFI/BOOT/BOOTX64.EFI
echo "uefi.sh: out/esp.img (UKI of $KERNEL)"
