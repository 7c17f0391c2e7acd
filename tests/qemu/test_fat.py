"""FAT12/16/32 on a RAM disk (block/ramdisk.c: a boot module named *.img),
mounted with the console's `mount`: images made on the host by mkfs.fat +
mtools, read in SECoS by busybox and compared with the host; files written in
SECoS read back on the host (the console's `diskdump`, test configuration,
sends the disk's non-zero sectors) and checked by fsck.fat -n; hostile images
refused or answered with errors; read-only mounts, busy unmounts, who may
mount, `df`, `mount=` on the command line."""
from __future__ import annotations

import base64
import hashlib
import os
import random
import re
import shutil
import struct
import subprocess
import tempfile
from pathlib import Path

import pytest

from secos import BUILD

MTOOLS_ENV = dict(os.environ, MTOOLS_SKIP_CHECK="1", LC_ALL="C.UTF-8")
LONG_ASCII = "L" * 251 + ".txt"                       # 255 bytes: VFS_NAME_MAX
UNICODE = "Ünïcødé façade – 日本語 ✓ naïve.txt"
TOO_LONG = "n" * 256

pytestmark = pytest.mark.skipif(not shutil.which("mkfs.fat") or not shutil.which("mcopy"),
                                reason="needs dosfstools and mtools (tools/deps.sh)")


def sh(*args, **kw):
    return subprocess.run(args, check=True, env=MTOOLS_ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def text(vm, line, timeout=300.0):
    return vm.run(line, timeout=timeout).encode("latin-1").decode("utf-8")


def bb(vm, cmd, timeout=300.0):
    """A busybox command line (no spaces inside arguments: ${IFS} in sh -c)."""
    return text(vm, f"run /bin/busybox {cmd}", timeout)


@pytest.fixture
def workdir():
    d = Path(tempfile.mkdtemp(prefix="sf"))   # short: boot module names keep 63 bytes
    yield d
    shutil.rmtree(d, ignore_errors=True)


def make_image(path: Path, fat: int, kib: int, extra=()):
    sh("mkfs.fat", "-C", "-F", str(fat), *extra, str(path), str(kib))


def put(img: Path, src: Path, dest: str):
    sh("mcopy", "-i", str(img), str(src), "::" + dest)


def populate(img: Path, d: Path, fat: int) -> dict[str, str]:
    """The test tree; returns {path below the mount: sha256}."""
    rng = random.Random(fat)
    want = {}

    def add(dest, data):
        src = d / "src"
        src.write_bytes(data)
        put(img, src, dest)
        want[dest] = hashlib.sha256(data).hexdigest()

    big = {32: 9 << 20, 16: 4 << 20, 12: 300 << 10}[fat]
    add("/big.bin", rng.randbytes(big))
    sh("mmd", "-i", str(img), "::/many")
    small = d / "small"
    small.mkdir()
    for i in range(200):
        data = rng.randbytes(rng.randrange(0, 3000))
        (small / f"file{i:03d}.dat").write_bytes(data)
        want[f"/many/file{i:03d}.dat"] = hashlib.sha256(data).hexdigest()
    sh("mcopy", "-i", str(img), *[str(p) for p in sorted(small.iterdir())], "::/many/")
    path = ""
    for level in range(1, 21):
        path += f"/level{level:02d}"
        sh("mmd", "-i", str(img), "::" + path)
    add(path + "/bottom.txt", b"twenty levels down\n")
    add("/" + LONG_ASCII, b"a 255-byte name\n")
    add("/" + UNICODE, "non-ASCII UTF-8 name ✓\n".encode())
    add("/README.TXT", b"an 8.3 name\n")
    return want


def boot_with(boot_machine, *images: Path, append: str | None = None):
    modules = ",".join([str(BUILD / "initrd.cpio")] + [str(i) for i in images])
    args = ["-initrd", modules] + (["-append", append] if append else [])
    vm = boot_machine("kernel", memory="512M", extra_args=args)
    for n in range(len(images)):
        assert f"[ramdisk] ram{n}: boot module" in vm.output
    return vm


def mount(vm, dev="ram0", where="/mnt", *opts):
    text(vm, f"rfmkdir {where}")
    assert text(vm, f"mount {dev} {where} {' '.join(opts)}".strip()) == ""


def hashes_in_secos(vm, where="/mnt") -> dict[str, str]:
    out = bb(vm, f"find {where} -type f -exec sha256sum {{}} +", timeout=600)
    got = {}
    for line in out.splitlines():
        m = re.match(r"^([0-9a-f]{64})  (.*)$", line)
        if m:
            got[m.group(2)[len(where):]] = m.group(1)
    assert "[EXIT] pid=" in out and "status=0" in out, out[-2000:]
    return got


def dump_disk(vm, dev: str, size: int, out: Path):
    """The RAM disk's bytes through `diskdump` (non-zero sectors, base64)."""
    lines = text(vm, f"diskdump {dev}", timeout=900)
    img = bytearray(size)
    end = None
    for line in lines.splitlines():
        if line.startswith("S "):
            _, lba, b64 = line.split(" ")
            img[int(lba) * 512:int(lba) * 512 + 512] = base64.b64decode(b64)
        elif line.startswith("END "):
            end = int(line.split()[1])
    assert end == size // 512, lines[-500:]
    out.write_bytes(bytes(img))


def fsck_clean(img: Path):
    p = subprocess.run(["fsck.fat", "-n", str(img)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert p.returncode == 0, p.stdout
    return p.stdout


def bpb_numbers(img: Path):
    b = img.read_bytes()[:512]
    bps, spc, res, nfats, root = struct.unpack_from("<HBHBH", b, 11)
    total = struct.unpack_from("<H", b, 19)[0] or struct.unpack_from("<I", b, 32)[0]
    fatsz = struct.unpack_from("<H", b, 22)[0] or struct.unpack_from("<I", b, 36)[0]
    data = total - res - nfats * fatsz - (root * 32 + bps - 1) // bps
    return bps * spc, data // spc


def host_free_bytes(img: Path) -> int:
    out = sh("mdir", "-i", str(img), "::/").stdout.decode()
    m = re.search(r"([\d ]+) bytes free", out)
    return int(m.group(1).replace(" ", ""))


# --- reading what the host wrote ---------------------------------------------------------------

@pytest.mark.parametrize("fat,kib", [(32, 48 * 1024), (16, 16 * 1024), (12, 2 * 1024)])
def test_host_files_read_in_secos(boot_machine, workdir, fat, kib):
    img = workdir / "d.img"
    make_image(img, fat, kib)
    want = populate(img, workdir, fat)
    vm = boot_with(boot_machine, img)
    mount(vm)
    assert "/dev/ram0 on /mnt type vfat (rw)" in text(vm, "mount")
    got = hashes_in_secos(vm)
    assert got == want
    # df: the host's cluster size, count and free space.
    cs, clusters = bpb_numbers(img)
    df = text(vm, "df").splitlines()[1].split()
    assert df[0] == "/dev/ram0" and df[5] == "/mnt"
    assert int(df[1]) == clusters * cs // 1024
    assert int(df[3]) == host_free_bytes(img) // 1024
    out = bb(vm, "stat -f -c %S:%b:%f /mnt")   # statfs(2): block size, blocks, free
    assert f"{cs}:{clusters}:{host_free_bytes(img) // cs}" in out
    assert text(vm, "umount /mnt") == ""
    assert text(vm, "mount") == ""


# --- writing what the host reads ----------------------------------------------------------------

@pytest.mark.parametrize("fat,kib,extra", [(32, 40 * 1024, ()), (16, 16 * 1024, ()), (12, 6 * 1024, ("-s", "4"))])
def test_secos_writes_read_on_host(boot_machine, workdir, fat, kib, extra):
    img = workdir / "d.img"
    make_image(img, fat, kib, extra)
    (workdir / "seed").write_bytes(b"from the host\n")
    put(img, workdir / "seed", "/seed.txt")
    # Console lines hold 256 characters: the steps run from a script on the disk.
    steps = [
        "echo appended >> /mnt/seed.txt",
        "mkdir -p /mnt/a/b/c/d",
        "cp /bin/busybox /mnt/a/b/c/d/bb",
        "mv /mnt/a/b/c/d/bb /mnt/moved.bin",
        f"echo long > '/mnt/{LONG_ASCII}'",
        "echo x > /mnt/gone; rm /mnt/gone; mkdir /mnt/e; rmdir /mnt/e",
        "echo 0123456789 > /mnt/cut; truncate -s 4 /mnt/cut",
        "mv /mnt/a/b /mnt/b-moved",
        f"touch '/mnt/{UNICODE}'",
        # Past the limits: a 256-byte name, a name FAT cannot hold.
        f"if touch /mnt/{TOO_LONG} 2>/mnt/err1; then exit 1; fi",
        "if touch /mnt/a:b 2>/mnt/err2; then exit 1; fi",
        "echo steps-done",
    ]
    script = workdir / "steps.sh"
    script.write_text("set -e\n" + "\n".join(steps) + "\n", encoding="utf-8")
    put(img, script, "/steps.sh")
    vm = boot_with(boot_machine, img)
    mount(vm)
    out = bb(vm, "sh /mnt/steps.sh")
    assert "steps-done" in out, out
    assert "File name too long" in bb(vm, "cat /mnt/err1")
    assert "Invalid argument" in bb(vm, "cat /mnt/err2")
    busybox_bytes = (BUILD / "initrd" / "bin" / "busybox")
    assert text(vm, "umount /mnt") == ""
    out = workdir / "out.img"
    dump_disk(vm, "ram0", img.stat().st_size, out)
    fsck_clean(out)

    def host_read(p):
        dest = workdir / "got"
        if dest.exists():
            dest.unlink()
        sh("mcopy", "-n", "-i", str(out), "::" + p, str(dest))
        return dest.read_bytes()

    assert host_read("/seed.txt") == b"from the host\nappended\n"
    bb_bytes = busybox_bytes.read_bytes() if busybox_bytes.exists() else Path("/bin/busybox").read_bytes()
    assert host_read("/moved.bin") == bb_bytes
    assert host_read("/" + LONG_ASCII) == b"long\n"
    assert host_read("/cut") == b"0123"
    assert host_read("/" + UNICODE) == b""
    listing = sh("mdir", "-i", str(out), "-/", "::/").stdout.decode()
    assert "gone" not in listing and " e " not in listing
    sh("mdir", "-i", str(out), "::/b-moved/c/d")   # moved with its subtree
    sh("mdir", "-i", str(out), "::/a")


def model_ops(rng: random.Random, count: int = 600):
    """A seeded sequence of `count` shell operations (create, append, overwrite,
    truncate, rename, delete, mkdir, rmdir) under /mnt/w, and the model: the
    files (path under /w -> bytes) and directories they leave. Shared with
    test_disk_churn.py."""
    names = [f"f{i}" for i in range(12)] + ["a long file name number " + str(i) for i in range(6)] + \
        ["ünï" + str(i) for i in range(3)]
    dirs = ["/w", "/w/d1", "/w/d2", "/w/d1/sub"]
    files: dict[str, bytes] = {}
    live_dirs = {"/w"}
    ops = ["mkdir -p /mnt/w"]
    while len(ops) < count + 1:
        op = rng.choice(["create", "create", "append", "overwrite", "truncate", "rename", "delete", "mkdir", "rmdir"])
        if op == "mkdir":
            d = rng.choice(dirs[1:])
            parent = d.rsplit("/", 1)[0]
            if d in live_dirs or parent not in live_dirs or d in files:
                continue
            ops.append(f"mkdir '/mnt{d}'")
            live_dirs.add(d)
            continue
        if op == "rmdir":
            d = rng.choice(dirs[1:])
            if d not in live_dirs or any(p.startswith(d + "/") for p in list(files) + list(live_dirs)):
                continue
            ops.append(f"rmdir '/mnt{d}'")
            live_dirs.discard(d)
            continue
        d = rng.choice(sorted(live_dirs))
        p = d + "/" + rng.choice(names)
        if p in live_dirs:
            continue
        data = bytes(rng.choice(b"abcxyz") for _ in range(1)) * rng.randrange(0, 2500)
        if op in ("create", "overwrite"):
            ops.append(f"printf '{data.decode()}' > '/mnt{p}'")
            files[p] = data
        elif op == "append" and p in files:
            ops.append(f"printf '{data.decode()}' >> '/mnt{p}'")
            files[p] += data
        elif op == "truncate" and p in files:
            size = rng.randrange(0, 4000)
            ops.append(f"truncate -s {size} '/mnt{p}'")
            files[p] = files[p][:size] + bytes(max(0, size - len(files[p])))
        elif op == "delete" and p in files:
            ops.append(f"rm '/mnt{p}'")
            del files[p]
        elif op == "rename" and p in files:
            q = rng.choice(sorted(live_dirs)) + "/" + rng.choice(names)
            if q in live_dirs or q == p:
                continue
            ops.append(f"mv '/mnt{p}' '/mnt{q}'")
            files[q] = files.pop(p)
    return ops, files, live_dirs


def test_random_operations_match_model(boot_machine, workdir):
    """A seeded sequence of 600 operations (create, append, overwrite, truncate,
    rename, delete, mkdir, rmdir), run by busybox sh in SECoS from a
    script on the disk, checked against a model; fsck.fat -n clean after."""
    rng = random.Random(1234)
    img = workdir / "d.img"
    make_image(img, 32, 40 * 1024)
    ops, files, live_dirs = model_ops(rng)
    assert len(ops) >= 500
    script = workdir / "ops.sh"
    script.write_text("set -e\n" + "\n".join(ops) + "\necho ops-done\n", encoding="utf-8")
    put(img, script, "/ops.sh")
    vm = boot_with(boot_machine, img)
    mount(vm)
    out = bb(vm, "sh /mnt/ops.sh", timeout=900)
    assert "ops-done" in out, out[-3000:]
    got = hashes_in_secos(vm, "/mnt/w")
    assert got == {p[2:]: hashlib.sha256(b).hexdigest() for p, b in files.items()}
    assert text(vm, "umount /mnt") == ""
    res = workdir / "out.img"
    dump_disk(vm, "ram0", img.stat().st_size, res)
    fsck_clean(res)
    tree = workdir / "tree"
    tree.mkdir()
    sh("mcopy", "-s", "-n", "-i", str(res), "::/w", str(tree))
    host = {}
    for root, _, fs in os.walk(tree):
        for f in fs:
            full = Path(root) / f
            host["/" + str(full.relative_to(tree))] = full.read_bytes()
    assert host == files
    for d in live_dirs:
        assert (tree / d[1:]).is_dir(), d


# --- hostile images ---------------------------------------------------------------------------

def entry_offset(data: bytes, sfn: bytes) -> int:
    i = data.find(sfn)
    while i >= 0 and i % 32:
        i = data.find(sfn, i + 1)
    assert i >= 0, sfn
    return i


def hostile_images(d: Path) -> dict[str, Path]:
    base = d / "base.img"
    make_image(base, 32, 34 * 1024, ["-s", "1"])
    (d / "h").write_bytes(b"hello\n" * 100)
    put(base, d / "h", "/HELLO.TXT")
    sh("mmd", "-i", str(base), "::/SUB")
    put(base, d / "h", "/SUB/INNER.TXT")
    raw = base.read_bytes()
    out = {}

    def variant(name, data):
        p = d / f"{name}.img"
        p.write_bytes(bytes(data))
        out[name] = p

    variant("truncated", raw[:len(raw) // 2])
    z = bytearray(raw)
    z[11:13] = b"\0\0"                      # 0 bytes per sector
    variant("zero-bps", z)
    h = bytearray(raw)
    h[13] = 0                               # 0 sectors per cluster
    h[16] = 200                             # 200 FATs
    variant("huge-bpb", h)
    c = bytearray(raw)
    e = entry_offset(c, b"HELLO   TXT")
    clus = struct.unpack_from("<H", c, e + 26)[0] | struct.unpack_from("<H", c, e + 20)[0] << 16
    res = struct.unpack_from("<H", c, 14)[0]
    for k in range(2):                      # both FAT copies: the file's cluster points to itself
        fat = res * 512 + k * struct.unpack_from("<I", c, 36)[0] * 512
        struct.pack_into("<I", c, fat + 4 * clus, clus)
    variant("cyclic", c)
    s = bytearray(raw)
    e = entry_offset(s, b"SUB        ")
    struct.pack_into("<H", s, e + 26, 2)    # /SUB is the root: a directory inside itself
    struct.pack_into("<H", s, e + 20, 0)
    variant("self-dir", s)
    b = bytearray(raw)
    e = entry_offset(b, b"HELLO   TXT")
    struct.pack_into("<I", b, e + 28, 50 << 20)   # 50 MiB in a one-cluster chain
    variant("size-past-chain", b)
    return out


def test_hostile_images_refused_or_errors(boot_machine, workdir):
    imgs = hostile_images(workdir)
    order = ["truncated", "zero-bps", "huge-bpb", "cyclic", "self-dir", "size-past-chain"]
    for first in (0, 3):
        batch = order[first:first + 3]
        vm = boot_with(boot_machine, *[imgs[n] for n in batch])
        for i, name in enumerate(batch):
            where = f"/m{i}"
            text(vm, f"rfmkdir {where}")
            out = text(vm, f"mount ram{i} {where}")
            if name in ("truncated", "zero-bps", "huge-bpb"):
                assert "no such device, or no file system" in out or "not a valid" in out, (name, out)
                continue
            assert out == "", (name, out)
            res = bb(vm, f"find {where} -type f -exec cat {{}} +", timeout=600)
            assert "[EXIT]" in res, (name, res[-1000:])
            if name in ("cyclic", "size-past-chain"):
                assert "I/O error" in res or "status=1" in res, (name, res[-1000:])
            assert text(vm, f"umount {where}") == ""
        assert text(vm, "echo alive") == "alive\n"


# --- rules -------------------------------------------------------------------------------------

def test_readonly_busy_and_who_may_mount(boot_machine, workdir):
    img = workdir / "d.img"
    make_image(img, 16, 16 * 1024)
    (workdir / "h").write_bytes(b"hi\n")
    put(img, workdir / "h", "/hi.txt")
    vm = boot_with(boot_machine, img)
    mount(vm, "ram0", "/mnt", "ro")
    assert "(ro)" in text(vm, "mount")
    for cmd in ("touch /mnt/new", "rm /mnt/hi.txt", "mkdir /mnt/d", "mv /mnt/hi.txt /mnt/x",
                "sh -c echo>>/mnt/hi.txt", "truncate -s 0 /mnt/hi.txt"):
        assert "Read-only file system" in bb(vm, cmd), cmd
    assert bb(vm, "cat /mnt/hi.txt").startswith("hi\n")
    # The same device twice, a missing device, an unknown type.
    assert "busy" in text(vm, "mount ram0 /mnt") or "Device or resource busy" in text(vm, "mount ram0 /mnt")
    assert "no such device" in text(vm, "mount ram9 /proc")
    assert text(vm, "umount /mnt") == ""
    # A working directory on it keeps it mounted.
    mount(vm)
    assert text(vm, "rfcd /mnt") == ""
    assert "busy" in text(vm, "umount /mnt")
    assert text(vm, "rfcd /") == ""
    assert text(vm, "umount /mnt") == ""
    assert "not a disk mount point" in text(vm, "umount /mnt")
    # A Linux program may not mount or unmount (fail closed).
    text(vm, "rfmkdir /m2")
    assert "permission denied" in bb(vm, "mount -t vfat /dev/ram0 /m2")   # busybox's words for EPERM
    mount(vm)
    out = bb(vm, "umount /mnt")
    assert "Operation not permitted" in out or "permission denied" in out, out
    assert text(vm, "umount /mnt") == ""
    assert text(vm, "mount") == ""


def test_mount_on_the_command_line(boot_machine, workdir):
    img = workdir / "d.img"
    make_image(img, 12, 1024)
    (workdir / "h").write_bytes(b"boot mount\n")
    put(img, workdir / "h", "/hello.txt")
    vm = boot_with(boot_machine, img, append="mount=ram0:/disk:vfat:ro mount=bad mount=ram7:/x")
    assert "[mount] ram0 on /disk (vfat, ro)" in vm.output
    assert "[mount] error: mount=bad" in vm.output
    assert "[mount] error: mount=ram7:/x" in vm.output
    assert text(vm, "vcat /disk/hello.txt") == "boot mount\n"
    assert "/dev/ram0 on /disk type vfat (ro)" in text(vm, "mount")


def test_poweroff_unmounts(boot_machine, workdir):
    """poweroff writes back and unmounts every disk first; one that is busy
    (the console's working directory) is synced and named."""
    img = workdir / "d.img"
    make_image(img, 12, 1024)
    vm = boot_with(boot_machine, img)
    mount(vm)
    assert text(vm, "rfcd /mnt") == ""
    vm.poweroff(timeout=60)
    assert "[mount] ram0 on /mnt stays mounted (busy" in vm.output
    assert "synced" in vm.output


def test_mount_churn_leaks_nothing(boot_machine, workdir):
    """Mounts, file operations through the console and unmounts, ten times:
    the heap is exactly where it was, the free frames within a few pages."""
    from test_memory import parse_mem
    img = workdir / "d.img"
    make_image(img, 16, 16 * 1024)
    vm = boot_with(boot_machine, img)
    mount(vm)
    assert text(vm, "umount /mnt") == ""
    before = parse_mem(text(vm, "mem"))
    for i in range(10):
        assert text(vm, "mount ram0 /mnt") == ""
        assert text(vm, f"rfadd /mnt/file{i} some text") == ""
        assert text(vm, f"rfmkdir /mnt/dir{i}") == ""
        assert text(vm, f"rfmv /mnt/file{i} /mnt/dir{i}/moved") == ""
        assert text(vm, f"rfcat /mnt/dir{i}/moved") == "some text\n"
        assert text(vm, f"rfdel /mnt/dir{i}/moved") == ""
        assert text(vm, f"rfrmdir /mnt/dir{i}") == ""
        assert text(vm, "umount /mnt") == ""
    after = parse_mem(text(vm, "mem"))
    assert after["heap in use"] == before["heap in use"], (before, after)
    # Frames: the heap keeps a few partly used pages (test_heap_release says why).
    assert abs(after["phys free"] - before["phys free"]) <= 16, (before, after)
