#!/usr/bin/env bash
# Build the SECoS initrd, a cpio "newc" archive the kernel unpacks into its
# RAMFS at / (fs/initrd.c):
#   tools/mkinitrd.sh <out.cpio> <input>...
# Each input is one of
#   DIR          a staging tree: its contents go to the archive root as they
#                are (symlinks are followed: the kernel takes only files and
#                directories)
#   DEST=FILE    FILE stored as DEST (e.g. etc/issue=boot/issue.txt)
#   FILE         a user program: build/user/hello.elf is stored as bin/hello
# When bin/busybox is among the inputs, each applet it lists (`busybox
# --list`, so it must run on the build host: Debian's busybox-static does)
# becomes bin/<applet>, a hard link to bin/busybox, unless an input already
# provides that name (SECoS's own programs win). cpio stores the links as
# newc entries sharing one inode number, the data once; the kernel makes
# them names sharing one block (fs/initrd.c), so argv[0] is the applet name
# and busybox dispatches on it.
# etc/motd (one line, $MOTD or a default welcome) is added unless an input
# provides it.
#
# Reproducible: same inputs, same bytes. Names are sorted (C locale), every
# entry has owner 0:0, mtime $SOURCE_DATE_EPOCH (default 0), mode 0755 for
# directories and bin/*, 0644 otherwise, and cpio --reproducible zeroes
# device numbers and renumbers inodes.
set -euo pipefail

die() { echo "mkinitrd.sh: $*" >&2; exit 1; }
[ $# -ge 2 ] || die "usage: mkinitrd.sh <out.cpio> <dir | dest=file | prog.elf>..."
out=$1; shift
command -v cpio >/dev/null || die "'cpio' not found (Debian package: cpio)"
MOTD=${MOTD:-"Welcome to SECoS. This text is /etc/motd from the initrd; the programs are in /bin."}
epoch=${SOURCE_DATE_EPOCH:-0}

stage=$(mktemp -d "${TMPDIR:-/tmp}/mkinitrd.XXXXXX")
trap 'rm -rf "$stage" "$out.tmp"' EXIT

# Copies a file to its archive path, refusing escapes and clashes.
put() {
    local src=$1 dest=$2
    [ -f "$src" ] || die "input '$src' is not a file"
    case /$dest/ in */../*|*/./*|//*) die "bad archive path '$dest' (for '$src')" ;; esac
    [ ! -e "$stage/$dest" ] || die "two inputs for '$dest'"
    mkdir -p "$stage/$(dirname "$dest")"
    cp -L "$src" "$stage/$dest"
}

for arg in "$@"; do
    if [ -d "$arg" ]; then
        cp -RL "$arg/." "$stage/"
    elif [[ $arg == *=* ]]; then
        put "${arg#*=}" "${arg%%=*}"
    else
        base=$(basename "$arg")
        put "$arg" "bin/${base%.elf}"
    fi
done
if [ -f "$stage/bin/busybox" ]; then
    applets=$("$stage/bin/busybox" --list) || die "cannot run '$stage/bin/busybox --list' on this host"
    for a in $applets; do
        case $a in */*|.|..|'') die "odd applet name '$a'" ;; esac
        [ -e "$stage/bin/$a" ] || ln "$stage/bin/busybox" "$stage/bin/$a"
    done
fi
if [ ! -e "$stage/etc/motd" ]; then
    mkdir -p "$stage/etc"
    printf '%s\n' "$MOTD" > "$stage/etc/motd"
fi

# Permissions and times must not depend on the builder's umask or clock.
find "$stage" -type d -exec chmod 0755 {} +
find "$stage" -type f -exec chmod 0644 {} +
if [ -d "$stage/bin" ]; then find "$stage/bin" -type f -exec chmod 0755 {} +; fi
find "$stage" -exec touch -h -d "@$epoch" {} +

# Relative names without "./", parents before children (sorted), NUL-separated.
(cd "$stage" && find . -mindepth 1 -printf '%P\0' | LC_ALL=C sort -z |
    cpio -o -H newc --null --reproducible -R 0:0 --quiet) > "$out.tmp"
n=$(cd "$stage" && find . -mindepth 1 -type f | wc -l)
mv "$out.tmp" "$out"
echo "mkinitrd.sh: $out: $n files, $(stat -c %s "$out") bytes (cpio newc)"
