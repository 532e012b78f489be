#!/bin/bash
# Instructions hvmdm's own code spends per PIO ioreq (inl of a register),
# counted by callgrind over bench_xensim --profile: everything executed inside
# xen_evtchn_ready (event, slot state machine, translation, ioreq_handle, the
# bus, the device's read, the answer), minus the xensim functions it calls
# in place of libxenevtchn (their cost under real Xen is the kernel's).
#   bench/bench_xensim_callgrind.sh BUILD [N]
set -u
b=${1:-build}
n=${2:-20000}
bin="$b/bench/bench_xensim"
command -v valgrind >/dev/null || { echo "   (valgrind not installed)"; exit 0; }
[ -x "$bin" ] || { echo "   ($bin not built)"; exit 0; }
out=$(mktemp /tmp/hvmdm-callgrind.XXXXXX)
trap 'rm -f "$out" "$out".*' EXIT
# Warm-up requests are included; N large makes them noise.
valgrind --tool=callgrind --toggle-collect=xen_evtchn_ready --callgrind-out-file="$out" \
	"$bin" --profile "$n" >/dev/null 2>&1 || { echo "   (callgrind run failed)"; exit 0; }
callgrind_annotate --inclusive=yes --threshold=100 "$out" 2>/dev/null | sed "s/ *$//" | awk -v n="$n" '
	function num(s) { gsub(/,/, "", s); return s + 0 }
	/PROGRAM TOTALS/ { total = num($1) }
	# Each function is listed twice (absolute and relative path): take the object-tagged line.
	!/bench_xensim\]$/ { next }
	/:xenevtchn_pending |:xenevtchn_unmask |:xenevtchn_notify / { sim += num($1) }
	/:ioreq_handle / { core = num($1) }
	END {
		if (!total) { print "   (no callgrind totals)"; exit }
		printf "  instructions per PIO ioreq in hvmdm (callgrind, %d requests): %.0f\n", n, (total - sim) / n
		printf "    of which ioreq_handle (validate + dispatch + device): %.0f\n", core / n
		printf "    xensim evtchn calls excluded: %.0f\n", sim / n
	}'
