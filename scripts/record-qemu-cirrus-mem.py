#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Record QEMU 7.2's Cirrus memory decode (banked 0xa0000 window, write modes
4/5, the linear window and its shifts, the BLT registers at 0xb8000, at the
top of the linear window and in the MMIO BAR, system-to-video through the
window) as the oracle for tests/unit/test_cirrus_mem.c.

One Debian qemu-system-x86_64 (-device cirrus-vga,vgamem_mb=8, qtest, no
guest), BAR0 at 0xe0000000, BAR1 at 0xe2000000. Rows: port and memory
accesses, reads with QEMU's answer; then FNV-1a hashes of VRAM [0, 128 KiB)
and [0x3f0000, 0x400000) read through the linear window.

  scripts/record-qemu-cirrus-mem.py tests/unit/cirrus_mem_qemu_session.h
"""
import os
import subprocess
import sys

LFB, MMIO = 0xe0000000, 0xe2000000


def fnv(b):
    h = 0xcbf29ce484222325
    for x in b:
        h = ((h ^ x) * 0x100000001b3) & 0xffffffffffffffff
    return h


def session():
    s = []
    o = lambda p, v: s.append(("o", p, 1, v))
    i = lambda p: s.append(("i", p, 1, None))
    w = lambda a, v, n=1: s.append(("W", a, n, v))
    r = lambda a, n=1: s.append(("R", a, n, None))
    sr = lambda x, v: (o(0x3c4, x), o(0x3c5, v))
    gr = lambda x, v: (o(0x3ce, x), o(0x3cf, v))
    # VGA mode: the core's planar window, the linear window over VRAM
    for k in range(16):
        w(LFB + k * 0x1111, (k * 29 + 3) & 0xff)
    r(0xa0000)
    r(0xa0001)
    # SVGA 8 bpp: banks
    sr(0x07, 0x01)
    for k in range(64):
        w(LFB + k * 0x1000 + (k & 7), (k * 37 + 1) & 0xff)
    for bank, grb, gra in ((0x00, 0x00, 0), (0x10, 0x00, 0), (0x10, 0x20, 0), (0x03, 0x21, 0x07),
                           (0xff, 0x20, 0), (0xfe, 0x20, 0), (0x3f, 0x00, 0)):
        gr(0x0b, grb)
        gr(0x0a, gra)
        gr(0x09, bank)
        for off in (0x0000, 0x0001, 0x3ffd, 0x4000, 0x7fff, 0x8000, 0x8006, 0xc003, 0xffff):
            r(0xa0000 + off)
        w(0xa0000 + 0x0123, bank ^ 0x5a)
        w(0xa8000 + 0x0456, bank ^ 0xa5)
        r(LFB + 0x0123)
    gr(0x0b, 0x00)
    gr(0x09, 0x00)
    # beyond the banks: 0xb0000-0xbffff
    r(0xb0000)
    r(0xb8000)
    w(0xb0010, 0x77)
    # x8 and x16 addressing
    gr(0x0b, 0x02)
    r(0xa0001)
    r(0xa0010)
    w(0xa0003, 0x99)
    r(LFB + 0x18)
    r(LFB + 0x3)
    gr(0x0b, 0x14)
    r(0xa0001)
    w(0xa0002, 0x98)
    r(LFB + 0x20)
    # write modes 4/5, 8 and 16 bpp (GR0/GR1, GR10/GR11 colours)
    gr(0x00, 0x3c)
    gr(0x01, 0xc3)
    gr(0x10, 0x11)
    gr(0x11, 0xee)
    for grb, mode in ((0x04, 4), (0x04, 5), (0x14, 4), (0x14, 5), (0x06, 5), (0x00, 5), (0x04, 3)):
        gr(0x0b, grb)
        gr(0x05, mode)
        w(0xa0000 + 0x40 + mode * 3 + grb, 0xa5)
        w(LFB + 0x900 + mode * 32 + grb, 0x5a)
    # CVE-2017-18030: a write mode 5 burst at the top of the 4 MiB wraps to 0
    gr(0x0b, 0x24)
    gr(0x05, 5)
    gr(0x09, 0xff)
    w(0xa0000 + 0x3ffd, 0xff)
    gr(0x0b, 0x34)
    w(0xa0000 + 0x3fff, 0xf0)
    gr(0x0b, 0x04)
    w(LFB + 0x3ffffe, 0x81)
    gr(0x0b, 0x00)
    gr(0x05, 0)
    gr(0x09, 0)
    # BLT registers at 0xb8000 (SR17 bit 2), at the linear top (bits 2 and 6), in BAR1
    for sr17 in (0x24, 0x64, 0x20):
        sr(0x17, sr17)
        for off in (0x00, 0x01, 0x04, 0x08, 0x09, 0x13, 0x18, 0x19, 0x40, 0x41, 0x80):
            w(0xb8000 + off, (off * 7 + sr17) & 0xff)
            r(0xb8000 + off)
            w(LFB + 0x3fff00 + off, (off * 5 + sr17) & 0xff)
            r(LFB + 0x3fff00 + off)
            r(LFB + 0x7fff00 + off)
        o(0x3ce, 0x20)
        i(0x3cf)
    for off in (0x00, 0x04, 0x05, 0x0e, 0x0f, 0x1f, 0x20, 0xff):
        r(MMIO + off)
    w(MMIO + 0x04, 0x12)
    r(MMIO + 0x04)
    i(0x3c4)
    w(MMIO + 0x05, 0x33)
    o(0x3c4, 0x12)
    i(0x3c5)
    for off in (0x00, 0x01, 0x08, 0x10, 0x12, 0x13, 0x1b, 0x40, 0x41, 0xeff):
        w(MMIO + 0x100 + off, (off * 3 + 1) & 0xff)
        r(MMIO + 0x100 + off)
    r(MMIO + 0x100, 4)
    w(MMIO + 0x108, 0x00030002, 4)
    r(MMIO + 0x108, 4)
    # a system-to-video blit fed through the window, then the linear window
    sr(0x12, 0x00)
    gr(0x31, 0x04)
    gr(0x31, 0x00)
    for reg, v in ((0x20, 15), (0x21, 0), (0x22, 2), (0x23, 0), (0x24, 0x40), (0x25, 0),
                   (0x28, 0x00), (0x29, 0x30), (0x2a, 0), (0x30, 0x04), (0x32, 0x0d),
                   (0x33, 0)):
        gr(reg, v)
    gr(0x31, 0x02)
    for k in range(30):
        w(0xa0000 + k, (k * 11 + 7) & 0xff)
    r(0xa0000)
    o(0x3ce, 0x31)
    i(0x3cf)
    gr(0x31, 0x02)
    for k in range(40):
        w(LFB + 0x123456 + k, (k * 13 + 5) & 0xff)
    o(0x3ce, 0x31)
    i(0x3cf)
    r(LFB + 0x3000, 4)
    # the linear window as VRAM itself after a decode register write: 8 MiB, no alias
    gr(0x05, 0x00)
    w(LFB + 0x400010, 0x42)
    r(LFB + 0x400010)
    r(LFB + 0x10)
    w(LFB + 0x10, 0x24)
    r(LFB + 0x10)
    r(LFB + 0x800000)
    r(LFB + 0x1000000)
    w(LFB + 0x1000000, 0x11)
    r(LFB + 0x7fffff)
    # SR7 back to VGA: the window is the core's again
    sr(0x07, 0x00)
    r(0xa0000)
    return s


def main():
    p = subprocess.Popen(
        ["qemu-system-x86_64", "-machine", "pc", "-accel", "tcg", "-S", "-qtest", "stdio",
         "-qtest-log", "/dev/null", "-nodefaults", "-display", "none", "-device",
         "cirrus-vga,vgamem_mb=8"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

    def cmd(c):
        os.write(p.stdin.fileno(), (c + "\n").encode())
        line = p.stdout.readline().decode()
        if not line.startswith("OK"):
            raise SystemExit("qemu: %s -> %r" % (c, line))
        parts = line.split()
        return int(parts[1], 16) if len(parts) > 1 else None

    for c in ("outl 0xcf8 0x80001010", "outl 0xcfc 0x%x" % LFB, "outl 0xcf8 0x80001014",
              "outl 0xcfc 0x%x" % MMIO, "outl 0xcf8 0x80001004", "outl 0xcfc 0x3"):
        cmd(c)
    sz = {1: "b", 2: "w", 4: "l"}
    rows = []
    for op, a, n, v in session():
        if op == "o":
            cmd("outb 0x%x 0x%x" % (a, v))
        elif op == "i":
            v = cmd("inb 0x%x" % a)
        elif op == "W":
            cmd("write%s 0x%x 0x%x" % (sz[n], a, v))
        else:
            v = cmd("read%s 0x%x" % (sz[n], a))
        rows.append((op, a, n, v))

    def region(a, n):
        os.write(p.stdin.fileno(), ("read 0x%x 0x%x\n" % (a, n)).encode())
        return bytes.fromhex(p.stdout.readline().decode().split()[1][2:])

    gr_ = lambda x, v: (cmd("outb 0x3ce 0x%x" % x), cmd("outb 0x3cf 0x%x" % v))
    low = fnv(region(LFB, 0x20000))
    high = fnv(region(LFB + 0x3f0000, 0x10000))
    upper = fnv(region(LFB + 0x400000, 0x10000))
    p.kill()
    p.wait()
    o = ["/* SPDX-License-Identifier: GPL-2.0-only */", "/*",
         " * A Cirrus memory-decode session recorded from QEMU 7.2 (Debian qemu-system-x86_64",
         " * 7.2.22, -device cirrus-vga,vgamem_mb=8, BAR0 0xe0000000, BAR1 0xe2000000) by",
         " * scripts/record-qemu-cirrus-mem.py: 'o'/'i' port byte out/in, 'W'/'R' memory",
         " * write/read of n bytes, reads with QEMU's answer; then hashes of VRAM.",
         " */", "#ifndef TESTS_UNIT_CIRRUS_MEM_QEMU_SESSION_H",
         "#define TESTS_UNIT_CIRRUS_MEM_QEMU_SESSION_H", "", "#include <stdint.h>", "",
         "struct mem_io {", "\tchar op;", "\tuint32_t addr;", "\tuint8_t n;", "\tuint32_t val;",
         "};", "", "static const struct mem_io cirrus_mem_session[] = {"]
    items = ["{ '%s', 0x%x, %d, 0x%x }" % (op, a, n, v) for op, a, n, v in rows]
    for j in range(0, len(items), 4):
        o.append("\t" + ", ".join(items[j:j + 4]) + ",")
    o += ["};", "", "/* FNV-1a of VRAM [0, 128 KiB), [0x3f0000, 0x400000), [0x400000, 0x410000). */",
          "static const uint64_t cirrus_mem_low = 0x%016xull;" % low,
          "static const uint64_t cirrus_mem_high = 0x%016xull;" % high,
          "static const uint64_t cirrus_mem_upper = 0x%016xull;" % upper, "", "#endif"]
    open(sys.argv[1], "w").write("\n".join(o) + "\n")


if __name__ == "__main__":
    main()
