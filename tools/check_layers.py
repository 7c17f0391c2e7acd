#!/usr/bin/env python3
"""The layer check: every #include (and NASM %include) in the kernel, the
loader and user space must point down the layer order or stay in its own
folder. Exits 1 naming file:line for each include that points up (or
sideways between two subsystems), 0 when there is none.

    tools/check_layers.py [--root DIR] [--list] [--objects BUILD/k/...o ...]

With --objects (make check passes the kernel's objects) it also reads each
object's undefined symbols (nm) and fails on a call or reference by name to
a symbol defined in a higher layer or in a peer subsystem: a lower layer
reaches up only through hooks registered at init. Allowed by design: the
compiler's stack-protector symbols, the boot stub's jump to kernel_main, and
generated data ($(BUILD)/k/gen: font, version, embedded programs).

The order, lowest first (docs/ARCHITECTURE.md says what each folder owns):

    lib, include/secos  <  boot  <  arch  <  mm  <  kernel  <  block, net
        <  fs, drivers, dspace (subsystems: never include each other)
        <  tty, socket  <  console, tests/kernel  <  init

A folder may include its own layer's folder and any folder below. Subsystems
are peers: one that needs another gets a hook registered at init. uefi/ (the
loader) and user/ are separate programs: they may use only lib/,
include/secos/ and themselves. Host tests (tests/unit, tests/fuzz) may
include anything: they exist to reach inside.
"""
import argparse
import os
import re
import subprocess
import sys

# folder -> rank; folders with the same rank are peers.
RANKS = {
    "lib": 0, "include/secos": 0,
    "boot": 1,
    "arch/x86_64": 2,
    "mm": 3,
    "kernel": 4,
    "block": 5, "net": 5,
    "fs": 6, "drivers": 6, "dspace": 6,
    "tty": 7, "socket": 7,
    "console": 8, "tests/kernel": 8,
    "init": 9,
}
# Peers that may include each other (none of the subsystems may): lib and the
# user ABI headers are both the bottom, shared by every program.
PEER_OK = {frozenset({"console", "tests/kernel"}), frozenset({"lib", "include/secos"})}
# Separate programs: what each may include besides itself.
PROGRAMS = {
    "uefi": {"lib", "include/secos"},
    "user": {"lib", "include/secos"},
}
# Extra include directories of the build (-I flags) per source folder.
SEARCH = {
    "arch/x86_64": ["arch/x86_64"],   # NASMFLAGS -Iarch/x86_64/
    "user": ["user/lib"],             # USER_CFLAGS -Iuser/lib
}
SOURCE_EXT = (".c", ".h", ".asm", ".inc")
INCLUDE_RE = re.compile(r'^\s*(?:#\s*include|%include)\s+"([^"]+)"')


def folder_of(path):
    """The layer folder a repository path belongs to, or None."""
    for f in sorted(list(RANKS) + list(PROGRAMS), key=len, reverse=True):
        if path == f or path.startswith(f + "/"):
            return f
    return None


def resolve(root, includer, name):
    """Repository path the include names, or None (generated or system)."""
    src_folder = folder_of(includer)
    candidates = [name, os.path.join(os.path.dirname(includer), name), os.path.join("include", name)]
    candidates += [os.path.join(d, name) for d in SEARCH.get(src_folder, [])]
    for c in candidates:
        c = os.path.normpath(c)
        if os.path.isfile(os.path.join(root, c)):
            return c
    return None


def allowed(src, dst):
    if src == dst:
        return True
    if src in PROGRAMS:
        return dst in PROGRAMS[src]
    if dst in PROGRAMS:
        return False
    if RANKS[dst] < RANKS[src]:
        return True
    return RANKS[dst] == RANKS[src] and frozenset({src, dst}) in PEER_OK


def why(src, dst, verb="includes"):
    if src in PROGRAMS:
        return f"{src}/ is a separate program: it may include only {', '.join(sorted(PROGRAMS[src]))} and itself"
    if dst in PROGRAMS:
        return f"{dst}/ is a separate program, not part of the kernel"
    if RANKS[dst] == RANKS[src]:
        return f"{src} and {dst} are peers: register a hook at init instead"
    return f"{src} (layer {RANKS[src]}) {verb} {dst} (layer {RANKS[dst]}), which is above it"


def scan(root):
    problems, edges = [], set()
    for top in sorted(set(f.split("/")[0] for f in list(RANKS) + list(PROGRAMS))):
        for dirpath, _, files in os.walk(os.path.join(root, top)):
            for fn in sorted(files):
                if not fn.endswith(SOURCE_EXT):
                    continue
                path = os.path.relpath(os.path.join(dirpath, fn), root)
                src = folder_of(path)
                if src is None:
                    continue  # e.g. tests/unit, tests/fuzz: host tests may include anything
                with open(os.path.join(root, path), errors="replace") as f:
                    for lineno, line in enumerate(f, 1):
                        m = INCLUDE_RE.match(line)
                        if not m:
                            continue
                        target = resolve(root, path, m.group(1))
                        if target is None:
                            continue  # generated ($(BUILD)/gen) or a toolchain header
                        dst = folder_of(target)
                        if dst is None:
                            problems.append(f"{path}:{lineno}: includes \"{m.group(1)}\", "
                                            f"which is in no layer ({target})")
                            continue
                        edges.add((src, dst))
                        if not allowed(src, dst):
                            problems.append(f"{path}:{lineno}: #include \"{m.group(1)}\": {why(src, dst)}")
    return problems, edges


LINK_ALLOWED = {"__stack_chk_fail", "__stack_chk_guard", "kernel_main"}


def object_folder(obj):
    """Layer folder of $(BUILD)/k/<folder>/x.o, or "gen" for generated code."""
    parts = obj.replace("\\", "/").split("/")
    if "k" not in parts:
        return None
    rel = "/".join(parts[parts.index("k") + 1:])
    return "gen" if rel.startswith("gen/") else folder_of(rel)


def scan_objects(objects):
    defined, undefined = {}, {}
    for obj in objects:
        out = subprocess.run(["nm", obj], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            f = line.split()
            if len(f) == 3 and f[1] in "TDRBCV":
                defined[f[2]] = obj
            elif len(f) == 2 and f[0] == "U":
                undefined.setdefault(obj, []).append(f[1])
    problems = []
    for obj, names in sorted(undefined.items()):
        src = object_folder(obj)
        if src in (None, "gen"):
            continue
        for name in names:
            if name in LINK_ALLOWED or name not in defined:
                continue
            dst = object_folder(defined[name])
            if dst in (None, "gen") or allowed(src, dst):
                continue
            problems.append(f"{obj}: uses {name} from {defined[name]}: {why(src, dst, 'reaches by name into')}")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    ap.add_argument("--list", action="store_true", help="print every folder-to-folder edge")
    ap.add_argument("--objects", nargs="*", default=[], help="kernel objects to check symbol by symbol")
    args = ap.parse_args()
    problems, edges = scan(os.path.abspath(args.root))
    problems += scan_objects(args.objects)
    if args.list:
        for s, d in sorted(edges):
            if s != d:
                print(f"{s} -> {d}")
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f"check_layers: FAIL - {len(problems)} include(s) against the layer order", file=sys.stderr)
        return 1
    linked = f", {len(args.objects)} objects' symbols" if args.objects else ""
    print(f"check_layers: ok - {len(edges)} folder edges{linked}, all pointing down the layer order")
    return 0


if __name__ == "__main__":
    sys.exit(main())
