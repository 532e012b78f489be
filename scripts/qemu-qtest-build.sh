#!/bin/bash
# Build QEMU 7.2's own qtest programs (tests/qtest/*-test) from Debian's qemu
# source package, once, into a cache: libqtest + libqos + the programs listed
# in tests/qemu-qtest/programs.txt, nothing of QEMU itself (no emulator).
#
#   scripts/qemu-qtest-build.sh        prints the directory holding the programs
#
# Cache: ${XDG_CACHE_HOME:-~/.cache}/hvmdm/qemu-qtest/VERSION/ (the source
# version apt-get chose); reused while its stamp names the same programs, so a
# second run costs nothing. Cold: download (24 MB), configure (~25 s) and about
# 800 compile steps (~1.5 min on 2 cores). Needs the deb-src lines
# scripts/deps.sh sets up and meson, ninja, glib, pixman, fdt (deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
programs=$(grep -v '^#' tests/qemu-qtest/programs.txt | awk 'NF { print $1 }' | sort | tr '\n' ' ')
cache=${XDG_CACHE_HOME:-$HOME/.cache}/hvmdm/qemu-qtest
mkdir -p "$cache"
exec 9>"$cache/lock"
flock 9 # two build trees (plain, SAN) may ask at once: one builds, the other waits

# The version apt would fetch (the source of the installed qemu-system-x86).
version=$(dpkg-query -W -f='${source:Version}' qemu-system-x86 2>/dev/null || true)
[ -n "$version" ] || { echo "qemu-qtest-build: qemu-system-x86 is not installed (scripts/deps.sh)" >&2; exit 1; }
dir=$cache/${version#*:} # QEMU's configure refuses a colon (the epoch) in a path
stamp="$version: $programs"
if [ -f "$dir/stamp" ] && [ "$(cat "$dir/stamp")" = "$stamp" ]; then
	echo "$dir/bin"
	exit 0
fi

start=$(date +%s)
rm -rf "$dir"
mkdir -p "$dir/bin"
log=$dir/build.log
build() {
	cd "$dir" &&
		apt-get source --download-only "qemu=$version" && # the installed binary's source
		dpkg-source -x qemu_*.dsc src &&
		rm -f qemu_*.tar.* qemu_*.dsc &&
		mkdir build && cd build &&
		# Debian's python3 and meson (the dfsg tarball has no bundled meson);
		# nothing optional, no devices: only the test programs are built.
		../src/configure --meson=meson --target-list=x86_64-softmmu \
			--without-default-features --without-default-devices \
			--disable-werror --disable-docs &&
		# shellcheck disable=SC2046,SC2086
		ninja -j"${JOBS:-2}" $(printf 'tests/qtest/%s ' $programs) &&
		# shellcheck disable=SC2086
		(cd tests/qtest && cp $programs "$dir/bin/") &&
		cd "$dir" && rm -rf src build # the programs are self-contained: keep only them
}
build >"$log" 2>&1 || { echo "qemu-qtest-build: failed, see $log" >&2; tail -n 20 "$log" >&2; exit 1; }
echo "$stamp" >"$dir/stamp"
echo "qemu-qtest-build: built in $(($(date +%s) - start)) s" >>"$log"
echo "$dir/bin"
