#!/usr/bin/env bash
# Builds the kernel with the milestone demos switched on and boots each one
# (QEMU -kernel, headless), asserting:
#   - every [SELFTEST] line is PASS and the summary says 0 failed;
#   - M7: both ring-3 processes ran and alternated (A and B interleaved);
#   - M8: the CPU-bound processes were preempted, exited and were reaped;
#   - no [EXC] or [PANIC] anywhere;
#   - the free-frame count after every process was reaped equals the count before.
#   - M4_SELFTEST_ENABLE=0: boots to the shell with no selftest output.
# Usage: tools/selftest.sh [--timeout SECONDS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

timeout_s=120
[ "${1:-}" = "--timeout" ] && timeout_s=$2
QEMU=${QEMU:-qemu-system-x86_64}
fail=0

run_demo() { # name flag marker
    local name=$1 flag=$2 marker=$3
    local build=build/demo-$name log
    log=$(mktemp "${TMPDIR:-/tmp}/secos-$name.XXXXXX")
    echo "==> $name: make CONFIG=test BUILD=$build CFLAGS_EXTRA=$flag kernel"
    make --no-print-directory CONFIG=test BUILD="$build" CFLAGS_EXTRA="$flag" kernel >/dev/null
    # poweroff is sent once the demo has finished and the shell is up.
    (
        for _ in $(seq "$timeout_s"); do
            grep -qa '\[SHELL\] ready' "$log" 2>/dev/null && break
            sleep 1
        done
        printf 'poweroff\r'
        sleep 5
    ) | timeout "$timeout_s" "$QEMU" -m 256M -no-reboot -display none -serial stdio \
        -kernel "$build/kernel.elf" >"$log" 2>&1 || true
    local ok=1
    grep -aq "\[SELFTEST\] summary: [0-9]* passed, 0 failed" "$log" || { echo "  FAIL: selftest summary"; ok=0; }
    if grep -aE '\[SELFTEST\] .* FAIL' "$log"; then echo "  FAIL: a selftest failed"; ok=0; fi
    if grep -aE '\[(EXC|PANIC)\]' "$log"; then echo "  FAIL: exception or panic"; ok=0; fi
    local line
    line=$(grep -a "\[$marker\] .* done" "$log" || true)
    if [ -z "$line" ]; then
        echo "  FAIL: no [$marker] done line"; ok=0
    else
        echo "  $line"
        local before after
        before=$(sed -n 's/.*free frames \([0-9]*\) -> \([0-9]*\).*/\1/p' <<<"$line")
        after=$(sed -n 's/.*free frames \([0-9]*\) -> \([0-9]*\).*/\2/p' <<<"$line")
        [ "$before" = "$after" ] || { echo "  FAIL: free frames $before -> $after (leak)"; ok=0; }
    fi
    case $name in
    m7)
        # Alternation in both directions: A then B and B then A both occur.
        local seq
        seq=$(grep -aoE '^yield [AB] [0-9]+' "$log" | awk '{print $2}' | tr -d '\n')
        echo "  order: $seq"
        [[ $seq == *AB* && $seq == *BA* ]] || { echo "  FAIL: no alternation"; ok=0; }
        ;;
    m8)
        local pre
        pre=$(sed -n 's/.*preemptions=\([0-9]*\).*/\1/p' <<<"$line")
        [ "${pre:-0}" -gt 0 ] || { echo "  FAIL: no preemption"; ok=0; }
        [ "$(grep -ac '\[M8\] reaped pid=[0-9]* status=0' "$log")" -ge 3 ] || { echo "  FAIL: not all reaped"; ok=0; }
        ;;
    esac
    if [ $ok = 1 ]; then echo "  PASS"; rm -f "$log"; else echo "  log kept: $log"; fail=1; fi
}

# The seed's switch: selftests off must still boot to the shell, silently.
selftests_off() {
    local build=build/demo-m4off log
    log=$(mktemp "${TMPDIR:-/tmp}/secos-m4off.XXXXXX")
    echo "==> m4off: make BUILD=$build CFLAGS_EXTRA=-DM4_SELFTEST_ENABLE=0 kernel"
    make --no-print-directory BUILD="$build" CFLAGS_EXTRA=-DM4_SELFTEST_ENABLE=0 kernel >/dev/null
    (sleep 3; printf 'echo m4off-alive\r'; sleep 1; printf 'poweroff\r'; sleep 3) |
        timeout 60 "$QEMU" -m 256M -no-reboot -display none -serial stdio -kernel "$build/kernel.elf" >"$log" 2>&1 || true
    if grep -aq '\[SHELL\] ready' "$log" && grep -aq '^m4off-alive' "$log" && ! grep -aq '\[SELFTEST\]' "$log"; then
        echo "  PASS"; rm -f "$log"
    else
        echo "  FAIL: expected a shell and no [SELFTEST] lines; log kept: $log"; fail=1
    fi
}

run_demo m7 -DM7_RING3_DEMO=1 M7
run_demo m8 -DM8_SCHED_DEMO=1 M8
selftests_off
if [ $fail = 0 ]; then echo "selftest.sh: 3 passed, 0 failed"; else echo "selftest.sh: FAILED"; fi
exit $fail
