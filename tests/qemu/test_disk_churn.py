"""Disk churn on virtio-blk: 600 seeded random operations (test_fat.model_ops:
create, append, overwrite, truncate, rename, delete, mkdir, rmdir) run by
busybox sh in SECoS against a file system on a real disk controller, every
file hashed in SECoS equal to the model, then `poweroff`, the host's fsck
clean and the host's own reader giving back exactly the model's tree.

A file system plugs in with one FILESYSTEMS row: how the host makes an empty
image, SECoS's type name, the host's checker and how the host copies the tree
out. Only FAT32 is writable in SECoS today."""
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


def fat32_mkfs(img: Path):
    make_image(img, 32, 40 * 1024)


def mtools_readback(img: Path, dest: Path):
    subprocess.run(["mcopy", "-s", "-n", "-i", str(img), "::/w", str(dest)], env=MTOOLS_ENV, check=True)


FILESYSTEMS = {
    # name: (make an empty image, SECoS mount type, host check command, copy /w out, tools needed)
    "fat32": (fat32_mkfs, "vfat", ["fsck.fat", "-n"], mtools_readback, ("mkfs.fat", "mcopy", "fsck.fat")),
}


@pytest.mark.parametrize("fs", sorted(FILESYSTEMS))
def test_disk_churn_matches_model(boot_machine, workdir, fs):
    mkfs, fstype, fsck, readback, tools = FILESYSTEMS[fs]
    missing = [t for t in tools if not shutil.which(t)]
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (tools/deps.sh)")
    img = workdir / "d.img"
    mkfs(img)
    ops, files, live_dirs = model_ops(random.Random(4321), 600)
    script = workdir / "ops.sh"
    script.write_text("set -e\n" + "\n".join(ops) + "\necho ops-done\n", encoding="utf-8")
    put(img, script, "/ops.sh")
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
