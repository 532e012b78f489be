#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Record QEMU's answers for the chipset's PCI configuration space, as a
# differential oracle for hw/pci/i440fx.c and hw/pci/piix3.c.
#
# Runs Debian's qemu-system-x86_64 under qtest (no guest code runs: the
# config space is the reset state) and reads all 256 bytes of 00:00.0,
# 00:01.0, 00:01.1 and 00:01.3 through CONFIG_ADDRESS (outl 0xcf8) and
# CONFIG_DATA (inl 0xcfc), one dword at a time. Then some accesses of other
# sizes and offsets on 0xcf8-0xcff, so the port semantics are recorded too.
#
# Output, in tests/traces/qemu/ (or $1):
#   pci-cfg.trace       the commands (the trace format of trace-format.md)
#   pci-cfg.expected    QEMU's answers, one line per command
#   qemu-version.txt    which QEMU answered
#
# Usage: scripts/record-qemu-cfg.sh [outdir]
set -eu

out=${1:-$(dirname "$0")/../tests/traces/qemu}
qemu=${QEMU:-qemu-system-x86_64}
mkdir -p "$out"

if ! command -v "$qemu" >/dev/null 2>&1; then
	echo "record-qemu-cfg: $qemu not found (apt-get install qemu-system-x86)" >&2
	exit 1
fi

trace=$out/pci-cfg.trace
{
	echo "# PCI config space of the i440FX/PIIX3 chipset functions after reset,"
	echo "# read through 0xcf8/0xcfc. Recorded by scripts/record-qemu-cfg.sh."
	for devfn in 0x00 0x08 0x09 0x0b; do
		reg=0
		while [ $reg -lt 256 ]; do
			printf 'outl 0xcf8 0x%08x\n' $((0x80000000 | (devfn << 8) | reg))
			echo "inl 0xcfc"
			reg=$((reg + 4))
		done
	done
	echo "# CONFIG_ADDRESS read back, and narrower accesses to 0xcf8-0xcfb"
	echo "outl 0xcf8 0x80000858"
	echo "inl 0xcf8"
	echo "inw 0xcf8"
	echo "inb 0xcf8"
	echo "inw 0xcfa"
	echo "inb 0xcfa"
	echo "inb 0xcfb"
	echo "# a byte write to 0xcf8 and a word write to 0xcfa leave CONFIG_ADDRESS alone"
	echo "outb 0xcf8 0x00"
	echo "outw 0xcfa 0x0000"
	echo "inl 0xcf8"
	echo "# 0xcf9 is the PIIX3 reset control register (bits 1 kept, 2 resets)"
	echo "inb 0xcf9"
	echo "outb 0xcf9 0x02"
	echo "inb 0xcf9"
	echo "outb 0xcf9 0x00"
	echo "# CONFIG_DATA at every size and offset, on 00:00.0 register 0x00 and 0x58"
	echo "outl 0xcf8 0x80000000"
	echo "inb 0xcfc"
	echo "inb 0xcfd"
	echo "inb 0xcfe"
	echo "inb 0xcff"
	echo "inw 0xcfc"
	echo "inw 0xcfe"
	echo "inl 0xcfc"
	echo "outl 0xcf8 0x80000058"
	echo "inl 0xcfc"
	echo "outb 0xcfd 0x33"
	echo "outw 0xcfe 0x5511"
	echo "inl 0xcfc"
	echo "inb 0xcfe"
	echo "inw 0xcfd"
	echo "outl 0xcfc 0x00000000"
	echo "inl 0xcfc"
	echo "# enable bit clear: data port reads all ones, writes are dropped"
	echo "outl 0xcf8 0x00000000"
	echo "inl 0xcfc"
	echo "inw 0xcfe"
	echo "inb 0xcff"
	echo "# an absent function and a non-zero bus read all ones"
	echo "outl 0xcf8 0x8000f800"
	echo "inl 0xcfc"
	echo "outl 0xcf8 0x80010000"
	echo "inl 0xcfc"
	echo "# PIIX3 PIRQ route registers: byte and dword writes read back"
	echo "outl 0xcf8 0x80000860"
	echo "inl 0xcfc"
	echo "outb 0xcfc 0x05"
	echo "outb 0xcfd 0x0a"
	echo "outw 0xcfe 0x050b"
	echo "inl 0xcfc"
	echo "outl 0xcfc 0x80808080"
	echo "inl 0xcfc"
	echo "# i440FX read-only header: IDs, class; command bits, BAR sizing on a function without BARs"
	echo "outl 0xcf8 0x80000000"
	echo "outl 0xcfc 0xffffffff"
	echo "inl 0xcfc"
	echo "outl 0xcf8 0x80000004"
	echo "outl 0xcfc 0xffffffff"
	echo "inl 0xcfc"
	echo "outl 0xcfc 0x00000000"
	echo "inl 0xcfc"
	echo "outl 0xcf8 0x80000010"
	echo "outl 0xcfc 0xffffffff"
	echo "inl 0xcfc"
	echo "outl 0xcf8 0x8000000c"
	echo "outl 0xcfc 0xffffffff"
	echo "inl 0xcfc"
	echo "outl 0xcf8 0x8000003c"
	echo "outl 0xcfc 0xffffffff"
	echo "inl 0xcfc"
	echo "outl 0xcf8 0x80000804"
	echo "outl 0xcfc 0xffffffff"
	echo "inl 0xcfc"
	echo "outl 0xcfc 0x00000000"
	echo "inl 0xcfc"
} >"$trace"

"$qemu" --version | head -n 1 >"$out/qemu-version.txt"
n_cmd=$(grep -vc '^#' "$trace")
ans=$out/pci-cfg.expected
# qtest keeps QEMU running after stdin closes: wait for every answer, then
# stop the QEMU this script started (by its pid).
grep -v '^#' "$trace" >"$out/.cmds"
"$qemu" -machine pc -accel tcg -S -qtest stdio -nodefaults -display none -m 128M \
	-qtest-log /dev/null <"$out/.cmds" >"$ans" 2>"$out/qemu-stderr.txt" &
pid=$!
tries=0
while [ "$(wc -l <"$ans")" -lt "$n_cmd" ] && [ $tries -lt 300 ]; do
	sleep 0.1
	tries=$((tries + 1))
done
kill "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
rm -f "$out/.cmds"

n_ans=$(wc -l <"$ans")
if [ "$n_cmd" -ne "$n_ans" ]; then
	echo "record-qemu-cfg: $n_cmd commands but $n_ans answers (see $out/qemu-stderr.txt)" >&2
	exit 1
fi
rm -f "$out/qemu-stderr.txt"
echo "record-qemu-cfg: $n_ans answers from $(cat "$out/qemu-version.txt") in $out"
