#!/bin/bash
# Run the whole suite against one or more build directories (build, build-san):
#   - every cmocka unit test binary in BUILD/tests/unit/ (counted per test case);
#   - every suite script tests/suites/*.sh, called as `SCRIPT BUILD`, which
#     prints one line per check: "PASS name" or "FAIL name [why]" (any other
#     line is shown as it is).
# Ends with "N passed, N failed" and exits non-zero on any failure.
set -u
cd "$(dirname "$0")/.." || exit 2
[ $# -ge 1 ] || set -- build

passed=0
failed=0
failures=()

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

run_unit() {
	local bin=$1 label=$2 out rc p f
	out=$(CMOCKA_MESSAGE_OUTPUT=stdout timeout 300 "$bin" 2>&1)
	rc=$?
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -n1)
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -n1)
	p=${p:-0}
	f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1 # crashed, sanitizer report, or timeout before its summary
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$f" -ne 0 ]; then
		failures+=("$label")
		printf '%s\n' "$out" | tail -n 40 | sed "s|^|  $label: |"
	fi
	printf '%-40s %3d passed, %d failed\n' "$label" "$p" "$f"
}

run_suite() {
	local script=$1 build=$2 label line np=0 nf=0 tmo
	label="$(basename "$script" .sh) [$build]"
	# a suite may need longer than 20 minutes: a line "# suite-timeout: SECONDS" in it
	tmo=$(sed -n 's/^# suite-timeout: *\([0-9][0-9]*\).*/\1/p' "$script" | head -n 1)
	while IFS= read -r line; do
		case "$line" in
		"PASS "*) np=$((np + 1)) ;;
		"FAIL "*) nf=$((nf + 1)); failures+=("$label: ${line#FAIL }"); echo "  $label: $line" ;;
		*) echo "  $label: $line" ;;
		esac
	done < <(timeout "${tmo:-1200}" "$script" "$build" 2>&1; rc=$?; [ $rc -eq 0 ] || echo "FAIL script exited $rc")
	passed=$((passed + np))
	failed=$((failed + nf))
	printf '%-40s %3d passed, %d failed\n' "$label" "$np" "$nf"
}

for build in "$@"; do
	echo "== $build"
	for bin in "$build"/tests/unit/test_*; do
		[ -x "$bin" ] || continue
		case "$bin" in *.o|*.d) continue ;; esac
		run_unit "$bin" "$(basename "$bin") [$build]"
	done
	for script in tests/suites/*.sh; do
		[ -x "$script" ] || continue
		run_suite "$script" "$build"
	done
done

if [ ${#failures[@]} -gt 0 ]; then
	echo "failed:"
	printf '  %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
