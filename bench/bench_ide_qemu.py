#!/usr/bin/env python3
"""IDE bus-master DMA through qtest: QEMU and hvmdm doing the same transfers.

The very qtest script runs against Debian's qemu-system-x86_64 (-accel tcg
-S -qtest stdio) and against `hvmdm -accel qtest -qtest stdio`, both with
the same 1 GiB raw image, cache=none: per command the LBA48 task file,
READ/WRITE DMA EXT of 64 KiB or 1 MiB, the bus-master start bit, status
polled until done. Each qtest line is one round trip over a pipe, so both
figures include the same protocol cost; printed side by side with the ratio.
Figures only, never a verdict.

    bench_ide_qemu.py HVMDM [DIR] [MiB per pass]
"""
import os
import subprocess
import sys
import time

BM = 0xc000
PRD = 0x10000
BUF = 0x1000000


class Qtest:
    def __init__(self, argv):
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, bufsize=0)
        self.f = self.p.stdout

    def cmd(self, line):
        self.p.stdin.write((line + "\n").encode())
        while True:
            a = self.f.readline().decode()
            if not a:
                raise RuntimeError("exited on " + line)
            if not a.startswith("IRQ") and not a.startswith("["):
                return a.strip()

    def close(self):
        self.p.kill()
        self.p.wait()


def setup(q, bs):
    q.cmd("outl 0xcf8 0x80000920")
    q.cmd("outl 0xcfc 0x%x" % (BM | 1))
    q.cmd("outl 0xcf8 0x80000904")
    q.cmd("outw 0xcfc 0x0005")
    n = bs // 65536
    table = b"".join((BUF + i * 65536).to_bytes(4, "little") +
                     (0x80000000 if i == n - 1 else 0).to_bytes(4, "little") for i in range(n))
    q.cmd("write 0x%x %d 0x%s" % (PRD, len(table), table.hex()))
    q.cmd("outl 0x%x 0x%x" % (BM + 4, PRD))


def run(q, bs, total, wr):
    t0 = time.time()
    for off in range(0, total, bs):
        lba, cnt = off // 512, bs // 512
        for port, val in ((0x1f6, 0x40), (0x1f2, cnt >> 8), (0x1f2, cnt & 0xff),
                          (0x1f3, (lba >> 24) & 0xff), (0x1f3, lba & 0xff), (0x1f4, 0),
                          (0x1f4, (lba >> 8) & 0xff), (0x1f5, 0), (0x1f5, (lba >> 16) & 0xff),
                          (0x1f7, 0x35 if wr else 0x25), (BM, 0x01 if wr else 0x09)):
            q.cmd("outb 0x%x 0x%x" % (port, val))
        while int(q.cmd("inb 0x3f6").split()[1], 16) & 0x88:
            pass
        q.cmd("outb 0x%x 0x0" % BM)
        q.cmd("outb 0x%x 0x6" % (BM + 2))
    return total / (time.time() - t0) / 1e6


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    hvmdm = sys.argv[1]
    d = sys.argv[2] if len(sys.argv) > 2 else "/var/tmp"
    total = int(sys.argv[3] if len(sys.argv) > 3 else 64) << 20
    qemu = "qemu-system-x86_64"
    if subprocess.run(["sh", "-c", "command -v " + qemu], capture_output=True).returncode:
        print("== IDE DMA over qtest: %s not installed, skipped" % qemu)
        return 0
    img = os.path.join(d, "bench_ide_qemu.%d.img" % os.getpid())
    with open(img, "wb") as f:
        chunk = bytes((i * 31 + 7) & 0xff for i in range(1 << 20))
        for _ in range(1024):
            f.write(chunk)
    drive = ["-drive", "file=%s,if=ide,index=0,media=disk,format=raw,cache=none" % img]
    sides = {
        "QEMU": [qemu, "-machine", "pc", "-accel", "tcg", "-S", "-qtest", "stdio",
                 "-qtest-log", "/dev/null", "-nodefaults", "-display", "none", "-m", "64M"],
        "hvmdm": [hvmdm, "-machine", "pc", "-accel", "qtest", "-qtest", "stdio",
                  "-nodefaults", "-display", "none", "-m", "64M"],
    }
    print("== IDE DMA over qtest (same script, %d MiB per pass, cache=none)" % (total >> 20))
    print("   %-6s %-6s %12s %12s %7s" % ("op", "block", "QEMU", "hvmdm", "ratio"))
    try:
        for wr in (False, True):
            for bs in (64 << 10, 1 << 20):
                got = {}
                for name, argv in sides.items():
                    q = Qtest(argv + drive)
                    try:
                        setup(q, bs)
                        got[name] = run(q, bs, total, wr)
                    finally:
                        q.close()
                print("   %-6s %4dK %7.0f MB/s %7.0f MB/s %6.0f%%" %
                      ("write" if wr else "read", bs >> 10, got["QEMU"], got["hvmdm"],
                       100 * got["hvmdm"] / got["QEMU"]))
    finally:
        os.unlink(img)
    return 0


if __name__ == "__main__":
    sys.exit(main())
