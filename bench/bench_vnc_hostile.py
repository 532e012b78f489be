# SPDX-License-Identifier: GPL-2.0-only
"""Memory of the VNC server under hostile clients: hvmdm's RSS before and
after waves of them (100 connections at once, garbage after the handshake,
1 MiB and 2^31-byte cut-text headers, clients that request updates and never
read), and whether a good client is still served at the end.

    python3 bench/bench_vnc_hostile.py BUILD/hvmdm [WAVES]
"""
import os
import socket
import subprocess
import sys
import time

HVMDM = sys.argv[1]
WAVES = int(sys.argv[2]) if len(sys.argv) > 2 else 5


def rss_kib(pid):
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def handshake(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.recv(12)
    s.sendall(b"RFB 003.008\n")
    n = s.recv(1)
    if not n:
        raise OSError("refused")
    s.recv(n[0])
    s.sendall(b"\x01")
    s.recv(4)
    s.sendall(b"\x01")
    init = s.recv(24)
    s.recv(int.from_bytes(init[20:24], "big"))
    return s, init[0:4]


def wave(port):
    socks = []
    for _ in range(100):  # at once: most are refused
        try:
            socks.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        except OSError:
            pass
    for s in socks:
        s.close()
    time.sleep(0.1)  # the server frees their slots
    for payload in (b"\x42garbage", bytes([6, 0, 0, 0, 0, 0x10, 0, 0]) + b"x" * (1 << 20),
                    bytes([6, 0, 0, 0, 0x80, 0, 0, 0])):
        try:
            s, _ = handshake(port)
            s.sendall(payload)
            s.close()
        except OSError:
            pass
    slow = []
    for _ in range(8):  # ask for full updates, never read
        try:
            s, wh = handshake(port)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            for _ in range(50):
                s.sendall(bytes([3, 0, 0, 0, 0, 0]) + wh)
            slow.append(s)
        except OSError:
            pass
    time.sleep(0.5)
    for s in slow:
        s.close()


def main():
    port = 5960
    p = subprocess.Popen([HVMDM, "--standalone", "-machine", "xenfv", "-m", "64", "-nodefaults",
                          "-vnc", "127.0.0.1:%d,to=99" % (port - 5900)],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.5)
        for port in range(5960, 6000):  # the to= search may have gone past 5960
            try:
                s, _ = handshake(port)
                s.close()
                break
            except OSError:
                continue
        r0 = rss_kib(p.pid)
        print("== VNC under hostile clients (%d waves)" % WAVES)
        for i in range(WAVES):
            wave(port)
            print("   after wave %d: RSS %d KiB (start %d KiB)" % (i + 1, rss_kib(p.pid), r0))
        s, wh = handshake(port)
        s.sendall(bytes([3, 0, 0, 0, 0, 0]) + wh)
        s.settimeout(5)
        got = len(s.recv(1 << 16))
        print("   a good client afterwards: %s" % ("served" if got else "NOT served"))
    finally:
        p.kill()
        p.wait()


main()
