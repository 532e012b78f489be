#!/usr/bin/env python3
"""The bytes an rtl8139 puts on the wire, QEMU 7.2 beside hvmdm: the same
driver commands (qtest) to `qemu-system-x86_64 -accel tcg` and to hvmdm, each
with `-netdev socket,fd=N` on a socketpair whose other end this script reads
(QEMU's framing), and every frame compared byte for byte:

  C mode: the four TSD/TSAD slots, 60 to 1514 bytes;
  C+ mode: a frame over three descriptors, IP+UDP and IP+TCP checksum
  offload, TCP large send (MSS 536 over 3000 bytes; the segments' IP IDs,
  lengths, checksums and sequence numbers), 802.1Q insertion (TAGC), a frame
  whose IP total length lies (sent as built).
And the other way: frames from the wire into the C-mode ring (address
filter, multicast hash, runt padding, header, FCS), the ring's bytes compared.

The guest's TCP flags are ACK only: with PSH or FIN QEMU 7.2 clears them in
every segment, the last too, where hvmdm (as the chip) keeps them on the last
(hw/net/rtl8139_cplus.c; test_rtl8139 checks ours). Waits are bounded.

  rtl8139_wire.py HVMDM      prints PASS/FAIL lines
"""
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

BAR1 = 0xFEBC0000
TX_RING, TX_BUF = 0x200000, 0x300000


class Wire(threading.Thread):
    def __init__(self, sock):
        super().__init__(daemon=True)
        self.sock, self.frames = sock, []

    def run(self):
        buf = b""
        while True:
            try:
                d = self.sock.recv(1 << 20)
            except OSError:
                return
            if not d:
                return
            buf += d
            while len(buf) >= 4 and len(buf) >= 4 + struct.unpack("!I", buf[:4])[0]:
                n = struct.unpack("!I", buf[:4])[0]
                self.frames.append(buf[4:4 + n])
                buf = buf[4 + n:]


def run(kind, hvmdm, bios, cmds, want):
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    dev = ["-device", "rtl8139,addr=4,netdev=n0,romfile=,mac=52:54:00:12:34:56",
           "-netdev", "socket,id=n0,fd=%d" % a.fileno()]
    if kind == "qemu":
        argv = ["qemu-system-x86_64", "-machine", "pc", "-accel", "tcg", "-nodefaults", "-bios",
                bios, "-display", "none", "-qtest", "stdio"] + dev
    else:
        argv = [hvmdm, "-machine", "pc", "-accel", "qtest", "-qtest", "stdio", "-nodefaults"] + dev
    p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, pass_fds=(a.fileno(),), text=True)
    a.close()
    w = Wire(b)
    w.start()
    for c in cmds:
        p.stdin.write(c + "\n")
        p.stdin.flush()
        while True:
            ans = p.stdout.readline()
            if not ans or not (ans.startswith("IRQ") or ans.startswith("[")):
                break
    for _ in range(100):  # the frames are on their way: at most 2 s more
        if len(w.frames) >= want:
            break
        time.sleep(0.02)
    p.kill()  # QEMU's qtest does not end with its input
    p.wait()
    b.close()
    return w.frames


def ipv4(proto, payload, total=None):
    f = bytearray(bytes.fromhex("525400123457" "525400123456" "0800"))
    l4len = (20 if proto == 6 else 8) + len(payload)
    ip = bytearray(20)
    ip[0], ip[8], ip[9] = 0x45, 64, proto
    ip[2:4] = struct.pack(">H", total if total else 20 + l4len)
    ip[4:6], ip[10:12] = b"\x12\x34", b"\xaa\xbb"
    ip[12:20] = bytes([10, 0, 0, 1, 10, 0, 0, 2])
    if proto == 6:
        l4 = bytearray(20)
        l4[0:4], l4[4:8], l4[12], l4[13] = b"\x1f\x90\xd4\x31", b"\x11\x22\x33\x44", 0x50, 0x10
        l4[14:16], l4[16:18] = b"\xff\xff", b"\xde\xad"
    else:
        l4 = bytearray(8)
        l4[0:4], l4[4:6], l4[6:8] = b"\x00\x35\x00\x35", struct.pack(">H", l4len), b"\xde\xad"
    return bytes(f + ip + l4 + payload)


def commands():
    cf8 = 0x80000000 | (4 << 11)
    c = ["outl 0xcf8 0x%x" % (cf8 | 0x14), "outl 0xcfc 0x%x" % BAR1,
         "outl 0xcf8 0x%x" % (cf8 | 0x4), "outw 0xcfc 0x7"]
    wb = lambda off, v: c.append("writeb 0x%x 0x%x" % (BAR1 + off, v))  # noqa: E731
    ww = lambda off, v: c.append("writew 0x%x 0x%x" % (BAR1 + off, v))  # noqa: E731
    wl = lambda off, v: c.append("writel 0x%x 0x%x" % (BAR1 + off, v))  # noqa: E731
    mem = lambda at, b: c.append("write 0x%x 0x%x 0x%s" % (at, len(b), b.hex()))  # noqa: E731
    frames = lambda n: c.extend(["#frames"] * n)  # noqa: E731
    wb(0x37, 0x04)
    for i, n in enumerate((60, 61, 600, 1514, 100)):
        f = bytes.fromhex("525400123457525400123456" "88b5") + bytes((i + k) & 0xff
                                                                     for k in range(n - 14))
        slot = i % 4
        mem(TX_BUF + 0x800 * slot, f)
        wl(0x20 + 4 * slot, TX_BUF + 0x800 * slot)
        wl(0x10 + 4 * slot, n)
        frames(1)
    ww(0xe0, 0x0001)
    wb(0x37, 0x04)
    wl(0x20, TX_RING)
    wl(0x24, 0)
    idx = [0]

    def desc(dw0, dw1, buf):
        i = idx[0]
        idx[0] = (i + 1) % 16
        dw0 |= 0x80000000 | (0x40000000 if i == 15 else 0)
        mem(TX_RING + 16 * i, struct.pack("<IIII", dw0, dw1, buf, 0))

    def poll(n):
        wb(0xd9, 0x40)
        frames(n)
    pay = bytes((k * 7) & 0xff for k in range(3000))
    f = bytes.fromhex("525400123457525400123456" "88b5") + pay[:700]
    mem(TX_BUF, f)
    desc(0x20000000 | 100, 0, TX_BUF)
    desc(250, 0, TX_BUF + 100)
    desc(0x10000000 | (len(f) - 350), 0, TX_BUF + 350)
    poll(1)
    for proto, bits in ((17, (1 << 18) | (1 << 17)), (6, (1 << 18) | (1 << 16))):
        f = ipv4(proto, pay[:333])
        mem(TX_BUF, f)
        desc(0x30000000 | bits | len(f), 0, TX_BUF)
        poll(1)
    f = ipv4(6, pay)
    mem(TX_BUF, f)
    desc(0x30000000 | (1 << 27) | (536 << 16) | len(f), 0, TX_BUF)
    poll(6)
    f = bytes.fromhex("525400123457525400123456" "88b5") + pay[:200]
    mem(TX_BUF, f)
    desc(0x30000000 | len(f), (1 << 17) | 0x0a01, TX_BUF)
    poll(1)
    f = ipv4(6, pay[:100], total=1400)
    mem(TX_BUF, f)
    desc(0x30000000 | (1 << 18) | (1 << 16) | len(f), 0, TX_BUF)
    poll(1)
    return c


def rx_run(kind, hvmdm, bios, frames, expect_cbr):
    """Frames from the wire into the C-mode ring; the ring's bytes once CBR reaches expect_cbr."""
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    dev = ["-device", "rtl8139,addr=4,netdev=n0,romfile=,mac=52:54:00:12:34:56",
           "-netdev", "socket,id=n0,fd=%d" % a.fileno()]
    if kind == "qemu":
        argv = ["qemu-system-x86_64", "-machine", "pc", "-accel", "tcg", "-nodefaults", "-bios",
                bios, "-display", "none", "-qtest", "stdio"] + dev
    else:
        argv = [hvmdm, "-machine", "pc", "-accel", "qtest", "-qtest", "stdio", "-nodefaults"] + dev
    p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, pass_fds=(a.fileno(),), text=True)
    a.close()

    def cmd(c):
        p.stdin.write(c + "\n")
        p.stdin.flush()
        while True:
            ans = p.stdout.readline()
            if not ans or not (ans.startswith("IRQ") or ans.startswith("[")):
                return ans.split()
    cf8 = 0x80000000 | (4 << 11)
    for c in ("outl 0xcf8 0x%x" % (cf8 | 0x14), "outl 0xcfc 0x%x" % BAR1,
              "outl 0xcf8 0x%x" % (cf8 | 0x4), "outw 0xcfc 0x7",
              "writel 0x%x 0x400000" % (BAR1 + 0x30), "writel 0x%x 0xe" % (BAR1 + 0x44),
              "writel 0x%x 0x0" % (BAR1 + 0x8), "writel 0x%x 0x80000000" % (BAR1 + 0xc),
              "writeb 0x%x 0x8" % (BAR1 + 0x37)):
        cmd(c)
    for f in frames:
        b.sendall(struct.pack("!I", len(f)) + f)
    cbr = None
    for _ in range(100):
        cbr = int(cmd("readw 0x%x" % (BAR1 + 0x3a))[1], 16)
        if cbr == expect_cbr:
            break
        time.sleep(0.02)
    ring = cmd("read 0x400000 0x%x" % max(expect_cbr, 4))[1]
    isr = cmd("readw 0x%x" % (BAR1 + 0x3e))[1]
    p.kill()
    p.wait()
    b.close()
    return cbr, ring, isr


def rx_frames():
    """(frame, accepted): to us, broadcast, a multicast whose hash bit MAR leaves clear
    (only bit 63 is set), another station, a runt (padded to 60), a full frame."""
    ours, src = bytes.fromhex("525400123456"), bytes.fromhex("525400123457")
    body = lambda n, s: bytes((s + k) & 0xff for k in range(n))  # noqa: E731
    fs = [(ours + src + b"\x88\xb5" + body(986, 1), True),
          (b"\xff" * 6 + src + b"\x88\xb5" + body(100, 2), True),
          (bytes.fromhex("01005e000001") + src + b"\x88\xb5" + body(50, 3), False),
          (bytes.fromhex("525400123458") + src + b"\x88\xb5" + body(50, 4), False),
          (ours + src + b"\x88\xb5" + body(6, 5), True),
          (ours + src + b"\x88\xb5" + body(1500, 6), True)]
    return fs


def main():
    hvmdm = sys.argv[1]
    cmds = commands()
    with tempfile.TemporaryDirectory() as d:
        bios = os.path.join(d, "hlt.bin")
        with open(bios, "wb") as f:
            f.write(b"\xf4" * 65536)
        want = cmds.count("#frames")
        plain = [c for c in cmds if not c.startswith("#")]
        got = {k: run(k, hvmdm, bios, plain, want) for k in ("qemu", "hvmdm")}
    q, h = got["qemu"], got["hvmdm"]
    ok = len(q) == len(h) == cmds.count("#frames")
    print(("PASS" if ok else "FAIL") + " rtl8139-wire:count qemu %d hvmdm %d want %d" % (
        len(q), len(h), cmds.count("#frames")))
    for i, (a, b) in enumerate(zip(q, h)):
        same = a == b
        why = "" if same else " first difference at byte %d (qemu %s, hvmdm %s)" % next(
            ((k, a[k:k + 4].hex(), b[k:k + 4].hex()) for k in range(max(len(a), len(b)))
             if a[k:k + 1] != b[k:k + 1]), (0, "", ""))
        print(("PASS" if same else "FAIL") + " rtl8139-wire:frame-%d (%d bytes)%s" % (i, len(a), why))
    # the other way: frames from the wire into the C-mode ring, the ring's bytes compared
    with tempfile.TemporaryDirectory() as d:
        bios = os.path.join(d, "hlt.bin")
        with open(bios, "wb") as f:
            f.write(b"\xf4" * 65536)
        fs = rx_frames()
        res = {}
        for k in ("qemu", "hvmdm"):
            want = sum((max(len(f), 60) + 8 + 3) & ~3 for f, ok in fs if ok)
            res[k] = rx_run(k, hvmdm, bios, [f for f, _ in fs], want)
        (qc, qr, qi), (hc, hr, hi) = res["qemu"], res["hvmdm"]
        print(("PASS" if qc == hc == want else "FAIL") +
              " rtl8139-wire:rx-cbr qemu %s hvmdm %s want %d" % (qc, hc, want))
        print(("PASS" if qr == hr else "FAIL") + " rtl8139-wire:rx-ring (%d bytes)" % want)
        print(("PASS" if qi == hi else "FAIL") + " rtl8139-wire:rx-isr qemu %s hvmdm %s" % (qi, hi))


main()
