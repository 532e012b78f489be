#!/bin/bash
# Fuzz every configuration of tests/fuzz/configs.c (or the ones named):
#   run.sh BUILD-FUZZ SECONDS [CONFIG...|trace]    (make fuzz FUZZ_TIME=SECONDS)
# Per configuration: libFuzzer with the seeds (mkseeds.sh), the dictionary,
# a per-input time bound (FUZZ_TIMEOUT, 10 s) and a corpus kept in
# BUILD/corpus/CONFIG across runs (FUZZ_FRESH_CORPUS=1: from the seeds only;
# libFuzzer runs the whole corpus before the time limit counts). Each finding
# libFuzzer writes (crash-, timeout-, leak-, oom-, slow-unit-) becomes a trace next to
# it (fuzz-CONFIG --reproduce), which `hvmdm --replay` runs. "trace" is the
# trace-text target (fuzz-trace, seeds: the traces themselves). Minimize a
# finding with scripts/minimize-trace.py, then, once fixed, keep it in
# tests/traces/regress/ with tests/fuzz/add-regress.sh.
# Prints "PASS fuzz:CONFIG ..." or "FAIL fuzz:CONFIG ..." per configuration
# with executions, executions per second and edges covered, and appends the
# same to BUILD/fuzz-stats.txt. Exit status 1 on any finding.
set -u
cd "$(dirname "$0")/../.." || exit 2
BUILD=${1:-build-fuzz}
SECS=${2:-60}
shift 2 2>/dev/null || shift $#
FUZZ=$BUILD/tests/fuzz/fuzz-generic
[ -x "$FUZZ" ] || { echo "FAIL fuzz:build $FUZZ missing (make fuzz-build)"; exit 1; }
configs=("$@")
if [ ${#configs[@]} -eq 0 ]; then
	mapfile -t configs < <("$FUZZ" --list-configs | cut -f1)
	configs+=(trace) # the trace-text target (fuzz_trace.c), on the chipset
fi
[ -d "$BUILD/seeds" ] && [ -d "$BUILD/seeds-text" ] || tests/fuzz/mkseeds.sh "$BUILD" "$BUILD/seeds"
mkdir -p "$BUILD/work" "$BUILD/logs"
status=0
# fuzz_one NAME BINARY SEEDS DICT: one libFuzzer run, its findings as traces.
fuzz_one() {
	local c=$1 bin=$2 seeds=$3 dict=$4 rc execs eps cov secs summary a t
	local corpus=$BUILD/corpus/$c findings=$BUILD/findings/$c log=$BUILD/logs/$c-$$.log
	local marker=$BUILD/work/start-$c-$$
	# CI starts from the seeds each time, so that its run time does not grow with the corpus.
	if [ "${FUZZ_FRESH_CORPUS:-0}" = 1 ]; then
		corpus=$BUILD/work/corpus-$c-$$
		rm -rf "$corpus"
	fi
	mkdir -p "$corpus" "$findings"
	touch "$marker"
	sleep 1 # artifacts of this run are strictly newer than the marker
	FUZZ_WORKDIR=$BUILD/work FUZZ_REPRO=$findings/last-reproducer.trace \
		"$bin" -max_total_time="$SECS" -timeout="${FUZZ_TIMEOUT:-10}" -max_len=4096 \
		-len_control=20 -dict="$dict" -artifact_prefix="$findings/" \
		-print_final_stats=1 -rss_limit_mb=2048 ${FUZZ_FLAGS:-} \
		"$corpus" "$seeds" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n1)
	cov=$(grep -ao 'cov: [0-9]*' "$log" | tail -n1 | cut -d' ' -f2)
	local found=()
	while IFS= read -r a; do
		[ -n "$a" ] || continue
		"$bin" --reproduce "$a" "$a.trace" >/dev/null 2>&1
		found+=("$a.trace")
	done < <(find "$findings" -maxdepth 1 -newer "$marker" -type f \
		\( -name 'crash-*' -o -name 'timeout-*' -o -name 'leak-*' -o -name 'oom-*' \
		-o -name 'slow-unit-*' \) ! -name '*.trace' | sort)
	[ "${FUZZ_FRESH_CORPUS:-0}" = 1 ] && rm -rf "$corpus"
	rm -f "$marker"
	secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n1)
	summary="${secs:-$SECS} s, ${execs:-0} execs, ${eps:-0} exec/s, ${cov:-0} edges"
	echo "$(date -u +%FT%TZ) $c $summary findings=${#found[@]}" >>"$BUILD/fuzz-stats.txt"
	if [ ${#found[@]} -gt 0 ] || [ "$rc" -ne 0 ]; then
		status=1
		echo "FAIL fuzz:$c ($summary) exit $rc, ${#found[@]} finding(s); log $log"
		grep -a -m3 -E '^(SUMMARY|==[0-9]+==ERROR|==== hvmdm fuzz: invariant)' "$log" | sed 's/^/    /'
		for t in "${found[@]}"; do
			echo "    reproducer: $t ($(grep -vc '^#' "$t") commands)"
		done
	else
		echo "PASS fuzz:$c ($summary)"
	fi
	grep -aE '^fuzz: known finding' "$log" | sort -u | sed 's/^fuzz: /    /'
}

for c in "${configs[@]}"; do
	if [ "$c" = trace ]; then
		fuzz_one trace "$BUILD/tests/fuzz/fuzz-trace" "$BUILD/seeds-text" tests/fuzz/trace.dict
	else
		ln -f "$FUZZ" "$BUILD/tests/fuzz/fuzz-$c"
		fuzz_one "$c" "$BUILD/tests/fuzz/fuzz-$c" "$BUILD/seeds" tests/fuzz/hvmdm.dict
	fi
done
exit $status
