#!/bin/bash
# Seeds for the fuzz targets, generated at fuzz time (not committed):
#   mkseeds.sh BUILD-FUZZ OUTDIR
# Every trace under tests/traces/ and tests/fuzz/seeds/, and the ioreq streams
# qemu-xen recorded under real Xen (../shared/docs/qemu-xen-golden/
# ioreq-*.trace.gz, converted by scripts/golden-ioreq-to-trace.py and cut into
# pieces of SEED_LINES commands, at most SEED_PIECES per stream), encoded as
# fuzz inputs by `fuzz-generic --encode`. Commands the encoder cannot carry
# (comments, memset) are dropped; the IDE templates' pseudo-commands (wait,
# dmawait, data, packet: tests/suites/ide_diff.py) are expanded first, and a
# trace longer than SEED_LINES commands becomes several seeds.
set -u
cd "$(dirname "$0")/../.." || exit 2
BUILD=${1:-build-fuzz}
OUT=${2:-$BUILD/seeds}
FUZZ=$BUILD/tests/fuzz/fuzz-generic
GOLDEN=${GOLDEN_DIR:-../shared/docs/qemu-xen-golden}
SEED_LINES=${SEED_LINES:-180}
SEED_PIECES=${SEED_PIECES:-40}

[ -x "$FUZZ" ] || { echo "mkseeds: $FUZZ missing (make fuzz-build)" >&2; exit 2; }
TEXT=$OUT-text # the same traces as text, for the trace-text target
mkdir -p "$OUT" "$TEXT" "$BUILD/golden"
n=0
# The IDE templates' pseudo-commands (tests/suites/ide_diff.py) as plain commands.
expand() {
	awk '$1 == "wait" || $1 == "dmawait" { print "inb " $2; next }
	$1 == "data" { c = ($4 == "l") ? "inl " : "inw "; for (i = 0; i < $3 + 0 && i < 256; i++) print c $2; next }
	$1 == "packet" { for (i = 3; i < 15; i += 2) printf "outw %s 0x%s%s\n", $2, $(i + 1), $i; next }
	{ print }' "$1" | sed 's/0x0x/0x/g'
}
for t in tests/traces/*.trace tests/traces/*/*.trace tests/fuzz/seeds/*.trace; do
	[ -f "$t" ] || continue
	name=$(echo "${t%.trace}" | tr '/' '_')
	expand "$t" | grep -v '^#' >"$BUILD/golden/expanded.trace"
	# Inputs are at most 4 KiB (-max_len): a long trace becomes several seeds.
	total=$(wc -l <"$BUILD/golden/expanded.trace")
	for ((p = 0; p * SEED_LINES < total; p++)); do
		sed -n "$((p * SEED_LINES + 1)),$(((p + 1) * SEED_LINES))p" \
			"$BUILD/golden/expanded.trace" >"$BUILD/golden/piece.trace"
		"$FUZZ" --encode "$BUILD/golden/piece.trace" "$OUT/$name-$p.bin" 2>/dev/null &&
			n=$((n + 1))
		head -c 4096 "$BUILD/golden/piece.trace" >"$TEXT/$name-$p.trace"
	done
done

for gz in "$GOLDEN"/ioreq-*.trace.gz; do
	[ -f "$gz" ] || continue
	base=$(basename "$gz" .trace.gz)
	full=$BUILD/golden/$base.trace
	[ -s "$full" ] || python3 scripts/golden-ioreq-to-trace.py "$gz" "$full" 2>/dev/null || continue
	total=$(grep -vc '^#' "$full")
	pieces=$(((total + SEED_LINES - 1) / SEED_LINES))
	step=$(((pieces + SEED_PIECES - 1) / SEED_PIECES))
	[ "$step" -ge 1 ] || step=1
	for ((p = 0; p < pieces; p += step)); do
		grep -v '^#' "$full" | sed -n "$((p * SEED_LINES + 1)),$(((p + 1) * SEED_LINES))p" \
			>"$BUILD/golden/piece.trace"
		"$FUZZ" --encode "$BUILD/golden/piece.trace" "$OUT/golden-$base-$p.bin" 2>/dev/null &&
			n=$((n + 1))
		head -c 4096 "$BUILD/golden/piece.trace" >"$TEXT/golden-$base-$p.trace"
	done
done
rm -f "$BUILD/golden/piece.trace" "$BUILD/golden/expanded.trace"
echo "mkseeds: $n seeds in $OUT" >&2
