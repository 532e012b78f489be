#!/usr/bin/env python3
"""The golden ioreq streams qemu-xen served under real Xen
(shared/docs/qemu-xen-golden/ioreq-NAME.trace.gz, with the argv libxl gave it,
argv-NAME.txt) replayed by hvmdm, every read answer compared with qemu-xen's,
per device.

The trace comes from scripts/golden-ioreq-to-trace.py. The machine is the
argv's, with what a replay cannot have replaced: no Xen domain, no QMP
sockets, serial to null, scratch disk/CD images and a synthetic bzImage
(tests/suites/fw_cfg_files.py) for the capture's files. A device of the argv
that this build does not have is left out; its reads are counted "not in
this build", not compared.

Reads a trace cannot reproduce (the bytes of the capture's disk, CD and
kernel files, which are not in the repo; the state of devices left out) are
listed, by trace and device with the reason, in
tests/golden/replay-unreproducible.txt; every other read must answer what
qemu-xen answered. An entry whose reads all match is stale and fails.

  golden_replay.py HVMDM GOLDEN_DIR

Prints "PASS golden-replay:NAME:DEVICE N reads" / "FAIL ..." per device.
"""
import collections
import gzip
import importlib.util
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
TRACES = ("hello", "a")


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


CONVERT = load(os.path.join(ROOT, "scripts", "golden-ioreq-to-trace.py"), "golden_convert")
FILES = load(os.path.join(HERE, "fw_cfg_files.py"), "fw_cfg_files")

# Fixed ports and windows of the xenfv board; BARs are learnt from the trace.
PORTS = [
    (0x1f0, 0x1f0, "ide-data"), (0x170, 0x170, "ide-data"),
    (0x1f1, 0x1f7, "ide"), (0x3f6, 0x3f6, "ide"), (0x171, 0x177, "ide"), (0x376, 0x376, "ide"),
    (0x60, 0x60, "i8042"), (0x64, 0x64, "i8042"), (0x70, 0x71, "cmos"), (0x92, 0x92, "port92"),
    (0x3f8, 0x3ff, "serial"), (0x2f8, 0x2ff, "serial"), (0x10, 0x1f, "xen-platform"),
    (0xb000, 0xb03f, "piix4-pm"), (0xae00, 0xaf1f, "piix4-pm"), (0xafe0, 0xafe3, "piix4-pm"),
    (0x510, 0x510, "fw-cfg"), (0x511, 0x511, "fw-cfg-data"), (0xcf8, 0xcff, "i440fx"),
    (0x3b0, 0x3df, "vga"), (0x1ce, 0x1d0, "vga"),
]
MMIO = [(0xa0000, 0xbffff, "vga")]
# PCI functions of every xenfv board; slots 2+ follow the argv's -device order.
FIXED_FUNCS = {(0, 0): "i440fx", (1, 0): "piix3", (1, 1): "piix3-ide", (1, 2): "usb",
               (1, 3): "piix4-pm"}
# UHCI USBSTS (02h) and FRNUM (06h), counted apart as "usb-frame": they follow
# the 1 ms frame timer, i.e. the clock, which the replay does not share with
# the capture (UHCI 1.1 sec. 2.1.2, 2.1.5).
UHCI_FRAME_REGS = (0x02, 0x06)
# -device type -> the name its reads are counted under
DEVICE_CLASS = {"VGA": "vga", "cirrus-vga": "vga", "rtl8139": "nic", "e1000": "nic"}


class Board:
    """Which device a read is addressed to: fixed ports, then the BARs the trace placed."""

    def __init__(self, slots):
        self.slots = slots
        self.bars = {}  # (sbdf, reg) -> [size mask answer, base, is_io]

    def pci(self, sbdf_text):
        m = re.match(r"[0-9a-f]{4}:00:([0-9a-f]{2})\.([0-7])", sbdf_text)
        dev, fn = int(m.group(1), 16), int(m.group(2))
        if (dev, fn) in FIXED_FUNCS:
            return FIXED_FUNCS[(dev, fn)]
        order = ["xen-platform"] + self.slots  # xenfv: 00:02.0, then the argv's devices
        return order[dev - 2] if dev - 2 < len(order) and fn == 0 else "pci-" + sbdf_text

    def config(self, w, answer):
        """Learn BAR sizes (the answer to the read after writing all ones) and bases."""
        reg, key = int(w[3], 16), (w[2], int(w[3], 16))
        if not ((0x10 <= reg <= 0x24 or reg == 0x30) and w[4] == "4"):
            return
        bar = self.bars.setdefault(key, [0, None, False])
        if w[1] == "r" and answer.startswith("OK "):
            v = int(answer.split()[1], 16)
            if bar[1] is not None and bar[1] & 0xfffff800 == 0xfffff800:  # a sizing write
                bar[0], bar[1] = v, None
            bar[2] = bool(v & 1) and reg != 0x30  # the ROM BAR's bit 0 is its enable
        elif w[1] == "w":
            bar[1] = int(w[5], 16)

    def region(self, addr, io):
        for lo, hi, name in PORTS if io else MMIO:
            if lo <= addr <= hi:
                return name
        for (sbdf, sbdf_reg), (mask, base, is_io) in self.bars.items():
            if base is None or base & 0xfffff800 == 0xfffff800 or not mask or is_io != io:
                continue
            low = 0xfffc if io else 0xfffff800 if sbdf_reg == 0x30 else 0xfffffff0
            size = (~(mask & low) & (0xffff if io else 0xffffffff)) + 1
            base &= low
            if base <= addr < base + size:
                dev = self.pci(sbdf)
                if dev == "usb" and (addr - base) & ~1 in UHCI_FRAME_REGS:
                    return "usb-frame"
                return dev + ("-bar" if dev == "piix3-ide" else "")
        return ("pio-0x%x" if io else "mmio-0x%x") % addr


def argv_of(path):
    with open(path) as f:
        return [l.rstrip("\n") for l in f if l.strip()]


FLAGS = ("-no-shutdown", "-nodefaults", "-no-user-config", "-nographic", "-usb", "-S")


def machine_args(argv, tmp, have):
    """The argv without what a replay cannot have; (args, devices left out, slot names)."""
    out, left_out, slots, dropped_netdevs = [], [], [], set()
    i = 0
    while i < len(argv):
        opt = argv[i]
        val = None if opt in FLAGS else argv[i + 1]
        i += 1 if val is None else 2
        if opt in ("-xen-domid", "-chardev", "-mon"):
            continue
        if opt == "-serial":
            val = "null"
        elif opt in ("-kernel", "-initrd"):
            val = os.path.join(tmp, "bzImage" if opt == "-kernel" else "initrd")
        elif opt == "-drive":
            img = os.path.join(tmp, "cd.iso" if "readonly=on" in val else "disk.img")
            val = re.sub(r"file=[^,]*", "file=" + img, val)
        elif opt == "-device":
            dtype = val.split(",")[0]
            if not dtype.startswith("ide-"):
                slots.append(DEVICE_CLASS.get(dtype, dtype))
            if dtype not in have:
                left_out.append(DEVICE_CLASS.get(dtype, dtype))
                dropped_netdevs.update(re.findall(r"netdev=([^,]*)", val))
                continue
            # a replay has no wire: the NIC keeps its registers, without a peer
            dropped_netdevs.update(re.findall(r"netdev=([^,]*)", val))
            val = re.sub(r",netdev=[^,]*", "", val)
            # the slot qemu-xen gave it, though a device before it is left out
            if not dtype.startswith("ide-") and left_out and "addr=" not in val:
                val += ",addr=%02x.0" % (2 + len(slots))
        elif opt == "-netdev":
            if re.search(r"id=([^,]*)", val).group(1) in dropped_netdevs:
                continue
        elif opt in ("-usb", "-usbdevice") and "piix3-usb-uhci" not in have:
            left_out.append("usb")
            continue
        out += [opt] if val is None else [opt, val]
    return out, left_out, slots


def read_known(have):
    """(trace, device) -> reason; an entry "while-absent=TYPE" holds only while TYPE is not built."""
    known = {}
    with open(os.path.join(ROOT, "tests", "golden", "replay-unreproducible.txt")) as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            name, dev, why = line.split(None, 2)
            m = re.match(r"while-absent=(\S+)\s+(.*)", why)
            if m and m.group(1) in have:
                continue
            known[(name, dev)] = (m.group(2) if m else why).strip()
    return known


def classify(cmd, ans, board):
    """The device a read goes to, or None for a write."""
    w = cmd.split()
    if w[0] == "pcicfg":
        board.config(w, ans)
        return board.pci(w[2]) if w[1] == "r" else None
    if w[0] in ("inb", "inw", "inl"):
        return board.region(int(w[1], 16), True)
    if w[0] == "ioreq" and w[2] == "r":
        return ("rep-" if int(w[5]) > 1 else "") + board.region(int(w[3], 16), w[1] == "pio")
    return None


def replay(name, hvmdm, golden, tmp, have, known):
    trace = os.path.join(tmp, name + ".trace")
    with gzip.open(os.path.join(golden, "ioreq-%s.trace.gz" % name), "rt") as g:
        pairs = list(CONVERT.convert(g))
    with open(trace, "w") as t:
        t.write("".join(cmd + "\n" for cmd, _ in pairs))
    args, left_out, slots = machine_args(argv_of(os.path.join(golden, "argv-%s.txt" % name)),
                                         tmp, have)
    p = subprocess.run([hvmdm, "--replay", trace] + args, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=600)
    got = p.stdout.splitlines()
    if p.returncode != 0 or len(got) != len(pairs):
        print("FAIL golden-replay:%s exit %d, %d answers for %d ioreqs: %s" % (
            name, p.returncode, len(got), len(pairs), p.stderr.strip()[-300:]))
        return
    stats = collections.defaultdict(lambda: [0, 0, None])  # reads, differing, first
    board = Board(slots)
    for n, ((cmd, want), ans) in enumerate(zip(pairs, got), 1):
        dev = classify(cmd, want, board)
        if dev is None:
            continue
        s = stats[dev]
        s[0] += 1
        if ans != want:
            s[1] += 1
            if s[2] is None:
                s[2] = "ioreq %d '%s': qemu-xen %s, hvmdm %s" % (n, cmd, want, ans)
    for dev in sorted(stats):
        reads, bad, first = stats[dev]
        why = known.get((name, dev))
        tag = "golden-replay:%s:%s" % (name, dev)
        if dev.split("-", 1)[-1] in left_out or dev.split("-", 1)[0] in left_out or dev in left_out:
            print("golden-replay %s: %s: %d reads not compared (not in this build)" % (
                name, dev, reads))
        elif bad and why:
            print("PASS %s %d reads, %d not reproducible: %s" % (tag, reads, bad, why))
        elif bad:
            print("FAIL %s %d of %d reads differ; first: %s" % (tag, bad, reads, first))
        elif why:
            print("FAIL %s all %d reads match: replay-unreproducible.txt is stale" % (tag, reads))
        else:
            print("PASS %s %d reads equal to qemu-xen's" % (tag, reads))
    for kname, kdev in sorted(known):
        if kname == name and kdev not in stats:
            print("FAIL golden-replay:%s:%s is listed but has no reads" % (kname, kdev))


def main():
    hvmdm, golden = os.path.abspath(sys.argv[1]), sys.argv[2]
    have = set(l.split()[0] for l in subprocess.run(
        [hvmdm, "-device", "help"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True).stdout.splitlines()[1:] if l.strip())
    known = read_known(have)
    tmp = tempfile.mkdtemp(prefix="hvmdm-golden-")
    for fname, data in (("bzImage", FILES.bzimage()), ("initrd", FILES.pattern(70000, 0x33))):
        with open(os.path.join(tmp, fname), "wb") as f:
            f.write(data)
    for img, size in (("disk.img", 64 << 20), ("cd.iso", 1 << 20)):
        with open(os.path.join(tmp, img), "wb") as f:
            f.truncate(size)
    for name in TRACES:
        replay(name, hvmdm, golden, tmp, have, known)
    subprocess.run(["rm", "-rf", tmp])


if __name__ == "__main__":
    main()
