#!/bin/bash
# libxl's CD-ROM change flow over QMP (eject, add-fd, blockdev-change-medium,
# query-block) and the Xen platform unplug, against hvmdm in qtest mode.
# Argument: build dir. Prints PASS/FAIL per check.
set -u
cd "$(dirname "$0")/../.." || exit 2
build=${1:-build}
if [ ! -x "$build/hvmdm" ]; then
	echo "FAIL ide-qmp $build/hvmdm missing"
	exit 0
fi
exec timeout 120 python3 tests/suites/ide_qmp.py "$build/hvmdm"
