#!/usr/bin/env python3
"""Two hvmdm instances, an e1000 (82540EM) in each, on one wire.

Each runs `-machine pc -accel qtest -qtest stdio -nodefaults -device e1000`
with `-netdev socket,id=n0,fd=N`, the two ends of one stream socketpair
(QEMU's framing), as QEMU's NIC qtests connect a NIC. This script is both
guests' drivers: it programs the rings through qtest, makes A transmit and
reads what B's receive ring got out of B's guest memory, then the other way.

Checked on the receiving side, from the bytes in guest memory:
  - a legacy frame arrives intact (SDM 3.3.3, 3.2.3: DD, EOP, length + FCS);
  - TCP segmentation (SDM 3.5): a 2960-byte payload with MSS 1000 becomes 3
    segments, each with the header repeated, IPv4 total length and
    identification advanced, a valid IPv4 header checksum, TCP sequence
    numbers advanced by the payload sent, PSH/FIN only on the last, and a
    valid TCP checksum over the pseudo-header;
  - UDP checksum offload (SDM 3.3.6-3.3.7: context descriptor, POPTS TXSM);
  - VLAN insertion by A (VLE, CTRL.VME) and stripping by B (CTRL.VME: VP
    and the tag in the special field, the frame 4 bytes shorter);
  - B's RX ring full: A's frames wait in the socket (nothing lost) and
    come in once B makes room (dm/net.h flow control).
Waiting for the other process is bounded (it only decides when a check
gives up, never what it sees).
"""
import os
import socket
import struct
import subprocess
import sys
import time

HVMDM = None
BAR0 = 0xFEBC0000
DEVFN = 4 << 3
fails = 0


def result(ok, name, why=""):
    global fails
    print("%s e1000-pair:%s%s" % ("PASS" if ok else "FAIL", name, "" if ok else " " + why))
    sys.stdout.flush()
    if not ok:
        fails += 1


class Guest:
    def __init__(self, mac, fd):
        argv = [HVMDM, "-machine", "pc", "-m", "64", "-accel", "qtest", "-qtest", "stdio",
                "-nodefaults", "-device", "e1000,addr=4,netdev=n0,romfile=,mac=" + mac,
                "-netdev", "socket,id=n0,fd=%d" % fd]
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, pass_fds=(fd,), text=True, bufsize=1)

    def q(self, cmd):
        self.p.stdin.write(cmd + "\n")
        self.p.stdin.flush()
        while True:
            line = self.p.stdout.readline()
            if not line:
                raise RuntimeError("hvmdm exited: " + self.p.stderr.read()[-300:])
            if not line.startswith("IRQ"):
                return line.strip()

    def wr(self, off, val):
        self.q("writel 0x%x 0x%x" % (BAR0 + off, val))

    def rd(self, off):
        return int(self.q("readl 0x%x" % (BAR0 + off)).split()[1], 16)

    def mem(self, addr, data):
        self.q("write 0x%x %d 0x%s" % (addr, len(data), data.hex()))

    def memr(self, addr, n):
        return bytes.fromhex(self.q("read 0x%x %d" % (addr, n)).split()[1][2:])

    def up(self):
        cf8 = 0x80000000 | (DEVFN << 8)
        self.q("outl 0xcf8 0x%x" % (cf8 | 0x10))
        self.q("outl 0xcfc 0x%x" % BAR0)
        self.q("outl 0xcf8 0x%x" % (cf8 | 0x04))
        self.q("outw 0xcfc 0x7")

    def stop(self):
        self.p.stdin.close()
        try:
            self.p.wait(10)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()


TX_RING, TX_BUF, RX_RING, RX_BUF = 0x200000, 0x300000, 0x400000, 0x500000


def tx_setup(g):
    g.wr(0x3800, TX_RING)
    g.wr(0x3808, 0x1000)
    g.wr(0x3810, 0)
    g.wr(0x3818, 0)
    g.wr(0x400, 0x2)
    g.tdt = 0


def rx_setup(g, n, rctl=0x8002):
    g.mem(RX_RING, b"".join(struct.pack("<QQ", RX_BUF + 0x1000 * i, 0) for i in range(n)))
    g.wr(0x2800, RX_RING)
    g.wr(0x2808, max(0x80, n * 16))
    g.wr(0x2810, 0)
    g.wr(0x2818, n - 1)
    g.wr(0x100, rctl)
    g.q("clock_step 1000000000")  # QEMU's 1 s receive pause after an RCTL write


def send(g, descs):
    g.mem(TX_RING + 16 * g.tdt, b"".join(descs))
    g.tdt += len(descs)
    g.wr(0x3818, g.tdt)


def txd(addr, length, cmd, special=0, dtyp_d=False, popts=0):
    lower = length | (cmd << 24) | ((1 << 20) if dtyp_d else 0)
    return struct.pack("<QII", addr, lower, (popts << 8 if dtyp_d else 0) | (special << 16))


def ctxd(ipcss, ipcso, tucss, tucso, paylen, tucmd, hdr_len=0, mss=0):
    """IPCSE = the last byte of a 20-byte IPv4 header (0 would sum to the frame's end)."""
    return struct.pack("<BBHBBHIBBH", ipcss, ipcso, ipcss + 19, tucss, tucso, 0,
                       (paylen & 0xFFFFF) | ((tucmd | 0x20) << 24), 0, hdr_len, mss)


def wait_rdh(g, want, tries=500):
    for _ in range(tries):
        if g.rd(0x2810) == want:
            return True
        time.sleep(0.01)
    return False


def received(g, i):
    addr, length, _, status, _, special = struct.unpack("<QHHBBH", g.memr(RX_RING + 16 * i, 16))
    return g.memr(addr, length - 4) if length >= 4 else b"", status, special


def csum(data):
    if len(data) & 1:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def l4_ok(frame, proto):
    ip = frame[14:34]
    l4 = frame[34:14 + struct.unpack("!H", ip[2:4])[0]]
    pseudo = ip[12:20] + struct.pack("!BBH", 0, proto, len(l4))
    return csum(pseudo + l4) == 0xFFFF


MAC_A, MAC_B = "00:16:3e:00:00:0a", "00:16:3e:00:00:0b"
ETH_AB = bytes.fromhex("00163e00000b" "00163e00000a" "0800")


def tcp_frame(payload):
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 0, 0x1234, 0x4000, 64, 6, 0, bytes([10, 0, 0, 1]),
                     bytes([10, 0, 0, 2]))
    # The driver leaves the pseudo-header sum without the length in the TCP checksum field.
    ph = csum(ip[12:20] + struct.pack("!BB", 0, 6))
    tcp = struct.pack("!HHIIBBHHH", 8080, 54321, 1000, 0, 0x50, 0x19, 0xFFFF, ph, 0)
    return ETH_AB + ip + tcp + payload


def test_tso(a, b):
    payload = bytes((i * 7 + 3) & 0xFF for i in range(2960))
    f = tcp_frame(payload)
    a.mem(TX_BUF, f)
    send(a, [ctxd(14, 24, 34, 50, len(payload), 0x7, 54, 1000),
             txd(TX_BUF, 54, 0x2C, dtyp_d=True, popts=3),
             txd(TX_BUF + 54, len(payload), 0x2D, dtyp_d=True, popts=3)])
    ok = wait_rdh(b, 3)
    result(ok, "tso-three-segments", "B's RDH is %d" % b.rd(0x2810))
    if not ok:
        return
    sofar = 0
    for i in range(3):
        seg, status, _ = received(b, i)
        ip = seg[14:34]
        n = min(1000, 2960 - sofar)
        good = (len(seg) == 54 + n and seg[54:] == payload[sofar:sofar + n]
                and struct.unpack("!H", ip[2:4])[0] == 40 + n
                and struct.unpack("!H", ip[4:6])[0] == 0x1234 + i
                and csum(ip) == 0xFFFF and l4_ok(seg, 6)
                and struct.unpack("!I", seg[38:42])[0] == 1000 + sofar
                and (seg[47] & 9) == (9 if i == 2 else 0) and status & 3 == 3)
        result(good, "tso-segment-%d" % i, "len %d flags %#x" % (len(seg), seg[47]))
        sofar += n


def test_udp_csum(a, b):
    payload = b"hvmdm e1000 udp checksum offload" * 3
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + 8 + len(payload), 0x99, 0, 64, 17, 0,
                     bytes([10, 0, 0, 2]), bytes([10, 0, 0, 1]))
    udp = struct.pack("!HHHH", 5000, 6000, 8 + len(payload), 0)
    eth = bytes.fromhex("00163e00000a" "00163e00000b" "0800")
    f = eth + ip + udp + payload
    # Offloaded UDP: the driver seeds the checksum with the pseudo-header sum (length included).
    seed = csum(ip[12:20] + struct.pack("!BBH", 0, 17, 8 + len(payload)))
    f = f[:40] + struct.pack("!H", seed) + f[42:]
    b.mem(TX_BUF, f)
    send(b, [ctxd(14, 24, 34, 40, 0, 0x2), txd(TX_BUF, len(f), 0x29, dtyp_d=True, popts=3)])
    ok = wait_rdh(a, 1)
    result(ok, "udp-arrives", "A's RDH is %d" % a.rd(0x2810))
    if ok:
        seg, _, _ = received(a, 0)
        result(csum(seg[14:34]) == 0xFFFF and l4_ok(seg, 17) and seg[42:] == payload,
               "udp-checksums", seg[:48].hex())


def test_vlan(a, b):
    a.wr(0x0, a.rd(0x0) | 0x40000000)  # CTRL.VME: insert
    b.wr(0x0, b.rd(0x0) | 0x40000000)  # CTRL.VME: strip
    f = ETH_AB + bytes(range(80))
    a.mem(TX_BUF, f)
    send(a, [txd(TX_BUF, len(f), 0x4B, special=0x2064)])
    ok = wait_rdh(b, 4)
    result(ok, "vlan-arrives", "B's RDH is %d" % b.rd(0x2810))
    if ok:
        seg, status, special = received(b, 3)
        result(seg == f and status & 0x08 and special == 0x2064, "vlan-stripped",
               "status %#x special %#x len %d" % (status, special, len(seg)))


def test_flow_control(a, b):
    # B has 8 buffers, 4 used: 3 more fit (RDT 7); the rest waits in the socket.
    legacy = ETH_AB + bytes(46)
    a.mem(TX_BUF, legacy)
    send(a, [txd(TX_BUF, len(legacy), 0x0B) for _ in range(6)])
    ok = wait_rdh(b, 7)
    time.sleep(0.2)
    result(ok and b.rd(0x2810) == 7 and b.rd(0x4010) == 0, "flow-full-ring-holds",
           "RDH %d MPC %d" % (b.rd(0x2810), b.rd(0x4010)))
    b.wr(0x2818, 3)  # room again (the ring wraps): the three held frames come in
    result(wait_rdh(b, 2), "flow-resumes", "B's RDH is %d" % b.rd(0x2810))


def main():
    global HVMDM
    HVMDM = os.path.abspath(sys.argv[1])
    sa, sb = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    a = Guest(MAC_A, sa.fileno())
    b = Guest(MAC_B, sb.fileno())
    sa.close()
    sb.close()
    try:
        for g in (a, b):
            g.up()
            tx_setup(g)
        rx_setup(a, 8)
        rx_setup(b, 8)
        test_tso(a, b)
        test_udp_csum(a, b)
        test_vlan(a, b)
        test_flow_control(a, b)
    except Exception as e:  # noqa: BLE001
        result(False, "driver", repr(e))
    finally:
        a.stop()
        b.stop()
    sys.exit(0)


if __name__ == "__main__":
    main()
