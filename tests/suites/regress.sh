#!/bin/bash
# Regression traces of fuzz findings (tests/traces/regress/*.trace, written by
# tests/fuzz/add-regress.sh): each is replayed by BUILD/hvmdm with its
# "# fuzz-argv:" machine (@DISK@/@CD@: zero-filled 2 MiB / 1 MiB images) and
# must end with status 0, within 60 s, with no sanitizer report (the ASan
# build is where a regression shows). When build-fuzz/ has the fuzz binary the
# trace also runs under `fuzz-generic --check-trace` (the harness invariants).
#   regress.sh BUILD     prints "PASS regress:NAME" / "FAIL regress:NAME why"
set -u
cd "$(dirname "$0")/../.." || exit 2
BUILD=${1:-build}
HVMDM=$BUILD/hvmdm
FUZZ=${FUZZ_BIN:-build-fuzz/tests/fuzz/fuzz-generic}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
[ -x "$HVMDM" ] || { echo "FAIL regress:hvmdm-built $HVMDM missing"; exit 0; }
# A fuzz binary left by an earlier build may predate the sources (it failed a
# fixed regression once): bring it up to date before trusting its verdict.
if [ -z "${FUZZ_BIN:-}" ] && [ -x "$FUZZ" ] &&
	! make --no-print-directory -s fuzz-build FUZZ_BUILD=build-fuzz >"$TMP/fuzz-build.log" 2>&1; then
	echo "FAIL regress:fuzz-build make fuzz-build failed: $(grep -m1 -E 'error|Error' "$TMP/fuzz-build.log")"
	exit 0
fi
truncate -s 2M "$TMP/disk.img"
truncate -s 1M "$TMP/cd.iso"
for t in tests/traces/regress/*.trace; do
	[ -f "$t" ] || continue
	name=regress:$(basename "$t" .trace)
	argv=$(sed -n 's/^# fuzz-argv: //p' "$t" | head -n1 | sed -e "s|@DISK@|$TMP/disk.img|g" \
		-e "s|@CD@|$TMP/cd.iso|g")
	config=$(sed -n 's/^# config: //p' "$t" | head -n1)
	if [ -z "$argv" ]; then
		echo "FAIL $name no '# fuzz-argv:' line"
		continue
	fi
	# shellcheck disable=SC2086
	timeout 60 "$HVMDM" --replay "$t" $argv >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ $rc -ne 0 ] || grep -qE 'Sanitizer|runtime error:' "$TMP/err"; then
		echo "FAIL $name exit $rc: $(grep -m1 -E 'SUMMARY|runtime error|ERROR' "$TMP/err" | cut -c1-200)"
		continue
	fi
	if [ -x "$FUZZ" ] && ! FUZZ_CONFIG=${config:-chipset} FUZZ_WORKDIR=$TMP timeout 60 \
		"$FUZZ" --check-trace "$t" >"$TMP/out" 2>"$TMP/err"; then
		echo "FAIL $name harness: $(grep -m1 -E 'invariant|SUMMARY|runtime error' "$TMP/err" | cut -c1-200)"
		continue
	fi
	echo "PASS $name"
done
exit 0
