#!/bin/bash
# QEMU 7.2's own qtest programs against hvmdm (tests/suites/qemu_qtest.py):
# built once from Debian's qemu source package by scripts/qemu-qtest-build.sh
# (cached under ~/.cache/hvmdm/qemu-qtest), then every test case of every
# program in tests/qemu-qtest/programs.txt runs on BUILD/hvmdm; the cases
# hvmdm cannot pass by design are in tests/qemu-qtest/not-applicable.txt.
# Argument: build dir. Prints PASS/FAIL per case and a summary per program.
set -u
cd "$(dirname "$0")/../.." || exit 2
build=${1:-build}
if [ ! -x "$build/hvmdm" ]; then
	echo "FAIL qemu-qtest $build/hvmdm missing"
	exit 0
fi
if ! bindir=$(scripts/qemu-qtest-build.sh); then
	echo "FAIL qemu-qtest build of QEMU's qtest programs (scripts/qemu-qtest-build.sh)"
	exit 0
fi
# Debian's QEMU runs the same cases once, beside the plain build (counts only).
ref=--reference
case "$build" in *-san) ref="" ;; esac
exec timeout 1000 python3 tests/suites/qemu_qtest.py $ref "$bindir" "$build/hvmdm"
