# The IDE disk (hda) through Linux's ata_piix (PIIX3 IDE, bus-master DMA):
# its identity, a read of the data payload.sh wrote (checksum), and a write
# that must come back from the device, not from the page cache (O_DIRECT).
# crct10dif_generic and crc64_rocksoft_generic: sd_mod's t10-pi looks these
# algorithms up at run time and an initramfs has no modprobe to load them.
# modules: crct10dif_generic crc64_rocksoft_generic ata_piix sd_mod
# waitfor: /dev/sda
. /facts/disk
[ -b /dev/sda ] || { echo "sda missing"; exit 1; }
echo "model: $(cat /sys/block/sda/device/model)"
echo "sectors: $(cat /sys/block/sda/size) expected $DISK_SECTORS"
blocks=$((DISK_DATA_SECTORS / 128)) # 64 KiB blocks of the checksummed data
sum=$(dd if=/dev/sda bs=64k count=$blocks iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)
if [ "$sum" = "$DISK_DATA_MD5" ]; then echo "read data: ok"; else echo "read data: MISMATCH $sum expected $DISK_DATA_MD5"; fi
dd if=/dev/urandom of=/tmp/pattern bs=64k count=16 2>/dev/null
want=$(md5sum < /tmp/pattern | cut -d' ' -f1)
dd if=/tmp/pattern of=/dev/sda bs=64k seek=$blocks oflag=direct conv=notrunc,fsync 2>/dev/null || echo "write failed"
echo 3 > /proc/sys/vm/drop_caches
got=$(dd if=/dev/sda bs=64k skip=$blocks count=16 iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)
if [ "$got" = "$want" ]; then echo "write read-back: ok"; else echo "write read-back: MISMATCH $got expected $want"; fi
# the whole disk through the page cache (read-ahead: the large requests)
dd if=/dev/sda of=/dev/null bs=1M 2>/dev/null && echo "read whole: ok"
