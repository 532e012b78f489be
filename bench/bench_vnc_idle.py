# SPDX-License-Identifier: GPL-2.0-only
"""Idle cost of the VNC server: a static screen with two clients connected,
each keeping an incremental FramebufferUpdateRequest outstanding (what every
viewer does). Reports CPU time and context switches (wake-ups) per second of
hvmdm beside Debian's QEMU 7.2 (-M none -vnc) doing the same.

    python3 bench/bench_vnc_idle.py BUILD/hvmdm [SECONDS]
"""
import os
import select
import shutil
import socket
import subprocess
import sys
import time

HVMDM = sys.argv[1]
SECS = float(sys.argv[2]) if len(sys.argv) > 2 else 10.0


def free_port(start):
    for p in range(start, 5999):
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", p))
            return p
        except OSError:
            continue
        finally:
            s.close()
    return start


def client(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.recv(12)
    s.sendall(b"RFB 003.008\n")
    n = s.recv(1)[0]
    s.recv(n)
    s.sendall(b"\x01")
    s.recv(4)
    s.sendall(b"\x01")
    init = s.recv(24)
    s.recv(int.from_bytes(init[20:24], "big"))
    w, h = init[0:2], init[2:4]
    s.sendall(bytes([3, 0, 0, 0, 0, 0]) + w + h)
    return s, w, h


def ticks(pid):
    f = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return int(f[11]) + int(f[12])


def switches(pid):
    n = 0
    for line in open("/proc/%d/status" % pid):
        if "ctxt_switches" in line:
            n += int(line.split()[1])
    return n


def measure(argv, port):
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                cl = [client(port) for _ in range(2)]
                break
            except OSError:
                time.sleep(0.05)
        else:
            return None
        # drain the first full updates, then keep one request outstanding each
        end = time.time() + 2
        while time.time() < end:
            r, _, _ = select.select([c[0] for c in cl], [], [], 0.1)
            for s in r:
                if s.recv(1 << 20):
                    c = next(c for c in cl if c[0] is s)
                    s.sendall(bytes([3, 1, 0, 0, 0, 0]) + c[1] + c[2])
        t0, c0, w0 = time.time(), ticks(p.pid), switches(p.pid)
        end = t0 + SECS
        while time.time() < end:
            r, _, _ = select.select([c[0] for c in cl], [], [], 0.2)
            for s in r:
                s.recv(1 << 20)
        dt = time.time() - t0
        hz = os.sysconf("SC_CLK_TCK")
        return (ticks(p.pid) - c0) / hz / dt * 100, (switches(p.pid) - w0) / dt
    finally:
        p.kill()
        p.wait()


def main():
    print("== VNC idle: static screen, two clients, %.0f s" % SECS)
    port = free_port(5950)
    r = measure([HVMDM, "--standalone", "-machine", "xenfv", "-m", "64", "-nodefaults",
                 "-vnc", "127.0.0.1:%d" % (port - 5900)], port)
    print("   hvmdm     : %s" % ("%.2f%% CPU, %.1f wake-ups/s" % r if r else "did not start"))
    qemu = shutil.which("qemu-system-x86_64")
    if qemu:
        port = free_port(port + 1)
        r = measure([qemu, "-M", "none", "-display", "none", "-S", "-vnc",
                     "127.0.0.1:%d" % (port - 5900)], port)
        print("   QEMU 7.2  : %s" % ("%.2f%% CPU, %.1f wake-ups/s" % r if r else "did not start"))


main()
