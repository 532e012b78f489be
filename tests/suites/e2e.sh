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
# (make e2e), because the first run builds a dom0 image (about 3 minutes,
# network) and every run boots Xen under TCG (about 10 minutes with the Linux
# guest, whose qemu-xen run alone takes 4-5). Only the plain build runs it;
# the sanitizer build's hvmdm is the same code.
# suite-timeout: 2600 (scripts/run-tests.sh: two attempts of E2E_TIMEOUT and the image)
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
export E2E_SUITE=1 E2E_OUT=$out E2E_TIMEOUT=${E2E_TIMEOUT:-1200}
tests/e2e/e2e.sh "$BUILD" > "$log" 2>&1
rc=$?
# A guest triple fault inside the nested TCG bed has been seen once with the
# device model's recorded answers byte-identical to a passing run's up to the
# fault (the hypervisor under TCG, not the device model). Only that case is
# retried, once; the first attempt's lines stay visible (prefixed, so not
# counted) and its output directory is kept. A device-model bug that makes the
# guest triple-fault fails both attempts.
if [ "$rc" -ne 0 ] && grep -q 'Triple fault' "$out/console.log" 2>/dev/null; then
	echo "e2e: attempt 1 failed with a guest triple fault in the nested bed;" \
		"kept in $out.attempt1, retrying once"
	sed 's/^/  attempt 1: /' "$log"
	rm -rf "$out.attempt1"
	mv "$out" "$out.attempt1"
	tests/e2e/e2e.sh "$BUILD" > "$log" 2>&1
	rc=$?
fi
cat "$log"
if [ "$rc" -ne 0 ]; then
	grep -q '^FAIL ' "$log" || echo "FAIL e2e:run tests/e2e/e2e.sh exited $rc"
	# the report's failure section: the log tails of every failing run
	if [ -f "$out/report.txt" ]; then
		sed -n '/^RESULT:/,$p' "$out/report.txt"
	elif [ -f "$out/image.log" ]; then
		tail -n 30 "$out/image.log"
	fi
fi
[ -f "$out/report.txt" ] && grep -E '^(phases|  [a-z].* (peak RSS|round trip|to the guest.s /init))' "$out/report.txt"
exit 0
