#!/bin/bash
# Two hvmdm processes with rtl8139s on one -netdev stream wire (unix socket):
# frames both ways, every byte, header and FCS checked (tests/suites/net_pair.py).
# Argument: build dir. Prints PASS/FAIL per check.
set -u
cd "$(dirname "$0")/../.." || exit 2
build=${1:-build}
if [ ! -x "$build/hvmdm" ]; then
	echo "FAIL net-pair $build/hvmdm missing"
	exit 0
fi
exec timeout 120 python3 tests/suites/net_pair.py "$build/hvmdm"
