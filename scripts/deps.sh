#!/bin/sh
# Install every Debian package the build, the tests and the benchmarks need,
# when one is missing. Idempotent; silent when everything is present.
set -eu

PKGS="gcc make pkg-config python3 \
libjansson-dev libaio-dev libseccomp-dev libxen-dev libcmocka-dev \
clang clang-format libclang-rt-14-dev qemu-system-x86 valgrind \
genisoimage pciutils \
ipxe-qemu \
seabios \
dpkg-dev meson ninja-build libglib2.0-dev libpixman-1-dev libfdt-dev flex bison \
libvncserver-dev vncsnapshot tigervnc-viewer xvfb x11proto-dev qemu-system-data"

# QEMU's qtest programs are built from Debian's qemu source package
# (scripts/qemu-qtest-build.sh): apt-get source needs deb-src lines.
SRC_LIST=/etc/apt/sources.list.d/hvmdm-deb-src.sources
need_src=0
grep -rqsE '^(deb-src|Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/ || need_src=1

missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && [ "$need_src" -eq 0 ] && exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
if [ "$need_src" -eq 1 ]; then
	echo "deps: adding Debian bookworm deb-src lines ($SRC_LIST)"
	printf '%s\n' "Types: deb-src" "URIs: http://deb.debian.org/debian" \
		"Suites: bookworm bookworm-updates" "Components: main" \
		"Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" "" \
		"Types: deb-src" "URIs: http://deb.debian.org/debian-security" \
		"Suites: bookworm-security" "Components: main" \
		"Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" |
		$SUDO tee "$SRC_LIST" >/dev/null
	[ -n "$missing" ] || { $SUDO apt-get update -qq; exit 0; }
fi
echo "deps: installing:$missing"
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
