#!/usr/bin/env python3
"""The standard VGA against QEMU 7.2, live: the same qtest commands to
Debian's qemu-system-x86_64 (-machine pc -device VGA,edid=off: the xenfv-3.1
machine type qemu-xen runs has no EDID) and to hvmdm (-machine pc -device
VGA), every answer compared; then for each mode family the trace sets the
mode, loads palette/font and draws, and QMP screendump's PPM file must be
byte-for-byte QEMU's.

  vga_qemu.py HVMDM [QEMU]

Prints "PASS name" / "FAIL name why" per check.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

LFB = 0xE0000000
MMIO = 0xFEBF0000


def check(name, ok, why=""):
    print("PASS %s" % name if ok else "FAIL %s %s" % (name, why))


class Qmp:
    def __init__(self, path):
        for _ in range(200):
            try:
                self.s = socket.socket(socket.AF_UNIX)
                self.s.connect(path)
                break
            except OSError:
                time.sleep(0.05)
        self.f = self.s.makefile("rb")
        json.loads(self.f.readline())
        self.cmd("qmp_capabilities")

    def cmd(self, name, args=None):
        msg = {"execute": name}
        if args is not None:
            msg["arguments"] = args
        self.s.sendall((json.dumps(msg) + "\n").encode())
        while True:
            r = json.loads(self.f.readline())
            if "event" not in r:
                return r


class Machine:
    """One VMM under qtest over stdio with QMP on a unix socket."""

    def __init__(self, argv, tmp, tag):
        sock = os.path.join(tmp, tag + ".qmp")
        self.p = subprocess.Popen(
            argv + ["-chardev", "socket,id=m,path=%s,server=on,wait=off" % sock,
                    "-mon", "chardev=m,mode=control"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.qmp = Qmp(sock)

    def cmd(self, line):
        self.p.stdin.write((line + "\n").encode())
        self.p.stdin.flush()
        while True:
            a = self.p.stdout.readline().decode()
            if not a:
                raise RuntimeError("exited at: " + line)
            if not a.startswith("IRQ"):
                return a.strip()

    def close(self):
        self.p.kill()
        self.p.wait()


# ---------------------------------------------------------------- traces

def pci_setup():
    return ["outl 0xcf8 0x80001010", "outl 0xcfc 0x%08x" % LFB,
            "outl 0xcf8 0x80001018", "outl 0xcfc 0x%08x" % MMIO,
            "outl 0xcf8 0x80001004", "outw 0xcfc 0x3"]


def idx(port, i, v):
    return ["outb 0x%x 0x%x" % (port, i), "outb 0x%x 0x%x" % (port + 1, v)]


def att(i, v):
    return ["inb 0x3da", "outb 0x3c0 0x%x" % i, "outb 0x3c0 0x%x" % v]


def dac(i, rgb):
    return ["outb 0x3c8 0x%x" % i] + ["outb 0x3c9 0x%x" % c for c in rgb]


def vbe(i, v):
    return ["outw 0x1ce 0x%x" % i, "outw 0x1cf 0x%x" % v]


def palette(n, shift=0):
    c = []
    for i in range(n):
        c += dac(i, ((i * 7 + shift) & 0x3f, (i * 13) & 0x3f, (i * 29 + 5) & 0x3f))
    return c


def mem(addr, data):
    """Guest writes in 64 KiB pieces (a qtest line of each)."""
    step = 0x10000
    return ["write 0x%x %d 0x%s" % (addr + o, len(data[o:o + step]), data[o:o + step].hex())
            for o in range(0, len(data), step)]


def pattern(n, seed):
    """n bytes that vary from byte to byte and between seeds (no RNG state shared)."""
    block = bytes(((i * 167 + seed * 31 + (i >> 8) * 7) ^ (i >> 5)) & 0xFF for i in range(65521))
    return (block * (n // len(block) + 1))[:n]


def registers():
    """VBE, BAR2 and the legacy ports at their limits (CVE-2016-3712 shapes included)."""
    c = pci_setup()
    for a in (0x500, 0x502, 0x514, 0x516, 0x600, 0x604, 0x608, 0x0, 0xFFC, 0x41F):
        c += ["readw 0x%x" % (MMIO + a), "readl 0x%x" % (MMIO + a)]
    c += ["readb 0x%x" % (MMIO + 0x501), "readq 0x%x" % (MMIO + 0x500), "readw 0x%x" % (MMIO + 0x600)]
    c += ["inw 0x1ce", "inw 0x1cf", "inb 0x1ce", "inb 0x1cf", "inl 0x1ce", "inw 0x1d0", "inw 0x1d1"]
    c += vbe(4, 2) + ["outw 0x1ce 1", "inw 0x1cf", "outw 0x1ce 2", "inw 0x1cf", "outw 0x1ce 3", "inw 0x1cf"]
    c += vbe(4, 0) + vbe(1, 1027) + vbe(2, 768) + vbe(3, 32) + vbe(6, 2000) + vbe(8, 5) + vbe(9, 700)
    c += vbe(4, 0x41)
    for i in range(0, 12):
        c += ["outw 0x1ce 0x%x" % i, "inw 0x1cf"]
    for reg, val in ((6, 2000), (8, 100), (9, 4000), (9, 12001), (8, 16001), (1, 0xFFFF), (2, 0xFFFF),
                     (3, 15), (3, 7), (3, 24), (6, 16008), (1, 4), (2, 0), (5, 0xFFFF), (0, 0xB0C2),
                     (0, 0xB0C6), (7, 5), (0xA, 1), (0xB, 1), (0xFFFF, 3)):
        c += vbe(reg, val)
        for i in range(0, 11):
            c += ["outw 0x1ce 0x%x" % i, "inw 0x1cf"]
    c += vbe(4, 0x43) + ["outw 0x1ce 1", "inw 0x1cf", "outw 0x1ce 2", "inw 0x1cf", "outw 0x1ce 3", "inw 0x1cf"]
    c += vbe(4, 0x41)
    # what enabling VBE did to the VGA registers (read back through the ports and BAR2)
    c += ["outb 0x3c2 0x1"]
    for i in (1, 2, 4):
        c += ["outb 0x3c4 0x%x" % i, "inb 0x3c5"]
    for i in (5, 6):
        c += ["outb 0x3ce 0x%x" % i, "inb 0x3cf"]
    for i in (1, 7, 9, 0x12, 0x13, 0x17, 0x18):
        c += ["outb 0x3d4 0x%x" % i, "inb 0x3d5", "readb 0x%x" % (MMIO + 0x415)]
    # the bank through the window, and its mask
    c += ["writeb 0xa0000 0x5a", "readb 0x%x" % LFB] + vbe(5, 3)
    c += ["writeb 0xa0010 0x77", "readb 0x%x" % (LFB + 0x30010), "readb 0xa0010"]
    c += vbe(5, 0x1ff) + ["outw 0x1ce 5", "inw 0x1cf", "writeb 0xaffff 0x66",
                          "readb 0x%x" % (LFB + 0xFFFFFF)]
    c += ["writel 0x%x 0xbebebebe" % (MMIO + 0x604), "readl 0x%x" % (MMIO + 0x604),
          "writel 0x%x 0x1 " % (MMIO + 0x604), "readl 0x%x" % (MMIO + 0x604),
          "writew 0x%x 0x1e1e" % (MMIO + 0x604), "readl 0x%x" % (MMIO + 0x604)]
    c += vbe(4, 0) + ["outw 0x1ce 4", "inw 0x1cf", "outb 0x3c4 0x4", "inb 0x3c5", "readb 0xa0010"]
    # through BAR2: VBE index = offset / 2, byte and word writes
    c += ["writew 0x%x 0x280" % (MMIO + 0x502), "readw 0x%x" % (MMIO + 0x502),
          "writeb 0x%x 0x20" % (MMIO + 0x506), "readw 0x%x" % (MMIO + 0x506),
          "writew 0x%x 0x1" % (MMIO + 0x508), "readq 0x%x" % (MMIO + 0x500),
          "readq 0x%x" % (MMIO + 0x508), "readw 0x%x" % (MMIO + 0x514)]
    # the VBE clear: NOCLEARMEM keeps VRAM, a plain enable clears the visible frame only
    c += ["writel 0x%x 0x12345678" % LFB, "writel 0x%x 0x9abcdef0" % (LFB + 0x100000)]
    c += vbe(4, 0) + vbe(1, 64) + vbe(2, 64) + vbe(3, 8) + vbe(4, 0xC1)
    c += ["readl 0x%x" % LFB] + vbe(4, 0) + vbe(4, 0x41)
    c += ["readl 0x%x" % LFB, "readl 0x%x" % (LFB + 0x100000)]
    return c


def mode3_text():
    c = pci_setup() + ["outb 0x3c2 0x67"] + idx(0x3c4, 1, 0) + idx(0x3c4, 3, 0) + idx(0x3c4, 4, 2)
    for i, v in ((1, 0x4f), (7, 0x1f), (9, 0x4f), (0xa, 0x0d), (0xb, 0x0e), (0xc, 0), (0xd, 0),
                 (0xe, 0x00), (0xf, 0x52), (0x12, 0x8f), (0x13, 0x28), (0x17, 0xa3), (0x18, 0xff)):
        c += idx(0x3d4, i, v)
    c += idx(0x3ce, 5, 0x10) + idx(0x3ce, 6, 0x0e) + idx(0x3ce, 8, 0xff)
    for i in range(16):
        c += att(i, [0, 1, 2, 3, 4, 5, 0x14, 7, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f][i])
    c += att(0x10, 0x0c) + att(0x12, 0x0f) + att(0x13, 8) + ["outb 0x3c0 0x20"] + palette(64)
    # the font into plane 2 (the trace loads it, as the BIOS does)
    c += idx(0x3c4, 2, 4) + idx(0x3c4, 4, 6) + idx(0x3ce, 4, 2) + idx(0x3ce, 5, 0) + idx(0x3ce, 6, 4)
    font = bytearray(256 * 32)
    glyphs = pattern(256 * 16, 7)
    for ch in range(256):
        font[ch * 32:ch * 32 + 16] = glyphs[ch * 16:ch * 16 + 16]
    c += mem(0xA0000, bytes(font))
    c += idx(0x3c4, 2, 3) + idx(0x3c4, 4, 2) + idx(0x3ce, 4, 0) + idx(0x3ce, 5, 0x10) + idx(0x3ce, 6, 0x0e)
    cells = bytearray()
    text = b"hvmdm std VGA text mode: SeaBIOS banner goes here \xb3\xc4\xc5\xdb\xb0"
    for i in range(80 * 25):
        cells += bytes([text[i % len(text)], (i * 5 + 1) & 0xFF])
    c += mem(0xB8000, bytes(cells))
    return c


def mode13h():
    c = pci_setup() + ["outb 0x3c2 0x63"] + idx(0x3c4, 1, 1) + idx(0x3c4, 2, 0xf) + idx(0x3c4, 4, 0xe)
    for i, v in ((1, 0x4f), (7, 0x1f), (9, 0x41), (0x12, 0x8f), (0x13, 0x28), (0x17, 0xa3), (0x18, 0xff)):
        c += idx(0x3d4, i, v)
    c += idx(0x3ce, 5, 0x40) + idx(0x3ce, 6, 0x05) + idx(0x3ce, 8, 0xff)
    for i in range(16):
        c += att(i, i)
    c += att(0x10, 0x41) + att(0x12, 0x0f) + ["outb 0x3c0 0x20"] + palette(256, 3)
    c += mem(0xA0000, pattern(320 * 200, 13))
    return c


def planar16():
    c = pci_setup() + ["outb 0x3c2 0xe3"] + idx(0x3c4, 1, 1) + idx(0x3c4, 4, 6)
    for i, v in ((1, 0x4f), (7, 0x3e), (9, 0x40), (0x12, 0xdf), (0x13, 0x28), (0x17, 0xe3), (0x18, 0xff)):
        c += idx(0x3d4, i, v)
    c += idx(0x3ce, 5, 0x00) + idx(0x3ce, 6, 0x05) + idx(0x3ce, 8, 0xff)
    for i in range(16):
        c += att(i, [0, 1, 2, 3, 4, 5, 0x14, 7, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f][i])
    c += att(0x10, 0x01) + att(0x12, 0x0f) + ["outb 0x3c0 0x20"] + palette(64, 9)
    for plane in range(4):
        c += idx(0x3c4, 2, 1 << plane) + mem(0xA0000, pattern(80 * 480, 20 + plane))
    return c


def vbe_mode(bpp, xres, yres, virt=0, xoff=0, yoff=0, dac8=False):
    c = pci_setup() + vbe(4, 0) + vbe(1, xres) + vbe(2, yres) + vbe(3, bpp)
    c += vbe(4, 0x41 | (0x20 if dac8 else 0)) + ["inb 0x3da", "outb 0x3c0 0x20"]
    if virt:
        c += vbe(6, virt)
    c += vbe(8, xoff) + vbe(9, yoff)
    if bpp == 8:
        for i in range(256):
            c += dac(i, ((i * 3) & 0xff, (i * 7) & 0xff, (255 - i) & 0xff) if dac8 else
                     ((i * 3) & 0x3f, (i * 7) & 0x3f, (63 - i) & 0x3f))
    line = (virt or xres) * ((bpp + 7) // 8 if bpp != 15 else 2)
    c += mem(LFB, pattern(min(line * (yres + yoff + 2), 4 << 20), bpp + xres))
    return c


def cga4():
    c = pci_setup() + ["outb 0x3c2 0x63"] + idx(0x3c4, 1, 9) + idx(0x3c4, 2, 3) + idx(0x3c4, 4, 2)
    for i, v in ((1, 0x27), (7, 0x1f), (9, 0xc1), (0x12, 0x8f), (0x13, 0x14), (0x17, 0xa2), (0x18, 0xff)):
        c += idx(0x3d4, i, v)
    c += idx(0x3ce, 5, 0x30) + idx(0x3ce, 6, 0x0f) + idx(0x3ce, 8, 0xff)
    for i in range(16):
        c += att(i, [0, 0x13, 0x15, 0x17, 2, 3, 4, 5, 6, 7, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15][i])
    c += att(0x10, 0x01) + att(0x12, 0x03) + ["outb 0x3c0 0x20"] + palette(64, 1)
    c += mem(0xB8000, pattern(0x4000, 99))
    return c


SCREENS = {
    "text-80x25": mode3_text,
    "mode13h": mode13h,
    "planar16-640x480": planar16,
    "cga4-320x200": cga4,
    "vbe8-640x480": lambda: vbe_mode(8, 640, 480),
    "vbe8-dac8-320x200": lambda: vbe_mode(8, 320, 200, dac8=True),
    "vbe15-400x300": lambda: vbe_mode(15, 400, 300),
    "vbe16-800x600-pan": lambda: vbe_mode(16, 800, 600, virt=1024, xoff=64, yoff=32),
    "vbe24-640x480-pan": lambda: vbe_mode(24, 640, 480, virt=800, xoff=8, yoff=100),
    "vbe32-1024x768-pan": lambda: vbe_mode(32, 1024, 768, virt=1280, xoff=16, yoff=8),
    "vbe32-huge-offsets": lambda: vbe_mode(32, 1600, 1200, virt=16000, xoff=16000, yoff=12000),
}


def run(argv, cmds, tmp, tag, dump=None):
    m = Machine(argv, tmp, tag)
    try:
        out = [m.cmd(c) for c in cmds]
        r = None
        if dump:
            r = m.qmp.cmd("screendump", {"filename": dump})
        return out, r
    finally:
        m.close()


ERROR_CASES = [
    ("head-without-device", {"filename": "@TMP@/x.ppm", "head": 0}),
    ("unknown-device", {"filename": "@TMP@/x.ppm", "device": "nosuch"}),
    ("bad-format", {"filename": "@TMP@/x.ppm", "format": "bmp"}),
    ("unwritable", {"filename": "/nonexistent/dir/x.ppm"}),
    ("no-filename", {}),
]


def errors(qargv, hargv, tmp):
    """The errors screendump answers, class and text, as QEMU's."""
    for name, args in ERROR_CASES:
        args = {k: (v.replace("@TMP@", tmp) if isinstance(v, str) else v) for k, v in args.items()}
        got = []
        for argv, tag in ((qargv, "q"), (hargv, "h")):
            m = Machine(argv, tmp, tag)
            try:
                r = m.qmp.cmd("screendump", args)
            finally:
                m.close()
            got.append(r.get("error", r))
        check("vga-qemu:screendump-error:" + name, got[0] == got[1],
              "QEMU %s, hvmdm %s" % (got[0], got[1]))


def main():
    hvmdm = sys.argv[1]
    qemu = sys.argv[2] if len(sys.argv) > 2 else "qemu-system-x86_64"
    if not shutil.which(qemu):
        check("vga-qemu:qemu", False, "%s not found (Debian qemu-system-x86, scripts/deps.sh)" % qemu)
        return
    qargv = [qemu, "-machine", "pc", "-accel", "tcg", "-S", "-qtest", "stdio", "-display", "none",
             "-nodefaults", "-device", "VGA,edid=off"]
    hargv = [hvmdm, "-machine", "pc", "-accel", "qtest", "-qtest", "stdio", "-nodefaults",
             "-device", "VGA"]
    with tempfile.TemporaryDirectory() as tmp:
        cmds = registers()
        want, _ = run(qargv, cmds, tmp, "q")
        got, _ = run(hargv, cmds, tmp, "h")
        bad = [(c, w, g) for c, w, g in zip(cmds, want, got) if w != g]
        check("vga-qemu:registers", not bad and len(want) == len(got),
              "%d of %d answers differ, first: %s" % (len(bad), len(cmds), bad[:3]))
        # -vga std: the same adapter at the same slot as QEMU's (00:02.0 on pc)
        vq = [a for a in qargv if a not in ("-device", "VGA,edid=off")] + ["-vga", "std",
                                                                           "-global", "VGA.edid=off"]
        vh = [a for a in hargv if a not in ("-device", "VGA")] + ["-vga", "std"]
        cmds = [c for d in (2, 3) for c in ("outl 0xcf8 0x%08x" % (0x80000000 | d << 11), "inl 0xcfc")]
        want, _ = run(vq, cmds, tmp, "q")
        got, _ = run(vh, cmds, tmp, "h")
        check("vga-qemu:vga-std-option", want == got and want[1] == "OK 0x11111234",
              "QEMU %s, hvmdm %s" % (want, got))
        errors(qargv, hargv, tmp)
        for name, make in SCREENS.items():
            cmds = make()
            qf, hf = os.path.join(tmp, "q.ppm"), os.path.join(tmp, "h.ppm")
            for f in (qf, hf):
                if os.path.exists(f):
                    os.unlink(f)
            _, rq = run(qargv, cmds, tmp, "q", qf)
            _, rh = run(hargv, cmds, tmp, "h", hf)
            if "return" not in rq:
                check("vga-qemu:screendump:" + name, False, "QEMU: %s" % rq)
                continue
            if "return" not in rh:
                check("vga-qemu:screendump:" + name, False, "hvmdm: %s" % rh)
                continue
            a, b = open(qf, "rb").read(), open(hf, "rb").read()
            why = ""
            if a != b:
                why = "QEMU %s, hvmdm %s" % (a[:16].split(b"\n")[:3], b[:16].split(b"\n")[:3])
                if len(a) == len(b):
                    n = sum(1 for i in range(len(a)) if a[i] != b[i])
                    first = next(i for i in range(len(a)) if a[i] != b[i])
                    why += ": %d bytes differ, first at %d" % (n, first)
            check("vga-qemu:screendump:" + name, a == b, why)


if __name__ == "__main__":
    main()
