#!/usr/bin/env bash
# What `make check` runs:
#   0. tools/deps.sh: the Debian packages (installs them as root, else names the command)
#   1. build both configurations: make kernel uefi iso esp (release, build/) and
#      make CONFIG=test kernel uefi iso esp (build/test); a failing target fails
#      the check; then the layer check (tools/check_layers.py)
#   2. host unit tests:  make unit; host fuzzers: make fuzz-check (libFuzzer, a
#      fixed, seeded 500,000 inputs per target)
#   3. build/tool checks and QEMU integration tests on the test configuration
#      (SECOS_BUILD=build/test):
#      /usr/bin/python3 -m pytest -n 2 --dist loadscope tests/tools tests/qemu
# and exits non-zero if any step failed (steps 2 and 3 both run even if one fails).
#
# Environment:
#   SECOS_QUICK=1      skip the slow image boots (ISO/ESP under SeaBIOS/OVMF):
#                      pytest -m "not image" (the images are then not built either)
#   SECOS_JOBS=N       pytest-xdist workers (default 2; 0 or 1 = no xdist)
#   PYTEST_ARGS="..."  more pytest arguments, e.g. PYTEST_ARGS="-k sleep -x"
#   SECOS_KEEP_LOGS=1  keep each QEMU's serial/debugcon/stderr logs in /tmp
# Arguments given to this script are passed on to pytest as well.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
MAKE=${MAKE:-make}
PYTHON=/usr/bin/python3   # Debian's: it has pytest and pytest-xdist
JOBS=${SECOS_JOBS:-2}
QUICK=${SECOS_QUICK:-0}
[ "$QUICK" = 0 ] && QUICK=

start=$(date +%s)
elapsed() { echo "$(( $(date +%s) - start )) s"; }
log=$(mktemp -d "${TMPDIR:-/tmp}/secos-check.XXXXXX")
trap 'rm -rf "$log"' EXIT

step() { printf '\n==> %s\n' "$*"; }

# --- 0. packages -----------------------------------------------------------------
step "packages: tools/deps.sh"
if ! tools/deps.sh; then
    echo
    echo "check: FAIL - Debian packages missing (tools/deps.sh above names the apt-get command)"
    exit 1
fi

# --- 1. build -------------------------------------------------------------------
targets=(kernel uefi iso esp)
[ -n "$QUICK" ] && targets=(kernel uefi)
TEST_BUILD=${SECOS_TEST_BUILD:-build/test}
for config in release test; do
    args=(--no-print-directory)
    [ "$config" = test ] && args+=(CONFIG=test BUILD="$TEST_BUILD")
    step "build ($config): $MAKE ${args[*]:1} ${targets[*]}"
    if ! "$MAKE" "${args[@]}" "${targets[@]}"; then
        echo
        echo "check: FAIL - the $config build failed ($(elapsed))"
        exit 1
    fi
done
step "layers: tools/check_layers.py (includes, and the symbols of both kernels' objects)"
# shellcheck disable=SC2046   # the object lists are words
if ! "$PYTHON" tools/check_layers.py --objects $("$MAKE" -s --no-print-directory print-KERNEL_OBJ) \
        $("$MAKE" -s --no-print-directory CONFIG=test BUILD="$TEST_BUILD" print-KERNEL_OBJ); then
    echo
    echo "check: FAIL - an #include or a symbol points up the layer order ($(elapsed))"
    exit 1
fi
export SECOS_BUILD=${SECOS_BUILD:-$PWD/$TEST_BUILD}
export SECOS_RELEASE_BUILD=${SECOS_RELEASE_BUILD:-$PWD/build}

# --- 2. host unit tests ---------------------------------------------------------------
step "unit tests: $MAKE unit"
unit_rc=0
"$MAKE" --no-print-directory unit 2>&1 | tee "$log/unit.log" || unit_rc=$?
unit_summary=$(grep -E '^unit: ' "$log/unit.log" | tail -n 1 || true)
[ -n "$unit_summary" ] || unit_summary="unit: no summary line"
if [ "$unit_rc" -eq 0 ] && ! grep -qE '^unit: [0-9]+ passed, 0 failed' "$log/unit.log"; then
    unit_rc=1  # ran but did not report a clean result
fi

# --- 2b. host fuzzers (libFuzzer, 500,000 seeded inputs per target, two at a time) ---
step "fuzzers: $MAKE fuzz-check"
fuzz_rc=0
"$MAKE" --no-print-directory fuzz-check 2>&1 | tee "$log/fuzz.log" || fuzz_rc=${PIPESTATUS[0]}
fuzz_summary=$(grep -E '^fuzz: ' "$log/fuzz.log" | tail -n 1 || true)
[ -n "$fuzz_summary" ] || { fuzz_summary="fuzz: no summary line"; fuzz_rc=1; }

# --- 3. QEMU integration tests ---------------------------------------------------------
pytest_args=(-p no:cacheprovider -rfEsxX)
if [ "$JOBS" -gt 1 ] && "$PYTHON" -c 'import xdist' 2>/dev/null; then
    pytest_args+=(-n "$JOBS" --dist loadscope)
fi
[ -n "$QUICK" ] && pytest_args+=(-m "not image")
# shellcheck disable=SC2206   # PYTEST_ARGS is a list of words
[ -n "${PYTEST_ARGS:-}" ] && pytest_args+=(${PYTEST_ARGS})
pytest_args+=("$@")

step "tool and QEMU tests: $PYTHON -m pytest ${pytest_args[*]} tests/tools tests/qemu"
qemu_rc=0
qemu_start=$(date +%s)
"$PYTHON" -m pytest "${pytest_args[@]}" tests/tools tests/qemu 2>&1 | tee "$log/qemu.log" || qemu_rc=${PIPESTATUS[0]}
qemu_secs=$(( $(date +%s) - qemu_start ))
# pytest's last line: "==== 3 failed, 120 passed, 2 skipped in 61.2s ====".
qemu_summary=$(grep -E '^=+ .*(passed|failed|error|skipped|deselected|no tests ran).* =+$' "$log/qemu.log" \
               | tail -n 1 | sed -E 's/^=+ //; s/ =+$//' || true)
[ -n "$qemu_summary" ] || qemu_summary="no summary (pytest exit status $qemu_rc)"

# --- verdict --------------------------------------------------------------------------
verdict=PASS
[ "$unit_rc" -eq 0 ] && [ "$fuzz_rc" -eq 0 ] && [ "$qemu_rc" -eq 0 ] || verdict=FAIL
echo
echo "check: $verdict - build ok (release + test: ${targets[*]}); layers ok; $unit_summary; $fuzz_summary; qemu${QUICK:+ (quick, no image boots)}: $qemu_summary (pytest ${qemu_secs} s); total $(elapsed)"
[ "$verdict" = PASS ]
