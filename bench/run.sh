#!/bin/bash
# Every benchmark, against one build directory (`make bench` runs this).
# Benchmarks print figures; they never fail the build on a time.
#
#   bench/run.sh BUILD [--accesses N]
set -u
cd "$(dirname "$0")/.." || exit 0
BUILD=${1:-build}
shift || true

echo "hvmdm benchmarks ($(uname -m), $(nproc) CPUs, build $BUILD)"

# The ioreq dispatch core on its own (bench/bench_dispatch.c), when it builds.
if make --no-print-directory -s BUILD="$BUILD" "$BUILD/bench/bench_dispatch" >/dev/null 2>&1; then
	echo "== ioreq dispatch (in-process)"
	"$BUILD/bench/bench_dispatch" || echo "   (bench_dispatch exited $?)"
fi

# The std VGA display path (bench/bench_vga.c): full frame, 1 % dirty, static screen, memcpy.
if make --no-print-directory -s BUILD="$BUILD" "$BUILD/bench/bench_vga" >/dev/null 2>&1; then
	echo "== VGA render (in-process)"
	"$BUILD/bench/bench_vga" || echo "   (bench_vga exited $?)"
fi

# The Cirrus BitBLT engine beside memset/memcpy of the same bytes (bench/bench_cirrus_blt.c).
if make --no-print-directory -s BUILD="$BUILD" "$BUILD/bench/bench_cirrus_blt" >/dev/null 2>&1; then
	"$BUILD/bench/bench_cirrus_blt" || echo "   (bench_cirrus_blt exited $?)"
fi

# ioreq round trips through dm/xen against the simulated hypervisor, and the
# instructions hvmdm spends per request (bench/bench_xensim.c).
if make --no-print-directory -s BUILD="$BUILD" "$BUILD/bench/bench_xensim" >/dev/null 2>&1; then
	"$BUILD/bench/bench_xensim" || echo "   (bench_xensim exited $?)"
	bench/bench_xensim_callgrind.sh "$BUILD"
fi

# IDE: bus-master DMA beside raw O_DIRECT on a 1 GiB image, PIO through rep insw
# (bench/bench_ide.c); the same DMA transfers over qtest, QEMU beside hvmdm.
if make --no-print-directory -s BUILD="$BUILD" "$BUILD/bench/bench_ide" >/dev/null 2>&1; then
	"$BUILD/bench/bench_ide" || echo "   (bench_ide exited $?)"
fi
if [ -x "$BUILD/hvmdm" ] && command -v python3 >/dev/null; then
	python3 bench/bench_ide_qemu.py "$BUILD/hvmdm" || echo "   (bench_ide_qemu exited $?)"
fi

# e1000 frames per second (TX 64 B/1500 B/TSO, RX) over a socketpair, QEMU beside hvmdm.
if [ -x "$BUILD/hvmdm" ] && command -v python3 >/dev/null; then
	python3 bench/bench_e1000_qemu.py "$BUILD/hvmdm" || echo "   (bench_e1000_qemu exited $?)"
fi

# VNC idle: CPU and wake-ups with a static screen and two clients, QEMU beside hvmdm;
# RSS under waves of hostile clients.
if [ -x "$BUILD/hvmdm" ] && command -v python3 >/dev/null; then
	python3 bench/bench_vnc_idle.py "$BUILD/hvmdm" || echo "   (bench_vnc_idle exited $?)"
	python3 bench/bench_vnc_hostile.py "$BUILD/hvmdm" || echo "   (bench_vnc_hostile exited $?)"
fi

# rtl8139 frames per second (C+ TX 64 B/1500 B/TSO, C-mode RX) the same way.
if [ -x "$BUILD/hvmdm" ] && command -v python3 >/dev/null; then
	python3 bench/bench_rtl8139_qemu.py "$BUILD/hvmdm" || echo "   (bench_rtl8139_qemu exited $?)"
fi

# The whole daemon against QEMU: qtest throughput, start-up time and RSS.
if [ -x "$BUILD/hvmdm" ] && command -v python3 >/dev/null; then
	python3 bench/qtest_vs_qemu.py "$BUILD/hvmdm" "$@" || echo "   (qtest_vs_qemu exited $?)"
fi
exit 0
