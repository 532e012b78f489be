#!/usr/bin/env python3
"""The CD-ROM change flow libxl runs (xen-interface.md §7.6) and the Xen
platform unplug (§9.3), end to end against hvmdm in qtest mode: QMP over a
unix socket (fds passed with SCM_RIGHTS), the guest's view over qtest.

  ide_qmp.py HVMDM

Prints "PASS name" / "FAIL name why" per check.
"""
import array
import json
import os
import socket
import subprocess
import sys
import tempfile
import time


def check(name, ok, why=""):
    print("PASS %s" % name if ok else "FAIL %s %s" % (name, why))


class Qmp:
    def __init__(self, path):
        for _ in range(100):
            try:
                self.s = socket.socket(socket.AF_UNIX)
                self.s.connect(path)
                break
            except OSError:
                time.sleep(0.05)
        self.f = self.s.makefile("rb")
        self.greeting = json.loads(self.f.readline())

    def cmd(self, name, args=None, fd=None):
        msg = {"execute": name}
        if args is not None:
            msg["arguments"] = args
        data = (json.dumps(msg) + "\n").encode()
        if fd is None:
            self.s.sendall(data)
        else:
            self.s.sendmsg([data], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [fd]))])
        while True:
            r = json.loads(self.f.readline())
            if "event" not in r:
                return r


class Guest:
    def __init__(self, p):
        self.p = p

    def cmd(self, line):
        self.p.stdin.write((line + "\n").encode())
        self.p.stdin.flush()
        while True:
            a = self.p.stdout.readline().decode().strip()
            if not a.startswith("IRQ"):
                return a

    def inb(self, port):
        return int(self.cmd("inb 0x%x" % port).split()[1], 16)

    def tur(self):
        """TEST UNIT READY to the secondary master: the sense key (Error >> 4)."""
        for port, val in ((0x176, 0xa0), (0x171, 0), (0x174, 0), (0x175, 0), (0x177, 0xa0)):
            self.cmd("outb 0x%x 0x%x" % (port, val))
        for _ in range(6):
            self.cmd("outw 0x170 0x0000")
        return self.inb(0x171) >> 4

    def request_sense(self):
        """REQUEST SENSE: (sense key, ASC); clears a unit attention (MMC-5 §4.1.6.1)."""
        for port, val in ((0x176, 0xa0), (0x171, 0), (0x174, 18), (0x175, 0), (0x177, 0xa0)):
            self.cmd("outb 0x%x 0x%x" % (port, val))
        for w in (0x0003, 0x0000, 0x0012, 0, 0, 0):
            self.cmd("outw 0x170 0x%04x" % w)
        data = b"".join(int(self.cmd("inw 0x170").split()[1], 16).to_bytes(2, "little")
                        for _ in range(9))
        return data[2], data[12]


def main():
    hvmdm = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        disk, iso, iso2, sock = (os.path.join(tmp, n) for n in ("d.img", "a.iso", "b.iso", "q"))
        for path, size in ((disk, 4 << 20), (iso, 1 << 20), (iso2, 2 << 20)):
            with open(path, "wb") as f:
                f.truncate(size)
        argv = [hvmdm, "-machine", "xenfv", "-accel", "qtest", "-qtest", "stdio", "-nodefaults",
                "-m", "64", "-chardev", "socket,id=libxl-cmd,path=%s,server=on,wait=off" % sock,
                "-mon", "chardev=libxl-cmd,mode=control",
                "-drive", "file=%s,if=ide,index=0,media=disk,format=raw,cache=writeback" % disk,
                "-drive", "if=none,readonly=on,id=ide-5632,file=%s,format=raw" % iso,
                "-device", "ide-cd,id=ide-5632,drive=ide-5632,bus=ide.1,unit=0"]
        p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL)
        try:
            g = Guest(p)
            g.cmd("outb 0x80 0")  # the machine is up once qtest answers
            q = Qmp(sock)
            q.cmd("qmp_capabilities")
            blk = q.cmd("query-block").get("return", [])
            devs = {b["device"]: b for b in blk}
            check("query-block lists hd and cd", set(devs) == {"ide0-hd0", "ide-5632"}, blk)
            cd = devs.get("ide-5632", {})
            check("query-block cd shape", cd.get("removable") is True and
                  cd.get("tray_open") is False and cd.get("inserted", {}).get("ro") is True and
                  cd.get("qdev") == "ide-5632", cd)
            check("tur before change", g.tur() == 0)
            q.cmd("query-version")
            r = q.cmd("eject", {"id": "ide-5632"})
            check("eject", r == {"return": {}}, r)
            check("tur after eject: not ready", g.tur() == 2)
            r = q.cmd("query-block")["return"]
            cd = [b for b in r if b["device"] == "ide-5632"][0]
            check("query-block after eject", "inserted" not in cd and cd["tray_open"], cd)
            fd = os.open(iso2, os.O_RDONLY)
            r = q.cmd("add-fd", {"opaque": "raw:%s" % iso2}, fd=fd)
            os.close(fd)
            fdset = r.get("return", {}).get("fdset-id")
            r = q.cmd("blockdev-change-medium", {"id": "ide-5632", "filename":
                                                 "/dev/fdset/%s" % fdset, "format": "raw"})
            check("blockdev-change-medium", r == {"return": {}}, r)
            seq = [g.tur(), g.tur(), g.tur()]
            check("media change: not ready, then unit attention until sensed", seq == [2, 6, 6],
                  seq)
            sense = g.request_sense()
            check("sense: unit attention, medium may have changed", sense == (6, 0x28), sense)
            check("tur after sense", g.tur() == 0)
            r = q.cmd("query-block")["return"]
            cd = [b for b in r if b["device"] == "ide-5632"][0]
            check("new medium size", cd.get("inserted", {}).get("image", {})
                  .get("virtual-size") == 2 << 20, cd)
            r = q.cmd("eject", {"id": "ide0-hd0"})
            check("eject of a disk refused", r.get("error", {}).get("class") == "GenericError", r)
            r = q.cmd("eject", {"id": "nope"})
            check("eject of an unknown id", r.get("error", {}).get("class") == "DeviceNotFound", r)
            # The PV drivers' unplug through the platform device's fixed ports.
            check("platform magic", int(g.cmd("inw 0x10").split()[1], 16) == 0x49d2)
            check("disk present before unplug", g.inb(0x1f7) == 0x50)
            g.cmd("outw 0x10 0x0001")
            check("unplug removed the disk", g.inb(0x1f7) == 0x00)
            check("unplug left the CD-ROM", g.tur() == 0)
            r = q.cmd("query-block")["return"]
            check("query-block after unplug", [b["device"] for b in r] == ["ide-5632"], r)
        finally:
            p.kill()
            p.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
