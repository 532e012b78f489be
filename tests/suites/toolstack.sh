#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The toolstack contract against BUILD/hvmdm, no Xen needed: libxl's command
# lines (tests/toolstack/argv/*.argv: accepted and building the right machine,
# or refused by name), the probe run on an inherited listening fd, QMP
# sessions shaped like libxl's (create, dm_restrict readiness, VNC,
# save/restore errors, CD-ROM change with add-fd, malformed input), the
# sandbox (seccomp + chroot + runas over IDE DMA, serial and QMP; a forbidden
# call killed) and the log format. tests/toolstack/toolstack.py prints the
# PASS/FAIL lines.
set -u
cd "$(dirname "$0")/../.." || exit 2
BUILD=${1:-build}
if [ ! -x "$BUILD/hvmdm" ]; then
	echo "FAIL toolstack:hvmdm-built $BUILD/hvmdm missing"
	exit 0
fi
if ! timeout 600 python3 tests/toolstack/toolstack.py "$BUILD/hvmdm"; then
	echo "FAIL toolstack:driver exited with an error (see above)"
fi
