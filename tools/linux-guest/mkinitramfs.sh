#!/usr/bin/env bash
# A tiny initramfs for a Linux guest under QEMU: Debian's busybox-static, the
# named kernel modules with everything modules.dep says they need (in load
# order), and an /init that mounts /proc, /sys and /dev, loads the modules,
# runs SCRIPT (busybox sh) and powers off, printing "GUEST_EXIT rc=N" last.
#
#   tools/linux-guest/mkinitramfs.sh OUT.cpio.gz SCRIPT MODULE...
#
# The modules come from /lib/modules/<version of the kernel image>/
# (tools/linux_kernel.sh picks the image; LINUX_KERNEL= overrides); .ko.xz
# and .ko.zst are unpacked here, since busybox insmod takes plain .ko only.
# LINUX_GUEST_BINS="FILE..." copies those programs into /bin too (e.g. the
# static musl benchmark tools/bench_storage.sh runs on both kernels).
# Needs busybox-static, cpio, gzip (and xz/zstd for compressed modules).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../linux_kernel.sh
. "$here/../linux_kernel.sh"
usage() { sed -n '2,15s/^# \{0,1\}//p' "$0"; exit 2; }
[ $# -ge 2 ] || usage
out=$1 script=$2
shift 2
kernel=$(linux_kernel_image)
[ -n "$kernel" ] && [ -f "$kernel" ] || { echo "mkinitramfs.sh: no Linux kernel image in /boot (install $(linux_kernel_pkg))" >&2; exit 1; }
kver=${kernel##*/vmlinuz-}
mods=/lib/modules/$kver
[ -f "$mods/modules.dep" ] || { echo "mkinitramfs.sh: no $mods/modules.dep for $kernel" >&2; exit 1; }
[ -x /bin/busybox ] || { echo "mkinitramfs.sh: no /bin/busybox (install busybox-static)" >&2; exit 1; }

# modules.dep: "path: dep dep ...", paths relative to $mods, names with - or _.
path_of() {
    local n=${1//-/_}
    awk -F: -v n="$n" '{ b = $1; sub(/.*\//, "", b); sub(/\.ko(\.xz|\.zst|\.gz)?$/, "", b); gsub(/-/, "_", b);
                         if (b == n) { print $1; exit } }' "$mods/modules.dep"
}
order=()
add() {   # depth-first: a module after everything it depends on
    local p=$1 d seen
    for seen in "${order[@]:-}"; do [ "$seen" = "$p" ] && return 0; done
    for d in $(awk -F: -v p="$p" '$1 == p { print $2; exit }' "$mods/modules.dep"); do add "$d"; done
    order+=("$p")
}
for m in "$@"; do
    p=$(path_of "$m")
    [ -n "$p" ] || { echo "mkinitramfs.sh: module $m not in $mods/modules.dep" >&2; exit 1; }
    add "$p"
done

root=$(mktemp -d "${TMPDIR:-/tmp}/linux-guest.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,dev,proc,sys,mnt,tmp,lib/modules}
cp /bin/busybox "$root/bin/busybox"
for b in ${LINUX_GUEST_BINS:-}; do cp "$b" "$root/bin/"; done
i=0
for p in "${order[@]}"; do
    i=$((i + 1))
    dst=$root/lib/modules/$(printf '%02d' $i)-$(basename "${p%%.ko*}").ko
    case $p in
        *.ko.xz)  xz -dc "$mods/$p" > "$dst" ;;
        *.ko.zst) zstd -qdc "$mods/$p" > "$dst" ;;
        *.ko.gz)  gzip -dc "$mods/$p" > "$dst" ;;
        *)        cp "$mods/$p" "$dst" ;;
    esac
done
cp "$script" "$root/script.sh"
cat > "$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in /lib/modules/*.ko; do insmod "$m" || echo "GUEST: insmod $m failed"; done
mdev -s 2>/dev/null
# The disks appear asynchronously after virtio_blk loads.
n=0
while [ ! -e /dev/vda ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
sh -e /script.sh
echo "GUEST_EXIT rc=$?"
sync
poweroff -f
INIT
chmod 755 "$root/init" "$root/script.sh"
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 > "$out"
echo "mkinitramfs.sh: $out: $kernel, modules: ${order[*]##*/}" >&2
