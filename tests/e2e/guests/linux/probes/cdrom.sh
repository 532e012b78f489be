# The CD-ROM (hdc, an ISO 9660 image) through ata_piix's ATAPI path and
# sr_mod: its identity and capacity, the whole medium read (checksum), and
# the file system mounted and a file on it checked.
# modules: sr_mod isofs
# waitfor: /dev/sr0
. /facts/cd
[ -b /dev/sr0 ] || { echo "sr0 missing"; exit 1; }
echo "model: $(cat /sys/block/sr0/device/model)"
echo "bytes: $(($(cat /sys/block/sr0/size) * 512)) expected $CD_BYTES"
sum=$(dd if=/dev/sr0 bs=64k 2>/dev/null | md5sum | cut -d' ' -f1)
if [ "$sum" = "$CD_MD5" ]; then echo "read medium: ok"; else echo "read medium: MISMATCH $sum expected $CD_MD5"; fi
mount -t iso9660 -o ro /dev/sr0 /mnt || { echo "mount failed"; exit 1; }
echo "readme: $(cat /mnt/README.TXT)"
sum=$(md5sum < /mnt/data.bin | cut -d' ' -f1)
if [ "$sum" = "$CD_FILE_MD5" ]; then echo "file: ok"; else echo "file: MISMATCH $sum expected $CD_FILE_MD5"; fi
umount /mnt
