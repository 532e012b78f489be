#!/usr/bin/env python3
"""Compare two qtest transcripts of tests/traces/fw_cfg/boot.trace item by item.

  fw_cfg_diff.py TRACE HVMDM_OUT QEMU_OUT

The trace's "# ..." comment before each selector write names the item; the
answers to that block's commands are compared. Items where qemu-xen (what
hvmdm models) and Debian's QEMU 7.2 `-machine pc` differ are listed in
KNOWN with the reason; any other difference fails. Prints PASS/FAIL lines.
"""
import sys

KNOWN = {
    # QEMU's pc machine has the DMA interface (ID bit 1); qemu-xen's fw_cfg_init_io has not.
    "ID, then 2 bytes past its end": "ID 3 (DMA) on QEMU pc, 1 on qemu-xen",
    # qemu-xen lists bios-geometry, bootorder, etc/boot-fail-wait, SMBIOS, etc/system-states,
    # genroms/linuxboot.bin; QEMU pc adds ACPI, e820, linuxboot_dma.bin and more.
    "FILE_DIR": "the file set of QEMU pc differs from qemu-xen's",
}


def blocks(trace, out):
    cmds = [l for l in trace if l.strip() and not l.startswith("#")]
    if len(cmds) != len(out):
        sys.exit("FAIL fw_cfg-diff transcript of %d answers for %d commands" % (len(out), len(cmds)))
    res, name, i = {}, None, 0
    for l in trace:
        if l.startswith("# ") and not l.startswith("# argv"):
            name = l[2:]
            continue
        if not l.strip() or l.startswith("#"):
            continue
        res.setdefault(name, []).append(out[i])
        i += 1
    return res


def main():
    trace = open(sys.argv[1]).read().splitlines()
    h = blocks(trace, open(sys.argv[2]).read().splitlines())
    q = blocks(trace, open(sys.argv[3]).read().splitlines())
    bad = 0
    for name in h:
        if name is None:
            continue
        if h[name] == q[name]:
            print("PASS fw_cfg-diff:%s" % name)
        elif name in KNOWN:
            print("PASS fw_cfg-diff:%s (known: %s)" % (name, KNOWN[name]))
        else:
            bad += 1
            diff = [(i, a, b) for i, (a, b) in enumerate(zip(h[name], q[name])) if a != b]
            print("FAIL fw_cfg-diff:%s answers differ (hvmdm, qemu): %s" % (name, diff[:8]))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
