#!/usr/bin/env bash
# Make sure the Debian packages SECoS needs to build, boot and test are
# installed. Idempotent: with everything present it only checks (no network).
# Missing packages are installed with apt-get (after one `apt-get update`)
# when running as root or when `sudo -n` works; otherwise the exact command
# is printed and the script exits 1.
set -euo pipefail

PKGS=(
    gcc make binutils nasm git python3        # build
    gnu-efi                                   # UEFI loader
    console-setup-linux                       # console font (PSF) for the kernel
    grub-pc-bin grub-efi-amd64-bin grub-common xorriso mtools dosfstools cpio  # images, initrd
    fdisk                                     # image checks (fdisk -l)
    qemu-system-x86 ovmf                      # running: SeaBIOS + OVMF
    python3-pytest python3-pytest-xdist libcmocka-dev  # tests
    clang libclang-rt-14-dev gdb              # fuzzing (libFuzzer), debugging
    musl-tools                                # musl-gcc: Linux-ABI test programs (user/musl), tools/linux-bench
    busybox-static                            # /bin/busybox in the initrd: the Linux compatibility reference
    exfatprogs                                # mkfs.exfat, fsck.exfat: the exFAT test images
    patch xz-utils                            # tools/fetch-lwip.sh: Debian's lwip source package and its patches
    sbsigntool efitools openssl               # sbsign/sbverify: make sign, Secure Boot tests; openssl: the key passphrase (tools/sign-efi.sh); efitools: key enrolment (docs/SECURITY.md)
    e2fsprogs                                 # mke2fs, debugfs, e2fsck: the ext2 test images
)
# The Linux kernel the exFAT images are filled by and tools/bench.sh compares
# with (tools/linux_kernel.sh says which package).
# shellcheck source=linux_kernel.sh
. "$(dirname "${BASH_SOURCE[0]}")/linux_kernel.sh"
[ -n "$(linux_kernel_image)" ] || PKGS+=("$(linux_kernel_pkg)")

command -v dpkg-query >/dev/null || { echo "deps.sh: dpkg-query not found: this script wants Debian 12 (or Ubuntu)" >&2; exit 1; }
missing() {
    local p
    for p in "${PKGS[@]}"; do
        [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ] || echo "$p"
    done
}

mapfile -t miss < <(missing)
if [ ${#miss[@]} -eq 0 ]; then
    echo "deps.sh: all ${#PKGS[@]} packages installed"
    exit 0
fi
echo "deps.sh: missing packages: ${miss[*]}"

if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
else
    echo "deps.sh: not root and no password-less sudo; run:" >&2
    echo "  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y ${miss[*]}" >&2
    exit 1
fi
apt=("${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -y -q)
echo "deps.sh: ${apt[*]} update"
"${apt[@]}" update
echo "deps.sh: ${apt[*]} install --no-install-recommends ${miss[*]}"
"${apt[@]}" install --no-install-recommends "${miss[@]}"

mapfile -t miss < <(missing)
if [ ${#miss[@]} -ne 0 ]; then
    echo "deps.sh: still missing after apt-get: ${miss[*]}" >&2
    exit 1
fi
echo "deps.sh: all ${#PKGS[@]} packages installed"
