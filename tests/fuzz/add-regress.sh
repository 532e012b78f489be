#!/bin/bash
# Keep a fuzz finding (once fixed) as a regression trace:
#   add-regress.sh FINDING.trace NAME "what it was and where it was fixed"
# Minimize first (scripts/minimize-trace.py). Writes tests/traces/regress/NAME.trace
# with the machine argv as "# fuzz-argv:" (tests/suites/regress.sh runs it with
# @DISK@/@CD@ made, under every build, ASan included; tests/suites/traces.sh
# skips it, as it compares transcripts and these only must not crash).
set -eu
cd "$(dirname "$0")/../.."
[ $# -eq 3 ] || { echo "usage: $0 FINDING.trace NAME DESCRIPTION" >&2; exit 2; }
src=$1 name=$2 what=$3
out=tests/traces/regress/$name.trace
config=$(sed -n 's/^# hvmdm fuzz reproducer, config \([^:]*\):.*/\1/p' "$src" | head -n1)
why=$(sed -n 's/^# hvmdm fuzz reproducer, config [^:]*: //p' "$src" | head -n1)
{
	echo "# Regression: $what"
	echo "# Found by the fuzzer (config ${config:-?}): $why"
	echo "# config: ${config:-chipset}"
	sed -n 's/^# argv: /# fuzz-argv: /p' "$src" | head -n1
	grep '^# images:' "$src" || true
	grep -v '^#' "$src"
} >"$out"
echo "$out: $(grep -vc '^#' "$out") commands"
