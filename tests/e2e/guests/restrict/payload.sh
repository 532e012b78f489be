#!/bin/sh
# payload.sh REPO DEST WORK: this guest's files into DEST (dom0's
# /e2e/guests/restrict/): the hello guest's 1 MiB boot-sector disk.
exec "$1/tests/e2e/lib/asm-disk.sh" "$1/firmware/guests/hello/hello.asm" "$2/disk.img" "$3"
