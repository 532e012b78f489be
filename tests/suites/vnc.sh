#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The VNC server of BUILD/hvmdm with real clients and side by side with
# Debian's QEMU 7.2: QMP answers, query-vnc's clients, TigerVNC's vncviewer
# under Xvfb with a password, vncsnapshot, and clients served under the
# seccomp sandbox (tests/suites/vnc_suite.py).
set -u
cd "$(dirname "$0")/../.." || exit 2
BUILD=${1:-build}
if [ ! -x "$BUILD/hvmdm" ]; then
	echo "FAIL vnc:hvmdm-built $BUILD/hvmdm missing"
	exit 0
fi
for tool in vncsnapshot openssl vncviewer Xvfb; do
	command -v "$tool" >/dev/null || echo "FAIL vnc:$tool missing (scripts/deps.sh)"
done
if ! timeout 300 python3 tests/suites/vnc_suite.py "$BUILD/hvmdm"; then
	echo "FAIL vnc:driver exited with an error (see above)"
fi
