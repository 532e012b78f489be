#!/bin/bash
# Save/restore on the standalone platform (issue 16 "Standalone"): traces
# cut, saved over QMP (stop + xen-save-devices-state), restored into a fresh
# process with -incoming fd:N and continued must answer as the uninterrupted
# run; damaged streams must be refused with exit 1, never a crash.
# Argument: build dir. Prints PASS/FAIL per check.
set -u
cd "$(dirname "$0")/../.." || exit 2
build=${1:-build}
if [ ! -x "$build/hvmdm" ]; then
	echo "FAIL save-restore $build/hvmdm missing"
	exit 0
fi
exec timeout 600 python3 tests/suites/save_restore.py "$build/hvmdm"
