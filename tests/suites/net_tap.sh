#!/bin/bash
# rtl8139 on a real tap, as under libxl (-netdev type=tap,ifname=...,script=no):
# hvmdm creates the tap in a network namespace of the test's own (unshare -n),
# frames go both ways between the guest's rings and an AF_PACKET socket on the
# tap (tests/suites/net_tap.py). Needs root and /dev/net/tun: skipped, saying
# why, otherwise. Argument: build dir. Prints PASS/FAIL/SKIP lines.
set -u
cd "$(dirname "$0")/../.." || exit 2
build=${1:-build}
if [ ! -x "$build/hvmdm" ]; then
	echo "FAIL net-tap $build/hvmdm missing"
	exit 0
fi
if [ "$(id -u)" != 0 ] || [ ! -c /dev/net/tun ]; then
	echo "SKIP net-tap: needs root and /dev/net/tun (uid $(id -u), $(ls -l /dev/net/tun 2>&1))"
	exit 0
fi
if ! unshare -n true 2>/dev/null; then
	echo "SKIP net-tap: cannot create a network namespace (unshare -n)"
	exit 0
fi
exec timeout 120 unshare -n python3 tests/suites/net_tap.py "$build/hvmdm"
