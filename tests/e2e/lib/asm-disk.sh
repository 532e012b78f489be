#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# asm-disk.sh ASM IMAGE WORK: a 1 MiB raw disk image whose first sectors are
# the nasm flat binary assembled from ASM (a boot-sector guest payload).
set -eu
ASM=$1 IMG=$2 WORK=$3
mkdir -p "$WORK"
bin=$WORK/$(basename "$ASM" .asm).bin
nasm -f bin -o "$bin" "$ASM"
cp "$bin" "$IMG"
truncate -s 1M "$IMG"
