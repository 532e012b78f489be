#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The end-to-end test (tests/e2e/README.md) as a suite: hvmdm spawned by
# libxl under the real Xen nested in QEMU TCG, one "PASS e2e:RUN:NAME" /
# "FAIL e2e:RUN:NAME why" line per hvmdm assertion.
#
#   e2e.sh BUILD
#
# It runs in CI (CI=true) or when E2E=1; elsewhere it says how to run it
# (make e2e), because the first run builds a dom0 image (about 2 minutes,
# network) and every run boots Xen under TCG (2-5 minutes). Only the plain
# build runs it; the sanitizer build's hvmdm is the same code.
set -u
cd "$(dirname "$0")/../.." || exit 2
BUILD=${1:-build}

case "$BUILD" in
*san*)
	echo "e2e: not run for the sanitizer build $BUILD"
	exit 0
	;;
esac
if [ "${CI:-}" != true ] && [ "${E2E:-0}" != 1 ]; then
	echo "e2e: skipped outside CI (make e2e, or E2E=1 make check)"
	exit 0
fi

out=$BUILD/e2e-suite
log=$(mktemp)
trap 'rm -f "$log"' EXIT
export E2E_SUITE=1 E2E_OUT=$out E2E_TIMEOUT=${E2E_TIMEOUT:-1000}
tests/e2e/e2e.sh "$BUILD" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
if [ "$rc" -ne 0 ]; then
	grep -q '^FAIL ' "$log" || echo "FAIL e2e:run tests/e2e/e2e.sh exited $rc"
	# the report's failure section: the log tails of every failing run
	if [ -f "$out/report.txt" ]; then
		sed -n '/^RESULT:/,$p' "$out/report.txt"
	elif [ -f "$out/image.log" ]; then
		tail -n 30 "$out/image.log"
	fi
fi
[ -f "$out/report.txt" ] && grep -E '^(phases|  [a-z].* (peak RSS|round trip))' "$out/report.txt"
exit 0
