#!/bin/bash
# The standard VGA (hw/vga/stdvga.c, bochs_vbe.c, vga_render.c) against
# Debian's QEMU 7.2, live: register answers and QMP screendump files for
# text, mode 13h, planar, CGA and VBE 8/15/16/24/32 bpp (tests/suites/vga_qemu.py).
#
#   vga_qemu.sh BUILD
#
# Prints "PASS name" / "FAIL name why" (scripts/run-tests.sh).
set -u
cd "$(dirname "$0")/../.." || exit 2
BUILD=${1:-build}
if [ ! -x "$BUILD/hvmdm" ]; then
	echo "FAIL vga-qemu:built $BUILD/hvmdm missing"
	exit 0
fi
timeout 300 python3 tests/suites/vga_qemu.py "$BUILD/hvmdm" || echo "FAIL vga-qemu:run exit status $?"
