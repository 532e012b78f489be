#!/usr/bin/env python3
"""rtl8139 frames per second through qtest: QEMU 7.2's model beside hvmdm's.

The same harness as bench_e1000_qemu.py (its Model, Wire and frame helpers:
`-netdev socket,fd=N` on a stream socketpair, this script the guest driver
and the wire), with the RTL8139C+ driven as 8139cp drives it:

  TX 64 B / 1500 B: the C+ ring of 64 descriptors over one frame, handed
     back whole (one 1 KiB write) before each TxPoll; frames counted on the wire.
  TX TSO 64 KiB: one large-send descriptor of 54 + 64000 bytes (MSS 1460) per
     TxPoll: 44 segments on the wire each time.
  RX 64 B / 1500 B (C mode, 64 KiB ring): the wire writes frames as fast as
     the socket takes them; the driver reads CBR and hands the ring back
     through CAPR in a loop; frames counted from the bytes CBR moved.

Figures only (frames/s and Mbit/s of frame bytes), never a verdict.

    bench_rtl8139_qemu.py HVMDM [SECONDS per figure]
"""
import importlib.util
import os
import socket
import struct
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("e1k", os.path.join(HERE, "bench_e1000_qemu.py"))
E1K = importlib.util.module_from_spec(spec)
spec.loader.exec_module(E1K)

BAR1 = 0xFEBC0000
TX_RING, TX_BUF, RX_RING = 0x200000, 0x300000, 0x400000
MAC = "00:16:3e:00:00:b1"


def start(kind, hvmdm, fd, bios):
    dev = ["-device", "rtl8139,addr=4,netdev=n0,romfile=,mac=%s" % MAC,
           "-netdev", "socket,id=n0,fd=%d" % fd]
    if kind == "qemu":
        argv = ["qemu-system-x86_64", "-machine", "pc", "-accel", "tcg", "-nodefaults", "-bios",
                bios, "-display", "none", "-qtest", "stdio"] + dev
    else:
        argv = [hvmdm, "-machine", "pc", "-accel", "qtest", "-qtest", "stdio", "-nodefaults",
                "-serial", "null"] + dev
    m = E1K.Model(argv, fd)
    cf8 = 0x80000000 | (4 << 11)
    for c in ("outl 0xcf8 0x%x" % (cf8 | 0x14), "outl 0xcfc 0x%x" % BAR1,
              "outl 0xcf8 0x%x" % (cf8 | 0x4), "outw 0xcfc 0x7"):
        m.cmd(c)
    m.wr = lambda off, v, w="l": m.cmd("write%s 0x%x 0x%x" % (w, BAR1 + off, v))
    m.rd = lambda off, w="l": int(m.cmd("read%s 0x%x" % (w, BAR1 + off)).split()[1], 16)
    return m


def tx(m, wire, size, secs, tso=False):
    m.wr(0xe0, 0x0001, "w")  # C+ Tx
    m.wr(0x37, 0x04, "b")
    m.wr(0x20, TX_RING)
    m.wr(0x24, 0)
    if tso:
        pay = 64000
        f = bytearray(E1K.frame(54) + bytes(pay))
        f[14], f[16:18], f[23], f[46] = 0x45, struct.pack(">H", 40 + pay), 6, 0x50
        m.cmd("write 0x%x %d 0x%s" % (TX_BUF, len(f), bytes(f).hex()))
        ring = struct.pack("<IIII", 0xf8000000 | (1460 << 16) | len(f), 0, TX_BUF, 0)
        ring = ring.ljust(1024, b"\0")
    else:
        m.cmd("write 0x%x %d 0x%s" % (TX_BUF, size, E1K.frame(size).hex()))
        ring = b"".join(struct.pack("<IIII", 0xb0000000 | (0x40000000 if i == 63 else 0) | size,
                                    0, TX_BUF, 0) for i in range(64))
    hexring = ring.hex()
    t0, f0, b0 = time.time(), wire.frames, wire.bytes
    while time.time() - t0 < secs:
        m.cmd("write 0x%x 1024 0x%s" % (TX_RING, hexring))
        m.wr(0xd9, 0x40, "b")
    time.sleep(0.2)
    dt = time.time() - t0
    return (wire.frames - f0) / dt, (wire.bytes - b0) * 8 / dt / 1e6


def rx(m, wire, size, secs):
    m.wr(0x37, 0x08, "b")
    m.wr(0x30, RX_RING)
    m.wr(0x44, 0x0000180e)  # 64 KiB ring, broadcast, multicast, our address
    wire.start()
    per = (size + 8 + 3) & ~3
    moved, last, t0 = 0, 0, time.time()
    while time.time() - t0 < secs:
        cbr = m.rd(0x3a, "w")
        moved += (cbr - last) % 65536
        last = cbr
        m.wr(0x38, (cbr - 16) % 65536, "w")
    return moved / per / (time.time() - t0)


def one(kind, hvmdm, bios, what, size, secs):
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    m = start(kind, hvmdm, a.fileno(), bios)
    a.close()
    try:
        if what == "rx":
            w = E1K.Wire(b, feed=E1K.frame_in(size))
            fps = rx(m, w, size, secs)
            mbit = fps * size * 8 / 1e6
        else:
            w = E1K.Wire(b)
            w.start()
            fps, mbit = tx(m, w, size, secs, tso=(what == "tso"))
    finally:
        w.stop = True
        m.close()
        b.close()
    return fps, mbit


def main():
    E1K.table("== rtl8139 through qtest, QEMU 7.2 beside hvmdm (-netdev socket,fd=; frames/s, "
              "Mbit/s)", one, sys.argv)


if __name__ == "__main__":
    main()
