#!/bin/bash
# hvmdm started and probed the way QEMU 7.2's libqtest starts QEMU (client
# sockets for qtest and QMP, -qtest-log, query-machines, qom-list-types).
# Argument: build dir. Prints PASS/FAIL per check.
set -u
cd "$(dirname "$0")/../.." || exit 2
build=${1:-build}
if [ ! -x "$build/hvmdm" ]; then
	echo "FAIL libqtest $build/hvmdm missing"
	exit 0
fi
exec timeout 300 python3 tests/suites/libqtest.py "$build/hvmdm"
