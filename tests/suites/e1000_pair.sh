#!/bin/bash
# Two hvmdm instances with an e1000 each, joined by -netdev socket,fd= over a
# socketpair: frames both ways, TSO and checksum offload verified by the
# receiving guest's buffers (tests/suites/e1000_pair.py).
# Argument: build dir. Prints PASS/FAIL per check.
set -u
cd "$(dirname "$0")/../.." || exit 2
build=${1:-build}
if [ ! -x "$build/hvmdm" ]; then
	echo "FAIL e1000-pair $build/hvmdm missing"
	exit 0
fi
exec timeout 300 python3 tests/suites/e1000_pair.py "$build/hvmdm"
