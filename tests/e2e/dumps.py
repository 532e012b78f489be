# SPDX-License-Identifier: GPL-2.0-only
"""dumps.py: the Linux guest's dumps (guests/linux/init), compared field by
field between hvmdm and qemu-xen of the same run, and with the golden
capture of qemu-xen (shared/docs/qemu-xen-golden/lspci-vvv-*.txt).

A difference is a (key, detail) pair; the key names the field, e.g.

    pci 00:01.1 BAR4                  (a config-space field of one function)
    pci 00:01.3 0x5c                  (a device-specific config byte)
    pci 00:03.0 only-qemu-xen         (a function one side lacks)
    ioports only-qemu-xen: 03f2-03f5 : floppy
    iomem only-hvmdm: ...
    interrupts only-qemu-xen: 8: xen-pirq 8-ioapic-edge rtc0
    dmi only-hvmdm: product_uuid=...       (SMBIOS, /sys/class/dmi/id)
    golden 8086:7010 BAR4             (hvmdm's function against the golden one)

and the guest's allow-list (guests/GUEST/allow) names the differences that
are there by design, one a line, with the reason:

    REGEX -- REASON                   REGEX must match a whole key (re.fullmatch)
    @golden FILE                      which golden lspci dump to compare with

Any difference no entry allows fails the test.
"""
import base64
import gzip
import os
import re
import subprocess
import tempfile

# The type-0 header's fields (PCI Local Bus 3.0, 6.1); the device-specific
# bytes from 0x40 on are compared one by one.
HEADER = [(0x00, 2, "vendor"), (0x02, 2, "device"), (0x04, 2, "command"), (0x06, 2, "status"),
          (0x08, 1, "revision"), (0x09, 3, "class"), (0x0c, 1, "cache-line"), (0x0d, 1, "latency"),
          (0x0e, 1, "header-type"), (0x0f, 1, "bist")] + \
    [(0x10 + 4 * i, 4, "BAR%d" % i) for i in range(6)] + \
    [(0x28, 4, "cardbus-cis"), (0x2c, 2, "subsys-vendor"), (0x2e, 2, "subsys-id"),
     (0x30, 4, "rom"), (0x34, 1, "cap-ptr"), (0x35, 7, "reserved-35"), (0x3c, 1, "int-line"),
     (0x3d, 1, "int-pin"), (0x3e, 1, "min-gnt"), (0x3f, 1, "max-lat")]
FIELDS = HEADER + [(o, 1, "0x%02x" % o) for o in range(0x40, 0x100)]

DEV = re.compile(r"^([0-9a-f]{2}:[0-9a-f]{2}\.[0-7]) ")
ROW = re.compile(r"^([0-9a-f]{2}): ((?:[0-9a-f]{2} ){15}[0-9a-f]{2})\s*$")


def sections(serial):
    """NAME -> text between "@@BEGIN NAME" and "@@END NAME" on the serial
    console, or between "@@BEGIN-GZ NAME" and "@@END NAME" as gzip in base64
    (guests/linux/init); a frame that does not unpack is left out."""
    res, cur, gz, buf = {}, None, False, []
    for line in (serial or "").splitlines():
        m = re.match(r"^@@(BEGIN|BEGIN-GZ|END) (\S+)$", line)
        if m and m.group(1) != "END":
            cur, gz, buf = m.group(2), m.group(1) == "BEGIN-GZ", []
        elif m and cur == m.group(2):
            if not gz:
                res[cur] = "\n".join(buf)
            else:
                try:
                    res[cur] = gzip.decompress(base64.b64decode("".join(buf))).decode(
                        errors="replace").rstrip("\n")
                except (ValueError, OSError, EOFError):
                    pass
            cur = None
        elif cur:
            buf.append(line)
    return res


def configs(text):
    """BB:DD.F -> 256 config bytes, from lspci -x style rows (the guest's
    dump or a golden lspci -vvv -xxx file). Functions with gaps are dropped."""
    res, cur, rows = {}, None, {}

    def done():
        if cur and len(rows) == 16:
            res[cur] = b"".join(rows[o] for o in range(0, 256, 16))
    for line in (text or "").splitlines():
        m = DEV.match(line)
        if m:
            done()
            cur, rows = m.group(1), {}
            continue
        r = ROW.match(line)
        if r and cur:
            rows[int(r.group(1), 16)] = bytes.fromhex(r.group(2))
    done()
    return res


def ident(cfg):
    return "%04x:%04x" % (cfg[0] | cfg[1] << 8, cfg[2] | cfg[3] << 8)


def field(cfg, off, size):
    return int.from_bytes(cfg[off:off + size], "little")


def compare_config(prefix, a, b, na, nb):
    """Field by field: [(key, detail)] for one function's 256 bytes."""
    diffs = []
    for off, size, name in FIELDS:
        x, y = field(a, off, size), field(b, off, size)
        if x != y:
            diffs.append(("%s %s" % (prefix, name), "%s 0x%0*x, %s 0x%0*x" % (
                na, 2 * size, x, nb, 2 * size, y)))
    return diffs


def compare_pci(a, b, na, nb):
    diffs = []
    for bdf in sorted(set(a) | set(b)):
        if bdf not in b:
            diffs.append(("pci %s only-%s" % (bdf, na), ident(a[bdf])))
        elif bdf not in a:
            diffs.append(("pci %s only-%s" % (bdf, nb), ident(b[bdf])))
        else:
            diffs += compare_config("pci " + bdf, a[bdf], b[bdf], na, nb)
    return diffs


def resource_lines(text):
    """/proc/ioports or /proc/iomem: each line with its parents ("a > b"),
    so the same range under another parent counts as different."""
    out, stack = [], []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        depth = (len(line) - len(line.lstrip(" "))) // 2
        stack = stack[:depth] + [line.strip()]
        out.append(" > ".join(stack))
    return out


def interrupt_lines(text):
    """/proc/interrupts without the counts: "N: chip hwirq-type devices" for
    the numbered lines, the name alone for the others (NMI, LOC, ...)."""
    lines = (text or "").splitlines()
    if not lines:
        return []
    ncpu = len(lines[0].split())
    out = []
    for line in lines[1:]:
        parts = line.split()
        if not parts:
            continue
        if parts[0].rstrip(":").isdigit():
            out.append(" ".join([parts[0]] + parts[1 + ncpu:]))
        else:
            out.append(parts[0])
    return out


def compare_lines(kind, a, b, na, nb):
    diffs = []
    for line in a:
        if a.count(line) > b.count(line):
            diffs.append(("%s only-%s: %s" % (kind, na, line), ""))
    for line in b:
        if b.count(line) > a.count(line):
            diffs.append(("%s only-%s: %s" % (kind, nb, line), ""))
    return sorted(set(diffs))


def compare_runs(serial_a, serial_b, na, nb):
    """The dumps of two runs of the guest: [(key, detail)], and a note per dump missing."""
    sa, sb = sections(serial_a), sections(serial_b)
    missing = ["%s has no %s dump" % (n, s) for n, secs in ((na, sa), (nb, sb))
               for s in ("pci", "ioports", "iomem", "interrupts") if s not in secs]
    # a dump one side lacks is that note only, not a difference per line
    both = {s for s in sa if s in sb}
    diffs = compare_pci(configs(sa["pci"]), configs(sb["pci"]), na, nb) if "pci" in both else []
    for s in ("ioports", "iomem"):
        if s in both:
            diffs += compare_lines(s, resource_lines(sa[s]), resource_lines(sb[s]), na, nb)
    if "interrupts" in both:
        diffs += compare_lines("interrupts", interrupt_lines(sa["interrupts"]),
                               interrupt_lines(sb["interrupts"]), na, nb)
    if "dmi" in both:
        diffs += compare_lines("dmi", (sa.get("dmi") or "").splitlines(),
                               (sb.get("dmi") or "").splitlines(), na, nb)
    return diffs, missing


def compare_golden(serial, golden_text, name):
    """hvmdm's functions against the golden capture's, matched by vendor:device
    (the slots differ with the device set); golden devices hvmdm lacks are
    listed apart, not compared."""
    mine = configs(sections(serial).get("pci"))
    gold = {ident(c): c for c in configs(golden_text).values()}
    diffs, have = [], set()
    for bdf, cfg in sorted(mine.items()):
        i = ident(cfg)
        have.add(i)
        if i not in gold:
            diffs.append(("golden %s only-%s" % (i, name), bdf))
        else:
            diffs += compare_config("golden " + i, cfg, gold[i], name, "golden")
    return diffs, sorted(set(gold) - have)


def load_allow(path):
    """[(regex, reason, text)] and the golden file named by "@golden FILE"."""
    rules, golden = [], None
    try:
        text = open(path).read()
    except OSError:
        return rules, golden
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@golden "):
            golden = line.split(None, 1)[1].strip()
            continue
        rx, sep, reason = line.partition(" -- ")
        if not sep or not reason.strip():
            raise SystemExit("%s:%d: want REGEX -- REASON" % (path, n))
        rules.append((re.compile(rx.strip()), reason.strip(), rx.strip()))
    return rules, golden


def judge(diffs, rules):
    """(allowed [(key, detail, reason)], denied [(key, detail)], unused rule texts)."""
    allowed, denied, used = [], [], set()
    for key, detail in diffs:
        rule = next((r for r in rules if r[0].fullmatch(key)), None)
        if rule:
            used.add(rule[2])
            allowed.append((key, detail, rule[1]))
        else:
            denied.append((key, detail))
    return allowed, denied, [r[2] for r in rules if r[2] not in used]


def golden_dir(repo):
    """shared/docs/qemu-xen-golden: $HVMDM_GOLDEN_DIR, or next to the
    repository (the main checkout's or a worktree's parent's)."""
    cands = [os.environ.get("HVMDM_GOLDEN_DIR") or "",
             os.path.join(repo, "..", "shared", "docs", "qemu-xen-golden"),
             os.path.join(repo, "..", "..", "shared", "docs", "qemu-xen-golden")]
    for d in cands:
        if d and os.path.isfile(os.path.join(d, "README.md")):
            return os.path.normpath(d)
    return None


def lspci_text(serial):
    """lspci -vvv -nn -xxx of the guest's config dump (lspci -F), or None
    without pciutils."""
    text = sections(serial).get("pci")
    if not text:
        return None
    dump = "\n".join(l for l in text.splitlines() if DEV.match(l) or ROW.match(l)) + "\n"
    with tempfile.NamedTemporaryFile("w", suffix=".lspci") as f:
        f.write(dump)
        f.flush()
        try:
            p = subprocess.run(["lspci", "-F", f.name, "-vvv", "-nn", "-xxx"],
                               capture_output=True, text=True)
        except OSError:
            return None
    return p.stdout


def lspci_blocks(text):
    """vendor:device -> its lspci -vvv block (text of one function)."""
    res = {}
    for block in re.split(r"\n\s*\n", text or ""):
        lines = [l for l in block.splitlines() if not l.startswith("lspci:")]
        c = configs("\n".join(lines))
        if c:
            res[ident(next(iter(c.values())))] = "\n".join(lines)
    return res
