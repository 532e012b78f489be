#!/bin/bash
# The frames an rtl8139 transmits (C mode slots, C+ rings, checksum offload,
# large send, 802.1Q insertion) compared byte for byte with QEMU 7.2's on the
# same commands, both on -netdev socket,fd= (tests/suites/rtl8139_wire.py).
# Argument: build dir. Prints PASS/FAIL lines; SKIP without qemu-system-x86_64.
set -u
cd "$(dirname "$0")/../.." || exit 2
build=${1:-build}
if [ ! -x "$build/hvmdm" ]; then
	echo "FAIL rtl8139-wire $build/hvmdm missing"
	exit 0
fi
if ! command -v qemu-system-x86_64 >/dev/null; then
	echo "SKIP rtl8139-wire: qemu-system-x86_64 not installed (Debian qemu-system-x86)"
	exit 0
fi
exec timeout 120 python3 tests/suites/rtl8139_wire.py "$build/hvmdm"
