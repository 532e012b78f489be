#!/bin/bash
# Differential check of the chipset's PCI config space against QEMU.
#
#   pci_qemu.sh BUILD
#
# Replays tests/traces/qemu/pci-cfg.trace (recorded from QEMU 7.2 by
# scripts/record-qemu-cfg.sh: config space of 00:00.0, 00:01.0, 00:01.1 and
# 00:01.3 through 0xcf8/0xcfc, and the port semantics of 0xcf8-0xcff) with
#   BUILD/hvmdm --replay TRACE -machine pc -m 128 -nodefaults
# and compares every answer with QEMU's. An answer may differ only where
# tests/golden/known-differences.txt lists a byte it covers ("qemu-pc").
# Prints "PASS name" / "FAIL name why" (scripts/run-tests.sh).
set -u
cd "$(dirname "$0")/../.." || exit 2
BUILD=${1:-build}
HVMDM=$BUILD/hvmdm
TRACE=tests/traces/qemu/pci-cfg.trace
EXPECTED=tests/traces/qemu/pci-cfg.expected
KNOWN=tests/golden/known-differences.txt
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

if [ ! -x "$HVMDM" ]; then
	echo "FAIL pci-qemu:built $HVMDM missing"
	exit 0
fi
if ! "$HVMDM" --replay "$TRACE" -machine pc -m 128 -nodefaults >"$TMP/out" 2>"$TMP/err"; then
	echo "FAIL pci-qemu:replay hvmdm exited with an error: $(tail -n 1 "$TMP/err")"
	exit 0
fi
echo "PASS pci-qemu:replay"

grep -v '^#' "$TRACE" >"$TMP/cmds"
python3 - "$TMP/cmds" "$EXPECTED" "$TMP/out" "$KNOWN" >"$TMP/res" 2>"$TMP/diffs" <<'PY'
import sys
cmds, want, got = (open(f).read().splitlines() for f in sys.argv[1:4])
ok = set()
for line in open(sys.argv[4]):
    f = line.split()
    if len(f) < 3 or line.startswith('#') or f[0] != 'qemu-pc':
        continue
    b, d = f[1].split(':')
    dev, fn = d.split('.')
    devfn = int(dev, 16) * 8 + int(fn, 16)
    lo, _, hi = f[2].partition('-')
    for reg in range(int(lo, 16), int(hi or lo, 16) + 1):
        ok.add((devfn, reg))
cf8 = compared = allowed = bad = 0
for n, (c, w, g) in enumerate(zip(cmds, want, got), 1):
    op, port = c.split()[0], int(c.split()[1], 0)
    size = {'b': 1, 'w': 2}.get(op[-1], 4)
    if op == 'outl' and port == 0xcf8:
        cf8 = int(c.split()[2], 0)
    if w == g:
        compared += 1
        continue
    devfn = (cf8 >> 8) & 0xff
    if 0xcfc <= port <= 0xcff and cf8 & 0x80000000 and any(
            (devfn, (cf8 & 0xfc) + (port & 3) + i) in ok for i in range(size)):
        allowed += 1
        continue
    bad += 1
    print('line %d: "%s": QEMU "%s", hvmdm "%s"' % (n, c, w, g), file=sys.stderr)
print(compared, allowed, bad)
PY
read -r compared allowed bad <"$TMP/res"
n_cmd=$(wc -l <"$TMP/cmds")
n_out=$(wc -l <"$TMP/out")
if [ "$n_cmd" != "$n_out" ]; then
	echo "FAIL pci-qemu:answers $n_cmd commands but $n_out answers"
elif [ "$bad" != 0 ]; then
	echo "FAIL pci-qemu:answers $bad answers differ from QEMU: $(head -n 3 "$TMP/diffs" | tr '\n' ' ')"
else
	echo "PASS pci-qemu:answers ($compared equal to QEMU, $allowed known differences)"
fi
