#!/bin/bash
# fw_cfg and direct kernel boot on the standalone platform.
#
#   fw_cfg.sh BUILD
#
# 1. tests/traces/fw_cfg/boot.trace replayed (--replay) with the synthetic
#    files of tests/suites/fw_cfg_files.py (its @DIR@), compared with
#    boot.expected byte for byte.
# 2. The same trace through Debian's QEMU 7.2 (-machine pc -accel tcg -qtest
#    stdio) and hvmdm, item by item (tests/suites/fw_cfg_diff.py lists the
#    qemu-xen differences).
# 3. Bad input: a truncated bzImage, a text file as kernel, an oversize
#    initrd, a missing kernel and a missing option ROM: each exit status 1 and
#    a message naming the file.
# Prints "PASS name" / "FAIL name why" per check (scripts/run-tests.sh).
set -u
cd "$(dirname "$0")/../.." || exit 2
BUILD=${1:-build}
HVMDM=$BUILD/hvmdm
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
TRACE=tests/traces/fw_cfg/boot.trace

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1 ${2:-}"; }

if [ ! -x "$HVMDM" ]; then
	fail "fw_cfg-built" "$HVMDM missing"
	exit 0
fi
python3 tests/suites/fw_cfg_files.py "$TMP" || { fail fw_cfg-files "generator failed"; exit 0; }
# The argv has no spaces inside an argument (the -append string uses commas).
read -r -a ARGV <<<"$(sed -n 's/^# argv: //p' "$TRACE" | sed "s|@DIR@|$TMP|g")"

# ---------------------------------------------------------------- 1. transcript
if ! timeout 60 "$HVMDM" --replay "$TRACE" "${ARGV[@]}" >"$TMP/hvmdm.out" 2>"$TMP/err"; then
	fail "fw_cfg-trace" "exit status $?: $(head -c 300 "$TMP/err")"
elif cmp -s "$TMP/hvmdm.out" tests/traces/fw_cfg/boot.expected; then
	pass "fw_cfg-trace"
else
	fail "fw_cfg-trace" "transcript differs (- expected, + hvmdm):"
	diff -u tests/traces/fw_cfg/boot.expected "$TMP/hvmdm.out" | sed -n '3,30p' | sed 's/^/    /'
fi

# ---------------------------------------------------------------- 2. QEMU
if ! command -v qemu-system-x86_64 >/dev/null; then
	fail "fw_cfg-diff" "qemu-system-x86_64 missing (Debian qemu-system-x86)"
else
	# QEMU's qtest stays up after stdin ends: it is stopped once it has answered every
	# command (or after 120 s; a short transcript then fails the comparison).
	grep -v '^#' "$TRACE" >"$TMP/cmds"
	n=$(wc -l <"$TMP/cmds")
	qemu-system-x86_64 -accel tcg -S -qtest stdio -display none "${ARGV[@]}" \
		<"$TMP/cmds" >"$TMP/qemu.out" 2>"$TMP/qemu.err" &
	qpid=$!
	for _ in $(seq 1200); do
		[ "$(wc -l <"$TMP/qemu.out")" -ge "$n" ] && break
		kill -0 $qpid 2>/dev/null || break
		sleep 0.1
	done
	kill $qpid 2>/dev/null
	wait $qpid 2>/dev/null
	python3 tests/suites/fw_cfg_diff.py "$TRACE" "$TMP/hvmdm.out" "$TMP/qemu.out"
fi

# ---------------------------------------------------------------- 3. bad input
expect_exit1() { # name, text the message must contain, argv...
	local name=$1 want=$2
	shift 2
	timeout 30 "$HVMDM" -machine pc -m 240 -nodefaults -accel qtest -qtest stdio "$@" \
		</dev/null >"$TMP/out" 2>"$TMP/err"
	local rc=$?
	if [ $rc -ne 1 ]; then
		fail "fw_cfg-bad:$name" "exit status $rc, not 1: $(head -c 300 "$TMP/err")"
	elif ! grep -qF -- "$want" "$TMP/err"; then
		fail "fw_cfg-bad:$name" "message lacks '$want': $(head -c 300 "$TMP/err")"
	else
		pass "fw_cfg-bad:$name"
	fi
}
# 1 MiB below the kernel's limit: initrd_addr_max 0x7fffffff is capped at 240 MiB - ACPI data.
truncate -s 260M "$TMP/big.initrd"
expect_exit1 truncated-bzimage "$TMP/truncated.bzImage: truncated bzImage" \
	-kernel "$TMP/truncated.bzImage"
expect_exit1 text-as-kernel "$TMP/text: not a Linux bzImage" -kernel "$TMP/text"
expect_exit1 oversize-initrd "-initrd $TMP/big.initrd: too large" \
	-kernel "$TMP/bzImage" -initrd "$TMP/big.initrd"
expect_exit1 missing-kernel "-kernel $TMP/none: cannot read" -kernel "$TMP/none"
expect_exit1 missing-initrd "-initrd $TMP/none: cannot read" -kernel "$TMP/bzImage" \
	-initrd "$TMP/none"
expect_exit1 missing-rom "/nonexistent/linuxboot.bin" -kernel "$TMP/bzImage" \
	-global fw-cfg.rom=/nonexistent/linuxboot.bin
grep -qF "qemu-system-data" "$TMP/err" && pass "fw_cfg-bad:missing-rom-names-package" ||
	fail "fw_cfg-bad:missing-rom-names-package" "$(head -c 300 "$TMP/err")"
expect_exit1 initrd-without-kernel "only allowed with -kernel" -initrd "$TMP/initrd"
exit 0
