#!/bin/bash
# Differential tests: every trace under tests/traces/ that declares a QEMU
# counterpart ("# diff: qemu") is replayed through hvmdm and Debian's QEMU
# and compared line by line (tests/diff/qemu-diff.py).
set -u
cd "$(dirname "$0")/../.." || exit 2
build=${1:-build}
mapfile -t traces < <(grep -rl --include='*.trace' '^# diff: qemu' tests/traces 2>/dev/null | sort)
if [ ${#traces[@]} -eq 0 ]; then
	echo "no trace declares a QEMU counterpart yet"
	exit 0
fi
exec python3 tests/diff/qemu-diff.py --hvmdm "$build/hvmdm" "${traces[@]}"
