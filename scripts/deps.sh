#!/bin/sh
# Install every Debian package the build, the tests and the benchmarks need,
# when one is missing. Idempotent; silent when everything is present.
set -eu

PKGS="gcc make pkg-config python3 \
libjansson-dev libaio-dev libseccomp-dev libxen-dev libcmocka-dev \
clang clang-format libclang-rt-14-dev qemu-system-x86 valgrind \
genisoimage pciutils"

missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

echo "deps: installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
