#!/usr/bin/env bash
# Builds out/initramfs.cpio.gz for run.sh: /init (bench.c, static),
# /exit0, /bin/busybox (Debian's busybox-static) and /dev/console. Needs
# musl-tools (else gcc), nasm, binutils, cpio, gzip, busybox-static; root for
# the device node.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
CC=${CC:-$(command -v musl-gcc || echo gcc)}
rm -rf out/root && mkdir -p out/root/dev
"$CC" -static -O2 -Wall -Wextra -o out/root/init bench.c
strip out/root/init
nasm -f elf64 -o out/exit0.o exit0.asm
ld -static -s -o out/root/exit0 out/exit0.o
mknod -m 600 out/root/dev/console c 5 1
# The shell_script benchmark runs Debian's busybox-static, the same binary
# SECoS's initrd carries, with a /tmp to redirect into.
mkdir -p out/root/bin out/root/tmp
cp /bin/busybox out/root/bin/busybox
ln out/root/bin/busybox out/root/bin/cat   # as SECoS's initrd links its applets
(cd out/root && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -9 > out/initramfs.cpio.gz
echo "build.sh: out/initramfs.cpio.gz, $(stat -c %s out/initramfs.cpio.gz) bytes ($CC)"
