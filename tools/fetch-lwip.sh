#!/usr/bin/env bash
# Fetches lwIP from Debian's `lwip` source package into DIR (default
# build/lwip), applies Debian's patches, then ours (tools/lwip-patches/*.patch,
# in name order): the network server (user/netd/) and its fuzz target
# (tests/fuzz/fuzz_lwip.c) are built from it. No repository address is
# written anywhere: the source list is derived from this machine's own apt
# sources (deb -> deb-src) in a temporary directory, and apt checks the
# package against Debian's signed index as for any package.
#
# Idempotent: DIR/.secos-fetched names the Debian version fetched (and
# Debian's patches applied), DIR/.secos-patches lists our patches applied
# ("<name> <sha256>" a line). A complete tree with every patch is left alone;
# one fetched before a patch was added gets the missing ones; one whose
# applied patches no longer match tools/lwip-patches/ (a patch changed or
# was removed) is fetched again. Runs one at a time (flock on this script).
#
# Our patches (each file's header says what and why; docs/SECURITY.md lists
# the lwIP fixes after 2.1.3 considered for the modules netd builds):
#   0001-tcp-receive-trim-offset.patch  tcp_in.c: a segment 2^31 before
#        rcv_nxt failed LWIP_ASSERT("insane offset!") (found by make fuzz)
#
# usage: tools/fetch-lwip.sh [DIR]
# Exit 0 when DIR/src/core/init.c exists afterwards with every patch; 1 (with
# the reason on stderr) when apt cannot fetch the source (no network, no deb
# sources) or a patch does not apply.
set -euo pipefail

dir=${1:-build/lwip}
[ "${dir#-}" = "$dir" ] || { echo "usage: tools/fetch-lwip.sh [DIR]" >&2; exit 2; }
patches=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lwip-patches
want=''
for p in "$patches"/*.patch; do
    [ -f "$p" ] || continue
    want+="$(basename "$p") $(sha256sum < "$p" | cut -d' ' -f1)"$'\n'
done
have() { cat "$dir/.secos-patches" 2>/dev/null || true; }
fetched() { [ -f "$dir/src/core/init.c" ] && [ -f "$dir/.secos-fetched" ]; }
complete() { fetched && [ "$(have)" = "${want%$'\n'}" ]; }
complete && exit 0

exec 9<"${BASH_SOURCE[0]}"
flock 9                 # netd's build and the fuzz target's may ask at once
complete && exit 0

# Applies the patches of $want that $dir does not have yet, recording each.
apply_ours() {
    local line name
    while IFS= read -r line; do
        [ -n "$line" ] || continue
        grep -qxF "$line" "$dir/.secos-patches" 2>/dev/null && continue
        name=${line%% *}
        if ! patch -s -p1 -N --dry-run -d "$dir" < "$patches/$name" >/dev/null 2>&1; then
            echo "fetch-lwip: $name does not apply to $dir" >&2
            return 1
        fi
        patch -s -p1 -N -d "$dir" < "$patches/$name"
        echo "$line" >> "$dir/.secos-patches"
        echo "fetch-lwip: applied $name"
    done <<<"$want"
}

if fetched; then
    # Only additions since the tree was patched: the rest is there.
    if [ "$(have)" = "$(printf '%s' "$want" | head -n "$(have | wc -l)")" ]; then
        apply_ours
        exit
    fi
    echo "fetch-lwip: the patches applied to $dir differ from tools/lwip-patches/: fetching again"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/secos-lwip.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/parts" "$tmp/lists/partial" "$tmp/src"
n=0
for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    sed 's/^Types:.*$/Types: deb-src/' "$f" > "$tmp/parts/$n.sources"
    n=$((n + 1))
done
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    sed -n 's/^deb \(.*\)$/deb-src \1/p' "$f" > "$tmp/parts/$n.list"
    n=$((n + 1))
done
[ "$n" -gt 0 ] || { echo "fetch-lwip: no apt sources on this machine" >&2; exit 1; }
apt_opts=(-q -o "Dir::Etc::SourceList=$tmp/none.list" -o "Dir::Etc::SourceParts=$tmp/parts"
          -o "Dir::State::Lists=$tmp/lists" -o "Debug::NoLocking=1" -o "APT::Sandbox::User=root")
touch "$tmp/none.list"
echo "fetch-lwip: apt-get source lwip (Debian's package, through this machine's apt sources)"
if ! apt-get "${apt_opts[@]}" update > "$tmp/update.log" 2>&1; then
    echo "fetch-lwip: apt-get update of the deb-src lists failed:" >&2; tail -5 "$tmp/update.log" >&2; exit 1
fi
if ! (cd "$tmp/src" && apt-get "${apt_opts[@]}" source --download-only lwip > "$tmp/source.log" 2>&1); then
    echo "fetch-lwip: apt-get source lwip failed:" >&2; tail -5 "$tmp/source.log" >&2; exit 1
fi
orig=$(ls "$tmp"/src/lwip_*.orig.tar.* | head -1)
deb=$(ls "$tmp"/src/lwip_*.debian.tar.* | head -1)
mkdir -p "$tmp/x"
tar -xf "$orig" -C "$tmp/x"
top=$(find "$tmp/x" -mindepth 1 -maxdepth 1 -type d | head -1)
tar -xf "$deb" -C "$top"
if [ -f "$top/debian/patches/series" ]; then
    while read -r p; do
        case "$p" in ''|'#'*) continue ;; esac
        patch -s -p1 -d "$top" < "$top/debian/patches/$p"
    done < "$top/debian/patches/series"
fi
rm -rf "$dir"
mkdir -p "$(dirname "$dir")"
mv "$top" "$dir"
basename "$(ls "$tmp"/src/*.dsc)" .dsc > "$dir/.secos-fetched"
: > "$dir/.secos-patches"
echo "fetch-lwip: $(cat "$dir/.secos-fetched") in $dir"
apply_ours
