"""Disk churn on virtio-blk: 600 seeded random operations (test_fat.model_ops:
create, append, overwrite, truncate, rename, delete, mkdir, rmdir) run by
busybox sh in SECoS against a file system on a real disk controller, every
file hashed in SECoS equal to the model, then `poweroff`, the host's fsck
clean and the host's own reader giving back exactly the model's tree.

A file system plugs in with one FILESYSTEMS row: how the host makes an empty
image, SECoS's type name, the host's checker and how the host copies the tree
out: FAT32 (fsck.fat -n, mtools) and ext2 (e2fsck -fn, debugfs rdump)."""
from __future__ import annotations

import hashlib
import os
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from secos import BUILD, Disk
from test_fat import MTOOLS_ENV, bb, hashes_in_secos, make_image, model_ops, mount, put, workdir  # noqa: F401


def fat32_mkfs(img: Path, script: Path):
    make_image(img, 32, 40 * 1024)
    put(img, script, "/ops.sh")


def mtools_readback(img: Path, dest: Path):
    subprocess.run(["mcopy", "-s", "-n", "-i", str(img), "::/w", str(dest)], env=MTOOLS_ENV, check=True)


def ext2_mkfs(img: Path, script: Path):
    tree = script.parent / "e2tree"
    tree.mkdir()
    shutil.copy(script, tree / "ops.sh")
    with open(img, "wb") as f:
        f.truncate(40 << 20)
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext2", "-b", "1024", "-d", str(tree), str(img)], check=True,
                   stdout=subprocess.DEVNULL)


def debugfs_readback(img: Path, dest: Path):
    subprocess.run(["debugfs", "-R", f"rdump /w {dest}", str(img)], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)   # dest/w, as mcopy leaves it


FILESYSTEMS = {
    # name: (make an image holding /ops.sh, SECoS mount type, host check command, copy /w out, tools needed)
    "fat32": (fat32_mkfs, "vfat", ["fsck.fat", "-n"], mtools_readback, ("mkfs.fat", "mcopy", "fsck.fat")),
    "ext2": (ext2_mkfs, "ext2", ["e2fsck", "-fn"], debugfs_readback, ("mke2fs", "e2fsck", "debugfs")),
}


@pytest.mark.parametrize("fs", sorted(FILESYSTEMS))
def test_disk_churn_matches_model(boot_machine, workdir, fs):
    mkfs, fstype, fsck, readback, tools = FILESYSTEMS[fs]
    missing = [t for t in tools if not shutil.which(t)]
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (tools/deps.sh)")
    img = workdir / "d.img"
    ops, files, live_dirs = model_ops(random.Random(4321), 600)
    script = workdir / "ops.sh"
    script.write_text("set -e\n" + "\n".join(ops) + "\necho ops-done\n", encoding="utf-8")
    mkfs(img, script)
    vm = boot_machine("kernel", memory="512M", extra_args=["-initrd", str(BUILD / "initrd.cpio")],
                      disks=[Disk(img, "virtio")])
    mount(vm, "vda", "/mnt", fstype)
    out = bb(vm, "sh /mnt/ops.sh", timeout=900)
    assert "ops-done" in out, out[-3000:]
    assert hashes_in_secos(vm, "/mnt/w") == {p[2:]: hashlib.sha256(b).hexdigest() for p, b in files.items()}
    vm.poweroff()                                   # unmounts: everything written back
    p = subprocess.run(fsck + [str(img)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert p.returncode == 0, p.stdout
    tree = workdir / "tree"
    tree.mkdir()
    readback(img, tree)
    host = {}
    for root, _, names in os.walk(tree):
        for f in names:
            full = Path(root) / f
            host["/" + str(full.relative_to(tree))] = full.read_bytes()
    assert host == files
    for d in live_dirs:
        assert (tree / d[1:]).is_dir(), d
