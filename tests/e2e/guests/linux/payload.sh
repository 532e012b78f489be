#!/bin/bash
# payload.sh REPO DEST WORK BASE: the Linux guest's disk into DEST/disk.img.
# A FAT file system over the whole disk (no partition table) with SYSLINUX
# in its boot sector, which SeaBIOS boots like any boot sector; SYSLINUX
# loads the Debian kernel of the dom0 base image and an initramfs of busybox,
# firmware/guests/linux/init and the IDE driver modules (ata_piix, sd_mod and
# their dependencies, from BASE/guest-modules). The disk's last sector, past
# the file system, carries a tag the guest's init reads back through Linux.
set -euo pipefail
REPO=$1 DEST=$2 WORK=$3 BASE=$4
kv=$(cat "$BASE/kv")
mods=$BASE/guest-modules
rm -rf "$WORK"
mkdir -p "$WORK/initrd/bin" "$WORK/initrd/mods"
cp /bin/busybox "$WORK/initrd/bin/busybox"
install -m 755 "$REPO/firmware/guests/linux/init" "$WORK/initrd/init"
: > "$WORK/initrd/modules.order"
modprobe -d "$mods" -S "$kv" --show-depends crct10dif_generic crc64_rocksoft_generic ata_piix sd_mod |
	awk '$1 == "insmod" { print $2 }' | while read -r ko; do
	n=$(basename "$ko" .ko)
	[ -f "$WORK/initrd/mods/$n.ko" ] && continue
	cp "$ko" "$WORK/initrd/mods/$n.ko"
	echo "$n" >> "$WORK/initrd/modules.order"
done
(cd "$WORK/initrd" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -6) > "$WORK/initrd.gz"
cat > "$WORK/syslinux.cfg" <<'CFG'
SERIAL 0 115200
DEFAULT linux
PROMPT 0
TIMEOUT 0
LABEL linux
  KERNEL vmlinuz
  APPEND initrd=initrd.gz console=ttyS0,115200 xen_emul_unplug=never quiet panic=-1
CFG
img=$WORK/fat.img
rm -f "$img"
mkfs.vfat -C -n HVMDME2E "$img" 24576 > /dev/null
syslinux --install "$img"
mcopy -i "$img" "$BASE/vmlinuz" ::/vmlinuz
mcopy -i "$img" "$WORK/initrd.gz" ::/initrd.gz
mcopy -i "$img" "$WORK/syslinux.cfg" ::/syslinux.cfg
cp "$img" "$DEST/disk.img"
{ printf 'HVMDM-E2E-LAST-SECTOR\n'; head -c 490 /dev/zero; } >> "$DEST/disk.img"
