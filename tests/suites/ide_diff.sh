#!/bin/bash
# IDE trace tests: checked-in transcripts (tests/traces/ide/*.expected) and
# differential tests: tests/traces/ide/*.trace run in lockstep through
# hvmdm and Debian's QEMU over qtest (tests/suites/ide_diff.py), answers equal
# byte for byte except tests/diff/known-differences.txt. Argument: build dir.
set -u
cd "$(dirname "$0")/../.." || exit 2
build=${1:-build}
if [ ! -x "$build/hvmdm" ]; then
	echo "FAIL ide-diff $build/hvmdm missing"
	exit 0
fi
# Regression transcripts first (no QEMU needed), then the lockstep differential.
python3 tests/suites/ide_diff.py --replay --hvmdm "$build/hvmdm" tests/traces/ide/*.trace
exec python3 tests/suites/ide_diff.py --hvmdm "$build/hvmdm" tests/traces/ide/*.trace
