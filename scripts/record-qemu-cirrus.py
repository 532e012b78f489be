#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Record the Cirrus CLGD5446 register sessions from QEMU 7.2 (Debian's
qemu-system-x86_64 under qtest, no guest) and write them as the C header
tests/unit/cirrus_qemu_sessions.h, the oracle test_cirrus_regs replays.

  scripts/record-qemu-cirrus.py tests/unit/cirrus_qemu_sessions.h
"""
import sys

import subprocess, sys, os
def run(cmds, extra=[]):
    args = ["qemu-system-x86_64","-machine","pc","-accel","tcg","-S","-qtest","stdio",
            "-qtest-log","/dev/null","-nodefaults","-display","none","-device","cirrus-vga"] + extra
    p = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = []
    f = p.stdout
    for c in cmds:
        os.write(p.stdin.fileno(), (c + "\n").encode())
        l = b""
        while not l.endswith(b"\n"):
            b = os.read(f.fileno(), 1)
            if not b: break
            l += b
        l = l.decode()
        if not l: raise SystemExit("qemu died at " + c)
        out.append(l.strip())
    p.kill(); p.wait()
    return out

def sess_reset():
    c = ["outb 0x3c2 0x01"]
    for i in range(256):
        c += ["outb 0x3c4 0x%02x" % i, "inb 0x3c4", "inb 0x3c5"]
    for i in range(256):
        c += ["outb 0x3ce 0x%02x" % i, "inb 0x3ce", "inb 0x3cf"]
    for i in range(256):
        c += ["outb 0x3d4 0x%02x" % i, "inb 0x3d4", "inb 0x3d5"]
    return c

def sess_writes():
    c = ["outb 0x3c2 0x01"]
    for i in range(256):
        c += ["outb 0x3c4 0x%02x" % i]
        for v in (0xff, 0x00, 0xa5, 0x12):
            c += ["outb 0x3c5 0x%02x" % v, "inb 0x3c5"]
    for i in range(256):
        if i == 0x31:
            continue  # BLT start/reset: the blitter tests
        c += ["outb 0x3ce 0x%02x" % i]
        for v in (0xff, 0x00, 0x5a):
            c += ["outb 0x3cf 0x%02x" % v, "inb 0x3cf"]
    for i in range(256):
        c += ["outb 0x3d4 0x%02x" % i]
        for v in (0xff, 0x00, 0x5a):
            c += ["outb 0x3d5 0x%02x" % v, "inb 0x3d5"]
    return c

def sess_dac():
    c = ["outb 0x3c2 0x01"]
    c += ["inb 0x3c6"] * 6
    c += ["inb 0x3c8"] + ["inb 0x3c6"] * 5           # 5th read: the hidden DAC
    c += ["inb 0x3c8"] + ["inb 0x3c6"] * 4 + ["outb 0x3c6 0xe1"]
    c += ["inb 0x3c8"] + ["inb 0x3c6"] * 5 + ["inb 0x3c6"]
    c += ["inb 0x3c8"] + ["inb 0x3c6"] * 3 + ["outb 0x3c6 0x33"]  # 3 reads: not unlocked
    c += ["inb 0x3c8"] + ["inb 0x3c6"] * 5
    c += ["inb 0x3c8", "inb 0x3c6", "inb 0x3c6", "inb 0x3c7", "inb 0x3c6", "inb 0x3c6", "inb 0x3c6"]
    c += ["outb 0x3c8 0x00", "inb 0x3c6", "inb 0x3c6", "inb 0x3c6", "inb 0x3c6", "inb 0x3c6"]
    c += ["inb 0x3c8", "inb 0x3c6", "inb 0x3c6", "outb 0x3c9 0x00", "inb 0x3c6", "inb 0x3c6", "inb 0x3c6"]
    # hidden palette (SR12 bit 1): 16 entries, index & 15
    c += ["outb 0x3c8 0x05", "outb 0x3c9 0x11", "outb 0x3c9 0x22", "outb 0x3c9 0x33"]
    c += ["outb 0x3c4 0x12", "outb 0x3c5 0x02"]
    c += ["outb 0x3c8 0x15", "outb 0x3c9 0x01", "outb 0x3c9 0x02", "outb 0x3c9 0x3f", "inb 0x3c8"]
    c += ["outb 0x3c8 0xff", "outb 0x3c9 0x07", "outb 0x3c9 0x08", "outb 0x3c9 0x09", "inb 0x3c8"]
    c += ["outb 0x3c7 0x05"] + ["inb 0x3c9"] * 3 + ["outb 0x3c7 0x0f"] + ["inb 0x3c9"] * 3
    c += ["outb 0x3c7 0x25"] + ["inb 0x3c9"] * 3 + ["inb 0x3c8", "inb 0x3c7"]
    c += ["outb 0x3c5 0x00", "outb 0x3c7 0x05"] + ["inb 0x3c9"] * 3
    c += ["outb 0x3c7 0x15"] + ["inb 0x3c9"] * 3 + ["outb 0x3c7 0xff"] + ["inb 0x3c9"] * 3
    # a colour half written under SR12 bit 1 and finished without it
    c += ["outb 0x3c5 0x02", "outb 0x3c8 0x03", "outb 0x3c9 0x0a", "outb 0x3c5 0x00",
          "outb 0x3c9 0x0b", "outb 0x3c9 0x0c", "outb 0x3c7 0x03", "inb 0x3c9", "inb 0x3c9", "inb 0x3c9"]
    c += ["outb 0x3c5 0x02", "outb 0x3c7 0x03", "inb 0x3c9", "inb 0x3c9", "inb 0x3c9"]
    return c

def sess_misc():
    c = ["outb 0x3c2 0x01"]
    # cursor position: SR10/11 aliases at 0x30, 0x50, ... 0xf0
    for i in (0x10, 0x30, 0x50, 0x70, 0x90, 0xb0, 0xd0, 0xf0, 0x11, 0x31, 0xf1):
        c += ["outb 0x3c4 0x%02x" % i, "outb 0x3c5 0x%02x" % (i ^ 0x5a), "inb 0x3c5",
              "outb 0x3c4 0x10", "inb 0x3c5", "outb 0x3c4 0x11", "inb 0x3c5"]
    # CR24: attribute flip-flop; CR26: attribute index
    c += ["inb 0x3da", "outb 0x3d4 0x24", "inb 0x3d5", "outb 0x3c0 0x35", "inb 0x3d5",
          "outb 0x3d4 0x26", "inb 0x3d5", "outb 0x3c0 0x00", "inb 0x3d5", "outb 0x3d4 0x24",
          "inb 0x3d5", "outb 0x3c0 0x2c", "outb 0x3d4 0x26", "inb 0x3d5", "inb 0x3da",
          "outb 0x3d4 0x24", "inb 0x3d5"]
    # the mono CRTC ports with colour decode, and back
    c += ["outb 0x3b4 0x27", "inb 0x3b5", "inb 0x3d5", "outb 0x3c2 0x00", "outb 0x3b4 0x27",
          "inb 0x3b5", "inb 0x3d5", "outb 0x3b4 0x19", "outb 0x3b5 0x77", "inb 0x3b5",
          "outb 0x3d5 0x66", "inb 0x3b5", "outb 0x3c2 0x01", "outb 0x3d4 0x19", "inb 0x3d5"]
    # SR6 unlock: only 0x12 (after & 0x17) unlocks
    for v in (0x12, 0x13, 0x92, 0xfa, 0x00, 0x1a, 0x32, 0x52):
        c += ["outb 0x3c4 0x06", "outb 0x3c5 0x%02x" % v, "inb 0x3c5"]
    # GR0/GR1: the VGA set/reset keeps 4 bits, the blitter colours 8
    c += ["outb 0x3ce 0x00", "outb 0x3cf 0xa7", "inb 0x3cf", "outb 0x3ce 0x01", "outb 0x3cf 0x7c",
          "inb 0x3cf"]
    # ports without a register: 0 where QEMU's one 0x3b0-0x3df region decodes them, else 0xff
    for port in (0x3b0, 0x3b8, 0x3bf, 0x3c3, 0x3cb, 0x3cd, 0x3d0, 0x3d8, 0x3db, 0x3df):
        c += ["inb 0x%x" % port]
    c += ["outb 0x3c2 0x00"]
    for port in (0x3b0, 0x3bb, 0x3bf, 0x3c3, 0x3d0, 0x3df):
        c += ["inb 0x%x" % port]
    c += ["outb 0x3c2 0x01"]
    # SR17: bits 3-5 read-only
    c += ["outb 0x3c4 0x17", "outb 0x3c5 0x00", "inb 0x3c5", "outb 0x3c5 0xff", "inb 0x3c5"]
    return c

def emit(name, comment, cmds, extra):
    res = run(cmds, extra)
    rows = []
    for cmd, r in zip(cmds, res):
        p = cmd.split()
        if p[0] == "outb":
            rows.append("{ 'w', %s, %s }" % (p[1], "0x%02x" % int(p[2], 16)))
        else:
            assert r.startswith("OK "), (cmd, r)
            rows.append("{ 'r', %s, 0x%02x }" % (p[1], int(r.split()[1], 16)))
    out = ["/* %s */" % comment, "static const struct qemu_io %s[] = {" % name]
    for i in range(0, len(rows), 4):
        out.append("\t" + ", ".join(rows[i:i + 4]) + ",")
    out.append("};\n")
    return "\n".join(out)

hdr = ["/* SPDX-License-Identifier: GPL-2.0-only */",
"/*",
" * Cirrus CLGD5446 register sessions recorded from QEMU 7.2 (Debian",
" * qemu-system-x86_64 7.2.22, \"-machine pc -accel tcg -S -qtest stdio",
" * -nodefaults -device cirrus-vga\", before any firmware ran) by",
" * scripts/record-qemu-cirrus.py: each row is an outb, or an inb with the",
" * value QEMU returned.",
" */",
"#ifndef TESTS_UNIT_CIRRUS_QEMU_SESSIONS_H",
"#define TESTS_UNIT_CIRRUS_QEMU_SESSIONS_H",
"",
"#include \"tests/unit/vga_qemu_sessions.h\"",
""]
hdr.append(emit("cirrus_session_reset", "Colour decode, then every SR, GR and CR index read from reset (its index read back first).", sess_reset(), []))
hdr.append(emit("cirrus_session_writes", "Every SR index written 0xff, 0, 0xa5, 0x12, every GR index but 0x31 (the BLT start) 0xff, 0, 0x5a, every CR index 0xff, 0, 0x5a, each read back.", sess_writes(), []))
hdr.append(emit("cirrus_session_dac", "The hidden DAC register behind four 0x3c6 reads, and the hidden cursor palette under SR12 bit 1.", sess_dac(), []))
hdr.append(emit("cirrus_session_misc", "Cursor position aliases, CR24/CR26 readback, mono/colour CRTC decode, SR6 unlock, GR0/1 shadows, SR17.", sess_misc(), []))
hdr.append("#endif")
open(sys.argv[1], "w").write("\n".join(hdr) + "\n")
