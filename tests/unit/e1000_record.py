#!/usr/bin/env python3
"""Record e1000 register sessions from Debian's QEMU 7.2 into tests/unit/e1000_qemu.h.

    tests/unit/e1000_record.py > tests/unit/e1000_qemu.h
    tests/unit/e1000_record.py --trace > tests/traces/qemu/e1000-regs.trace

Each session is a list of qtest commands run against
    qemu-system-x86_64 -machine pc -accel tcg -nodefaults -qtest stdio
      -device e1000,addr=4,netdev=n0,mac=00:16:3e:00:00:b1
      -netdev socket,id=n0,udp=127.0.0.1:A,localaddr=127.0.0.1:B
with a firmware image that halts at the reset vector (the guest runs no
code, but the virtual clock runs, so QEMU's 1 s RX pause after an RCTL
write and its 500 ms auto-negotiation pass; QEMU's TCG build has no qtest
accelerator, so clock_step is not available). Two pseudo-commands:
    !clock NS   wait NS of guest time (here: sleep; in the test: loop_clock_step)
    !rx HEX     a frame from the wire (here: a UDP datagram to B; in the test:
                the fake backend delivers it, when the NIC can receive)
Frames QEMU sends arrive on A and are recorded as each session's TX list.
The answers go into the header verbatim; test_e1000 replays the same
commands against hvmdm's model and compares every answer and frame.
"""
import os
import socket
import subprocess
import sys
import tempfile
import time

BAR0 = 0xFEBC0000
BAR1 = 0xC100
DEVFN = 4 << 3
MAC = "00:16:3e:00:00:b1"
ROM = "/usr/lib/ipxe/qemu/efi-e1000.rom"


def cf8(reg):
    return 0x80000000 | (DEVFN << 8) | (reg & 0xFC)


class S:
    """A session under construction."""

    def __init__(self, name, section):
        self.name, self.section, self.cmds = name, section, []

    def c(self, cmd):
        self.cmds.append(cmd)

    def cfg_w(self, reg, val, size=4):
        self.c("outl 0xcf8 0x%x" % cf8(reg))
        self.c("out%s 0x%x 0x%x" % ({1: "b", 2: "w", 4: "l"}[size], 0xCFC + (reg & 3), val))

    def cfg_r(self, reg, size=4):
        self.c("outl 0xcf8 0x%x" % cf8(reg))
        self.c("in%s 0x%x" % ({1: "b", 2: "w", 4: "l"}[size], 0xCFC + (reg & 3)))

    def setup(self):
        self.cfg_w(0x10, BAR0)
        self.cfg_w(0x14, BAR1)
        self.cfg_w(0x04, 0x7, 2)

    def w(self, off, val):
        self.c("writel 0x%x 0x%x" % (BAR0 + off, val))

    def r(self, off):
        self.c("readl 0x%x" % (BAR0 + off))

    def mem(self, addr, data):
        self.c("write 0x%x %d 0x%s" % (addr, len(data), data.hex()))

    def memr(self, addr, n):
        self.c("read 0x%x %d" % (addr, n))

    def clock(self, ns):
        self.c("!clock %d" % ns)

    def rx(self, frame):
        self.c("!rx %s" % frame.hex())


def le64(v):
    return v.to_bytes(8, "little")


def le32(v):
    return v.to_bytes(4, "little")


def txd(addr, length, cmd, cso=0, sta=0, css=0, special=0, dtyp_d=False, popts=0):
    """A legacy (or, with dtyp_d, data) transmit descriptor (SDM 3.3.3, 3.3.7)."""
    lower = length | (cmd << 24) | ((1 << 20) if dtyp_d else (cso << 16))
    upper = sta | (((popts if dtyp_d else css) & 0xFF) << 8) | (special << 16)
    return le64(addr) + le32(lower) + le32(upper)


def ctxd(ipcss, ipcso, ipcse, tucss, tucso, tucse, paylen, tucmd, hdr_len, mss):
    """A context descriptor (SDM 3.3.6); tucmd bits: 0 TCP, 1 IP, 2 TSE, 3 RS, 5 DEXT."""
    lower = bytes([ipcss, ipcso]) + ipcse.to_bytes(2, "little")
    upper = bytes([tucss, tucso]) + tucse.to_bytes(2, "little")
    cmd = (paylen & 0xFFFFF) | ((tucmd | 0x20) << 24)
    return lower + upper + le32(cmd) + bytes([0, hdr_len]) + mss.to_bytes(2, "little")


def ipv4_tcp(payload_len, flags=0x18):
    eth = bytes.fromhex("525400123457" "00163e0000b1" "0800")
    ip = bytes([0x45, 0, 0, 0, 0x12, 0x34, 0x40, 0, 64, 6, 0, 0]) + bytes([10, 0, 0, 1, 10, 0, 0, 2])
    tcp = bytes.fromhex("1f90d4310000100000000000") + bytes([0x50, flags]) + bytes.fromhex("ffff00000000")
    tcp = tcp[:12] + bytes([0x50, flags]) + tcp[14:]
    return eth + ip + tcp + bytes((i * 7) & 0xFF for i in range(payload_len))


def ipv4_udp(payload_len):
    eth = bytes.fromhex("525400123457" "00163e0000b1" "0800")
    ip = bytes([0x45, 0, 0, 0, 0x56, 0x78, 0, 0, 64, 17, 0, 0]) + bytes([10, 0, 0, 1, 10, 0, 0, 2])
    udp = bytes.fromhex("303930390000" "0000")
    return eth + ip + udp + bytes((i * 3) & 0xFF for i in range(payload_len))


# ---------------------------------------------------------------- sessions

def s_reset():
    s = S("reset_values", "SDM 13.4 register summary, 4.1 PCI configuration")
    for reg in range(0, 0x40, 4):
        s.cfg_r(reg)
    for reg in (0x10, 0x14, 0x30):
        s.cfg_w(reg, 0xFFFFFFFF)
        s.cfg_r(reg)
        s.cfg_w(reg, 0)
    s.setup()
    regs = [0x0, 0x8, 0x10, 0x14, 0x18, 0x20, 0x28, 0x2C, 0x30, 0x38, 0xC0, 0xC4, 0xC8, 0xD0, 0xD8,
            0x100, 0x170, 0x178, 0x180, 0x400, 0x410, 0x458, 0xE00, 0x1000, 0x2160, 0x2168, 0x2800,
            0x2808, 0x2810, 0x2818, 0x2820, 0x282C, 0x2C00, 0x3800, 0x3808, 0x3810, 0x3818, 0x3820,
            0x3828, 0x382C, 0x5200, 0x53FC, 0x5400, 0x5404, 0x5408, 0x540C, 0x547C, 0x5600, 0x5800,
            0x5808, 0x5810, 0x5820, 0x5838, 0x5B50, 0x10000, 0x1FFFC, 0x4, 0xC, 0x5B54, 0x9000, 0x9800,
            0x5F00, 0x5A00, 0x5840, 0x5880]
    regs += list(range(0x4000, 0x4100, 4))
    for off in regs:
        s.r(off)
    # Read-only registers ignore writes; writable ones keep what they can hold.
    for off, val in [(0x8, 0), (0x2808, 0xFFFFFFFF), (0x3808, 0x12345), (0x2810, 0x12345678),
                     (0x3810, 0xFFFFFFFF), (0xC4, 0xFFFFFFFF), (0x2820, 0xFFFFFFFF),
                     (0x3410, 0xFFFFFFFF), (0x2410, 0xFFFFFFFF), (0x9000, 0xFFFFFFFF),
                     (0x5F00, 0xFFFFFFFF), (0x0, 0x04000000 | 0x40), (0x5B54, 0x1234),
                     (0x4074, 5), (0x10000, 0xDEADBEEF), (0x38, 0x88A8)]:
        s.w(off, val)
        s.r(off)
    # Narrow accesses: QEMU's memory core widens them to the 32-bit register.
    s.c("readw 0x%x" % (BAR0 + 0x8))
    s.c("readw 0x%x" % (BAR0 + 0xA))
    s.c("readb 0x%x" % (BAR0 + 0x5405))
    s.c("writew 0x%x 0x1234" % (BAR0 + 0x2802))
    s.r(0x2800)
    # The expansion ROM (iPXE): BAR sizing and the first bytes.
    s.cfg_w(0x30, 0xFEB80001)
    s.cfg_r(0x30)
    for off in (0, 4, 0x18, 0x1C):
        s.c("readl 0x%x" % (0xFEB80000 + off))
    # The ROM's first 8 KiB (header, PCI data structure), its tail and the zero padding.
    for off in (0, 0x1000, 0x3C000, 0x3D000, 0x3F000):
        s.memr(0xFEB80000 + off, 4096)
    return s


def s_eerd():
    s = S("eeprom_eerd", "SDM 13.4.4 EEPROM Read Register, 5.6 EEPROM map, 5.6.1 checksum")
    s.setup()
    for word in list(range(64)) + [0x40, 0x7F, 0xFF]:
        s.w(0x14, (word << 8) | 1)
        s.r(0x14)
    s.w(0x14, 0x300)  # no START: the register reads back as written
    s.r(0x14)
    return s


def eecd_word(s, word, opcode=0b110):
    """Bit-bang one Microwire READ (SDM 5.5): CS, 3 opcode bits, 6 address bits, 16 data bits."""
    CS, SK, DI = 2, 1, 4
    s.w(0x10, 0)
    s.w(0x10, CS)
    bits = [(opcode >> 2) & 1, (opcode >> 1) & 1, opcode & 1] + [(word >> (5 - i)) & 1 for i in range(6)]
    for b in bits:
        s.w(0x10, CS | (DI if b else 0))
        s.w(0x10, CS | SK | (DI if b else 0))
        s.w(0x10, CS | (DI if b else 0))
    for _ in range(16):
        s.w(0x10, CS | SK)
        s.r(0x10)
        s.w(0x10, CS)
    s.w(0x10, 0)
    s.r(0x10)


def s_eecd():
    s = S("eeprom_eecd", "SDM 13.4.3 EEPROM/Flash Control, 5.5 Microwire EEPROM interface")
    s.setup()
    s.r(0x10)
    s.w(0x10, 0x40)  # EE_REQ: GNT is always granted
    s.r(0x10)
    for word in (0, 1, 2, 0x0B, 0x3F):
        eecd_word(s, word)
    eecd_word(s, 5, opcode=0b101)  # WRITE: shifted in, nothing read
    return s


def mdic(s, op, reg, data=0, phy=1, ie=False):
    s.w(0x20, (op << 26) | (phy << 21) | (reg << 16) | data | (0x20000000 if ie else 0))
    s.r(0x20)


def s_phy():
    s = S("phy_mdic", "SDM 13.4.5 MDI Control, 13.5 PHY registers (M88E1011)")
    s.setup()
    for reg in range(32):
        mdic(s, 2, reg)
    for reg, val in [(4, 0x0001), (9, 0x0000), (0x10, 0x0068), (0x14, 0x0c60), (1, 0xffff),
                     (2, 0x1234), (0x15, 0x1)]:
        mdic(s, 1, reg, val)
        mdic(s, 2, reg)
    mdic(s, 2, 1, phy=2)  # another PHY address: ERROR
    mdic(s, 1, 0, 0x1140, phy=0)
    s.w(0xD0, 0x204)  # IMS: MDAC, LSC
    mdic(s, 2, 1, ie=True)
    s.r(0xC0)
    # BMCR with AUTOEN and ANRESTART: the link goes down and comes back with LSC (8.x).
    mdic(s, 1, 0, 0x1340)
    mdic(s, 2, 0)
    mdic(s, 2, 1)
    s.r(0x8)
    s.r(0xC8)
    s.clock(700000000)
    s.r(0x8)
    mdic(s, 2, 1)
    mdic(s, 2, 5)
    s.r(0xC0)
    mdic(s, 1, 0, 0x0140)  # auto-negotiation off
    mdic(s, 2, 0)
    return s


def s_irq():
    s = S("interrupts", "SDM 13.4.17-21 ICR/ICS/IMS/IMC, 7.4 interrupts")
    s.setup()
    s.r(0xC0)
    s.w(0xC8, 0x80)  # ICS with IMS clear: ICR holds it
    s.r(0xC8)
    s.r(0xD0)
    s.r(0xC0)
    s.r(0xC0)
    s.w(0xD0, 0x9F)
    s.r(0xD0)
    s.w(0xD8, 0x0F)
    s.r(0xD0)
    s.w(0xC8, 0x1FFFF)
    s.r(0xC8)
    s.w(0xC0, 0x3)  # write 1 to clear
    s.r(0xC8)
    s.r(0xC0)
    s.w(0xC4, 0x12345)  # ITR keeps 16 bits
    s.r(0xC4)
    s.w(0xD8, 0xFFFFFFFF)
    s.r(0xD0)
    return s


TX_RING = 0x200000
TX_BUF = 0x300000


def tx_setup(s, ring_len=0x100, tctl=0x0103F0FA):
    s.setup()
    s.w(0x3800, TX_RING)
    s.w(0x3804, 0)
    s.w(0x3808, ring_len)
    s.w(0x3810, 0)
    s.w(0x3818, 0)
    s.w(0x400, tctl)


def tx_stats(s):
    for off in (0x40D4, 0x4080, 0x40C8, 0x40CC, 0x4090, 0x4094, 0x40D8, 0x40DC, 0x40E0, 0x40E4,
                0x40E8, 0x40EC, 0x40F0, 0x40F4, 0x40F8, 0x3810, 0xC0):
        s.r(off)


def s_tx_legacy():
    s = S("tx_legacy", "SDM 3.3.3 legacy transmit descriptor, 3.4 transmit ring, 13.7 statistics")
    tx_setup(s)
    f1 = bytes.fromhex("ffffffffffff00163e0000b10806") + bytes(range(46))
    f2 = bytes.fromhex("525400123457" "00163e0000b1" "0800") + bytes((i * 5) & 0xFF for i in range(186))
    f3 = bytes.fromhex("01005e000001" "00163e0000b1" "86dd") + bytes(1200)
    s.mem(TX_BUF, f1)
    s.mem(TX_BUF + 0x1000, f2[:100])
    s.mem(TX_BUF + 0x2000, f2[100:])
    s.mem(TX_BUF + 0x3000, f3)
    ring = (txd(TX_BUF, len(f1), 0x0B) + txd(TX_BUF + 0x1000, 100, 0x0A) +
            txd(TX_BUF + 0x2000, len(f2) - 100, 0x0B) + txd(TX_BUF + 0x3000, len(f3), 0x03))
    s.mem(TX_RING, ring)
    s.w(0x3818, 1)
    s.memr(TX_RING, 16)
    s.r(0xC0)
    s.w(0x3818, 4)
    s.memr(TX_RING, 64)
    tx_stats(s)
    # Wrap: TDH runs over the end of a 16-descriptor ring back to 0.
    s.w(0x3808, 0x80)  # 8 descriptors
    s.w(0x3810, 6)
    s.w(0x3818, 6)
    s.mem(TX_RING + 6 * 16, txd(TX_BUF, len(f1), 0x0B) + txd(TX_BUF, len(f1), 0x0B))
    s.mem(TX_RING, txd(TX_BUF, len(f1), 0x0B))
    s.w(0x3818, 1)
    s.r(0x3810)
    tx_stats(s)
    # TCTL.EN off: TDT moves, nothing is sent.
    s.w(0x400, 0)
    s.w(0x3818, 2)
    s.r(0x3810)
    return s


def s_tx_csum():
    s = S("tx_offload_csum", "SDM 3.3.6 context descriptor, 3.3.7 data descriptor, 3.5 checksum offload")
    tx_setup(s)
    f = ipv4_tcp(100)
    u = ipv4_udp(77)
    s.mem(TX_BUF, f)
    s.mem(TX_BUF + 0x1000, u)
    ring = ctxd(14, 24, 33, 34, 50, 0, 0, 0x3, 0, 0)
    ring += txd(TX_BUF, len(f), 0x29, dtyp_d=True, popts=3)
    ring += ctxd(14, 24, 33, 34, 40, 0, 0, 0x2, 0, 0)
    ring += txd(TX_BUF + 0x1000, len(u), 0x29, dtyp_d=True, popts=3)
    # A checksum start past the frame and an end before the start.
    ring += ctxd(14, 24, 0, 200, 10, 0, 0, 0x2, 0, 0)
    ring += txd(TX_BUF + 0x1000, 60, 0x29, dtyp_d=True, popts=2)
    s.mem(TX_RING, ring)
    s.w(0x3818, 6)
    s.memr(TX_RING, 96)
    tx_stats(s)
    return s


def s_tx_tso():
    s = S("tx_tso", "SDM 3.5 TCP segmentation, 3.5.4 header fixups, 3.3.6 TSE")
    tx_setup(s)
    f = ipv4_tcp(350, flags=0x19)  # PSH+FIN: only the last segment keeps them
    s.mem(TX_BUF, f)
    hdr = 54
    ring = ctxd(14, 24, 33, 34, 50, 0, len(f) - hdr, 0x7, hdr, 100)
    ring += txd(TX_BUF, 60, 0x2C, dtyp_d=True, popts=3)  # TSE, data split over 3 descriptors
    ring += txd(TX_BUF + 60, 200, 0x2C, dtyp_d=True, popts=3)
    ring += txd(TX_BUF + 260, len(f) - 260, 0x2D, dtyp_d=True, popts=3)
    # UDP "TSO" (UDP fragmentation offload as QEMU does it)
    u = ipv4_udp(300)
    s.mem(TX_BUF + 0x1000, u)
    ring += ctxd(14, 24, 33, 34, 40, 0, len(u) - 42, 0x6, 42, 128)
    ring += txd(TX_BUF + 0x1000, len(u), 0x2D, dtyp_d=True, popts=3)
    s.mem(TX_RING, ring)
    s.w(0x3818, len(ring) // 16)
    s.memr(TX_RING, len(ring))
    tx_stats(s)
    # EOP on a descriptor before the header is complete: nothing is sent.
    ring = ctxd(14, 24, 33, 34, 50, 0, 100, 0x7, hdr, 100)
    ring += txd(TX_BUF, 30, 0x2D, dtyp_d=True, popts=3)
    s.mem(TX_RING + 16 * 8, ring)
    s.w(0x3818, 10)
    tx_stats(s)
    return s


def s_tx_vlan():
    s = S("tx_vlan", "SDM 3.3.3.1 VLAN insertion (VLE, CTRL.VME, VET)")
    tx_setup(s)
    s.w(0x0, 0x40000000 | 0x00140240)
    f = bytes.fromhex("525400123457" "00163e0000b1" "0800") + bytes(range(50))
    s.mem(TX_BUF, f)
    ring = txd(TX_BUF, len(f), 0x4B, special=0x2064)
    ring += txd(TX_BUF, len(f), 0x0B, special=0x2064)  # VLE off: no tag
    s.mem(TX_RING, ring)
    s.w(0x38, 0x88A8)
    s.w(0x3818, 1)
    s.w(0x38, 0x8100)
    s.w(0x3818, 2)
    s.w(0x0, 0x00140240)  # VME off: VLE ignored
    s.mem(TX_RING + 32, txd(TX_BUF, len(f), 0x4B, special=0x2064))
    s.w(0x3818, 3)
    tx_stats(s)
    return s


RX_RING = 0x400000
RX_BUF = 0x500000


def rx_setup(s, n=8, rctl=0x8002, bufstep=0x1000):
    s.setup()
    s.w(0x2800, RX_RING)
    s.w(0x2804, 0)
    s.w(0x2808, 0x80 if n <= 8 else n * 16)
    s.w(0x2810, 0)
    ring = b"".join(le64(RX_BUF + bufstep * i) + bytes(8) for i in range(n))
    s.mem(RX_RING, ring)
    s.w(0x2818, n - 1)
    s.w(0x100, rctl)
    s.clock(1200000000)


def rx_check(s, desc_from, ndesc, bufs=()):
    s.r(0x2810)
    s.memr(RX_RING + 16 * desc_from, 16 * ndesc)
    for addr, n in bufs:
        s.memr(addr, n)
    s.r(0xC0)


def frame_to(dst, n, ethertype="0800", src="525400123457"):
    return bytes.fromhex(dst + src + ethertype) + bytes((i * 11) & 0xFF for i in range(n))


def rx_stats(s):
    for off in (0x4074, 0x4078, 0x407C, 0x40D0, 0x4088, 0x408C, 0x40C0, 0x40C4, 0x405C, 0x4060,
                0x4064, 0x4068, 0x406C, 0x4070, 0x40A0, 0x4010, 0x40AC):
        s.r(off)


def s_rx_filters():
    s = S("rx_filters", "SDM 3.2 receive, 13.4.22 RCTL, 13.4.25 RAL/RAH, 13.4.26 MTA")
    rx_setup(s, rctl=0x2)  # no BAM
    s.rx(frame_to("00163e0000b1", 50))  # ours: taken (padded to 60)
    rx_check(s, 0, 1, [(RX_BUF, 64)])
    s.rx(frame_to("ffffffffffff", 50))  # broadcast without BAM: dropped
    s.rx(frame_to("00163e0000b2", 50))  # someone else: dropped
    s.rx(frame_to("01005e000001", 50))  # multicast, MTA empty: dropped
    rx_check(s, 1, 1)
    s.w(0x100, 0x8002)  # BAM
    s.clock(1200000000)
    s.rx(frame_to("ffffffffffff", 50))
    rx_check(s, 1, 1)
    # MTA: MO=0 hashes bits 47:36 of the destination (SDM 13.4.26)
    dst = bytes.fromhex("01005e000001")
    h = ((dst[5] << 8 | dst[4]) >> 4) & 0xFFF
    s.w(0x5200 + 4 * (h >> 5), 1 << (h & 31))
    s.rx(frame_to("01005e000001", 50))
    rx_check(s, 2, 1)
    # MO=3 (bits 43:32): the same address misses
    s.w(0x100, 0x8002 | (3 << 12))
    s.clock(1200000000)
    s.rx(frame_to("01005e000001", 50))
    rx_check(s, 3, 1)
    # A second exact address in RA[1]
    s.w(0x5408, 0x0000163E)
    s.w(0x540C, 0x80000000 | 0x0102)
    s.rx(frame_to("3e1600000201", 80))
    s.rx(frame_to("00163e000201", 80))
    rx_check(s, 3, 2)
    # Promiscuous unicast and multicast
    s.w(0x100, 0x8002 | 0x18)
    s.clock(1200000000)
    s.rx(frame_to("aabbccddeeff", 40))
    s.rx(frame_to("0300000000aa", 40))
    rx_check(s, 4, 2)
    rx_stats(s)
    return s


def s_rx_ring():
    s = S("rx_ring", "SDM 3.2.2 buffer sizes (BSIZE/BSEX), 3.2.3 descriptors, 3.2.6 ring, SECRC")
    rx_setup(s, n=16, rctl=0x8002 | (3 << 16), bufstep=0x100)  # 256-byte buffers
    s.rx(frame_to("00163e0000b1", 700))  # 714 + FCS = 718: three descriptors
    rx_check(s, 0, 4, [(RX_BUF, 256), (RX_BUF + 0x100, 256), (RX_BUF + 0x200, 256)])
    # SECRC: no FCS counted; a 242-byte frame fits one buffer... 256 exactly
    s.w(0x100, 0x8002 | (3 << 16) | 0x04000000)
    s.clock(1200000000)
    s.rx(frame_to("00163e0000b1", 242))
    rx_check(s, 3, 2)
    # A null buffer address is skipped (SDM 3.2.3)
    s.mem(RX_RING + 16 * 4, bytes(16))
    s.rx(frame_to("00163e0000b1", 100))
    rx_check(s, 4, 2)
    # Not enough descriptors for a long frame: overrun (RXO, RNBC, MPC)
    s.w(0x2818, 9)
    s.rx(frame_to("00163e0000b1", 1000))
    rx_check(s, 6, 3)
    # Oversized: 1600 bytes without LPE dropped (ROC); with LPE taken
    s.w(0x2818, 15)
    s.w(0x100, 0x8002 | 0x02000000 | (3 << 16))  # BSEX 4096... SZ=3 -> 4096
    s.clock(1200000000)
    s.rx(frame_to("00163e0000b1", 1600))
    rx_check(s, 6, 1)
    s.w(0x100, 0x8002 | 0x02000000 | (3 << 16) | 0x20)
    s.clock(1200000000)
    s.rx(frame_to("00163e0000b1", 1600))
    rx_check(s, 6, 1, [(RX_BUF + 0x600, 64)])
    # The length limits at their edges: without LPE, and with LPE near 16 KiB.
    s.w(0x100, 0x8002 | 0x02000000 | (1 << 16))  # 16384-byte buffers
    s.clock(1200000000)
    for n in (1518, 1519, 1522, 1523):
        s.rx(frame_to("00163e0000b1", n - 14))
    rx_check(s, 7, 4)
    s.w(0x2818, 6)  # RDH is 11: a full lap of room (RDT 6 wraps)
    s.w(0x100, 0x8002 | 0x02000000 | (1 << 16) | 0x20)
    s.clock(1200000000)
    for n in (16380, 16384, 16385):
        s.rx(frame_to("00163e0000b1", n - 14))
    rx_check(s, 11, 3)
    rx_stats(s)
    return s


def s_rx_vlan():
    s = S("rx_vlan", "SDM 3.2.7.1 VLAN stripping (CTRL.VME), 13.4.27 VFTA with RCTL.VFE")
    rx_setup(s)
    tagged = bytes.fromhex("00163e0000b1" "525400123457" "8100" "2064" "0800") + bytes(range(60))
    s.rx(tagged)  # VME off: kept whole
    rx_check(s, 0, 1, [(RX_BUF, 80)])
    s.w(0x0, 0x40000000 | 0x00140240)
    s.rx(tagged)  # stripped, VP, special
    rx_check(s, 1, 1, [(RX_BUF + 0x1000, 80)])
    s.w(0x100, 0x8002 | 0x40000)  # VFE with an empty VFTA: dropped
    s.clock(1200000000)
    s.rx(tagged)
    rx_check(s, 2, 1)
    vid = 0x064
    s.w(0x5600 + 4 * (vid >> 5), 1 << (vid & 31))
    s.rx(tagged)
    rx_check(s, 2, 1, [(RX_BUF + 0x2000, 80)])
    return s


def s_hostile():
    s = S("hostile_rings", "SDM 3.4/3.2.6 ring registers out of range; CVE-2016-1981, CVE-2015-6815 shapes")
    tx_setup(s, ring_len=0x80)
    f = bytes.fromhex("525400123457" "00163e0000b1" "0800") + bytes(50)
    s.mem(TX_BUF, f)
    s.mem(TX_RING, b"".join(txd(TX_BUF, len(f), 0x0B) for _ in range(8)))
    # TDH beyond the ring (8 descriptors): one descriptor is done and TDH wraps to 0.
    s.w(0x3810, 0x20)
    s.w(0x3818, 0x30)
    s.r(0x3810)
    # TDT beyond the ring: the walk goes round once and stops where it began.
    s.w(0x3810, 0)
    s.w(0x3818, 0x40)
    s.r(0x3810)
    # TDLEN 0: TDH goes to 0 after each descriptor.
    s.w(0x3808, 0)
    s.w(0x3810, 3)
    s.w(0x3818, 5)
    s.r(0x3810)
    s.r(0x3818)
    # TSO with a header longer than the data and MSS 0 (CVE-2015-6815: no progress loop).
    s.w(0x3808, 0x80)
    s.w(0x3810, 0)
    s.w(0x3818, 0)
    ring = ctxd(14, 24, 33, 34, 50, 0, 100, 0x7, 200, 0)
    ring += txd(TX_BUF, 60, 0x2D, dtyp_d=True, popts=3)
    ring += ctxd(14, 24, 33, 34, 50, 0, 100, 0x7, 255, 1)
    ring += txd(TX_BUF, 60, 0x2D, dtyp_d=True, popts=3)
    # A descriptor whose buffer is the ring itself.
    ring += txd(TX_RING, 64, 0x0B)
    # Zero-length data and legacy descriptors, EOP on an empty frame (last: QEMU's
    # backend takes an empty frame as "cannot send now" and queues what follows).
    ring += txd(TX_BUF, 0, 0x0B)
    ring += txd(TX_BUF, 0, 0x29, dtyp_d=True)
    s.mem(TX_RING, ring)
    s.w(0x3818, 7)
    s.r(0x3810)
    s.memr(TX_RING, 112)
    tx_stats(s)
    # RX: RDH outside the ring.
    rx_setup(s)
    s.w(0x2810, 0x40)
    s.w(0x2818, 0x41)
    s.rx(frame_to("00163e0000b1", 50))
    rx_check(s, 0, 1)
    rx_stats(s)
    return s


SESSIONS = [s_reset, s_eerd, s_eecd, s_phy, s_irq, s_tx_legacy, s_tx_csum, s_tx_tso, s_tx_vlan,
            s_rx_filters, s_rx_ring, s_rx_vlan, s_hostile]


# ---------------------------------------------------------------- running QEMU

def run(sess, bios):
    a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    a.bind(("127.0.0.1", 0))
    pa = a.getsockname()[1]
    b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    b.bind(("127.0.0.1", 0))
    pb = b.getsockname()[1]
    b.close()
    argv = ["qemu-system-x86_64", "-machine", "pc", "-accel", "tcg", "-nodefaults", "-bios", bios,
            "-display", "none", "-qtest", "stdio", "-device",
            "e1000,addr=4,netdev=n0,mac=%s,romfile=%s" % (MAC, ROM), "-netdev",
            "socket,id=n0,udp=127.0.0.1:%d,localaddr=127.0.0.1:%d" % (pa, pb)]
    p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True, bufsize=1)
    tx, out = [], []
    inj = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    a.setblocking(False)

    def drain():
        while True:
            try:
                tx.append(a.recv(70000))
            except BlockingIOError:
                return

    for cmd in sess.cmds:
        if cmd.startswith("!clock"):
            time.sleep(int(cmd.split()[1]) / 1e9 + 0.2)
            out.append((cmd, ""))
            continue
        if cmd.startswith("!rx"):
            inj.sendto(bytes.fromhex(cmd.split()[1]), ("127.0.0.1", pb))
            time.sleep(0.25)
            out.append((cmd, ""))
            continue
        p.stdin.write(cmd + "\n")
        p.stdin.flush()
        ans = p.stdout.readline().strip()
        out.append((cmd, ans))
        if cmd.startswith("writel") and cmd.split()[1] == "0x%x" % (BAR0 + 0x3818):
            time.sleep(0.05)
            drain()
    time.sleep(0.2)
    drain()
    p.kill()
    p.wait()
    return out, tx


def trace():
    """--trace: the sessions without pseudo-commands as one trace for tests/suites/diff.sh."""
    print("# e1000 (82540EM) registers against Debian's QEMU 7.2, live (tests/suites/diff.sh):")
    print("# PCI config and BAR sizing, reset values, EERD and EECD EEPROM reads, the PHY over")
    print("# MDIC, ICR/ICS/IMS/IMC, and the TX ring in every descriptor mode (no netdev: the")
    print("# frames go nowhere, the descriptors and statistics show what was done).")
    print("# Generated by tests/unit/e1000_record.py --trace.")
    print("# diff: qemu")
    print("# argv: -machine pc -m 128M -nodefaults -device e1000,addr=4,mac=%s" % MAC)
    for mk in (s_reset, s_eerd, s_eecd, s_phy, s_irq, s_tx_legacy, s_tx_csum, s_tx_tso, s_tx_vlan):
        sess = mk()
        print("# %s (%s)" % (sess.name, sess.section))
        for cmd in sess.cmds:
            if not cmd.startswith("!"):
                print(cmd)
    print("# BAR1: IOADDR/IODATA (SDM 13.1); QEMU 7.2 reads 0 (tests/diff/known-differences.txt)")
    print("outl 0x%x 0x8" % BAR1)
    print("inl 0x%x" % BAR1)
    print("inl 0x%x" % (BAR1 + 4))


def main():
    if sys.argv[1:] == ["--trace"]:
        trace()
        return
    with tempfile.TemporaryDirectory() as d:
        bios = os.path.join(d, "hlt.bin")
        with open(bios, "wb") as f:
            f.write(b"\xf4" * 65536)  # hlt at the reset vector: the guest runs nothing
        ver = subprocess.run(["qemu-system-x86_64", "--version"], capture_output=True,
                             text=True).stdout.splitlines()[0]
        print("/* SPDX-License-Identifier: GPL-2.0-only */")
        print("/*")
        print(" * Generated by tests/unit/e1000_record.py from %s:" % ver)
        print(" * e1000 register sessions and the frames QEMU put on the wire.")
        print(" * Do not edit; re-run the script.")
        print(" */")
        print("#ifndef TESTS_UNIT_E1000_QEMU_H\n#define TESTS_UNIT_E1000_QEMU_H\n")
        print("#include <stddef.h>\n")
        print("struct e1000_qemu_step {\n\tconst char *cmd, *answer;\n};\n")
        print("struct e1000_qemu_session {\n\tconst char *name, *section;")
        print("\tconst struct e1000_qemu_step *steps;\n\tsize_t nsteps;")
        print("\tconst char *const *tx; /* frames on the wire, hex */\n\tsize_t ntx;\n};\n")
        names = []
        for mk in SESSIONS:
            sess = mk()
            out, tx = run(sess, bios)
            names.append((sess.name, sess.section, len(tx)))
            print("static const struct e1000_qemu_step q_%s[] = {" % sess.name)
            for cmd, ans in out:
                print('\t{ "%s", "%s" },' % (cmd, ans))
            print("};\n")
            print("static const char *const q_%s_tx[] = {" % sess.name)
            for fr in tx:
                print('\t"%s",' % fr.hex())
            print("\tNULL,\n};\n")
        print("static const struct e1000_qemu_session e1000_qemu_sessions[] = {")
        for n, sec, ntx in names:
            print('\t{ "%s", "%s", q_%s, sizeof(q_%s) / sizeof(q_%s[0]), q_%s_tx, %d },' %
                  (n, sec, n, n, n, n, ntx))
        print("};\n\n#endif")


if __name__ == "__main__":
    main()
