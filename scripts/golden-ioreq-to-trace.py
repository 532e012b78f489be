#!/usr/bin/env python3
"""Convert a qemu-xen ioreq log (QEMU "log" trace backend, events
handle_ioreq_read / handle_ioreq_write, as captured in
shared/docs/qemu-xen-golden/ioreq-*.trace.gz) into hvmdm's trace format
(shared/docs/trace-format.md).

Writes TRACE (one command per ioreq, in order) and, with --answers FILE,
the answers qemu-xen gave in the same format hvmdm prints (OK / OK 0x...),
so a replay of TRACE can be compared line by line with what the real
device model answered under real Xen.

Each ioreq becomes the most specific command that carries it exactly:
  PIO count=1 ptr=0        -> outb/outw/outl, inb/inw/inl
  PCI_CONFIG               -> pcicfg r|w SBDF REG SIZE [VAL]
  INVALIDATE               -> invalidate
  anything else (rep, ptr, MMIO) -> ioreq pio|copy DIR ADDR SIZE COUNT DF PTR DATA
Guest memory that PTR requests touched was not recorded; a replay starts
from zeroed RAM, so PTR writes carry zeros (the answers of such requests
are the data field, which does not depend on memory).
"""
import argparse
import gzip
import re
import sys

LINE = re.compile(
    r"^handle_ioreq_(read|write) \S+ (?:read|write) type=(\d+) df=(\d) ptr=(\d) "
    r"port=(0x[0-9a-f]+) data=(0x[0-9a-f]+) count=(\d+) size=(\d+)$")

PIO_SUFFIX = {1: "b", 2: "w", 4: "l"}


def sbdf_text(sbdf):
    return "%04x:%02x:%02x.%x" % (sbdf >> 16, (sbdf >> 8) & 0xff, (sbdf >> 3) & 0x1f, sbdf & 7)


def convert(lines):
    """Yield (command, qemu-xen answer) for each ioreq."""
    for raw in lines:
        m = LINE.match(raw.strip())
        if not m:
            continue
        rw, typ, df, ptr, addr, data, count, size = m.groups()
        typ, df, ptr, count, size = int(typ), int(df), int(ptr), int(count), int(size)
        addr, data = int(addr, 16), int(data, 16)
        is_read = rw == "read"
        if typ == 0 and count == 1 and not ptr and size in PIO_SUFFIX:
            if is_read:
                yield "in%s 0x%x" % (PIO_SUFFIX[size], addr), "OK 0x%04x" % data
            else:
                yield "out%s 0x%x 0x%x" % (PIO_SUFFIX[size], addr, data), "OK"
        elif typ == 2:
            sbdf, reg = addr >> 32, addr & 0xffffffff
            if is_read:
                yield "pcicfg r %s 0x%x %d" % (sbdf_text(sbdf), reg, size), "OK 0x%04x" % data
            else:
                yield "pcicfg w %s 0x%x %d 0x%x" % (sbdf_text(sbdf), reg, size, data), "OK"
        elif typ == 8:
            yield "invalidate", "OK"
        elif typ in (0, 1):
            kind = "pio" if typ == 0 else "copy"
            cmd = "ioreq %s %s 0x%x %d %d %d %d 0x%x" % (
                kind, "r" if is_read else "w", addr, size, count, df, ptr, data)
            yield cmd, "OK 0x%016x" % data
        # TIMEOFFSET and unknown types carry nothing a replay can check


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("log", help="ioreq log (.gz or plain)")
    ap.add_argument("trace", help="trace file to write")
    ap.add_argument("--answers", help="write qemu-xen's answers here")
    ap.add_argument("--argv", default="", help="machine argv for the '# argv:' header")
    ap.add_argument("--limit", type=int, default=0, help="stop after this many ioreqs")
    args = ap.parse_args()
    opener = gzip.open if args.log.endswith(".gz") else open
    n = 0
    with opener(args.log, "rt") as log, open(args.trace, "w") as tr:
        ans = open(args.answers, "w") if args.answers else None
        tr.write("# argv: %s\n" % args.argv)
        tr.write("# converted from %s by scripts/golden-ioreq-to-trace.py\n" %
                 args.log.split("/")[-1])
        for cmd, answer in convert(log):
            tr.write(cmd + "\n")
            if ans:
                ans.write(answer + "\n")
            n += 1
            if args.limit and n >= args.limit:
                break
        if ans:
            ans.close()
    print("%s: %d ioreqs" % (args.trace, n), file=sys.stderr)


if __name__ == "__main__":
    main()
