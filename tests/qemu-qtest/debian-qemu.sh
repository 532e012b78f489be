#!/bin/sh
# Debian's qemu-system-x86_64 as libqtest starts QEMU, for the reference run
# of tests/suites/qemu_qtest.py: Debian ships no accel-qtest module, so
# "-accel qtest" becomes "-accel tcg -S" (the vCPU never runs; the qtest
# protocol and the devices are the same, the clock is the host's).
n=$#
while [ "$n" -gt 0 ]; do
	a=$1
	shift
	n=$((n - 1))
	if [ "$a" = "-accel" ] && [ "$n" -gt 0 ] && [ "$1" = "qtest" ]; then
		shift
		n=$((n - 1))
		set -- "$@" -accel tcg -S
	else
		set -- "$@" "$a"
	fi
done
exec /usr/bin/qemu-system-x86_64 "$@"
