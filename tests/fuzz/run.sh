#!/bin/bash
# Fuzz every configuration of tests/fuzz/configs.c (or the ones named):
#   run.sh BUILD-FUZZ SECONDS [CONFIG...]          (make fuzz FUZZ_TIME=SECONDS)
# Per configuration: libFuzzer with the seeds (mkseeds.sh), the dictionary,
# a per-input time bound (FUZZ_TIMEOUT, 10 s) and a corpus kept in
# BUILD/corpus/CONFIG across runs. Each finding libFuzzer writes
# (crash-, timeout-, leak-, oom-, slow-unit-) is turned into a trace next to
# it (fuzz-CONFIG --reproduce), which `hvmdm --replay` runs; copy it to
# tests/traces/regress/ with tests/fuzz/add-regress.sh once fixed.
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
[ ${#configs[@]} -gt 0 ] || mapfile -t configs < <("$FUZZ" --list-configs | cut -f1)
[ -d "$BUILD/seeds" ] || tests/fuzz/mkseeds.sh "$BUILD" "$BUILD/seeds"
mkdir -p "$BUILD/work" "$BUILD/logs"
status=0
for c in "${configs[@]}"; do
	bin=$BUILD/tests/fuzz/fuzz-$c
	ln -f "$FUZZ" "$bin"
	corpus=$BUILD/corpus/$c
	findings=$BUILD/findings/$c
	log=$BUILD/logs/$c.log
	mkdir -p "$corpus" "$findings"
	marker=$BUILD/work/start-$c
	touch "$marker"
	sleep 1 # artifacts of this run are strictly newer than the marker
	FUZZ_WORKDIR=$BUILD/work FUZZ_REPRO=$findings/last-reproducer.trace \
		"$bin" -max_total_time="$SECS" -timeout="${FUZZ_TIMEOUT:-10}" -max_len=4096 \
		-len_control=20 -dict=tests/fuzz/hvmdm.dict -artifact_prefix="$findings/" \
		-print_final_stats=1 -rss_limit_mb=2048 ${FUZZ_FLAGS:-} \
		"$corpus" "$BUILD/seeds" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n1 | cut -d' ' -f2)
	found=()
	while IFS= read -r a; do
		[ -n "$a" ] || continue
		FUZZ_CONFIG=$c "$FUZZ" --reproduce "$a" "$a.trace" >/dev/null 2>&1
		found+=("$a.trace")
	done < <(find "$findings" -maxdepth 1 -newer "$marker" -type f \
		\( -name 'crash-*' -o -name 'timeout-*' -o -name 'leak-*' -o -name 'oom-*' \
		-o -name 'slow-unit-*' \) ! -name '*.trace' | sort)
	summary="${SECS} s, ${execs:-0} execs, ${eps:-0} exec/s, ${cov:-0} edges"
	echo "$(date -u +%FT%TZ) $c $summary findings=${#found[@]}" >>"$BUILD/fuzz-stats.txt"
	if [ ${#found[@]} -gt 0 ] || [ "$rc" -ne 0 ]; then
		status=1
		echo "FAIL fuzz:$c ($summary) exit $rc, ${#found[@]} finding(s); log $log"
		grep -m3 -E '^(SUMMARY|==[0-9]+==ERROR|==== hvmdm fuzz: invariant)' "$log" | sed 's/^/    /'
		for t in "${found[@]}"; do
			echo "    reproducer: $t ($(grep -vc '^#' "$t") commands; run: $(sed -n 's/^# argv: //p' "$t" | head -n1 | cut -c1-60)...)"
		done
	else
		echo "PASS fuzz:$c ($summary)"
	fi
done
exit $status
