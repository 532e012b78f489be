#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The Linux e2e guest's dump comparison (tests/e2e/dumps.py, what report.py
# fails the e2e test with) checked on the golden capture, on the host, in
# every make test: tests/e2e/lib/test_dumps.py. Python only: the build
# flavour does not matter, so the sanitizer build does not run it again.
cd "$(dirname "$0")/../.." || exit 2
case "${1:-build}" in
*san*)
	echo "e2e-dumps: python only, run for the plain build"
	exit 0
	;;
esac
exec python3 tests/e2e/lib/test_dumps.py
