#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""test_dumps.py: the dump comparison of the Linux guest (tests/e2e/dumps.py)
on the golden capture, whose guest dumped exactly as guests/linux/init does:
its pci-a.log against its own lspci-vvv-a.txt must agree byte for byte, a
changed byte must come out under its field's key, and the allow-list must
pass what it names and only that. One PASS/FAIL line per check."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import dumps  # noqa: E402

fails = 0


def check(name, ok, why=""):
    global fails
    print("%s e2e-dumps:%s%s" % ("PASS" if ok else "FAIL", name, "" if ok else " " + why))
    fails += 0 if ok else 1


repo = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
gdir = dumps.golden_dir(repo)
if not gdir:
    print("FAIL e2e-dumps:golden no shared/docs/qemu-xen-golden (HVMDM_GOLDEN_DIR)")
    sys.exit(1)
raw = open(os.path.join(gdir, "pci-a.log"), errors="replace").read().replace("\r", "")
lspci = open(os.path.join(gdir, "lspci-vvv-a.txt")).read()
# the capture's sections as guests/linux/init frames them
serial = "@@BEGIN pci\n%s\n@@END pci\n" % raw.split("@@SECTION pci-devices\n")[1].split("@@SECTION end-pci-devices")[0]
for s, g in (("ioports", "proc-ioports"), ("iomem", "proc-iomem"), ("interrupts", "proc-interrupts")):
    serial += "@@BEGIN %s\n%s\n@@END %s\n" % (s, raw.split("@@SECTION %s\n" % g)[1].split("@@SECTION")[0].rstrip("\n"), s)

cfg = dumps.configs(dumps.sections(serial)["pci"])
check("parse-pci", sorted(cfg) == ["00:00.0", "00:01.0", "00:01.1", "00:01.2", "00:01.3",
                                   "00:02.0", "00:03.0", "00:04.0"], str(sorted(cfg)))
check("parse-ident", dumps.ident(cfg["00:01.1"]) == "8086:7010", dumps.ident(cfg["00:01.1"]))
d, lacking = dumps.compare_golden(serial, lspci, "guest")
check("golden-self", d == [] and lacking == [], "%s %s" % (d, lacking))
d, missing = dumps.compare_runs(serial, serial, "a", "b")
check("runs-self", d == [] and missing == [], "%s %s" % (d, missing))

# one byte of the IDE function's BAR4, one device-specific byte, a line of
# /proc/ioports and an interrupt's chip: each must come out under its key
mod = serial.replace("20: 21 c2 00 00", "20: 01 c1 00 00", 1)
mod = mod.replace("40: 07 e3 03 e3", "40: 07 e3 03 e4", 1)
mod = mod.replace("  0060-0060 : keyboard\n", "", 1)
mod = mod.replace("IO-APIC  14-edge      ata_piix", "xen-pirq  14-edge      ata_piix", 1)
d, _ = dumps.compare_runs(mod, serial, "hvmdm", "qemu-xen")
keys = [k for k, _ in d]
want = ["pci 00:01.1 BAR4", "pci 00:01.1 0x43",
        "ioports only-qemu-xen: 0000-0cf7 : PCI Bus 0000:00 > 0060-0060 : keyboard",
        "interrupts only-hvmdm: 14: xen-pirq 14-edge ata_piix",
        "interrupts only-qemu-xen: 14: IO-APIC 14-edge ata_piix"]
check("diff-keys", sorted(keys) == sorted(want), str(keys))
check("diff-detail", ("pci 00:01.1 BAR4", "hvmdm 0x0000c101, qemu-xen 0x0000c221") in d, str(d[:2]))
# interrupt counts are not compared
cnt = serial.replace("  4:       1742  xen-pirq", "  4:         17  xen-pirq", 1)
check("interrupt-counts-ignored", dumps.compare_runs(cnt, serial, "a", "b")[0] == [])

rules = [(dumps.re.compile(r"pci 00:01\.1 BAR4"), "placement", r"pci 00:01\.1 BAR4"),
         (dumps.re.compile(r"pci 00:09\.0 .*"), "never there", r"pci 00:09\.0 .*")]
allowed, denied, unused = dumps.judge(d, rules)
check("allow", [a[0] for a in allowed] == ["pci 00:01.1 BAR4"] and len(denied) == 4, str(allowed))
check("allow-unused", unused == [r"pci 00:09\.0 .*"], str(unused))
# a function only one side has
one = serial.replace("00:04.0 device", "00:05.0 device", 1)
keys = [k for k, _ in dumps.compare_runs(one, serial, "hvmdm", "qemu-xen")[0]]
check("only-one-side", keys == ["pci 00:04.0 only-qemu-xen", "pci 00:05.0 only-hvmdm"], str(keys))
# a run without dumps (timed out): one note per dump, no difference per line
d, missing = dumps.compare_runs(serial, "", "hvmdm", "qemu-xen")
check("one-side-missing", d == [] and len(missing) == 4, "%s %s" % (d[:2], missing))
# the guest's allow-list parses, every entry has a reason
rules, golden = dumps.load_allow(os.path.join(os.path.dirname(HERE), "guests", "linux", "allow"))
check("linux-allow", golden and rules and all(r[1] for r in rules), "%s %s" % (golden, rules))
sys.exit(1 if fails else 0)
