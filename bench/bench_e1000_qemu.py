#!/usr/bin/env python3
"""e1000 frames per second through qtest: QEMU 7.2's model beside hvmdm's.

One device model at a time, with `-device e1000` on `-netdev socket,fd=N`
(a stream socketpair, QEMU's framing); this script is both the guest driver
(qtest commands) and the wire (the other end of the socketpair, read and
written by a thread). The same commands go to Debian's qemu-system-x86_64
(-accel tcg, a firmware image that halts at once, so the guest runs nothing
but the virtual clock runs) and to `hvmdm -accel qtest -qtest stdio`.

  TX 64 B / 1500 B: a ring of 256 legacy descriptors over one frame; each
     TDT write sends 255 frames; frames counted as they reach the wire.
  TX TSO 64 KiB: a context descriptor (MSS 1460) and one data descriptor
     of 54 + 64000 bytes per TDT write: 44 segments on the wire each time.
  RX 64 B / 1500 B: the wire writes frames as fast as the socket takes them;
     the driver hands the ring back (RDT = RDH - 1) in a loop.

Figures only (frames/s and Mbit/s of frame bytes), never a verdict; each
includes the same qtest round trips over a pipe.

    bench_e1000_qemu.py HVMDM [SECONDS per figure]
"""
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

BAR0 = 0xFEBC0000
TX_RING, TX_BUF, RX_RING, RX_BUF = 0x200000, 0x300000, 0x400000, 0x500000
MAC = "00:16:3e:00:00:b1"


class Model:
    def __init__(self, argv, fd):
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, pass_fds=(fd,), bufsize=0)

    def cmd(self, line):
        self.p.stdin.write((line + "\n").encode())
        while True:
            a = self.p.stdout.readline().decode()
            if not a:
                raise RuntimeError("exited on " + line)
            if not a.startswith("IRQ") and not a.startswith("["):
                return a.strip()

    def wr(self, off, v):
        self.cmd("writel 0x%x 0x%x" % (BAR0 + off, v))

    def rd(self, off):
        return int(self.cmd("readl 0x%x" % (BAR0 + off)).split()[1], 16)

    def close(self):
        self.p.kill()
        self.p.wait()


class Wire(threading.Thread):
    """The test's end: counts the records the NIC sends, or feeds frames to it."""

    def __init__(self, sock, feed=None):
        super().__init__(daemon=True)
        self.sock, self.feed, self.frames, self.bytes, self.stop = sock, feed, 0, 0, False

    def run(self):
        if self.feed:
            rec = struct.pack("!I", len(self.feed)) + self.feed
            batch = rec * 64
            while not self.stop:
                try:
                    self.sock.sendall(batch)
                except OSError:
                    return
            return
        buf = b""
        while not self.stop:
            try:
                d = self.sock.recv(1 << 20)
            except OSError:
                return
            if not d:
                return
            buf += d
            while len(buf) >= 4:
                n = struct.unpack("!I", buf[:4])[0]
                if len(buf) < 4 + n:
                    break
                self.frames += 1
                self.bytes += n
                buf = buf[4 + n:]


def start(kind, hvmdm, fd, bios):
    dev = ["-device", "e1000,addr=4,netdev=n0,mac=%s" % MAC, "-netdev", "socket,id=n0,fd=%d" % fd]
    if kind == "qemu":
        argv = ["qemu-system-x86_64", "-machine", "pc", "-accel", "tcg", "-nodefaults", "-bios",
                bios, "-display", "none", "-qtest", "stdio"] + dev
    else:
        argv = [hvmdm, "-machine", "pc", "-accel", "qtest", "-qtest", "stdio", "-nodefaults",
                "-serial", "null"] + dev
    m = Model(argv, fd)
    m.kind = kind
    cf8 = 0x80000000 | (4 << 11)
    for c in ("outl 0xcf8 0x%x" % (cf8 | 0x10), "outl 0xcfc 0x%x" % BAR0,
              "outl 0xcf8 0x%x" % (cf8 | 0x4), "outw 0xcfc 0x7"):
        m.cmd(c)
    return m


def pause_passed(m):
    """QEMU's 1 s receive pause after an RCTL write: clock_step on hvmdm, real time on QEMU."""
    if m.kind == "qemu":
        time.sleep(1.2)
    else:
        m.cmd("clock_step 1000000000")


def frame(size):
    """Out of the NIC (to a peer) ..."""
    return bytes.fromhex("525400123457" "00163e0000b1" "0800") + bytes(size - 14)


def frame_in(size):
    """... and into it (to its own MAC)."""
    return bytes.fromhex("00163e0000b1" "525400123457" "0800") + bytes(size - 14)


def tx(m, wire, size, secs, tso=False):
    m.wr(0x3800, TX_RING)
    m.wr(0x3808, 256 * 16)
    m.wr(0x3810, 0)
    m.wr(0x3818, 0)
    m.wr(0x400, 0x2)
    if tso:
        # 54 header bytes and 64000 of payload: the 16-bit data length field holds it.
        pay = 64000
        m.cmd("write 0x%x %d 0x%s" % (TX_BUF, 54 + pay, (frame(54) + bytes(pay)).hex()))
        ctx = struct.pack("<BBHBBHIBBH", 14, 24, 33, 34, 50, 0, pay | (0x27 << 24), 0, 54, 1460)
        data = struct.pack("<QII", TX_BUF, (54 + pay) | (0x2D << 24) | (1 << 20), 3 << 8)
        m.cmd("write 0x%x 4096 0x%s" % (TX_RING, ((ctx + data) * 128).hex()))
        step = 2
    else:
        m.cmd("write 0x%x %d 0x%s" % (TX_BUF, size, frame(size).hex()))
        d = struct.pack("<QII", TX_BUF, size | (0x0B << 24), 0)
        m.cmd("write 0x%x 4096 0x%s" % (TX_RING, (d * 256).hex()))
        step = 255
    tdt, t0, f0, b0 = 0, time.time(), wire.frames, wire.bytes
    while time.time() - t0 < secs:
        tdt = (tdt + step) % 256
        m.wr(0x3818, tdt)
    time.sleep(0.2)
    dt = time.time() - t0
    return (wire.frames - f0) / dt, (wire.bytes - b0) * 8 / dt / 1e6


def rx(m, wire, secs):
    m.cmd("write 0x%x 4096 0x%s" % (RX_RING, b"".join(struct.pack("<QQ", RX_BUF + 0x800 * i, 0)
                                                      for i in range(256)).hex()))
    m.wr(0x2800, RX_RING)
    m.wr(0x2808, 256 * 16)
    m.wr(0x2810, 0)
    m.wr(0x2818, 255)
    m.wr(0x100, 0x8002)
    pause_passed(m)
    wire.start()
    got, t0 = 0, time.time()
    last = 0
    while time.time() - t0 < secs:
        rdh = m.rd(0x2810)
        got += (rdh - last) % 256
        last = rdh
        m.wr(0x2818, (rdh - 1) % 256)
    return got / (time.time() - t0)


def one(kind, hvmdm, bios, what, size, secs):
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    m = start(kind, hvmdm, a.fileno(), bios)
    a.close()
    try:
        if what == "rx":
            w = Wire(b, feed=frame_in(size))
            fps = rx(m, w, secs)
            mbit = fps * size * 8 / 1e6
        else:
            w = Wire(b)
            w.start()
            fps, mbit = tx(m, w, size, secs, tso=(what == "tso"))
    finally:
        w.stop = True
        m.close()
        b.close()
    return fps, mbit


CASES = (("tx", 64, "TX 64 B"), ("tx", 1500, "TX 1500 B"), ("tso", 65536, "TX TSO 64 KiB"),
         ("rx", 64, "RX 64 B"), ("rx", 1500, "RX 1500 B"))


def table(title, one_fn, argv):
    """Every case of CASES through one_fn(kind, hvmdm, bios, what, size, secs), QEMU then
    hvmdm, one line each (also bench_rtl8139_qemu.py's)."""
    hvmdm = os.path.abspath(argv[1])
    secs = float(argv[2]) if len(argv) > 2 else 3.0
    print(title)
    with tempfile.TemporaryDirectory() as d:
        bios = os.path.join(d, "hlt.bin")
        with open(bios, "wb") as f:
            f.write(b"\xf4" * 65536)
        for what, size, label in CASES:
            res = {}
            for kind in ("qemu", "hvmdm"):
                try:
                    res[kind] = one_fn(kind, hvmdm, bios, what, size, secs)
                except Exception as e:  # noqa: BLE001
                    res[kind] = None
                    print("   %s %s: %s" % (label, kind, e))
            q, h = res.get("qemu"), res.get("hvmdm")
            fmt = lambda r: "%9.0f f/s %8.1f Mbit/s" % r if r else "%26s" % "n/a"  # noqa: E731
            ratio = " (x%.2f)" % (h[0] / q[0]) if q and h and q[0] else ""
            print("   %-14s qemu %s   hvmdm %s%s" % (label, fmt(q), fmt(h), ratio))


def main():
    table("== e1000 through qtest, QEMU 7.2 beside hvmdm (-netdev socket,fd=; frames/s, Mbit/s)",
          one, sys.argv)


if __name__ == "__main__":
    main()
