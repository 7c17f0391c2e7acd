# The Debian Linux kernel the Linux-side tools boot under QEMU (tools/bench.sh
# --vs-linux, tools/linux-guest/): sourced, not run.
#
#   linux_kernel_pkg    the package to install: the version the benchmark
#                       README names when installed or known to the archive
#                       (results stay comparable), else linux-image-amd64
#   linux_kernel_image  the image to boot: $LINUX_KERNEL, else that version's
#                       /boot/vmlinuz-*, else the newest one; empty if none
LINUX_KERNEL_README_PKG=linux-image-6.1.0-56-amd64

linux_kernel_pkg() {
    if [ "$(dpkg-query -W -f='${db:Status-Status}' "$LINUX_KERNEL_README_PKG" 2>/dev/null)" = installed ] ||
        apt-cache show --no-all-versions "$LINUX_KERNEL_README_PKG" >/dev/null 2>&1; then
        echo "$LINUX_KERNEL_README_PKG"
    else
        echo linux-image-amd64
    fi
}

linux_kernel_image() {
    local k
    if [ -n "${LINUX_KERNEL:-}" ]; then echo "$LINUX_KERNEL"; return; fi
    k=/boot/vmlinuz-${LINUX_KERNEL_README_PKG#linux-image-}
    if [ -f "$k" ]; then echo "$k"; return; fi
    compgen -G "/boot/vmlinuz-*" >/dev/null && printf '%s\n' /boot/vmlinuz-* | sort -V | tail -n 1
    return 0
}
