#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# libxl's device-model probe (Xen 4.20 and later spawn the DM once with
# -machine none,accel=xen and QMP on an inherited fd, ask
# query-command-line-options, send quit) against BUILD/hvmdm, on this
# host: no Xen needed. tests/e2e/lib/libxl-probe.py prints PASS/FAIL lines.
set -u
cd "$(dirname "$0")/../.." || exit 2
BUILD=${1:-build}
if [ ! -x "$BUILD/hvmdm" ]; then
	echo "FAIL probe:hvmdm-built $BUILD/hvmdm missing"
	exit 0
fi
timeout 60 python3 tests/e2e/lib/libxl-probe.py "$BUILD/hvmdm" || true
