#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Record QEMU 7.2's screendump of Cirrus screens as the oracle for
tests/unit/test_cirrus_vga.c: per case a fresh Debian qemu-system-x86_64
(-device cirrus-vga,vgamem_mb=8, qtest + QMP, no guest) gets BAR0 at
0xf0000000, a 640x480 mode (the case's depth, start address, cursor, blits)
and a VRAM pattern through the linear window; QMP screendump writes the PPM,
of which the FNV-1a hash is kept. The test draws the same screen with
hvmdm's renderer and hashes the PPM bytes QEMU would write.

  scripts/record-qemu-cirrus-screen.py tests/unit/cirrus_screen_qemu_cases.h
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

LFB = 0xf0000000


def fnv(b):
    h = 0xcbf29ce484222325
    for x in b:
        h = ((h ^ x) * 0x100000001b3) & 0xffffffffffffffff
    return h


def vram_byte(i):
    return (i * 13 + (i >> 9) * 7 + (i >> 17)) & 0xff


def mode(sr7, hdac, bpp_bytes, start=0, cursor=None, lc=0x3ff):
    o = []
    out = lambda p, v: o.append(("o", p, v))
    idx = lambda p, i, v: (out(p, i), out(p + 1, v))
    out(0x3c2, 0x01)
    idx(0x3d4, 0x11, 0x00)
    idx(0x3d4, 0x01, 79)
    idx(0x3d4, 0x12, 0xdf)
    idx(0x3d4, 0x07, 0x02 | ((lc >> 4) & 0x10))
    idx(0x3d4, 0x09, (lc >> 3) & 0x40)
    idx(0x3d4, 0x17, 0x03)
    off = 640 * bpp_bytes // 8
    idx(0x3d4, 0x13, off & 0xff)
    idx(0x3d4, 0x1b, ((off >> 4) & 0x10) | ((start >> 16) & 1) | (((start >> 17) & 3) << 2))
    idx(0x3d4, 0x0c, (start >> 8) & 0xff)
    idx(0x3d4, 0x0d, start & 0xff)
    idx(0x3d4, 0x18, lc & 0xff)
    idx(0x3ce, 0x05, 0x40)
    idx(0x3ce, 0x06, 0x01)
    idx(0x3c4, 0x07, sr7)
    o.append(("i", 0x3c8, None))
    for _ in range(4):
        o.append(("i", 0x3c6, None))
    out(0x3c6, hdac)
    out(0x3c8, 0)
    for i in range(256):
        out(0x3c9, i & 63)
        out(0x3c9, (i >> 2) & 63)
        out(0x3c9, (255 - i) & 63)
    o.append(("i", 0x3da, None))
    out(0x3c0, 0x20)
    if cursor:
        x, y, large = cursor
        idx(0x3c4, 0x12, 0x02)
        out(0x3c8, 0)
        for v in (0x3f, 0x00, 0x10, ):
            out(0x3c9, v)
        out(0x3c8, 15)
        for v in (0x00, 0x30, 0x3f):
            out(0x3c9, v)
        idx(0x3c4, 0x13, 0x04 if large else 0x05)
        idx(0x3c4, 0x12, 0x01 | (0x04 if large else 0))
        idx(0x3c4, 0x10 | ((x & 7) << 5), x >> 3)
        idx(0x3c4, 0x11 | ((y & 7) << 5), y >> 3)
    return o


def gr(i, v):
    return [("o", 0x3ce, i), ("o", 0x3cf, v & 0xff)]


def blits():
    c = []
    # a solid fill (8 bpp) and a backwards copy with ROP xor
    for reg, v in ((0x01, 0x77), (0x20, 99), (0x21, 0), (0x22, 49), (0x23, 0), (0x24, 0x80),
                   (0x25, 2), (0x30, 0xc0), (0x32, 0x0d), (0x33, 0x04), (0x28, 0x10),
                   (0x29, 0x20), (0x2a, 0)):
        c += gr(reg, v)
    c += gr(0x31, 0x02)
    for reg, v in ((0x20, 199), (0x22, 99), (0x24, 0x80), (0x25, 2), (0x26, 0x80), (0x27, 2),
                   (0x2c, 0x00), (0x2d, 0x00), (0x2e, 0x01), (0x30, 0x01), (0x32, 0x59),
                   (0x33, 0x00), (0x28, 0xff), (0x29, 0xff), (0x2a, 0x00)):
        c += gr(reg, v)
    c += gr(0x31, 0x02)
    return c


# QEMU 7.2 quirk: in a 16, 24 or 32 bpp mode with no hardware cursor (SR12
# bit 0, QEMU's force_shadow) vga_draw_graphic shares its surface with VRAM,
# so the screendump widens 5-6-5 components by repeating their top bits (the
# renderer's widen16 does the same) and ignores line compare (which we do
# not copy): the cases keep line compare past the screen in those modes.
CASES = [
    ("8 bpp", mode(0x01, 0x00, 1), 640 * 480),
    ("8 bpp, line compare at 255", mode(0x01, 0x00, 1, lc=255), 640 * 480),
    ("15 bpp", mode(0x07, 0x00, 2), 640 * 480 * 2),
    ("16 bpp, shared with QEMU's display", mode(0x07, 0x01, 2), 640 * 480 * 2),
    ("24 bpp", mode(0x05, 0x00, 3), 640 * 480 * 3),
    ("32 bpp", mode(0x09, 0x00, 4), 640 * 480 * 4),
    ("32 bpp, start address 0x10040, 64x64 cursor", mode(0x09, 0x00, 4, 0x10040, (100, 50, 1)),
     0x10040 * 4 + 640 * 480 * 4),
    ("16 bpp, 32x32 cursor at the right edge", mode(0x07, 0x01, 2, 0, (620, 470, 0)),
     640 * 480 * 2),
    ("8 bpp after a fill and a backwards xor copy", mode(0x01, 0x00, 1) + blits(), 640 * 480),
]


def run(ops, nfill):
    d = tempfile.mkdtemp()
    sock = os.path.join(d, "qmp.sock")
    p = subprocess.Popen(
        ["qemu-system-x86_64", "-machine", "pc", "-accel", "tcg", "-S", "-qtest", "stdio",
         "-qtest-log", "/dev/null", "-nodefaults", "-display", "none", "-device",
         "cirrus-vga,vgamem_mb=8", "-qmp", "unix:%s,server=on,wait=off" % sock],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

    def cmd(c):
        os.write(p.stdin.fileno(), (c + "\n").encode())
        line = p.stdout.readline().decode()
        if not line.startswith("OK"):
            raise SystemExit("qemu: %s -> %r" % (c[:50], line))

    for c in ("outl 0xcf8 0x80001010", "outl 0xcfc 0x%x" % LFB, "outl 0xcf8 0x80001004",
              "outl 0xcfc 0x3"):
        cmd(c)
    fill = bytes(vram_byte(i) for i in range(nfill))
    for at in range(0, nfill, 0x40000):
        chunk = fill[at:at + 0x40000]
        cmd("write 0x%x 0x%x 0x%s" % (LFB + at, len(chunk), chunk.hex()))
    top = (4 << 20) - 0x4000  # cursor patterns
    pat = bytes((i * 29 + 3) & 0xff for i in range(0x4000))
    cmd("write 0x%x 0x%x 0x%s" % (LFB + top, len(pat), pat.hex()))
    for op, port, v in ops:
        cmd("inb 0x%x" % port if op == "i" else "outb 0x%x 0x%x" % (port, v))
    s = socket.socket(socket.AF_UNIX)
    for _ in range(50):
        try:
            s.connect(sock)
            break
        except OSError:
            time.sleep(0.05)
    f = s.makefile("rw")
    f.readline()
    f.write(json.dumps({"execute": "qmp_capabilities"}) + "\n")
    f.flush()
    f.readline()
    out = os.path.join(d, "s.ppm")
    f.write(json.dumps({"execute": "screendump", "arguments": {"filename": out}}) + "\n")
    f.flush()
    f.readline()
    data = open(out, "rb").read()
    p.kill()
    p.wait()
    return data


def main():
    o = ["/* SPDX-License-Identifier: GPL-2.0-only */", "/*",
         " * Cirrus screens QEMU 7.2 drew (Debian qemu-system-x86_64 7.2.22, QMP screendump)",
         " * for the port writes below after VRAM byte i was vram_byte(i) up to nfill (and the",
         " * cursor area); recorded by scripts/record-qemu-cirrus-screen.py. The hash is",
         " * FNV-1a of the PPM file QEMU wrote.", " */",
         "#ifndef TESTS_UNIT_CIRRUS_SCREEN_QEMU_CASES_H",
         "#define TESTS_UNIT_CIRRUS_SCREEN_QEMU_CASES_H", "", "#include <stdint.h>", "",
         "struct screen_io {", "\tchar op; /* 'o' outb, 'i' inb */", "\tuint16_t port;",
         "\tuint8_t val;", "};", "", "struct screen_case {", "\tconst char *name;",
         "\tconst struct screen_io *io;", "\tunsigned nio;", "\tuint32_t nfill;",
         "\tuint64_t ppm;", "\tunsigned ppm_len;", "};", ""]
    rows = []
    for n, (name, ops, nfill) in enumerate(CASES):
        data = run(ops, nfill)
        rows.append((name, n, len(ops), nfill, fnv(data), len(data)))
        items = ["{ '%s', 0x%x, 0x%x }" % (op, port, v or 0) for op, port, v in ops]
        o.append("static const struct screen_io screen_io_%d[] = {" % n)
        for j in range(0, len(items), 5):
            o.append("\t" + ", ".join(items[j:j + 5]) + ",")
        o.append("};")
    o.append("")
    o.append("static const struct screen_case screen_cases[] = {")
    for name, n, nio, nfill, h, ln in rows:
        o.append('\t{ "%s", screen_io_%d, %d, %d, 0x%016xull, %d },' % (name, n, nio, nfill, h, ln))
    o += ["};", "", "#endif"]
    open(sys.argv[1], "w").write("\n".join(o) + "\n")


if __name__ == "__main__":
    main()
