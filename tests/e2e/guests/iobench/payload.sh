#!/bin/sh
# payload.sh REPO DEST WORK: this guest's files into DEST (dom0's
# /e2e/guests/iobench/): a 1 MiB disk holding firmware/guests/iobench/iobench.asm.
exec "$1/tests/e2e/lib/asm-disk.sh" "$1/firmware/guests/iobench/iobench.asm" "$2/disk.img" "$3"
