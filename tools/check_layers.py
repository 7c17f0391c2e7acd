#!/usr/bin/env python3
"""The layer check: every #include (and NASM %include) in the kernel, the
loader and user space must point down the layer order or stay in its own
folder. Exits 1 naming file:line for each include that points up (or
sideways between two subsystems), 0 when there is none.

    tools/check_layers.py [--root DIR] [--list]

The order, lowest first (docs/ARCHITECTURE.md says what each folder owns):

    lib, include/secos  <  boot  <  arch  <  mm  <  kernel
        <  fs, drivers, dspace (subsystems: never include each other)
        <  console, tests/kernel  <  init

A folder may include its own layer's folder and any folder below. Subsystems
are peers: one that needs another gets a hook registered at init. uefi/ (the
loader) and user/ are separate programs: they may use only lib/,
include/secos/ and themselves. Host tests (tests/unit, tests/fuzz) may
include anything: they exist to reach inside.
"""
import argparse
import os
import re
import sys

# folder -> rank; folders with the same rank are peers.
RANKS = {
    "lib": 0, "include/secos": 0,
    "boot": 1,
    "arch/x86_64": 2,
    "mm": 3,
    "kernel": 4,
    "fs": 5, "drivers": 5, "dspace": 5,
    "console": 6, "tests/kernel": 6,
    "init": 7,
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


def why(src, dst):
    if src in PROGRAMS:
        return f"{src}/ is a separate program: it may include only {', '.join(sorted(PROGRAMS[src]))} and itself"
    if dst in PROGRAMS:
        return f"{dst}/ is a separate program, not part of the kernel"
    if RANKS[dst] == RANKS[src]:
        return f"{src} and {dst} are peers: register a hook at init instead"
    return f"{src} (layer {RANKS[src]}) includes {dst} (layer {RANKS[dst]}), which is above it"


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


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    ap.add_argument("--list", action="store_true", help="print every folder-to-folder edge")
    args = ap.parse_args()
    problems, edges = scan(os.path.abspath(args.root))
    if args.list:
        for s, d in sorted(edges):
            if s != d:
                print(f"{s} -> {d}")
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f"check_layers: FAIL - {len(problems)} include(s) against the layer order", file=sys.stderr)
        return 1
    print(f"check_layers: ok - {len(edges)} folder edges, all pointing down the layer order")
    return 0


if __name__ == "__main__":
    sys.exit(main())
