#!/usr/bin/env python3
"""rtl8139 <-> a tap hvmdm creates (libxl's -netdev type=tap,...,script=no), in
the network namespace net_tap.sh made: the guest transmits (TSD), an AF_PACKET
socket on the tap receives the very bytes; the socket sends, the frame lands in
the guest's receive ring with its header and FCS. Frames carry the local
experimental EtherType 88b5, so the interface's own traffic is told apart.
Waits are bounded polls (the answers do not depend on timing).

  net_tap.py HVMDM      (run as root in a fresh network namespace)
"""
import os
import socket
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import net_pair  # noqa: E402  (its Qtest driver, frame and check helpers)

TAP = "vif7.0-emu"
ETH_P = 0x88b5


def main():
    hvmdm = sys.argv[1]
    net_pair.PREFIX = "net-tap:"
    q = net_pair.Qtest(hvmdm, "type=tap,id=n0,ifname=%s,br=xenbr0,script=no,downscript=no" % TAP,
                       "02:00:00:00:00:0a")
    try:
        q.setup()
        # sysfs shows the namespace it was mounted in: ask the kernel through ip
        shown = subprocess.run(["ip", "link", "show", TAP], capture_output=True, text=True)
        net_pair.result(shown.returncode == 0, "tap-created:" + TAP, shown.stderr.strip())
        subprocess.run(["ip", "link", "set", TAP, "up"], check=True)
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P))
        s.bind((TAP, ETH_P))
        s.settimeout(0.05)
        mine, host = bytes.fromhex("02000000000a"), bytes.fromhex("02000000000b")
        f = net_pair.frame(host, mine, 1000, 3)
        q.send(0, f)
        got = None
        for _ in range(100):
            try:
                got = s.recv(2048)
                break
            except socket.timeout:
                pass
        net_pair.result(got == f, "guest-to-tap", "got %r" % (got[:20] if got else None))
        f2 = net_pair.frame(mine, host, 300, 4)
        s.send(f2)
        net_pair.result(q.wait_rok(), "tap-to-guest-rok", "no ROK")
        net_pair.check_rx(q, "tap-to-guest", f2, 0)
    except Exception as e:  # noqa: BLE001
        net_pair.result(False, "net-tap", repr(e))
    finally:
        q.close()


main()
