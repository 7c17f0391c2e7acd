"""ext2 on real disk controllers: images made on the host by mke2fs -d
(e2fsprogs) at 1 KiB and 4 KiB blocks from a tree with a 13 MiB file
(double-indirect blocks), 200 small files, 20 levels of directories, a
255-byte name and a fast symbolic link, attached on virtio-blk (pc and
q35), AHCI (q35) and IDE (pc) and mounted with the console's `mount` (auto
finds ext2): every file's SHA-256 in SECoS (busybox sha256sum) equal to
the host's, the link's target, statfs. Mounted `ro` every change is
refused with EROFS and the image stays unchanged; mounted read-write,
busybox creates, appends, moves, deletes, truncates, chmods and writes a
4 MiB file, and after poweroff e2fsck -fn is clean and debugfs reads back
exactly those bytes. Hostile images (ext4, truncated, bad magic, a huge
inode size, a directory loop, a block out of range) are refused or give
I/O errors with a clear message while the system keeps running, and mount
churn leaves the heap exactly where it was."""
from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pytest

from secos import BUILD, Disk
from test_fat import bb, hashes_in_secos, mount, text, workdir  # noqa: F401

DEEP = "/".join(f"d{i}" for i in range(1, 21))
NAME255 = ("n123456789" * 26)[:255]
CASES = [("virtio", "pc", "vda", 1024), ("virtio", "q35", "vda", 4096), ("ahci", "q35", "sda", 1024),
         ("ide", "pc", "hda", 4096)]


def make_tree(root: Path) -> dict[str, str]:
    """The host tree; {path: sha256} of its regular files."""
    files = {"/hello.txt": b"hello ext2\n", "/big.bin": os.urandom(13 << 20), f"/{DEEP}/bottom.txt": b"deep\n",
             f"/{NAME255}": b"long name\n"}
    for i in range(200):
        files[f"/many/f{i:03d}.txt"] = f"file {i}\n".encode() * (i + 1)
    for p, data in files.items():
        (root / p[1:]).parent.mkdir(parents=True, exist_ok=True)
        (root / p[1:]).write_bytes(data)
    os.symlink("hello.txt", root / "fast")
    return {p: hashlib.sha256(d).hexdigest() for p, d in files.items()}


def mke2fs(img: Path, tree: Path | None, *opts: str, mib: int = 32):
    with open(img, "wb") as f:
        f.truncate(mib << 20)
    args = ["mke2fs", "-q", "-F", *opts]
    if tree:
        args += ["-d", str(tree)]
    subprocess.run(args + [str(img)], check=True, stdout=subprocess.DEVNULL)


def debugfs_w(img: Path, req: str):
    subprocess.run(["debugfs", "-w", "-R", req, str(img)], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def debugfs_cat(img: Path, path: str) -> bytes | None:
    """The file's bytes as debugfs reads them, or None if it is not there."""
    st = subprocess.run(["debugfs", "-R", f"stat {path}", str(img)], capture_output=True)
    if b"File not found" in st.stderr or b"File not found" in st.stdout:
        return None
    return subprocess.run(["debugfs", "-R", f"cat {path}", str(img)], capture_output=True, check=True).stdout


def debugfs_mode(img: Path, path: str) -> int:
    out = subprocess.run(["debugfs", "-R", f"stat {path}", str(img)], capture_output=True, text=True).stdout
    return int(out.split("Mode:")[1].split()[0], 8)


@pytest.mark.parametrize("iface,machine,dev,bs", CASES, ids=[f"{c[0]}-{c[1]}-{c[3]}" for c in CASES])
def test_ext2_host_files_read_in_secos(boot_machine, workdir, iface, machine, dev, bs):
    tree = workdir / "t"
    tree.mkdir()
    want = make_tree(tree)
    img = workdir / "e.img"
    mke2fs(img, tree, "-t", "ext2", "-b", str(bs), "-L", "secos")
    before = sha(img)
    vm = boot_machine("kernel", memory="512M", extra_args=["-initrd", str(BUILD / "initrd.cpio")],
                      machine=machine, disks=[Disk(img, iface)])
    assert dev in text(vm, "lsblk")
    mount(vm, dev, "/mnt", "ext2", "ro")
    assert f"/dev/{dev} on /mnt type ext2 (ro)" in text(vm, "mount")
    assert hashes_in_secos(vm) == want
    out = bb(vm, "readlink /mnt/fast")
    assert "hello.txt" in out and "status=0" in out, out
    out = bb(vm, "ls /mnt/many")
    assert out.count(".txt") == 200, out[-2000:]
    row = [line.split() for line in text(vm, "df").splitlines() if line.startswith(f"/dev/{dev} ")]
    assert row and int(row[0][1]) == 32 * 1024, row
    assert int(row[0][2]) >= 13 * 1024, row
    for cmd in ("sh -c echo${IFS}x>/mnt/new.txt", "sh -c echo${IFS}x>>/mnt/hello.txt", "mkdir /mnt/d",
                "rm /mnt/hello.txt", "mv /mnt/hello.txt /mnt/other.txt", "rmdir /mnt/d1",
                "truncate -s 0 /mnt/big.bin", "chmod 600 /mnt/hello.txt"):
        out = bb(vm, cmd)
        assert "status=0" not in out, (cmd, out)
        assert "Read-only file system" in out, (cmd, out)
    assert text(vm, "umount /mnt") == ""
    assert sha(img) == before
    # Read-write (auto finds ext2): busybox changes it; the heap is where it was after the unmount.
    from test_memory import parse_mem
    heap = parse_mem(text(vm, "mem"))["heap in use"]
    assert text(vm, f"mount {dev} /mnt") == ""
    assert f"/dev/{dev} on /mnt type ext2 (rw)" in text(vm, "mount")
    for cmd in ("sh -c echo${IFS}x>/mnt/new.txt", "sh -c echo${IFS}x>>/mnt/hello.txt", "mkdir /mnt/d",
                "mv /mnt/many/f001.txt /mnt/d/moved.txt", "rm /mnt/many/f002.txt", "mkdir /mnt/e", "rmdir /mnt/e",
                "truncate -s 1000 /mnt/big.bin", "chmod 600 /mnt/hello.txt",
                "dd if=/dev/urandom of=/mnt/d/rand.bin bs=65536 count=64", f"mv /mnt/{DEEP.split('/')[0]} /mnt/d/",
                # written after its last name went: its blocks are freed at the close
                "sh -c (echo${IFS}a;rm${IFS}/mnt/gone;dd${IFS}if=/dev/zero${IFS}bs=4096${IFS}count=64)>/mnt/gone"):
        out = bb(vm, cmd)
        assert "status=0" in out, (cmd, out)
    out = bb(vm, "sha256sum /mnt/d/rand.bin")
    rand_sha = out.split()[out.split().index("/mnt/d/rand.bin") - 1]
    assert "bottom.txt" in bb(vm, f"ls /mnt/d/{DEEP}")
    assert text(vm, "umount /mnt") == ""
    assert parse_mem(text(vm, "mem"))["heap in use"] == heap
    vm.poweroff()
    p = subprocess.run(["e2fsck", "-fn", str(img)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert p.returncode == 0, p.stdout
    assert debugfs_cat(img, "/new.txt") == b"x\n"
    assert debugfs_cat(img, "/hello.txt") == b"hello ext2\nx\n"
    assert debugfs_mode(img, "/hello.txt") & 0o7777 == 0o600
    assert debugfs_cat(img, "/d/moved.txt") == b"file 1\n" * 2
    assert debugfs_cat(img, "/many/f001.txt") is None and debugfs_cat(img, "/many/f002.txt") is None
    assert debugfs_cat(img, "/e") is None and debugfs_cat(img, "/gone") is None
    assert debugfs_cat(img, "/big.bin") == (tree / "big.bin").read_bytes()[:1000]
    assert hashlib.sha256(debugfs_cat(img, "/d/rand.bin")).hexdigest() == rand_sha
    assert debugfs_cat(img, f"/d/{DEEP}/bottom.txt") == b"deep\n"


def hostile_images(d: Path) -> list[tuple[Path, str]]:
    """(image, what `mount` must print for it) for images refused at mount."""
    out = []
    ext4 = d / "ext4.img"
    mke2fs(ext4, None, "-t", "ext4", mib=8)
    out.append((ext4, "ext2: {}: refusing to mount: unsupported feature 'extent'"))
    trunc = d / "trunc.img"
    mke2fs(trunc, None, "-t", "ext2", "-b", "1024", mib=8)
    with open(trunc, "r+b") as f:
        f.truncate(4 << 20)
    out.append((trunc, "ext2: {}: refusing to mount: volume larger than its device (truncated?)"))
    magic = d / "magic.img"
    mke2fs(magic, None, "-t", "ext2", "-b", "1024", mib=8)
    with open(magic, "r+b") as f:
        f.seek(1024 + 56)
        f.write(b"\x54\xef")
    out.append((magic, "ext2: {}: refusing to mount: bad superblock magic"))
    isize = d / "isize.img"
    mke2fs(isize, None, "-t", "ext2", "-b", "1024", mib=8)
    with open(isize, "r+b") as f:
        f.seek(1024 + 88)
        f.write((1 << 15).to_bytes(2, "little"))
    out.append((isize, "ext2: {}: refusing to mount: bad inode size"))
    return out


def test_ext2_hostile_images_and_churn(boot_machine, workdir):
    from test_memory import parse_mem
    tree = workdir / "t"
    tree.mkdir()
    want = make_tree(tree)
    good = workdir / "good.img"
    mke2fs(good, tree, "-t", "ext2", "-b", "1024")
    broken = workdir / "broken.img"
    mke2fs(broken, tree, "-t", "ext2", "-b", "1024")
    debugfs_w(broken, f"ln / /{DEEP.split('/')[0]}/up")            # a directory loop
    debugfs_w(broken, "sif /hello.txt block[0] 99999999")        # a block out of range
    bad = hostile_images(workdir)
    disks = [Disk(good, "virtio", readonly=True), Disk(broken, "virtio")] + [Disk(p, "ahci") for p, _ in bad]
    vm = boot_machine("kernel", memory="512M", extra_args=["-initrd", str(BUILD / "initrd.cpio")],
                      machine="q35", disks=disks)   # virtio-blk takes 4 disks: the hostile ones on AHCI
    text(vm, "rfmkdir /mnt")
    text(vm, "rfmkdir /bad")
    names = ["sda", "sdb", "sdc", "sdd"]
    for name, (_, msg) in zip(names, bad):
        out = text(vm, f"mount {name} /bad ext2")
        assert msg.format(name) in out, out
        assert f"/dev/{name}" not in text(vm, "mount")
    # The damaged volume mounts; its damaged parts are I/O errors, the rest reads.
    assert text(vm, "mount vdb /bad") == ""
    out = bb(vm, "sha256sum /bad/hello.txt")
    assert "Input/output error" in out, out
    out = bb(vm, f"ls /bad/{DEEP.split('/')[0]}/up")
    assert "Input/output error" in out and "status=0" not in out, out
    out = bb(vm, "sha256sum /bad/many/f007.txt")
    assert want["/many/f007.txt"] in out, out
    assert text(vm, "umount /bad") == ""
    # Churn: mounts, reads and refusals, ten times; the heap exactly where it was.
    before = parse_mem(text(vm, "mem"))
    for i in range(10):
        assert text(vm, "mount vda /mnt ext2") == ""
        assert text(vm, "rfcat /mnt/hello.txt") == "hello ext2\n"
        out = bb(vm, "sh -c ls${IFS}-lR${IFS}/mnt>/dev/null;sha256sum${IFS}/mnt/many/f150.txt")
        assert want["/many/f150.txt"] in out and "status=0" in out, out
        assert "refusing to mount" in text(vm, "mount sda /bad ext2")
        assert text(vm, "umount /mnt") == ""
    after = parse_mem(text(vm, "mem"))
    assert after["heap in use"] == before["heap in use"], (before, after)
    assert abs(after["phys free"] - before["phys free"]) <= 16, (before, after)
    assert "[exfat]" not in text(vm, "mount vda /mnt")   # auto finds ext2
    assert f"/dev/vda on /mnt type ext2 (ro)" in text(vm, "mount")


def test_ext2_mount_on_the_command_line(boot_machine, workdir):
    """mount= at boot: an ext2 RAM disk (a boot module) mounted before the shell, `ro` as asked."""
    from test_fat import boot_with
    tree = workdir / "t"
    tree.mkdir()
    (tree / "hello.txt").write_bytes(b"boot mount\n")
    img = workdir / "d.img"
    mke2fs(img, tree, "-t", "ext2", "-b", "1024", mib=4)
    vm = boot_with(boot_machine, img, append="mount=ram0:/disk:ext2:ro")
    assert "[mount] ram0 on /disk (ext2" in vm.output
    assert text(vm, "vcat /disk/hello.txt") == "boot mount\n"
    assert "/dev/ram0 on /disk type ext2 (ro)" in text(vm, "mount")
