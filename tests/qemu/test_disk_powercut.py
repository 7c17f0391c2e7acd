"""Power cuts while SECoS writes FAT32 on virtio-blk: a busybox sh writer
(on the disk itself) copies a source file to keep/kN, runs sync(2) and only
then prints `SYNCED kN sS`, and between syncs keeps creating, appending,
renaming, truncating and removing files in churn/, more than the block
cache holds, so blocks are written back all the time, not only at sync. The drive is throttled
(THROTTLE: QEMU holds each write for a while) so a write-back of many blocks spans seconds and a cut
lands inside one most of the time; without that, a kill almost always falls between two write-backs,
where any order looks consistent. QEMU is killed (SIGKILL: the writes QEMU still holds are lost, the
ones it made are in the image) at seeded random moments, one boot per seed; afterwards `fsck.fat -n` may find lost clusters,
chains longer than their file, a wrong free count or FAT copies that differ
(what the write order allows), never cross-links, chains into free clusters
or broken directories, and every file reported synced reads back whole with
mtools. The order that makes this true: block/bcache_core.h (epochs),
fs/fat_core.h (barriers); tests/unit/test_fat_powercut.c cuts after every
write on the host. The same writer on ext2 (fs/ext2_core.h's order;
tests/unit/test_ext2_powercut.c): e2fsck -fn may find lost blocks and
inodes, counts and sizes to correct, never a block owned twice, a block in
use that the bitmap calls free, or an entry naming a free inode; the synced
files read back whole with debugfs."""
from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import time

import pytest

from secos import BUILD, Disk
from test_fat import MTOOLS_ENV, make_image, mount, sh, text, workdir  # noqa: F401

pytestmark = pytest.mark.skipif(not shutil.which("mkfs.fat") or not shutil.which("mcopy"),
                                reason="needs dosfstools and mtools (tools/deps.sh)")

SOURCES = [700, 5000, 30000, 120000, 1100000]   # bytes of src/s0..s4 (s4: more than the 1 MiB cache)
SEEDS = [11, 23, 37, 58, 71, 89, 97, 113, 127, 139, 151, 167]   # one boot and one cut each
# Writes per second the drive takes (QEMU -drive throttling): slow enough that
# one sync's write-back is seconds long, fast enough that keep/k0 is synced soon.
THROTTLE = "throttling.iops-write=400"
WRITER = """\
cd /mnt
mkdir -p keep churn
n=0
while [ $n -lt 400 ]; do
  s=$((n % 4))
  cp src/s$s keep/k$n
  sync
  echo SYNCED k$n s$s
  j=0
  while [ $j -lt 3 ]; do
    cp src/s$j churn/c$n-$j
    cat src/s$((3 - j)) >> churn/big
    mv churn/c$n-$j churn/m$n-$j
    j=$((j + 1))
  done
  if [ $n -ge 2 ]; then rm churn/m$((n - 2))-0 churn/m$((n - 2))-2; fi
  if [ $((n % 2)) -eq 0 ]; then
    cp src/s4 churn/x$n
    mv churn/x$n churn/y$n
    if [ $n -ge 2 ]; then rm churn/y$((n - 2)); fi
  fi
  truncate -s $((n * 997 % 40000)) churn/big
  n=$((n + 1))
done
echo WRITER-DONE
"""

# fsck.fat -n lines a cut may cause (the write order allows them) ...
TOLERATED = [
    r"Free cluster summary wrong", r"FATs differ", r"[Rr]eclaimed", r"unused clusters", r"lost cluster",
    r"cluster chain length is >", r"Truncating file to", r"Orphaned long file name part",
    r"Dirty bit is set", r"Automatically removing dirty bit",
]
# ... and the ones it must never cause.
FORBIDDEN = [r"share clusters", r"cross-link", r"free cluster", r"[Bb]ad cluster", r"Directory .* has",
             r"[Ii]nvalid", r"starts with", r"cluster chain length is \d"]


def fsck_after_cut(img):
    p = subprocess.run(["fsck.fat", "-n", str(img)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = p.stdout
    bad = [l for l in out.splitlines() if any(re.search(f, l) for f in FORBIDDEN)]
    assert p.returncode in (0, 1), out
    assert not bad, out
    return out


@pytest.mark.parametrize("seed", SEEDS)
def test_power_cut_leaves_synced_files_and_a_sound_fat(boot_machine, workdir, seed):
    rnd = random.Random(seed)
    img = workdir / "d.img"
    make_image(img, 32, 40 * 1024)
    sources = []
    (workdir / "src").mkdir()
    for i, n in enumerate(SOURCES):
        data = bytes(rnd.getrandbits(8) for _ in range(n))
        (workdir / "src" / f"s{i}").write_bytes(data)
        sources.append(data)
    (workdir / "w.sh").write_text(WRITER)
    sh("mcopy", "-s", "-i", str(img), str(workdir / "src"), str(workdir / "w.sh"), "::/")
    vm = boot_machine("kernel", memory="512M", extra_args=["-initrd", str(BUILD / "initrd.cpio")],
                      disks=[Disk(img, "virtio", drive_opts=THROTTLE)])
    mount(vm, "vda", "/mnt")
    vm.send("run /bin/busybox sh /mnt/w.sh\r")
    vm.wait_for("SYNCED k0", timeout=300)
    time.sleep(rnd.uniform(0.5, 14.0))
    vm.kill()                                      # the power cut: SIGKILL, nothing written back
    synced = re.findall(r"SYNCED k(\d+) s(\d)", vm.output)
    assert synced, vm.tail()
    report = fsck_after_cut(img)
    for k, s in synced:
        got = subprocess.run(["mtype", "-i", str(img), f"::/keep/k{k}"], env=MTOOLS_ENV,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert got.returncode == 0 and got.stdout == sources[int(s)], (k, s, len(got.stdout), report)
    print(f"seed {seed}: {len(synced)} synced files intact; fsck.fat -n said:\n{report}")


# e2fsck -fn lines a cut must never cause (tests/unit/test_ext2_powercut.c has the same list).
E2_FORBIDDEN = [r"ultiply-claimed", r"has illegal block", r"Illegal block", r"deleted/unused inode", r"orrupt",
                r"bad block", r"Superblock", r"Group descriptors look bad", r"bitmap differences:.*\+"]
E2_SEEDS = [11, 37, 71, 113, 151]


def e2fsck_after_cut(img):
    p = subprocess.run(["e2fsck", "-fn", str(img)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    bad = [l for l in p.stdout.splitlines() if any(re.search(f, l) for f in E2_FORBIDDEN)]
    assert p.returncode in (0, 4), p.stdout        # 4: errors left uncorrected (-n); 8 and up: it could not check
    assert not bad, p.stdout
    return p.stdout


def debugfs_cat(img, path):
    return subprocess.run(["debugfs", "-R", f"cat {path}", str(img)], stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL).stdout


@pytest.mark.skipif(not shutil.which("mke2fs") or not shutil.which("e2fsck"), reason="needs e2fsprogs")
@pytest.mark.parametrize("seed", E2_SEEDS)
def test_power_cut_leaves_synced_files_and_a_sound_ext2(boot_machine, workdir, seed):
    rnd = random.Random(seed)
    tree = workdir / "t"
    (tree / "src").mkdir(parents=True)
    sources = []
    for i, n in enumerate(SOURCES):
        data = bytes(rnd.getrandbits(8) for _ in range(n))
        (tree / "src" / f"s{i}").write_bytes(data)
        sources.append(data)
    (tree / "w.sh").write_text(WRITER)
    img = workdir / "d.img"
    with open(img, "wb") as f:
        f.truncate(40 << 20)
    sh("mke2fs", "-q", "-F", "-t", "ext2", "-b", "1024", "-d", str(tree), str(img))
    vm = boot_machine("kernel", memory="512M", extra_args=["-initrd", str(BUILD / "initrd.cpio")],
                      disks=[Disk(img, "virtio", drive_opts=THROTTLE)])
    mount(vm, "vda", "/mnt", "ext2")
    vm.send("run /bin/busybox sh /mnt/w.sh\r")
    vm.wait_for("SYNCED k0", timeout=300)
    time.sleep(rnd.uniform(0.5, 14.0))
    vm.kill()
    synced = re.findall(r"SYNCED k(\d+) s(\d)", vm.output)
    assert synced, vm.tail()
    report = e2fsck_after_cut(img)
    for k, s in synced:
        got = debugfs_cat(img, f"/keep/k{k}")
        assert got == sources[int(s)], (k, s, len(got), report)
    print(f"seed {seed}: {len(synced)} synced files intact; e2fsck -fn said:\n{report}")


def test_fsync_makes_a_file_survive_a_cut(boot_machine, workdir):
    """fsync(2) (busybox dd conv=fsync) returns only when the file is on the disk:
    a cut right after it keeps the file whole. A file this small stays in the
    block cache otherwise, so an fsync that does nothing loses it."""
    img = workdir / "d.img"
    make_image(img, 32, 40 * 1024)
    data = bytes(random.Random(5).getrandbits(8) for _ in range(30000))
    (workdir / "s").write_bytes(data)
    sh("mcopy", "-i", str(img), str(workdir / "s"), "::/s")
    vm = boot_machine("kernel", memory="512M", extra_args=["-initrd", str(BUILD / "initrd.cpio")],
                      disks=[Disk(img, "virtio")])
    mount(vm, "vda", "/mnt")
    out = text(vm, "run /bin/busybox dd if=/mnt/s of=/mnt/f bs=4096 conv=fsync")
    assert "status=0" in out, out
    vm.kill()
    fsck_after_cut(img)
    got = subprocess.run(["mtype", "-i", str(img), "::/f"], env=MTOOLS_ENV, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    assert got.returncode == 0 and got.stdout == data, (len(got.stdout), got.stderr)


@pytest.mark.skipif(not shutil.which("mke2fs") or not shutil.which("debugfs"), reason="needs e2fsprogs")
def test_fsync_makes_an_ext2_file_survive_a_cut(boot_machine, workdir):
    """The same on ext2: fsync writes back the file, its inode and the
    bitmaps that own its blocks, so the cut finds it whole."""
    tree = workdir / "t"
    tree.mkdir()
    data = bytes(random.Random(6).getrandbits(8) for _ in range(30000))
    (tree / "s").write_bytes(data)
    img = workdir / "d.img"
    with open(img, "wb") as f:
        f.truncate(16 << 20)
    sh("mke2fs", "-q", "-F", "-t", "ext2", "-d", str(tree), str(img))
    vm = boot_machine("kernel", memory="512M", extra_args=["-initrd", str(BUILD / "initrd.cpio")],
                      disks=[Disk(img, "virtio")])
    mount(vm, "vda", "/mnt", "ext2")
    out = text(vm, "run /bin/busybox dd if=/mnt/s of=/mnt/f bs=4096 conv=fsync")
    assert "status=0" in out, out
    vm.kill()
    e2fsck_after_cut(img)
    assert debugfs_cat(img, "/f") == data
