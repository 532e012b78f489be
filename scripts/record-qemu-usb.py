#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Record and check the UHCI + usb-tablet session against QEMU 7.2.

  record-qemu-usb.py gen > tests/traces/usb-tablet.trace
  record-qemu-usb.py compare tests/traces/usb-tablet.trace build/hvmdm

gen writes the qtest script: PCI set-up, port reset and enable (UHCI 1.1
§2.1.7), a frame list whose 1024 entries point at one QH (§3.1, §3.3), and
the tablet's enumeration as Linux's uhci-hcd queues it (SETUP, data TDs of
8 bytes, status; USB 2.0 §8.5.3, §9.4; HID 1.11 §7.1, §7.2), each transfer
followed by a clock step and reads of USBSTS, every TD's status and the data.

compare runs the script against Debian's qemu-system-x86_64 and hvmdm and
prints every answer that differs. QEMU has no qtest accelerator in Debian's
build, so it runs under TCG with a BIOS of HLT instructions (its virtual
clock then runs in real time: each clock_step becomes a 200 ms sleep, and
clock_step answers and FRNUM reads are not compared; IRQ 0 reports, the PIT,
are dropped). The expected transcript in tests/traces is hvmdm's answers
once compare reports no difference.
"""
import os, subprocess, sys, tempfile, threading, time
IO = 0xc000
FL, QH, TD0, SETUP, DATA = 0x100000, 0x101000, 0x102000, 0x103000, 0x104000
ACTIVE, IOC, SPD, CERR3 = 1 << 23, 1 << 24, 1 << 29, 3 << 27
PIDS = {"SETUP": 0x2d, "IN": 0x69, "OUT": 0xe1}
out = []
def w(s): out.append(s)
def tok(pid, addr, ep, maxlen, toggle):
    return (((maxlen - 1) & 0x7ff) << 21) | (toggle << 19) | (ep << 15) | (addr << 8) | PIDS[pid]
def control(addr, setup, in_len=0, out_data=b"", mps=8, name=""):
    """One control transfer as Linux's uhci-hcd queues it: SETUP, data TDs of mps bytes, status."""
    w("# %s" % name)
    w("write 0x%x 8 0x%s" % (SETUP, setup.hex()))
    tds = [("SETUP", 8, SETUP, 0)]
    toggle = 1
    if in_len:
        for off in range(0, in_len, mps):
            tds.append(("IN", min(mps, in_len - off), DATA + off, toggle)); toggle ^= 1
        tds.append(("OUT", 0, 0, 1))
    else:
        if out_data:
            w("write 0x%x %d 0x%s" % (DATA, len(out_data), out_data.hex()))
            for off in range(0, len(out_data), mps):
                tds.append(("OUT", min(mps, len(out_data) - off), DATA + off, toggle)); toggle ^= 1
        tds.append(("IN", 0, 0, 1))
    w("memset 0x%x 256 0" % DATA)
    for i, (pid, ln, buf, tg) in enumerate(tds):
        a = TD0 + 0x20 * i
        link = (a + 0x20) | 4 if i + 1 < len(tds) else 1
        ctrl = ACTIVE | CERR3 | (IOC if i + 1 == len(tds) else 0)
        w("writel 0x%x 0x%x" % (a, link)); w("writel 0x%x 0x%x" % (a + 4, ctrl))
        w("writel 0x%x 0x%x" % (a + 8, tok(pid, addr, 0, ln, tg))); w("writel 0x%x 0x%x" % (a + 12, buf))
    w("writel 0x%x 0x%x" % (QH + 4, TD0))
    w("clock_step 20000000")
    w("inw 0x%x" % (IO + 2)); w("outw 0x%x 0x3f" % (IO + 2))
    for i in range(len(tds)):
        w("readl 0x%x" % (TD0 + 0x20 * i + 4))
    w("readl 0x%x" % (QH + 4))
    if in_len:
        w("read 0x%x %d" % (DATA, in_len))
def interrupt_in(addr, ln, name):
    w("# %s" % name)
    w("memset 0x%x 16 0" % DATA)
    w("writel 0x%x 0x1" % TD0); w("writel 0x%x 0x%x" % (TD0 + 4, ACTIVE | CERR3 | IOC))
    w("writel 0x%x 0x%x" % (TD0 + 8, tok("IN", addr, 1, ln, 0))); w("writel 0x%x 0x%x" % (TD0 + 12, DATA))
    w("writel 0x%x 0x%x" % (QH + 4, TD0))
    w("clock_step 1000000")
    w("inw 0x%x" % (IO + 2)); w("outw 0x%x 0x3f" % (IO + 2))
    w("readl 0x%x" % (TD0 + 4)); w("readl 0x%x" % (QH + 4)); w("read 0x%x %d" % (DATA, ln))

def gen():
    del out[:]
    w("irq_intercept_in ioapic")
    w("outl 0xcf8 0x80000860"); w("outl 0xcfc 0x0b0a0a0b")  # PIRQA-D -> 11,10,10,11 (PIIX3 60h-63h)
    w("outl 0xcf8 0x80000a20"); w("outl 0xcfc 0xc001")
    w("outl 0xcf8 0x80000a04"); w("outw 0xcfc 0x0005")
    w("outl 0xcf8 0x80000a3c"); w("outb 0xcfc 0x0b")
    # port 1: reset, release, enable, clear the change bits (UHCI 1.1 §2.1.7)
    w("outw 0x%x 0x0200" % (IO + 0x10)); w("inw 0x%x" % (IO + 0x10))
    w("outw 0x%x 0x0000" % (IO + 0x10)); w("outw 0x%x 0x0004" % (IO + 0x10)); w("inw 0x%x" % (IO + 0x10))
    w("outw 0x%x 0x000e" % (IO + 0x10)); w("inw 0x%x" % (IO + 0x10))
    w("write 0x%x 4096 0x%s" % (FL, ("%08x" % 0).encode().hex() and (bytes.fromhex("02101000") * 1024).hex()))
    w("writel 0x%x 0x1" % QH); w("writel 0x%x 0x1" % (QH + 4))
    w("outl 0x%x 0x%x" % (IO + 8, FL)); w("outw 0x%x 0x000f" % (IO + 4))
    w("outw 0x%x 0x0001" % IO); w("inw 0x%x" % (IO + 2))
    w("clock_step 1000000"); w("clock_step 1000000"); w("clock_step 1000000")
    control(0, bytes.fromhex("8006000100004000"), 18, name="GET_DESCRIPTOR device, wLength 64")
    control(0, bytes.fromhex("0005010000000000"), name="SET_ADDRESS 1")
    control(1, bytes.fromhex("8006000100001200"), 18, name="GET_DESCRIPTOR device at address 1")
    control(1, bytes.fromhex("8006000200000900"), 9, name="GET_DESCRIPTOR config, 9")
    control(1, bytes.fromhex("8006000200002200"), 34, name="GET_DESCRIPTOR config, 34")
    control(1, bytes.fromhex("800600060000 0a00".replace(" ", "")), 10, name="GET_DESCRIPTOR device qualifier")
    control(1, bytes.fromhex("8006000700002200"), 34, name="GET_DESCRIPTOR other speed config")
    control(1, bytes.fromhex("800600030000ff00"), 4, name="GET_DESCRIPTOR string 0")
    control(1, bytes.fromhex("800601030904ff00"), 10, name="GET_DESCRIPTOR string 1")
    control(1, bytes.fromhex("800602030904ff00"), 40, name="string 2")
    control(1, bytes.fromhex("800604030904ff00"), 40, name="string 4")
    control(1, bytes.fromhex("800603030904ff00"), 32, name="GET_DESCRIPTOR string 3")
    control(1, bytes.fromhex("800609030904ff00"), 24, name="string 9")
    control(1, bytes.fromhex("80060b030904ff00"), 24, name="string 11")
    control(1, bytes.fromhex("800605030904ff00"), 24, name="string 5")
    control(1, bytes.fromhex("80060a030904ff00"), 48, name="GET_DESCRIPTOR string 10 (serial) first 8")
    control(1, bytes.fromhex("800607030904ff00"), 22, name="GET_DESCRIPTOR string 7")
    control(1, bytes.fromhex("8006ee030000ff00"), 18, name="GET_DESCRIPTOR string 0xee")
    control(1, bytes.fromhex("800620030904ff00"), 8, name="GET_DESCRIPTOR string 0x20 (none)")
    control(1, bytes.fromhex("8006000f00000500"), 5, name="GET_DESCRIPTOR BOS")
    control(1, bytes.fromhex("8006000f00000c00"), 12, name="GET_DESCRIPTOR BOS whole")
    control(1, bytes.fromhex("c051000004001000"), 16, name="MS OS compat ID header")
    control(1, bytes.fromhex("c051000004002800"), 40, name="MS OS compat ID")
    control(1, bytes.fromhex("c151000005000a00"), 10, name="MS OS ext properties header")
    control(1, bytes.fromhex("c151000005008e00"), 142, name="MS OS ext properties")
    control(1, bytes.fromhex("c051000005008e00"), 142, name="MS OS ext properties, device recipient")
    control(1, bytes.fromhex("c051000006001000"), 16, name="MS OS index 6")
    control(1, bytes.fromhex("8000000000000200"), 2, name="GET_STATUS")
    control(1, bytes.fromhex("8008000000000100"), 1, name="GET_CONFIGURATION before")
    control(1, bytes.fromhex("0009010000000000"), name="SET_CONFIGURATION 1")
    control(1, bytes.fromhex("8008000000000100"), 1, name="GET_CONFIGURATION after")
    control(1, bytes.fromhex("810a000000000100"), 1, name="GET_INTERFACE")
    control(1, bytes.fromhex("0003010000000000"), name="SET_FEATURE remote wakeup")
    control(1, bytes.fromhex("8000000000000200"), 2, name="GET_STATUS wakeup")
    control(1, bytes.fromhex("0102000081000000"), name="CLEAR_FEATURE halt ep 0x81 (to iface recipient? no: 0x02)")
    control(1, bytes.fromhex("0201000081000000"), name="CLEAR_FEATURE ENDPOINT_HALT ep 0x81")
    control(1, bytes.fromhex("210a000000000000"), name="SET_IDLE 0")
    control(1, bytes.fromhex("a102000000000100"), 1, name="GET_IDLE")
    control(1, bytes.fromhex("a103000000000100"), 1, name="GET_PROTOCOL (tablet: stall)")
    control(1, bytes.fromhex("210b000000000000"), name="SET_PROTOCOL boot")
    control(1, bytes.fromhex("a103000000000100"), 1, name="GET_PROTOCOL after")
    control(1, bytes.fromhex("210a007d00000000"), name="SET_IDLE 500 ms")
    control(1, bytes.fromhex("a102000000000100"), 1, name="GET_IDLE 125")
    control(1, bytes.fromhex("2109000200000100"), out_data=bytes([3]), name="SET_REPORT LEDs")
    control(1, bytes.fromhex("810600220000ff00"), 80, name="GET_DESCRIPTOR report")
    control(1, bytes.fromhex("8106002100000900"), 9, name="GET_DESCRIPTOR HID (iface)")
    control(1, bytes.fromhex("a101000100000800"), 8, name="GET_REPORT")
    control(1, bytes.fromhex("8006000100000110"), 8, name="GET_DESCRIPTOR wLength 0x1001 (over the buffer)")
    control(1, bytes.fromhex("8006000100001200"), 18, name="after the stall: works again")
    interrupt_in(1, 8, "interrupt IN, no event: NAK")
    interrupt_in(1, 8, "interrupt IN again")
    w("inw 0x%x" % (IO + 6))
    w("outw 0x%x 0x0000" % IO); w("clock_step 1000000"); w("inw 0x%x" % (IO + 2)); w("inw 0x%x" % (IO + 6))
    w("outw 0x%x 0x0123" % (IO + 6)); w("inw 0x%x" % (IO + 6))
    w("outw 0x%x 0x0002" % IO); w("inw 0x%x" % (IO + 0x10)); w("inw 0x%x" % (IO + 2)); w("inw 0x%x" % (IO + 6))

def run(script, cmd, kill):
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL if kill else subprocess.PIPE, text=True)
    inp = "\n".join(script) + "\n"
    if kill:
        # QEMU keeps running after stdin ends: read answers until all are in.
        import threading
        def feed():
            for l in script:
                if l.startswith("clock_step"):
                    time.sleep(0.2)  # QEMU's virtual clock runs in real time here
                    l = "inw 0xc006"  # a stand-in answer (FRNUM), not compared
                p.stdin.write(l + "\n"); p.stdin.flush()
        threading.Thread(target=feed, daemon=True).start()
        lines = []
        n = 0
        while n < len(script):
            r = p.stdout.readline()
            if not r: break
            lines.append(r)
            if not r.startswith("IRQ"): n += 1
        p.kill(); p.wait()
    else:
        o, e = p.communicate(inp, timeout=60)
        lines = o.splitlines(True)
    out, irqs, i = [], [], 0
    for r in lines:
        if r.startswith("IRQ"): irqs.append(r.strip()); continue
        out.append((script[len(out)], r.strip(), irqs)); irqs = []
    return out

def compare(trace, hvmdm):
    text = open(trace).read().splitlines()
    script = [l for l in text if l.strip() and not l.startswith("#")]
    argv = [l[len("# argv: "):] for l in text if l.startswith("# argv: ")][0].split()
    bios = tempfile.NamedTemporaryFile(suffix=".bin")
    bios.write(b"\xf4" * 65536); bios.flush()
    q = run(script, ["qemu-system-x86_64", "-accel", "tcg", "-qtest", "stdio", "-display", "none",
                     "-bios", bios.name] + argv, True)
    h = run(script, [hvmdm, "-accel", "qtest", "-qtest", "stdio"] + argv, False)
    bad = 0
    verbose = "VERBOSE" in os.environ
    for (l, a, ia), (_, b, ib) in zip(q, h):
        loose = l.startswith("clock_step") or l == "inw 0xc006"
        same = loose or (a.lower() == b.lower())
        if not same: bad += 1
        if not same or verbose:
            print("%s %-40s qemu=%s  hvmdm=%s" % ("  " if same else "!!", l[:40], a, b))
    print("%d differences in %d/%d commands" % (bad, len(q), len(h)))
    return 1 if bad or len(q) != len(h) else 0


HEADER = """# argv: -machine pc -m 64 -nodefaults -device piix3-usb-uhci,addr=01.2 -device usb-tablet
# The PIIX3 UHCI and the QEMU USB Tablet, enumerated as Linux's uhci-hcd does
# it. Generated by scripts/record-qemu-usb.py gen; every answer but the clock's
# is QEMU 7.2's (scripts/record-qemu-usb.py compare reports 0 differences).
"""

if __name__ == "__main__":
    if sys.argv[1:2] == ["gen"]:
        gen()
        print(HEADER + "\n".join(out))
    elif sys.argv[1:2] == ["compare"]:
        sys.exit(compare(sys.argv[2], sys.argv[3]))
    else:
        sys.exit(__doc__)
