#!/usr/bin/env bash
# Builds and runs the host fuzzers (tests/fuzz/, rules in tests/fuzz/fuzz.mk).
#
#   tools/fuzz.sh [--seconds N] [--jobs N] [target...]
#
#   --seconds N  fuzz each target N seconds (default 60)
#   --runs N --seed S  stop after N inputs with a fixed seed: what `make fuzz-check`
#                uses, so make check fuzzes the same inputs every time (exploring
#                new ground is `make fuzz`'s job; a crash found there is fixed and
#                its input added to tests/fuzz/corpus/)
#   --jobs N     run N fuzzers at a time (default 2), one CPU each
#   target       elf_user uefi_elf cpio path shell boot_info escape sigframe driver_check
#                (default: all of `make -f tests/fuzz/fuzz.mk fuzz-list`)
#
# Each target runs on $BUILD/fuzz/<t>/corpus (default BUILD=build), topped up
# from the checked-in tests/fuzz/corpus/<t>/ before every run, so new inputs
# accumulate under build/ and the checked-in corpus stays clean. libFuzzer
# replays the whole corpus first, so a crash input kept there is re-tested on
# every run. Per target it prints executions, exec/s, coverage (at start ->
# at end), new corpus units and `crash: none` or the crash file with the
# sanitizer's summary; the log is $BUILD/fuzz/<t>/fuzz.log. The last line is
#   fuzz: <n> targets, <executions> executions, <c> crashes
# and the exit status is non-zero if any target crashed or failed to build.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 2
BUILD=${BUILD:-build}
MAKE=${MAKE:-make}
seconds=60
runs=''
seed=''
jobs=2
targets=()

usage() { sed -n '2,20s/^# \{0,1\}//p' "$0"; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
    case $1 in
        --seconds) seconds=${2:-}; shift 2 ;;
        --runs) runs=${2:-}; shift 2 ;;     # fixed number of inputs: with --seed, a repeatable run
        --seed) seed=${2:-}; shift 2 ;;
        --seconds=*) seconds=${1#*=}; shift ;;
        --jobs) jobs=${2:-}; shift 2 ;;
        --jobs=*) jobs=${1#*=}; shift ;;
        -h|--help) usage 0 ;;
        -*) echo "fuzz.sh: unknown option $1" >&2; usage 2 >&2 ;;
        *) targets+=("$1"); shift ;;
    esac
done
[[ $seconds =~ ^[1-9][0-9]*$ ]] || { echo "fuzz.sh: --seconds needs a positive number" >&2; exit 2; }
[[ $jobs =~ ^[1-9][0-9]*$ ]] || { echo "fuzz.sh: --jobs needs a positive number" >&2; exit 2; }

# The inner makes are independent of any make that runs us (no -n, no jobserver).
unset MAKEFLAGS MFLAGS
fmake() { "$MAKE" --no-print-directory -f tests/fuzz/fuzz.mk BUILD="$BUILD" "$@"; }
known=$(fmake -s fuzz-list) || { echo "fuzz.sh: cannot read the target list" >&2; exit 2; }
[ ${#targets[@]} -eq 0 ] && read -r -a targets <<<"$known"
for t in "${targets[@]}"; do
    [[ " $known " == *" $t "* ]] || { echo "fuzz.sh: unknown target '$t' (known: $known)" >&2; exit 2; }
done

export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
start=$(date +%s)

# --- build: one make per target, so one that does not build fails alone ----
built=() broken=()
for t in "${targets[@]}"; do
    mkdir -p "$BUILD/fuzz/$t"
    if fmake -j"$jobs" "fuzz-build-$t" >"$BUILD/fuzz/$t/build.log" 2>&1; then
        built+=("$t")
    else
        echo "fuzz $t: BUILD FAILED ($BUILD/fuzz/$t/build.log):"
        tail -n 15 "$BUILD/fuzz/$t/build.log" | sed 's/^/    /'
        broken+=("$t")
    fi
done

# --- run: $jobs fuzzers at a time -------------------------------------------------
# One line per target as it finishes; numbers also go to $dir/result.
final_stat() { sed -n "s/^stat::$1: *//p" "$2" | tail -n 1; }
run_one() {
    local t=$1 dir=$BUILD/fuzz/$1 opts=()
    mkdir -p "$dir/corpus"
    rm -f "$dir/result" "$dir"/crash-* "$dir"/leak-* "$dir"/timeout-* "$dir"/oom-* "$dir"/slow-unit-*
    if [ -d "tests/fuzz/corpus/$t" ]; then
        find "tests/fuzz/corpus/$t" -maxdepth 1 -type f -exec cp -n -t "$dir/corpus" {} +
    fi
    [ -f "tests/fuzz/$t.dict" ] && opts+=("-dict=tests/fuzz/$t.dict")
    [ -n "$runs" ] && opts+=("-runs=$runs")
    [ -n "$seed" ] && opts+=("-seed=$seed")
    "$BUILD/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=25 -print_final_stats=1 \
        -artifact_prefix="$dir/" "${opts[@]}" "$dir/corpus" >"$dir/fuzz.log" 2>&1
    local rc=$? log=$dir/fuzz.log
    local execs rate cov0 cov1 units crash
    execs=$(final_stat number_of_executed_units "$log")
    [ -n "$execs" ] || execs=$(sed -n 's/^#\([0-9][0-9]*\)[[:space:]].*/\1/p' "$log" | tail -n 1)
    rate=$(final_stat average_exec_per_sec "$log")
    units=$(final_stat new_units_added "$log")
    cov0=$(sed -n 's/.*INITED cov: \([0-9]*\).*/\1/p' "$log" | head -n 1)
    cov1=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' "$log" | tail -n 1)
    crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | head -n 1)
    [ "$rc" -ne 0 ] && [ -z "$crash" ] && crash="fuzzer exited with status $rc"
    printf 'execs=%s\ncrash=%s\n' "${execs:-0}" "$crash" >"$dir/result"
    echo "fuzz $t: ${execs:-0} executions, ${rate:-?} exec/s, coverage ${cov0:-?} -> ${cov1:-?}," \
         "${units:-0} new units, crash: ${crash:-none}"
    if [ -n "$crash" ]; then
        grep -m1 -E '^SUMMARY: |invariant failed|ERROR: libFuzzer' "$log" | sed 's/^/    /'
        [ -f "$crash" ] && echo "    input ($(wc -c <"$crash") bytes): $(head -c 64 "$crash" | od -An -v -tx1 | tr -d ' \n')"
        echo "    log: $log   replay: $BUILD/fuzz/fuzz_$t $crash"
    fi
}

pids=()
trap 'kill "${pids[@]}" 2>/dev/null; exit 130' INT TERM
[ ${#built[@]} -gt 0 ] && echo "fuzzing ${#built[@]} target(s), ${seconds} s each, $jobs at a time"
for t in "${built[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
    run_one "$t" &
    pids+=($!)
done
wait

# --- summary -------------------------------------------------------------------------
total=0 crashes=0
for t in "${built[@]}"; do
    execs=0 crash="missing result"
    if [ -f "$BUILD/fuzz/$t/result" ]; then
        execs=$(sed -n 's/^execs=//p' "$BUILD/fuzz/$t/result")
        crash=$(sed -n 's/^crash=//p' "$BUILD/fuzz/$t/result")
    fi
    total=$((total + execs))
    [ -n "$crash" ] && crashes=$((crashes + 1))
done
extra=""
[ ${#broken[@]} -gt 0 ] && extra=", ${#broken[@]} failed to build (${broken[*]})"
echo "fuzz: ${#targets[@]} targets, $total executions, $crashes crashes$extra ($(( $(date +%s) - start )) s)"
[ "$crashes" -eq 0 ] && [ ${#broken[@]} -eq 0 ]
