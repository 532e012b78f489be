#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The end-to-end test: real Xen 4.17 nested in qemu-system-x86_64 (TCG, an
# emulated AMD CPU with SVM and NPT), a Debian dom0 whose unmodified libxl
# spawns hvmdm through device_model_override, and small guests that
# hvmloader and SeaBIOS boot from hvmdm's IDE disk. The same guests run
# under Debian's qemu-xen in the same boot, for comparison.
#
#   tests/e2e/e2e.sh [BUILD]          (make e2e; BUILD defaults to build)
#
# Environment:
#   E2E_CACHE    where the dom0 base image is kept (default ~/.cache/hvmdm-e2e)
#   E2E_OUT      this run's files (default BUILD/e2e)
#   E2E_GUESTS   guests from tests/e2e/guests/ (default: all but those with a
#                file named "slow" in their directory)
#   E2E_DMS      device models, in run order (default "hvmdm qemu"); one
#                named twice runs twice (RUN hello-hvmdm2), for A/B timings
#   E2E_GUEST_TIMEOUT  seconds a guest may run (default 240; a guest's own
#                "timeout" file overrides it)
#   E2E_TIMEOUT  seconds for the whole nested boot (default 1800)
#   E2E_SMP, E2E_MEM   the outer QEMU's CPUs and memory (default 2, 2G)
#   E2E_SUITE=1  print only "PASS name"/"FAIL name why" lines (tests/suites/e2e.sh)
#
# Exit status 0 when every hvmdm assertion passed. The report (phase
# timings, assertions per device model, measurements, the hvmloader/SeaBIOS
# output side by side) is printed and kept in E2E_OUT/report.txt; on a
# failure the tails of the relevant logs follow.
set -euo pipefail

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$E2E_DIR/../.." && pwd)
BUILD=${1:-build}
case "$BUILD" in /*) ;; *) BUILD=$REPO/$BUILD ;; esac
HVMDM=$BUILD/hvmdm
CACHE=${E2E_CACHE:-${HOME:-/root}/.cache/hvmdm-e2e}
OUT=${E2E_OUT:-$BUILD/e2e}
case "$OUT" in /*) ;; *) OUT=$PWD/$OUT ;; esac # the boot runs in $OUT
DMS=${E2E_DMS:-hvmdm qemu}
GUEST_TMO=${E2E_GUEST_TIMEOUT:-240}
TMO=${E2E_TIMEOUT:-1800}
SMP=${E2E_SMP:-2}
MEM=${E2E_MEM:-2G}

say() { [ "${E2E_SUITE:-0}" = 1 ] || echo "e2e: $*"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

if [ ! -x "$HVMDM" ]; then
	echo "e2e: $HVMDM is not built (make BUILD=${BUILD#"$REPO"/})" >&2
	exit 2
fi
if [ -z "${E2E_GUESTS:-}" ]; then
	# every guest but those marked slow (a file named "slow" in their directory)
	E2E_GUESTS=$(cd "$E2E_DIR/guests" && for g in *; do [ -e "$g/slow" ] || echo "$g"; done)
fi

rm -rf "$OUT"
mkdir -p "$OUT"
: > "$OUT/timings"

# ---------------------------------------------------------------- plan
{
	echo "# RUN GUEST DM TIMEOUT"
	for g in $E2E_GUESTS; do
		[ -f "$E2E_DIR/guests/$g/guest.cfg" ] || { echo "e2e: no guest '$g'" >&2; exit 2; }
		seen=" "
		for dm in $DMS; do
			# a device model named twice runs twice: RUN gets a count (hello-hvmdm2)
			n=$(($(echo "$seen" | tr ' ' '\n' | grep -c "^$dm$" || true) + 1))
			seen="$seen$dm "
			tmo=$GUEST_TMO
			# a guest may need longer: its own "timeout" file (seconds)
			[ -f "$E2E_DIR/guests/$g/timeout" ] && tmo=$(cat "$E2E_DIR/guests/$g/timeout")
			echo "$g-$dm$([ $n -gt 1 ] && echo $n) $g $dm $tmo"
		done
	done
} > "$OUT/plan"

# ---------------------------------------------------------------- image
t=$(now)
# (no cache yet on a fresh machine: ls fails, and pipefail must not end the run)
base_before=$({ ls -d "$CACHE"/base-*/DONE 2>/dev/null || true; } | wc -l)
"$E2E_DIR/image.sh" overlay "$CACHE" "$OUT" "$HVMDM" > "$OUT/image.log" 2>&1 || {
	echo "e2e: building the dom0 image failed:" >&2
	tail -n 40 "$OUT/image.log" >&2
	exit 2
}
base_after=$({ ls -d "$CACHE"/base-*/DONE 2>/dev/null || true; } | wc -l)
kind=cached
[ "$base_after" -gt "$base_before" ] && kind=built
echo "image $(elapsed "$t") base-$kind" >> "$OUT/timings"
say "dom0 image ready in $(elapsed "$t") s (base $kind, $(du -sh "$OUT/dom0.cpio" | cut -f1) cpio)"

# ---------------------------------------------------------------- boot
XENCMD="console=com1 com1=115200,8n1 console_timestamps=boot loglvl=all guest_loglvl=all"
XENCMD="$XENCMD dom0_mem=1024M,max:1024M dom0_max_vcpus=$SMP"
DOM0CMD="console=hvc0 earlyprintk=xen loglevel=4 rdinit=/init"
say "booting Xen under TCG (-cpu qemu64,+svm,+npt -smp $SMP -m $MEM), runs: $(grep -v '^#' "$OUT/plan" | cut -d' ' -f1 | tr '\n' ' ')"
t=$(now)
set +e
(
	cd "$OUT"
	timeout "$TMO" qemu-system-x86_64 -accel tcg -machine pc -cpu qemu64,+svm,+npt \
		-smp "$SMP" -m "$MEM" -nographic -monitor none -serial stdio -no-reboot -net none \
		-pidfile "$OUT/qemu.pid" -kernel xen -append "$XENCMD" \
		-initrd "vmlinuz $DOM0CMD,dom0.cpio" < /dev/null 2>&1 |
		PIDF="$OUT/qemu.pid" perl -MTime::HiRes=time -ne '
			BEGIN { $| = 1; $s = time }
			printf("[%8.2f] %s", time - $s, $_);
			# a dead Xen or dom0 leaves QEMU spinning: stop our own QEMU (by its pid file)
			if (/Panic on CPU|Hardware Dom0 crashed|Manual reset required|FATAL PAGE FAULT/) {
				sleep 2;
				if (open(F, $ENV{PIDF})) { $p = <F>; chomp $p; print "[host] fatal: stopping qemu $p\n"; kill "TERM", $p if $p }
			}' > "$OUT/console.log"
	exit "${PIPESTATUS[0]}"
)
qrc=$?
set -e
echo "boot $(elapsed "$t") rc=$qrc" >> "$OUT/timings"
say "nested run ended in $(elapsed "$t") s (qemu rc=$qrc)"

# ---------------------------------------------------------------- results
python3 "$E2E_DIR/unpack.py" "$OUT/console.log" "$OUT/logs" > "$OUT/unpack.log" 2>&1 ||
	say "no complete log archive from dom0 ($(cat "$OUT/unpack.log"))"
rc=0
python3 "$E2E_DIR/report.py" "$OUT" || rc=$?
exit $rc
