#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# image.sh: the dom0 image of the end-to-end test, built from Debian packages.
#
#   tests/e2e/image.sh base CACHE          -> prints the base directory
#   tests/e2e/image.sh overlay CACHE RUNDIR HVMDM
#
# base: Xen 4.17 (uncompressed ELF, as QEMU's multiboot loader wants it), the
#   Debian dom0 kernel, and a root file system (debootstrap minbase plus the
#   Xen tools, Debian's qemu-xen for the comparison runs, and the libraries
#   hvmdm links) as one newc cpio with the Xen kernel modules dom0 needs.
#   Built once into CACHE/base-KEY, KEY being a hash of build_base and the
#   package and module lists: change those and a new base is built; nothing
#   else invalidates it. About 3 minutes and 250 MB from scratch.
# overlay: everything that changes from run to run, as a second cpio
#   appended to the base one (the kernel unpacks concatenated archives):
#   dom0's /init and helpers (tests/e2e/dom0/), the guests (tests/e2e/guests/,
#   their payloads built from firmware/guests/), the run plan, and the hvmdm
#   binary under test with any shared library the base lacks. Seconds.
#
# Needs root (debootstrap, chroot) and network access to the Debian archive.
set -euo pipefail

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$E2E_DIR/../.." && pwd)

SUITE=bookworm
MIRROR=${E2E_MIRROR:-http://deb.debian.org/debian}
# What dom0 runs: xl/libxl, xenstored, xenconsoled (xen-utils), Debian's
# qemu-xen (qemu-system-xen) for the comparison, python3 for the DM wrapper,
# and the libraries hvmdm links beyond the Xen ones.
ROOTFS_PKGS=xen-utils-4.17,xen-utils-common,qemu-system-xen,kmod,busybox-static,procps,python3,libjansson4,libseccomp2,libaio1
# Kernel module trees copied into dom0 (relative to lib/modules/KV/kernel).
MODULE_DIRS="drivers/xen drivers/block/xen-blkback drivers/net/xen-netback"
MODULE_FILES="drivers/block/loop.ko drivers/net/tun.ko"
# Module trees kept for the Linux test guest: the drivers of every device
# hvmdm models or will (IDE disk and CD-ROM, ISO 9660, DRM for std VGA and
# Cirrus, UHCI and HID, RTL8139, NE2000 and e1000) and what they need. Its
# probes pick modules from here (tests/e2e/README.md).
GUEST_MODULE_DIRS="drivers/ata drivers/scsi block crypto lib drivers/cdrom fs/isofs drivers/gpu/drm
	drivers/usb drivers/hid drivers/input drivers/net/mii.ko drivers/net/ethernet/realtek
	drivers/net/ethernet/8390 drivers/net/ethernet/intel"

log() { echo "e2e-image: $*" >&2; }

host_deps() {
	local p missing=""
	for p in debootstrap cpio qemu-system-x86 perl python3 nasm busybox-static kmod \
		genisoimage pciutils; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
			missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	log "installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

base_key() {
	{
		declare -f build_base
		echo "$SUITE $ROOTFS_PKGS $MODULE_DIRS $MODULE_FILES $GUEST_MODULE_DIRS"
	} | sha256sum | cut -c1-12
}

build_base() {
	local cache=$1 key dir tmp kpkg kv m s d f g
	key=$(base_key)
	dir=$cache/base-$key
	if [ -f "$dir/DONE" ]; then
		echo "$dir"
		return 0
	fi
	host_deps
	mkdir -p "$cache"
	tmp=$cache/tmp-base-$key
	rm -rf "$tmp"
	mkdir -p "$tmp/debs"
	log "building the base image in $dir (debootstrap $SUITE, a few minutes)"
	(
		cd "$tmp/debs"
		apt-get update -qq
		kpkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-/{print $2; exit}')
		apt-get download -qq xen-hypervisor-4.17-amd64 "$kpkg" >/dev/null
		dpkg -x xen-hypervisor-4.17-amd64_*.deb x
		dpkg -x "${kpkg}"_*.deb k
		echo "${kpkg#linux-image-}" > ../kv
	)
	kv=$(cat "$tmp/kv")
	zcat "$tmp"/debs/x/boot/xen-4.17-amd64.gz > "$tmp/xen"
	cp "$tmp/debs/k/boot/vmlinuz-$kv" "$tmp/vmlinuz"
	debootstrap --variant=minbase --include="$ROOTFS_PKGS" "$SUITE" "$tmp/rootfs" "$MIRROR" \
		> "$tmp/debootstrap.log" 2>&1 || {
		tail -n 30 "$tmp/debootstrap.log" >&2
		exit 1
	}
	rm -rf "$tmp"/rootfs/var/cache/apt/archives/*.deb "$tmp"/rootfs/var/lib/apt/lists/* \
		"$tmp"/rootfs/usr/share/doc "$tmp"/rootfs/usr/share/man "$tmp"/rootfs/usr/share/locale \
		"$tmp"/rootfs/usr/share/info
	m=$tmp/rootfs/lib/modules/$kv
	s=$tmp/debs/k/lib/modules/$kv
	rm -rf "$m"
	for d in $MODULE_DIRS; do
		mkdir -p "$m/kernel/$(dirname "$d")"
		cp -a "$s/kernel/$d" "$m/kernel/$d"
	done
	for f in $MODULE_FILES; do
		mkdir -p "$m/kernel/$(dirname "$f")"
		cp -a "$s/kernel/$f" "$m/kernel/$f"
	done
	cp "$s"/modules.builtin* "$s/modules.order" "$m/"
	chroot "$tmp/rootfs" /sbin/depmod "$kv"
	g=$tmp/guest-modules/lib/modules/$kv
	for d in $GUEST_MODULE_DIRS; do
		mkdir -p "$g/kernel/$(dirname "$d")"
		cp -a "$s/kernel/$d" "$g/kernel/$d"
	done
	cp "$s"/modules.builtin* "$s/modules.order" "$g/"
	depmod -b "$tmp/guest-modules" "$kv"
	(cd "$tmp/rootfs" && find . -xdev | LC_ALL=C sort | cpio -o -H newc --quiet) > "$tmp/rootfs.cpio"
	chroot "$tmp/rootfs" dpkg-query -W -f='${Package} ${Version}\n' \
		xen-utils-4.17 qemu-system-xen > "$tmp/versions"
	echo "xen-hypervisor-4.17-amd64 $(dpkg-deb -f "$tmp"/debs/xen-hypervisor-4.17-amd64_*.deb Version)" \
		>> "$tmp/versions"
	echo "linux-image-$kv" >> "$tmp/versions"
	# The root tree stays for the overlay's library check; the .debs go.
	rm -rf "$tmp/debs"
	date -u +%FT%TZ > "$tmp/DONE"
	rm -rf "$dir"
	mv "$tmp" "$dir"
	log "base image ready: $(du -sh "$dir" | cut -f1)"
	echo "$dir"
}

# Shared libraries hvmdm needs that the base root file system lacks
# (a library added to the build later, or a sanitizer runtime) go into the
# overlay from the build host, which runs the same Debian release.
copy_missing_libs() {
	local bin=$1 rootfs=$2 dest=$3 lib real d rd
	ldd "$bin" | awk '/=> \//{print $3} /^\t\/lib/{print $1}' | while read -r lib; do
		real=$(readlink -f "$lib")
		[ -e "$rootfs$lib" ] || [ -e "$rootfs/usr$lib" ] || [ -e "$rootfs${lib#/usr}" ] && continue
		# Into the directory the base really has (/lib is a symlink to usr/lib
		# there): a directory entry in the overlay where the base has a
		# symlink would replace the symlink when the kernel unpacks it.
		d=$(dirname "$lib")
		rd=$(readlink -f "$rootfs$d" 2>/dev/null || true)
		case "$rd" in "$rootfs"/*) d=${rd#"$rootfs"} ;; esac
		log "adding $lib as $d/$(basename "$lib") (not in the base image)"
		mkdir -p "$dest$d"
		cp "$real" "$dest$d/$(basename "$lib")"
	done
}

build_overlay() {
	local cache=$1 run=$2 hvmdm=$3 base ov g
	base=$(build_base "$cache")
	# bases of older keys are dead weight (400 MB each)
	for d in "$cache"/base-*; do
		[ "$d" = "$base" ] || rm -rf "$d"
	done
	ov=$run/overlay
	rm -rf "$ov"
	mkdir -p "$ov/e2e/guests" "$ov/usr/local/bin"
	install -m 755 "$E2E_DIR/dom0/init" "$ov/init"
	install -m 755 "$E2E_DIR/dom0/dm-wrapper.py" "$ov/e2e/dm-wrapper.py"
	ln -s dm-wrapper.py "$ov/e2e/dm-hvmdm"
	ln -s dm-wrapper.py "$ov/e2e/dm-qemu"
	install -m 755 "$hvmdm" "$ov/usr/local/bin/hvmdm"
	copy_missing_libs "$hvmdm" "$base/rootfs" "$ov"
	cp "$run/plan" "$ov/e2e/plan"
	for g in $(awk '!/^#/ && NF {print $2}' "$run/plan" | sort -u); do
		mkdir -p "$ov/e2e/guests/$g"
		cp "$E2E_DIR/guests/$g/guest.cfg" "$ov/e2e/guests/$g/"
		if [ -x "$E2E_DIR/guests/$g/payload.sh" ]; then
			"$E2E_DIR/guests/$g/payload.sh" "$REPO" "$ov/e2e/guests/$g" "$run/payload-$g" "$base"
		fi
	done
	(cd "$ov" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) > "$run/overlay.cpio"
	cat "$base/rootfs.cpio" "$run/overlay.cpio" > "$run/dom0.cpio"
	ln -sf "$base/xen" "$run/xen"
	ln -sf "$base/vmlinuz" "$run/vmlinuz"
	cp "$base/versions" "$run/versions"
}

cmd=${1:-}
case "$cmd" in
base)
	[ $# -eq 2 ] || { echo "usage: $0 base CACHE" >&2; exit 2; }
	build_base "$2"
	;;
overlay)
	[ $# -eq 4 ] || { echo "usage: $0 overlay CACHE RUNDIR HVMDM" >&2; exit 2; }
	build_overlay "$2" "$3" "$4"
	;;
*)
	echo "usage: $0 base CACHE | overlay CACHE RUNDIR HVMDM" >&2
	exit 2
	;;
esac
