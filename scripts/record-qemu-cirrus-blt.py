#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Record what QEMU 7.2's Cirrus BitBLT engine does to VRAM, as the oracle for
tests/unit/test_cirrus_blt.c.

For each case a fresh Debian qemu-system-x86_64 (-device cirrus-vga,vgamem_mb=8
as libxl passes it, qtest, no guest) gets BAR0 at 0xe0000000, VRAM filled with
a known pattern through the linear window, the case's port writes (SR7 depth,
GR blit registers, GR31 start), then the system-to-video bytes, if any,
through the BitBLT aperture at BAR0 + 16 MiB. Recorded: GR31 afterwards and an
FNV-1a hash of VRAM 0-128 KiB and of the last 64 KiB of the 4 MiB the chip
decodes. The test replays the same on hw/vga/cirrus_blt.c.

  scripts/record-qemu-cirrus-blt.py tests/unit/cirrus_blt_qemu_cases.h
"""
import os
import subprocess
import sys

LFB = 0xe0000000
LOW = 0x20000
HIGH_AT, HIGH = 0x3f0000, 0x10000


def fill(off):
    return (off * 7 + (off >> 8) * 13 + (off >> 16) * 5 + 1) & 0xff


def data_byte(k):
    return (k * 37 + 11) & 0xff


def fnv(b):
    h = 0xcbf29ce484222325
    for x in b:
        h = ((h ^ x) * 0x100000001b3) & 0xffffffffffffffff
    return h


class Qemu:
    def __init__(self):
        self.p = subprocess.Popen(
            ["qemu-system-x86_64", "-machine", "pc", "-accel", "tcg", "-S", "-qtest", "stdio",
             "-qtest-log", "/dev/null", "-nodefaults", "-display", "none", "-device",
             "cirrus-vga,vgamem_mb=8"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.f = self.p.stdout

    def cmd(self, c):
        os.write(self.p.stdin.fileno(), (c + "\n").encode())
        line = self.f.readline().decode()
        if not line.startswith("OK"):
            raise SystemExit("qemu: %s -> %r" % (c[:60], line))
        return line.split()[1] if len(line.split()) > 1 else None

    def close(self):
        self.p.kill()
        self.p.wait()


def run_case(writes, ndata):
    q = Qemu()
    q.cmd("outl 0xcf8 0x80001000")
    assert int(q.cmd("inl 0xcfc"), 16) == 0x00b81013, "cirrus not at 00:02.0"
    q.cmd("outl 0xcf8 0x80001010")
    q.cmd("outl 0xcfc 0x%x" % LFB)
    q.cmd("outl 0xcf8 0x80001004")
    q.cmd("outl 0xcfc 0x3")
    q.cmd("write 0x%x 0x%x 0x%s" % (LFB, LOW, bytes(fill(i) for i in range(LOW)).hex()))
    q.cmd("write 0x%x 0x%x 0x%s" % (LFB + HIGH_AT, HIGH,
                                    bytes(fill(HIGH_AT + i) for i in range(HIGH)).hex()))
    for port, val in writes:
        q.cmd("inb 0x%x" % port if val is None else "outb 0x%x 0x%x" % (port, val))
    if ndata:
        q.cmd("write 0x%x 0x%x 0x%s" % (LFB + 0x1000000, ndata,
                                        bytes(data_byte(k) for k in range(ndata)).hex()))
    q.cmd("outb 0x3ce 0x31")
    gr31 = int(q.cmd("inb 0x3cf"), 16)
    low = bytes.fromhex(q.cmd("read 0x%x 0x%x" % (LFB, LOW))[2:])
    high = bytes.fromhex(q.cmd("read 0x%x 0x%x" % (LFB + HIGH_AT, HIGH))[2:])
    q.close()
    return gr31, fnv(low), fnv(high)


def gr(i, v):
    return [(0x3ce, i), (0x3cf, v & 0xff)]


def blt(w, h, dpitch, spitch, dst, src, mode, rop=0x0d, ext=0, wmask=0, fg=0x11223344,
        bg=0x55667788, transp=0x0000, sr7=0x01, hdac=None, start=True):
    """w: bytes a line; h: lines; register values as a driver writes them."""
    c = [(0x3c4, 0x07), (0x3c5, sr7)]
    if hdac is not None:
        c += [(0x3c8, 0)] + [(0x3c6, None)] * 4 + [(0x3c6, hdac)]
    c += gr(0x00, bg) + gr(0x10, bg >> 8) + gr(0x12, bg >> 16) + gr(0x14, bg >> 24)
    c += gr(0x01, fg) + gr(0x11, fg >> 8) + gr(0x13, fg >> 16) + gr(0x15, fg >> 24)
    c += gr(0x20, w - 1) + gr(0x21, (w - 1) >> 8) + gr(0x22, h - 1) + gr(0x23, (h - 1) >> 8)
    c += gr(0x24, dpitch) + gr(0x25, dpitch >> 8) + gr(0x26, spitch) + gr(0x27, spitch >> 8)
    c += gr(0x2c, src) + gr(0x2d, src >> 8) + gr(0x2e, src >> 16)
    c += gr(0x2f, wmask) + gr(0x30, mode) + gr(0x32, rop) + gr(0x33, ext)
    c += gr(0x34, transp) + gr(0x35, transp >> 8)
    c += gr(0x28, dst) + gr(0x29, dst >> 8) + gr(0x2a, dst >> 16)
    if start:
        c += gr(0x31, 0x02)
    return c


ROPS = [0x00, 0x05, 0x06, 0x09, 0x0b, 0x0d, 0x0e, 0x50, 0x59, 0x6d, 0x90, 0x95, 0xad, 0xd0,
        0xd6, 0xda, 0x42]
DEPTH_SR7 = {1: 0x01, 2: 0x07, 3: 0x05, 4: 0x09}
PW = {1: 0x00, 2: 0x10, 3: 0x20, 4: 0x30}


def cases():
    out = []
    for rop in ROPS:
        out.append(("rop %02x forwards" % rop, blt(37, 9, 640, 512, 0x9013, 0x1105, 0, rop), 0))
        out.append(("rop %02x backwards" % rop,
                    blt(37, 9, 640, 512, 0x9013 + 8 * 640 + 36, 0x1105 + 8 * 512 + 36, 0x01, rop),
                    0))
    for d in (1, 2, 3, 4):
        sr7 = DEPTH_SR7[d]
        out.append(("solid fill %d bpp" % (8 * d),
                    blt(40 * d, 7, 1024, 0, 0x2001, 0, PW[d] | 0xc0, 0x0d, 0x04, sr7=sr7), 0))
        out.append(("solid fill %d bpp rop xor" % (8 * d),
                    blt(24 * d, 5, 800, 0, 0x2400, 0, PW[d] | 0xc0, 0x59, 0x04, sr7=sr7), 0))
        out.append(("colour expand %d bpp" % (8 * d),
                    blt(33 * d, 6, 512, 9, 0x4000, 0x300, PW[d] | 0x80, sr7=sr7), 0))
        out.append(("colour expand %d bpp skip 5" % (8 * d),
                    blt(33 * d, 6, 512, 9, 0x4000, 0x300, PW[d] | 0x80, wmask=5, sr7=sr7), 0))
        out.append(("colour expand transparent %d bpp" % (8 * d),
                    blt(33 * d, 6, 512, 9, 0x4000, 0x300, PW[d] | 0x88, sr7=sr7), 0))
        out.append(("colour expand transparent inverted %d bpp skip 14" % (8 * d),
                    blt(33 * d, 6, 512, 9, 0x4000, 0x300, PW[d] | 0x88, ext=0x02, wmask=14,
                        sr7=sr7), 0))
        out.append(("pattern %d bpp" % (8 * d),
                    blt(50 * d, 11, 600, 0, 0x6002, 0x1234, PW[d] | 0x40, sr7=sr7), 0))
        out.append(("pattern %d bpp rop and, skip 3" % (8 * d),
                    blt(50 * d, 11, 600, 0, 0x6002, 0x1234, PW[d] | 0x40, 0x05, wmask=3,
                        sr7=sr7), 0))
        out.append(("pattern expand %d bpp" % (8 * d),
                    blt(45 * d, 10, 700, 0, 0x8000, 0x777, PW[d] | 0xc0, sr7=sr7), 0))
        out.append(("pattern expand transparent inverted %d bpp skip 2" % (8 * d),
                    blt(45 * d, 10, 700, 0, 0x8000, 0x777, PW[d] | 0xc8, ext=0x02, wmask=2,
                        sr7=sr7), 0))
        out.append(("system to video %d bpp" % (8 * d),
                    blt(21 * d, 5, 640, 0, 0x3003, 0, PW[d] | 0x04, sr7=sr7),
                    ((21 * d + 3) & ~3) * 5))
        out.append(("system to video colour expand %d bpp" % (8 * d),
                    blt(50 * d, 4, 640, 0, 0x3003, 0, PW[d] | 0x84, sr7=sr7), ((50 + 7) >> 3) * 4))
        out.append(("system to video pattern expand %d bpp" % (8 * d),
                    blt(30 * d, 12, 640, 0, 0x5000, 0x5, PW[d] | 0xc4, sr7=sr7), 8))
        out.append(("system to video pattern %d bpp" % (8 * d),
                    blt(30 * d, 12, 640, 0, 0x5000, 0x3, PW[d] | 0x44, sr7=sr7), 64 * d))
    out.append(("system to video colour expand transparent dword granularity",
                blt(64, 3, 640, 0, 0x3000, 0, 0x8c, ext=0x01), 2 * 3))
    out.append(("system to video, half the data", blt(20, 6, 640, 0, 0x3000, 0, 0x04), 20 * 3))
    out.append(("system to video, more data than the blit", blt(20, 2, 640, 0, 0x3000, 0, 0x04),
                100))
    for d in (1, 2):
        for bk in (0, 1):
            dst, src = 0x7000, 0x1000
            if bk:
                dst, src = dst + 5 * 800 + 39 * d, src + 5 * 900 + 39 * d
            tr = 0xa3 if d == 1 else fill(0x1000 + 2) | fill(0x1000 + 3) << 8
            out.append(("transparent copy %d bpp %s" % (8 * d, "backwards" if bk else "forwards"),
                        blt(40 * d, 6, 800, 900, dst, src, PW[d] | 0x08 | bk, transp=tr,
                            sr7=DEPTH_SR7[d]), 0))
    out.append(("transparent copy 24 bpp: ignored", blt(60, 4, 800, 900, 0x7000, 0x1000, 0x28,
                                                        sr7=0x05), 0))
    out.append(("rop src in a VGA mode: dropped", blt(37, 9, 640, 512, 0x9013, 0x1105, 0, 0x0d,
                                                       sr7=0x00), 0))
    out.append(("rop xor in a VGA mode: runs", blt(37, 9, 640, 512, 0x9013, 0x1105, 0, 0x59,
                                                    sr7=0x00), 0))
    out.append(("overlapping forwards", blt(200, 20, 640, 640, 0x1100, 0x1000, 0), 0))
    out.append(("overlapping backwards", blt(200, 20, 640, 640, 0x1000 + 19 * 640 + 199,
                                             0x1100 + 19 * 640 + 199, 0x01), 0))
    out.append(("pitch below width forwards: nothing", blt(300, 4, 200, 640, 0x1000, 0x8000, 0),
                0))
    out.append(("pitch below width, one line: copied", blt(300, 1, 200, 640, 0x1000, 0x8000, 0),
                0))
    out.append(("video to system: ignored", blt(30, 3, 640, 640, 0x1000, 0x8000, 0x02), 0))
    out.append(("system to system: ignored", blt(30, 3, 640, 640, 0x1000, 0x8000, 0x06), 0))
    out.append(("16 bpp pattern under an 8 bpp display", blt(64, 9, 640, 0, 0x2000, 0x1234, 0x50,
                                                             sr7=0x01), 0))
    # The CVE shapes, and each bound at its edge and one past it.
    top = 8 << 20
    out.append(("CVE-2014-8106: forwards past the end of VRAM",
                blt(1024, 8192, 8191, 8191, 0x3f0000, 0, 0), 0))
    out.append(("CVE-2014-8106: source past the end",
                blt(64, 1000, 1024, 8191, 0x1000, 0x3f0000, 0), 0))
    out.append(("forwards ending at the end of the 4 MiB: wraps to 0",
                blt(64, 2, 64, 64, 0x3fff80, 0x1000, 0), 0))
    out.append(("forwards ending exactly at the allocation's end (8 MiB)",
                blt(64, 2, 8191, 64, 0x3fffff - 8191 - 63, 0x1000, 0), 0))
    out.append(("CVE-2017-2615: backwards below 0 by one",
                blt(64, 2, 640, 640, 640 + 62, 0x8000, 0x01), 0))
    out.append(("backwards down to byte 0 exactly",
                blt(64, 2, 640, 640, 640 + 63, 0x8000, 0x01), 0))
    out.append(("CVE-2017-2615: backwards, source below 0",
                blt(64, 3, 640, 640, 0x8000, 640 + 10, 0x01), 0))
    out.append(("backwards with the width past the start",
                blt(4096, 1, 640, 640, 100, 0x9000, 0x01), 0))
    out.append(("CVE-2016-9921: zero destination pitch",
                blt(64, 4, 0, 640, 0x1000, 0x8000, 0), 0))
    out.append(("CVE-2016-9921: zero source pitch",
                blt(64, 4, 640, 0, 0x1000, 0x8000, 0), 0))
    out.append(("CVE-2016-9921: zero pitches, one line",
                blt(64, 1, 0, 0, 0x1000, 0x8000, 0), 0))
    out.append(("CVE-2016-9922: a copy in a VGA mode, zero pitches",
                blt(64, 1, 0, 0, 0x1000, 0x8000, 0, sr7=0x00), 0))
    out.append(("CVE-2017-2620: system to video past the end",
                blt(1024, 1000, 8191, 0, 0x3fff00, 0, 0x04), 4096))
    out.append(("system to video inside the 8 MiB bound, wrapping: waits for data",
                blt(1024, 100, 8191, 0, 0x3fff00, 0, 0x04), 4096))
    out.append(("CVE-2017-2620: system to video pattern past the end",
                blt(1024, 900, 8191, 0, 0x3fff00, 0, 0x44), 64))
    out.append(("CVE-2017-7980: pattern source at the top of 8 MiB",
                blt(64, 8, 640, 0, 0x1000, 0x3fffc0, 0x40), 0))
    out.append(("CVE-2017-7980: 32 bpp pattern source in the last 256 bytes",
                blt(64, 8, 640, 0, 0x1000, 0x3fff01, 0x70, sr7=0x09), 0))
    out.append(("CVE-2017-7980: colour expand source wrapping",
                blt(256, 100, 640, 1, 0x1000, 0x3ffff0, 0x80), 0))
    out.append(("width 8193 bytes: GR21 keeps 13 bits, width 1", blt(8193, 1, 8191, 8191, 0x1000, 0x8000, 0), 0))
    out.append(("width 8192 bytes: accepted", blt(8192, 1, 8191, 8191, 0x1000, 0x8000, 0), 0))
    out.append(("solid fill refused: stays busy", blt(1024, 8192, 8191, 0, 0x3f0000, 0, 0xc0,
                                                       ext=0x04), 0))
    out.append(("solid fill 32 bpp unaligned at the top: wraps",
                blt(64, 1, 640, 0, 0x3fffe3, 0, 0xf0, ext=0x04, sr7=0x09), 0))
    out.append(("24 bpp pattern expand skip 31", blt(90, 4, 640, 0, 0x2000, 0x100, 0xe8,
                                                    wmask=31, sr7=0x05), 0))
    out.append(("autostart on GR2A", [(0x3ce, 0x31), (0x3cf, 0x80)] +
                blt(37, 9, 640, 512, 0x9013, 0x1105, 0, 0x59, start=False), 0))
    return out


def main():
    rows = []
    for name, writes, ndata in cases():
        gr31, lo, hi = run_case(writes, ndata)
        rows.append((name, writes, ndata, gr31, lo, hi))
    emit(rows, sys.argv[1])


def emit(rows, path):
    o = ["/* SPDX-License-Identifier: GPL-2.0-only */", "/*",
         " * Cirrus BitBLT cases recorded from QEMU 7.2 (Debian qemu-system-x86_64 7.2.22,",
         " * -device cirrus-vga,vgamem_mb=8) by scripts/record-qemu-cirrus-blt.py: the port",
         " * writes ('r' rows are inb), the system-to-video byte count, then what QEMU left:",
         " * GR31 and FNV-1a hashes of VRAM [0, 128 KiB) and [0x3f0000, 0x400000).",
         " */", "#ifndef TESTS_UNIT_CIRRUS_BLT_QEMU_CASES_H",
         "#define TESTS_UNIT_CIRRUS_BLT_QEMU_CASES_H", "", "#include <stdint.h>", "",
         "struct blt_io {", "\tuint16_t port;", "\tint16_t val; /* -1: an inb */", "};", "",
         "struct blt_case {", "\tconst char *name;", "\tconst struct blt_io *io;",
         "\tunsigned nio, ndata;", "\tuint8_t gr31;", "\tuint64_t low, high;", "};", ""]
    for i, (name, flat, ndata, gr31, lo, hi) in enumerate(rows):
        o.append("static const struct blt_io blt_io_%d[] = {" % i)
        items = ["{ 0x%x, %d }" % (p, -1 if v is None else v) for p, v in flat]
        for j in range(0, len(items), 6):
            o.append("\t" + ", ".join(items[j:j + 6]) + ",")
        o.append("};")
    o.append("")
    o.append("static const struct blt_case blt_cases[] = {")
    for i, (name, flat, ndata, gr31, lo, hi) in enumerate(rows):
        o.append('\t{ "%s", blt_io_%d, %d, %d, 0x%02x, 0x%016xull, 0x%016xull },'
                 % (name, i, len(flat), ndata, gr31, lo, hi))
    o.append("};")
    o.append("")
    o.append("#endif")
    open(path, "w").write("\n".join(o) + "\n")


if __name__ == "__main__":
    main()
