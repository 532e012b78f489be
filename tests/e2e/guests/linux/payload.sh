#!/bin/bash
# payload.sh REPO DEST WORK BASE: the Linux guest's files into DEST:
#   vmlinuz    the Debian kernel of the dom0 base image (xl kernel=)
#   initrd.gz  busybox (Debian's busybox-static, from the base image), ./init,
#              the probes (./probes/*.sh), the driver modules their
#              "# modules:" lines name with every dependency (from
#              BASE/guest-modules), and /facts: what the probes check
#   disk.img   the IDE disk: 8 MiB of random data (its md5 in /facts/disk),
#              then 1 MiB the disk probe writes and reads back
#   cd.iso     the CD-ROM: an ISO 9660 image with a README and random data
set -euo pipefail
REPO=$1 DEST=$2 WORK=$3 BASE=$4
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
kv=$(cat "$BASE/kv")
mods=$BASE/guest-modules
bb=$BASE/rootfs/bin/busybox
if ldd "$bb" >/dev/null 2>&1; then
	echo "payload linux: $bb is not Debian's busybox-static (rebuild the base: tests/e2e/image.sh)" >&2
	exit 1
fi
rm -rf "$WORK"
ir=$WORK/initrd
mkdir -p "$ir/bin" "$ir/mods" "$ir/probes" "$ir/facts" "$WORK/iso"
cp "$bb" "$ir/bin/busybox"
install -m 755 "$HERE/init" "$ir/init"
cp "$HERE"/probes/*.sh "$ir/probes/"

# the probes' header lines: "# modules: a b" and "# waitfor: /dev/x"
want=$(sed -n 's/^# modules: *//p' "$HERE"/probes/*.sh | tr '\n' ' ')
sed -n 's/^# waitfor: *//p' "$HERE"/probes/*.sh | tr ' ' '\n' | sed '/^$/d' > "$ir/waitfor"
: > "$ir/modules.order"
# shellcheck disable=SC2086
modprobe -a -d "$mods" -S "$kv" --show-depends $want | awk '$1 == "insmod" { print $2 }' | while read -r ko; do
	n=$(basename "$ko" .ko)
	[ -f "$ir/mods/$n.ko" ] && continue
	cp "$ko" "$ir/mods/$n.ko"
	echo "$n" >> "$ir/modules.order"
done

# the IDE disk: checksummed data, then the area the probe writes
head -c 8M /dev/urandom > "$DEST/disk.img"
{
	echo "DISK_DATA_SECTORS=16384"
	echo "DISK_DATA_MD5=$(md5sum < "$DEST/disk.img" | cut -d' ' -f1)"
	echo "DISK_SECTORS=18432"
} > "$ir/facts/disk"
head -c 1M /dev/zero >> "$DEST/disk.img"

# the CD-ROM
echo "HVMDM-E2E-CDROM" > "$WORK/iso/README.TXT"
head -c 3M /dev/urandom > "$WORK/iso/data.bin"
genisoimage -quiet -R -V HVMDME2ECD -o "$DEST/cd.iso" "$WORK/iso"
{
	echo "CD_BYTES=$(stat -c %s "$DEST/cd.iso")"
	echo "CD_MD5=$(md5sum < "$DEST/cd.iso" | cut -d' ' -f1)"
	echo "CD_FILE_MD5=$(md5sum < "$WORK/iso/data.bin" | cut -d' ' -f1)"
} > "$ir/facts/cd"

(cd "$ir" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -6) > "$DEST/initrd.gz"
cp "$BASE/vmlinuz" "$DEST/vmlinuz"
