#!/usr/bin/env python3
"""The synthetic direct-boot files of the fw_cfg suite, written into DIR.

  fw_cfg_files.py DIR

bzImage: a boot-protocol 2.15 header (Documentation/x86/boot.rst, "The
real-mode kernel header"): 2 setup sectors plus the boot sector, loaded high,
initrd_addr_max 0x7fffffff, then 20000 bytes of protected-mode "kernel";
truncated.bzImage: its first 1000 bytes (less than the setup); text: a text
file; initrd: 70000 bytes; the bytes follow a pattern, the same on every run.
No kernel binary is kept in the repo.
"""
import os
import struct
import sys


def pattern(n, seed):
    return bytes(((i * 7 + (i >> 8) + seed) & 0xFF) for i in range(n))


def bzimage():
    setup = 3 * 512
    b = bytearray(pattern(setup + 20000, 1))
    b[0:2] = b"MZ"
    b[0x1F1] = 2                                   # setup_sects
    b[0x202:0x206] = b"HdrS"
    struct.pack_into("<H", b, 0x206, 0x20F)        # protocol 2.15
    b[0x210] = 0                                   # type_of_loader
    b[0x211] = 0x01                                # LOADED_HIGH
    struct.pack_into("<I", b, 0x22C, 0x7FFFFFFF)   # initrd_addr_max
    struct.pack_into("<H", b, 0x236, 0)            # xloadflags
    return bytes(b)


def main():
    d = sys.argv[1]
    k = bzimage()
    files = {
        "bzImage": k,
        "truncated.bzImage": k[:1000],
        "text": b"#!/bin/sh\necho this is not a kernel\n",
        "initrd": pattern(70000, 0x33),
    }
    for name, data in files.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
