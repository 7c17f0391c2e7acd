#!/usr/bin/env bash
# Fetches lwIP from Debian's `lwip` source package into DIR (default
# build/lwip) and applies Debian's patches: the network server (user/netd/)
# is built from it. No repository address is written anywhere: the source
# list is derived from this machine's own apt sources (deb -> deb-src) in a
# temporary directory, and apt checks the package against Debian's signed
# index as for any package. Idempotent: a complete DIR is left alone.
#
# usage: tools/fetch-lwip.sh [DIR]
# Exit 0 when DIR/src/core/init.c exists afterwards; 1 (with the reason on
# stderr) when apt cannot fetch the source (no network, no deb sources).
set -euo pipefail

dir=${1:-build/lwip}
[ "${dir#-}" = "$dir" ] || { echo "usage: tools/fetch-lwip.sh [DIR]" >&2; exit 2; }
[ -f "$dir/src/core/init.c" ] && [ -f "$dir/.secos-fetched" ] && exit 0

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
echo "fetch-lwip: $(cat "$dir/.secos-fetched") in $dir"
