#!/bin/bash
# The golden ioreq streams qemu-xen served under real Xen, replayed by
# BUILD/hvmdm, every read answer compared with qemu-xen's per device
# (tests/suites/golden_replay.py; what cannot be reproduced:
# tests/golden/replay-unreproducible.txt). Argument: build dir.
set -u
cd "$(dirname "$0")/../.." || exit 2
build=${1:-build}
# as tests/golden/golden.c finds them: HVMDM_GOLDEN_DIR, else shared/ beside the repo
golden=${HVMDM_GOLDEN_DIR:-../shared/docs/qemu-xen-golden}
[ -d "$golden" ] || golden=../../shared/docs/qemu-xen-golden # a work tree under wt/
if [ ! -x "$build/hvmdm" ]; then
	echo "FAIL golden-replay $build/hvmdm missing"
	exit 0
fi
if [ ! -f "$golden/ioreq-a.trace.gz" ]; then
	echo "FAIL golden-replay no golden ioreq traces in $golden (HVMDM_GOLDEN_DIR=)"
	exit 0
fi
exec timeout 900 python3 tests/suites/golden_replay.py "$build/hvmdm" "$golden"
