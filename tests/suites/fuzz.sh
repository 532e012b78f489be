#!/bin/bash
# CI fuzzing: every configuration of tests/fuzz/configs.c and the trace-text
# target for FUZZ_CI_TIME seconds (45) each, libFuzzer + ASan + UBSan,
# failing on any finding (crash, sanitizer report, failed harness invariant,
# leak, per-input timeout).
#   fuzz.sh BUILD    prints "PASS fuzz:CONFIG (...)" / "FAIL fuzz:CONFIG ..."
# scripts/run-tests.sh calls each suite once per build directory; the fuzzers
# have their own clang build (build-fuzz/), so they run once, with the ASan
# flavour (a BUILD named *san*), or whenever FUZZ_CI=1. Skipped, visibly,
# without clang's libFuzzer.
set -u
cd "$(dirname "$0")/../.." || exit 2
BUILD=${1:-build}
FUZZ_BUILD=${FUZZ_BUILD:-build-fuzz}
case "$BUILD" in
*san*) ;;
*) [ "${FUZZ_CI:-0}" = 1 ] || { echo "fuzz: runs with the ASan build (or FUZZ_CI=1), not $BUILD"; exit 0; } ;;
esac
if ! command -v "${FUZZ_CC:-clang}" >/dev/null; then
	echo "SKIP fuzz: ${FUZZ_CC:-clang} not installed (libclang-rt-14-dev gives libFuzzer)"
	exit 0
fi
if ! make --no-print-directory -s fuzz-build FUZZ_BUILD="$FUZZ_BUILD" >"$FUZZ_BUILD.log" 2>&1; then
	echo "FAIL fuzz:build make fuzz-build failed: $(grep -m1 -E 'error|Error' "$FUZZ_BUILD.log")"
	exit 0
fi
FUZZ_FRESH_CORPUS=1 tests/fuzz/run.sh "$FUZZ_BUILD" "${FUZZ_CI_TIME:-45}"
exit 0
