#!/usr/bin/env python3
"""An exFAT test image written by Linux: mkfs.exfat (exfatprogs) makes the
empty file system, a Linux guest under QEMU (run.sh, mkinitramfs.sh) mounts
it with Linux's exfat driver, unpacks a tar of the test tree into it, makes
two fragmented files (appending to both in turn), a file extended by
truncate, syncs and unmounts; then `fsck.exfat -n` on the host must find it
clean.

    tools/linux-guest/exfat_image.py [--out DIR]     (default build/exfat)

Prints the image's path. Next to it, <image>.sha256 lists every file's
SHA-256 as the host computed it from the tree ("<hex>  /path", paths below
the volume's root), and <image>.log the guest's console. The image is
cached under a name keyed by this script, the guest tools, the kernel image
and mkfs.exfat's version, so tests build it once (about a minute in TCG); a
lock file makes concurrent callers wait for one build.

Linux 6.1's exfat writes ValidDataLength = DataLength always (truncate
writes the zeros), so files with ValidDataLength < DataLength come from
the unit tests, which patch one."""
from __future__ import annotations

import argparse
import fcntl
import hashlib
import os
import random
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
MIB = 1 << 20
IMAGE_MIB = 48
CHUNK = 16 << 10            # the append step of the fragmented files
README_MTIME = 1600000000   # 2020-09-13 12:26:40 UTC: README.TXT's modification time

# Names the volume must hold: 255 characters, non-ASCII in 2- and 3-byte
# UTF-8, characters outside the BMP (UTF-16 surrogate pairs), mixed case.
LONG_NAME = "long-" + "n" * 246 + ".txt"
ODD_NAMES = ["grüße-ÄÖÜ.txt", "日本語のファイル.txt", "emoji-😀-🎉.txt", "Ελληνικά.txt", "Mixed Case Name.TXT",
             "with space and.dots.tar.gz"]


def tree(root: Path) -> dict[str, bytes]:
    """Writes the test tree under root; returns {path: bytes} of every file
    the filled volume holds (the fragmented and extended files included)."""
    rng = random.Random(0xE8FA7)
    files: dict[str, bytes] = {}

    def add(rel: str, data: bytes):
        p = root / rel.lstrip("/")
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
        files[rel] = data

    add("/big.bin", rng.randbytes(9 * MIB + 1234))
    add("/empty.txt", b"")
    add("/README.TXT", b"an exFAT volume filled by Linux\n")
    os.utime(root / "README.TXT", (README_MTIME, README_MTIME))   # tar keeps it, Linux stores it, stat shows it
    for i in range(200):
        add(f"/many/file{i:03d}.dat", rng.randbytes(rng.randrange(0, 3000)))
    path = ""
    for level in range(1, 21):
        path += f"/level{level:02d}"
    add(path + "/bottom.txt", b"twenty levels down\n")
    add("/" + LONG_NAME, b"a name of 255 characters\n")
    for n in ODD_NAMES:
        add("/names/" + n, n.encode() + b"\n")
    # The sources of the fragmented files (the guest appends their chunks).
    a, b = rng.randbytes(1 * MIB + 100), rng.randbytes(768 << 10)
    add("/frag-src/a.bin", a)
    add("/frag-src/b.bin", b)
    files["/frag/a.bin"] = a
    files["/frag/b.bin"] = b
    files["/extended.bin"] = b"head\n" + bytes(300 * 1024 - 5)
    return files


GUEST_SCRIPT = f"""
mkdir -p /mnt/x
mount -t exfat /dev/vda /mnt/x
cd /mnt/x
tar xf /dev/vdb
mkdir frag
# Two files grown in turn, one chunk each: their clusters interleave.
a=$(stat -c %s frag-src/a.bin) b=$(stat -c %s frag-src/b.bin) i=0
while [ $((i * {CHUNK})) -lt $a ] || [ $((i * {CHUNK})) -lt $b ]; do
    for f in a b; do
        dd if=frag-src/$f.bin of=frag/$f.bin bs={CHUNK} skip=$i seek=$i count=1 conv=notrunc 2>/dev/null
    done
    i=$((i + 1))
done
printf 'head\\n' > extended.bin
truncate -s {300 * 1024} extended.bin
sync
echo 3 > /proc/sys/vm/drop_caches
echo GUEST_SUMS_BEGIN
find . -type f -exec sha256sum {{}} +
echo GUEST_SUMS_END
cd /
umount /mnt/x
echo GUEST_FILLED
"""


def key() -> str:
    h = hashlib.sha256()
    for f in ("exfat_image.py", "mkinitramfs.sh", "run.sh", "../linux_kernel.sh"):
        h.update((HERE / f).read_bytes())
    kernel = subprocess.run(["bash", "-c", f". {HERE.parent}/linux_kernel.sh && linux_kernel_image"],
                            stdout=subprocess.PIPE, text=True, check=True).stdout.strip()
    h.update(kernel.encode())
    ver = subprocess.run(["mkfs.exfat", "-V"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
    h.update(ver.encode())
    return h.hexdigest()[:16]


def missing() -> str | None:
    """What is missing to build the image, in words; None if nothing."""
    for tool, pkg in (("mkfs.exfat", "exfatprogs"), ("fsck.exfat", "exfatprogs"),
                      ("qemu-system-x86_64", "qemu-system-x86"), ("cpio", "cpio")):
        if not shutil.which(tool):
            return f"{tool} (Debian package {pkg}; tools/deps.sh)"
    if not os.path.exists("/bin/busybox"):
        return "/bin/busybox (Debian package busybox-static; tools/deps.sh)"
    kernel = subprocess.run(["bash", "-c", f". {HERE.parent}/linux_kernel.sh && linux_kernel_image"],
                            stdout=subprocess.PIPE, text=True).stdout.strip()
    if not kernel or not os.path.exists(kernel):
        pkg = subprocess.run(["bash", "-c", f". {HERE.parent}/linux_kernel.sh && linux_kernel_pkg"],
                             stdout=subprocess.PIPE, text=True).stdout.strip()
        return f"a Linux kernel image in /boot (Debian package {pkg}; tools/deps.sh)"
    return None


def linux_sums(log: Path) -> str:
    """The guest's sha256sum listing, in the .sha256 file's form."""
    text = log.read_bytes().decode("utf-8", "replace").replace("\r", "")
    body = text.split("GUEST_SUMS_BEGIN\n", 1)[-1].split("GUEST_SUMS_END", 1)[0]
    lines = sorted((m.group(2)[1:], m.group(1)) for m in re.finditer(r"^([0-9a-f]{64})  (\./.*)$", body, re.M))
    return "".join(f"{h}  {p}\n" for p, h in lines)


def build(img: Path):
    with tempfile.TemporaryDirectory(prefix="exfat-guest.") as t:
        t = Path(t)
        src = t / "src"
        files = tree(src)
        tar = t / "tree.tar"
        with tarfile.open(tar, "w", format=tarfile.GNU_FORMAT) as tf:
            for p in sorted(src.rglob("*")):
                tf.add(p, arcname=str(p.relative_to(src)), recursive=False)
        with open(tar, "ab") as f:   # a whole number of 512-byte sectors for the disk
            f.write(bytes(-f.tell() % 512))
        raw = t / "exfat.img"
        with open(raw, "wb") as f:
            f.truncate(IMAGE_MIB * MIB)
        subprocess.run(["mkfs.exfat", "-L", "SECOSTEST", str(raw)], check=True, stdout=subprocess.DEVNULL)
        script = t / "fill.sh"
        script.write_text(GUEST_SCRIPT)
        initrd = t / "initramfs.cpio.gz"
        subprocess.run([HERE / "mkinitramfs.sh", initrd, script, "virtio_pci", "virtio_blk", "exfat", "nls_utf8"],
                       check=True)
        log = img.with_suffix(".log")
        r = subprocess.run([HERE / "run.sh", initrd, log, "-drive", f"file={raw},if=virtio,format=raw",
                            "-drive", f"file={tar},if=virtio,format=raw,readonly=on"])
        if r.returncode != 0 or "GUEST_FILLED" not in log.read_text(errors="replace"):
            sys.exit(f"exfat_image.py: the Linux guest failed; its console: {log}")
        fsck = subprocess.run(["fsck.exfat", "-n", str(raw)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True)
        if fsck.returncode != 0:
            sys.exit(f"exfat_image.py: fsck.exfat -n finds the filled image unclean:\n{fsck.stdout}")
        sums = "".join(f"{hashlib.sha256(d).hexdigest()}  {p}\n" for p, d in sorted(files.items()))
        if linux_sums(log) != sums:   # what Linux reads back from the volume, after dropping its caches
            sys.exit(f"exfat_image.py: the files Linux wrote differ from the tree; its console: {log}")
        Path(str(img) + ".sha256").write_text(sums, encoding="utf-8")
        shutil.move(raw, img)   # last: the image exists only when everything above held


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(HERE.parent.parent / "build" / "exfat"))
    ap.add_argument("--check", action="store_true", help="only say what is missing (exit 1) or nothing (exit 0)")
    a = ap.parse_args()
    why = missing()
    if a.check or why:
        if why:
            print(f"exfat_image.py: missing: {why}", file=sys.stderr)
        sys.exit(1 if why else 0)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    img = out / f"linux-filled-{key()}.img"
    with open(out / "build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not img.exists():
            build(img)
            for old in out.glob("linux-filled-*"):   # images of older inputs
                if not old.name.startswith(img.name):
                    old.unlink()
    print(img)


if __name__ == "__main__":
    main()
