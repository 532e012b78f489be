#!/usr/bin/env python3
"""Two hvmdm processes, one wire (and two NICs of one hvmdm on a hubport hub): frames both ways between their rtl8139s over
-netdev stream (A listens on a unix socket, B connects), each driven through
its own qtest channel as a guest driver would (BARs, CR, RCR, RBSTART, TSD).
Checks every byte of each received frame in the other's receive ring, its
packet header (ROK and length + 4) and FCS, and the TOK/ROK interrupts.

Waiting for a frame is bounded (a few seconds of polling ISR, 20 ms apart):
the answer does not depend on timing, only how long a broken build takes to
fail.

  net_pair.py HVMDM     prints PASS/FAIL lines
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import zlib

IO = 0xc000
RING = 0x200000
TXBUF = 0x100000


PREFIX = "net-pair:"


def result(ok, name, why=""):
    print(("PASS " if ok else "FAIL ") + PREFIX + name + ("" if ok else " " + why))
    sys.stdout.flush()


class Qtest:
    """One hvmdm; NIC i (0, 1) at slot 3 + i, I/O at 0xc000 + 0x100 * i."""

    def __init__(self, hvmdm, netdev, mac, extra=()):
        self.io = IO
        self.p = subprocess.Popen(
            [hvmdm, "-machine", "pc", "-m", "64", "-nodefaults", "-accel", "qtest", "-qtest",
             "stdio", "-device", "rtl8139,addr=03.0,romfile=,netdev=n0,mac=" + mac,
             "-netdev", netdev] + list(extra), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)

    def nic(self, i):
        self.io = IO + 0x100 * i
        return self

    def cmd(self, line):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()
        while True:
            ans = self.p.stdout.readline()
            if not ans:
                raise RuntimeError("hvmdm exited: " + self.p.stderr.read()[-300:])
            if not ans.startswith("IRQ"):
                return ans.split()

    def inb(self, off, size=1):
        return int(self.cmd("in%s 0x%x" % ("bwl"[size >> 1], self.io + off))[1], 16)

    def out(self, off, val, size=1):
        self.cmd("out%s 0x%x 0x%x" % ("bwl"[size >> 1], self.io + off, val))

    def setup(self, i=0):
        self.nic(i)
        self.cmd("outl 0xcf8 0x%x" % (0x80001810 + 0x800 * i))
        self.cmd("outl 0xcfc 0x%x" % (self.io | 1))
        self.cmd("outl 0xcf8 0x%x" % (0x80001804 + 0x800 * i))
        self.cmd("outw 0xcfc 0x7")
        self.out(0x37, 0x0c)             # RE TE
        self.out(0x30, RING + 0x10000 * i, 4)  # RBSTART
        self.out(0x44, 0x0000000e, 4)    # 8 KiB ring, broadcast, multicast, our address
        self.out(0x3c, 0x0005, 2)        # ROK TOK

    def send(self, slot, frame):
        at = TXBUF + 0x800 * slot + 0x4000 * ((self.io - IO) >> 8)
        self.cmd("write 0x%x 0x%x 0x%s" % (at, len(frame), frame.hex()))
        self.out(0x20 + 4 * slot, at, 4)
        self.out(0x10 + 4 * slot, len(frame), 4)

    def wait_rok(self):
        for _ in range(250):
            if self.inb(0x3e, 2) & 1:
                return True
            time.sleep(0.02)
        return False

    def ring(self):
        return RING + 0x10000 * ((self.io - IO) >> 8)

    def read(self, addr, n):
        return bytes.fromhex(self.cmd("read 0x%x 0x%x" % (addr, n))[1][2:])

    def close(self):
        self.p.stdin.close()
        try:
            self.p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()


def frame(dst, src, n, seed):
    return dst + src + b"\x88\xb5" + bytes((seed + i) & 0xff for i in range(n - 14))


def check_rx(q, name, f, at, status=0x4001):
    """The frame at ring offset at: header (status: PAM|ROK, BAR|ROK...), bytes, FCS."""
    hdr = q.read(q.ring() + at, 4)
    got = q.read(q.ring() + at + 4, len(f) + 4)
    want_hdr = (status | (len(f) + 4) << 16).to_bytes(4, "little")
    result(hdr == want_hdr, name + ":header", "%s want %s" % (hdr.hex(), want_hdr.hex()))
    result(got[:len(f)] == f, name + ":bytes")
    result(got[len(f):] == zlib.crc32(f).to_bytes(4, "little"), name + ":fcs")


def main():
    hvmdm = sys.argv[1]
    tmp = tempfile.mkdtemp()
    path = os.path.join(tmp, "wire.sock")
    mac_a, mac_b = bytes.fromhex("02000000000a"), bytes.fromhex("02000000000b")
    a = Qtest(hvmdm, "stream,id=n0,server=on,addr.type=unix,addr.path=" + path,
              "02:00:00:00:00:0a")
    a.cmd("inb 0x80")  # A is listening once it answers
    b = Qtest(hvmdm, "stream,id=n0,server=off,addr.type=unix,addr.path=" + path,
              "02:00:00:00:00:0b")
    try:
        a.setup()
        b.setup()
        f1 = frame(mac_b, mac_a, 1514, 1)
        a.send(0, f1)
        result(a.inb(0x10, 4) & 0xa000 == 0xa000 and a.inb(0x3e, 2) & 4, "a-tx-tok")
        result(b.wait_rok(), "b-rx-rok", "no ROK in B's ISR")
        check_rx(b, "a-to-b", f1, 0)
        f2 = frame(mac_a, mac_b, 60, 2)
        b.send(0, f2)
        result(a.wait_rok(), "a-rx-rok", "no ROK in A's ISR")
        check_rx(a, "b-to-a", f2, 0)
        # a frame for another station is filtered by B (RCR without AAP)
        b.out(0x3e, 0xffff, 2)
        a.send(1, frame(bytes.fromhex("02000000000c"), mac_a, 100, 3))
        f3 = frame(b"\xff" * 6, mac_a, 200, 4)
        a.send(2, f3)
        result(b.wait_rok(), "b-rx-broadcast", "no ROK")
        check_rx(b, "broadcast-after-filtered", f3, (len(f1) + 8 + 3) & ~3, 0x2001)
    except Exception as e:  # noqa: BLE001
        result(False, "run", repr(e))
    finally:
        a.close()
        b.close()
    hub(hvmdm)


def qmp(path, cmd, args=None):
    """One QMP command on a fresh connection: its answer (return or error)."""
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    f = s.makefile("rw")
    f.readline()
    for c in ({"execute": "qmp_capabilities"}, {"execute": cmd, "arguments": args or {}}):
        f.write(json.dumps(c) + "\n")
        f.flush()
        ans = json.loads(f.readline())
    s.close()
    return ans


def hub(hvmdm):
    """One hvmdm, two rtl8139s on -netdev hubport hub 0: NIC to NIC inside the guest;
    QMP set_link takes the second NIC's link down (BMSR) and a frame no longer reaches it."""
    qpath = os.path.join(tempfile.mkdtemp(), "qmp.sock")
    q = Qtest(hvmdm, "hubport,id=n0,hubid=0", "02:00:00:00:00:0a",
              ["-device", "rtl8139,id=nic1,addr=04.0,romfile=,netdev=n1,mac=02:00:00:00:00:0b",
               "-netdev", "hubport,id=n1,hubid=0",
               "-chardev", "socket,id=q,path=%s,server=on,wait=off" % qpath,
               "-mon", "chardev=q,mode=control"])
    try:
        q.setup(0)
        q.setup(1)
        f = frame(bytes.fromhex("02000000000b"), bytes.fromhex("02000000000a"), 600, 9)
        q.nic(0).send(0, f)
        result(q.nic(1).wait_rok(), "hub-rx-rok", "no ROK on the second NIC")
        check_rx(q.nic(1), "hub-nic0-to-nic1", f, 0)
        result(q.nic(0).inb(0x3e, 2) & 1 == 0, "hub-no-echo", "the sender received its own frame")
        ans = qmp(qpath, "set_link", {"name": "nic1", "up": False})
        result(ans.get("return") == {}, "qmp-set-link-down", repr(ans))
        result(q.nic(1).inb(0x64, 2) & 4 == 0, "set-link-bmsr-down")
        q.nic(1).out(0x3e, 0xffff, 2)
        q.nic(0).send(1, f)
        q.cmd("inb 0x80")
        result(q.nic(1).inb(0x3e, 2) & 1 == 0, "set-link-no-frame", "a frame reached a link down")
        ans = qmp(qpath, "set_link", {"name": "no-such", "up": True})
        result(ans.get("error", {}).get("class") == "DeviceNotFound", "qmp-set-link-unknown",
               repr(ans))
    except Exception as e:  # noqa: BLE001
        result(False, "hub", repr(e))
    finally:
        q.close()


if __name__ == "__main__":
    main()
