#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""report.py OUT: the end-to-end test's verdict, from OUT/console.log (the
nested machine's console, each line stamped "[seconds]" by the host) and
OUT/logs/out/RUN/ (the logs dom0 sent back).

Assertions come from tests/e2e/common.expect (every run) and
tests/e2e/guests/GUEST/expect (that guest's runs), one per line:

    NAME  LOG  REGEX          the regex (Python re, multi-line) must match in LOG
    NAME  LOG  !REGEX         ... must not match
    NAME  LOG  ?REGEX         ... may match; reported, never a failure

A guest's rule with the name of a common one replaces it for that guest.

LOG is one of the names in LOGS below. An assertion fails for hvmdm -> the
test fails; the same assertion under Debian's qemu-xen is the reference (a
failure there means the test bed or the assertion is wrong, and is shown).
With E2E_SUITE=1 only "PASS name" / "FAIL name why" lines are printed.
"""
import difflib
import gzip
import os
import re
import sys

import dumps

E2E_DIR = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(E2E_DIR))
SUITE = os.environ.get("E2E_SUITE") == "1"

# log name -> file in the run's directory (None: computed)
LOGS = {
    "xl": "xl-create.log",        # xl -vvv create: libxl, spawn, QMP
    "xld": "xl-daemon.log",       # the xl process that waits for the domain's death
    "dm": "dm-stderr.log",        # the device model's stdout+stderr (libxl's qemu-dm-NAME.log)
    "serial": "serial.log",       # the guest's COM1, written by the device model
    "xen": "xl-dmesg.txt",        # Xen's console ring for this run
    "guest": None,                # the guest's own lines in it: hvmloader, SeaBIOS, port 0xe9
    "argv": "argv-real.txt",      # the argv libxl passed, one per line
    "probe": "argv-probe.txt",    # the probe run's argv (libxl >= 4.20 only)
    "exit": "dm-exit-real.txt",   # "status=N maxrss_kb=N ..." when the device model exited
    "rc": "xl-create.rc",         # xl create's exit status
    "outcome": "outcome",         # "gone" (the guest ended) or "timeout"
    "console": None,              # the host-stamped console lines of this run
}

# phase -> (log, regex) for the timing table, measured from create-start
PHASES = [
    ("spawn", "console", r"phase=dm-spawn-real"),
    ("ready", "console", r"phase=dm-ready"),
    ("created", "console", r"phase=create-done"),
    ("hvmloader", "console", r"\(d\d+\) .*HVM Loader"),
    ("seabios", "console", r"\(d\d+\) .*Invoking SeaBIOS"),
    ("boot", "console", r"\(d\d+\) .*Booting from (Hard Disk|ROM)"),
    ("payload", "console", r"\(d\d+\) .*(HVMDM-E2E|IOBENCH start)"),
    ("init", "console", r"\(d\d+\) .*HVMDM-E2E linux: init"),  # the Linux guest's /init
    ("off", "console", r"\(d\d+\) .*HVMDM-E2E linux: powering off"),

    ("gone", "console", r"phase=domain-gone"),
    ("dm-exit", "console", r"phase=dm-exit"),
]

STAMP = re.compile(r"^\[\s*([0-9.]+)\] ?(.*)$")


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read().replace("\r", "")
    except OSError:
        return None


def load_expect(path):
    rules = []
    text = read(path)
    if text is None:
        return rules
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.split(None, 2)
        if len(parts) != 3 or (parts[1] not in LOGS and not re.match(r"(probe|dump):\S", parts[1])):
            sys.exit("%s:%d: want NAME LOG REGEX with LOG in %s, probe:NAME or dump:NAME" % (
                path, n, ", ".join(LOGS)))
        name, log, rx = parts
        mode = "must"
        if rx[0] in "!?":
            mode = {"!": "mustnot", "?": "may"}[rx[0]]
            rx = rx[1:]
        rules.append((name, log, mode, re.compile(rx, re.M)))
    return rules


def merge_rules(common, own):
    """common.expect's rules then the guest's; a guest rule named like a
    common one replaces it in place (e.g. dm_restrict has no xenstore state)."""
    mine = {r[0]: r for r in own}
    merged = [mine.pop(r[0], r) for r in common]
    return merged + [r for r in own if r[0] in mine]


def console_segments(out):
    """run name -> list of (host seconds, text) between its create-start and the next."""
    segs, cur, boot = {}, None, []
    text = read(os.path.join(out, "console.log")) or ""
    for line in text.splitlines():
        m = STAMP.match(line)
        if not m:
            continue
        t, body = float(m.group(1)), m.group(2)
        s = re.search(r"@@E2E t=\S+ run=(\S+) phase=create-start", body)
        if s:
            cur = s.group(1)
            segs[cur] = []
        if re.search(r"@@E2E t=\S+ runs-done", body):
            cur = None
        (segs[cur] if cur else boot).append((t, body))
    return segs, boot


def probe_outputs(serial):
    """NAME -> the output of probe NAME: the serial lines between
    "@@PROBE-BEGIN NAME" and "@@PROBE-END NAME rc=N", that last line included."""
    res, cur, buf = {}, None, []
    for line in (serial or "").splitlines():
        m = re.match(r"^@@PROBE-(BEGIN|END) (\S+)", line)
        if m and m.group(1) == "BEGIN":
            cur, buf = m.group(2), []
        elif m and cur == m.group(2):
            buf.append(line)
            res[cur] = "\n".join(buf)
            cur = None
        elif cur:
            buf.append(line)
    return res


def probe_rules(guest):
    """Every probe of a guest (guests/GUEST/probes/NAME.sh) must end with rc=0."""
    rules = []
    pdir = os.path.join(E2E_DIR, "guests", guest, "probes")
    for f in sorted(os.listdir(pdir)) if os.path.isdir(pdir) else []:
        if f.endswith(".sh"):
            n = f[:-3]
            rules.append(("probe-%s-rc0" % n, "probe:" + n, "must",
                          re.compile(r"^@@PROBE-END %s rc=0$" % re.escape(n), re.M)))
    return rules


def first_time(lines, rx):
    r = re.compile(rx)
    for t, body in lines:
        if r.search(body):
            return t
    return None


class Run:
    def __init__(self, out, name, guest, dm, segs):
        self.name, self.guest, self.dm = name, guest, dm
        self.dir = os.path.join(out, "logs", "out", name)
        self.console = segs.get(name, [])
        self.logs = {}
        for log, fname in LOGS.items():
            if fname:
                self.logs[log] = read(os.path.join(self.dir, fname))
        if self.logs["serial"]:
            # the terminal resets SeaBIOS and Linux send, and the "[seconds] "
            # printk puts before every line the Linux guest's init writes
            # (guests/linux/init: its output goes through /dev/kmsg)
            text = re.sub(r"\x1b(\[[0-9;?]*[A-Za-z]|c)", "", self.logs["serial"])
            self.logs["serial"] = re.sub(r"(?m)^\[\s*[0-9]+\.[0-9]+\] ", "", text)
        xen = self.logs["xen"]
        if xen is not None:
            self.logs["guest"] = "\n".join(
                re.sub(r"^\(d\d+\) (\[\s*[0-9.]+\] )?", "", l) for l in xen.splitlines() if l.startswith("(d"))
        else:
            self.logs["guest"] = None
        self.logs["console"] = "\n".join(b for _, b in self.console) if self.console else None
        # probe:NAME -> the lines of the Linux guest's probe NAME, dump:NAME ->
        # its dump NAME (guests/linux/init), each also kept as dump-NAME.txt
        for name, body in probe_outputs(self.logs["serial"]).items():
            self.logs["probe:" + name] = body
        for name, body in dumps.sections(self.logs["serial"]).items():
            self.logs["dump:" + name] = body
            try:
                with open(os.path.join(self.dir, "dump-%s.txt" % name), "w") as f:
                    f.write(body + "\n")
            except OSError:
                pass

    def check(self, rule):
        name, log, mode, rx = rule
        text = self.logs.get(log)
        if text is None:
            return ("FAIL" if mode != "may" else "n/a"), "no %s log" % log
        hit = rx.search(text)
        if mode == "must":
            return ("PASS", "") if hit else ("FAIL", "/%s/ not in %s" % (rx.pattern, log))
        if mode == "mustnot":
            return ("PASS", "") if not hit else ("FAIL", "%s has: %s" % (log, hit.group(0)[:120]))
        return ("seen" if hit else "n/a"), ""

    def timings(self):
        t0 = first_time(self.console, r"phase=create-start")
        res = {}
        for ph, _log, rx in PHASES:
            t = first_time(self.console, rx)
            res[ph] = None if t is None or t0 is None else t - t0
        return res

    def ioreqs(self):
        path = os.path.join(self.dir, "ioreq.trace.gz")
        try:
            with gzip.open(path, "rt", errors="replace") as f:
                lines = f.read().splitlines()
        except OSError:
            return None
        if self.dm == "hvmdm":
            return sum(1 for l in lines if l and not l.startswith("#") and not l.startswith("write "))
        return sum(1 for l in lines if re.search(r"\bhandle_ioreq ", l))

    def maxrss(self):
        m = re.search(r"maxrss_kb=(\d+)", self.logs.get("exit") or "")
        return int(m.group(1)) if m else None


def iobench(run):
    """[(batch, microseconds per access)] from the iobench guest's 0xe9 lines."""
    xen = run.logs.get("xen") or ""
    count, prev, res = None, None, []
    for line in xen.splitlines():
        m = re.match(r"^\(d\d+\) \[\s*([0-9.]+)\] IOBENCH (.*)", line)
        if not m:
            continue
        t, what = float(m.group(1)), m.group(2)
        c = re.match(r"start count=(\d+)", what)
        if c:
            count = int(c.group(1))
        d = re.match(r"done (\S+)", what)
        if d and count and prev is not None:
            res.append((d.group(1), (t - prev) * 1e6 / count))
        prev = t
    return res


def side_by_side(a, b, width=78):
    def norm(text):
        out = []
        for l in (text or "").splitlines():
            l = re.sub(r"Machine UUID \S+", "Machine UUID <uuid>", l)
            out.append(l.rstrip())
        return out
    la, lb = norm(a), norm(b)
    rows, diffs = [], []
    sm = difflib.SequenceMatcher(None, la, lb, autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        n = max(i2 - i1, j2 - j1)
        for k in range(n):
            x = la[i1 + k] if i1 + k < i2 else ""
            y = lb[j1 + k] if j1 + k < j2 else ""
            mark = " " if op == "equal" else "|"
            row = "%-*s %s %s" % (width, x[:width], mark, y[:width])
            rows.append(row)
            if op != "equal":
                diffs.append(row)
    return rows, diffs


def compare_dumps(out, g, a, b, P, failures):
    """The guest's dumps (dumps.py): hvmdm against qemu-xen of the same run
    and against the golden capture; a difference its allow-list does not
    name is a failure of a (the hvmdm run)."""
    allow = os.path.join(E2E_DIR, "guests", g, "allow")
    rules, golden = dumps.load_allow(allow)
    diffs, notes = [], []
    if b:
        d, missing = dumps.compare_runs(a.logs["serial"], b.logs["serial"], "hvmdm", "qemu-xen")
        diffs += d
        notes += missing
    else:
        notes.append("no qemu-xen run to compare with")
    gdir = dumps.golden_dir(REPO)
    gtext = None
    if golden and gdir:
        gtext = read(os.path.join(gdir, golden))
    if golden and gtext is None:
        notes.append("golden %s not found (HVMDM_GOLDEN_DIR): not compared" % golden)
    elif golden and a.logs.get("dump:pci"):
        d, lacking = dumps.compare_golden(a.logs["serial"], gtext, "hvmdm")
        diffs += d
        P("")
        P("guest %s: golden %s devices hvmdm does not have (not compared): %s" % (
            g, golden, " ".join(lacking) or "none"))
    allowed, denied, unused = dumps.judge(diffs, rules)
    P("")
    P("guest %s: dumps compared field by field (pci config, ioports, iomem, interrupts%s): "
      "%d differences, %d allowed by %s, %d not allowed" % (
          g, ", golden " + golden if golden else "", len(diffs), len(allowed),
          os.path.relpath(allow, REPO), len(denied)))
    for n in notes:
        P("  NOTE " + n)
        failures.append((a, "dumps", n))
    for key, detail in denied:
        P("  DIFF  %s%s" % (key, "  (" + detail + ")" if detail else ""))
        failures.append((a, "dumps", "%s %s" % (key, detail)))
    for key, detail, reason in allowed:
        P("  allow %s%s: %s" % (key, "  (" + detail + ")" if detail else "", reason))
    for u in unused:
        P("  (allow-list entry matched nothing, remove it?: %s)" % u)
    if SUITE:
        print("%s e2e:%s:dumps%s" % ("FAIL" if denied or notes else "PASS", a.name,
                                     " %d differences not allowed" % len(denied) if denied else ""))
    # lspci -vvv of both runs and of the golden devices, side by side
    if not a.logs.get("dump:pci"):
        return
    la = dumps.lspci_text(a.logs["serial"])
    if la is None:
        P("  (no lspci (pciutils): no lspci -vvv side by side)")
        return
    blocks = dumps.lspci_blocks(la)
    for other, text in (("qemu-xen", dumps.lspci_text(b.logs["serial"]) if b else None),
                        ("golden", gtext)):
        if text is None:
            continue
        ob = dumps.lspci_blocks(text)
        path = os.path.join(out, "lspci-%s-%s.txt" % (g, other))
        with open(path, "w") as f:
            f.write("%-78s   %s\n" % ("== hvmdm", "== " + other))
            for i in sorted(blocks):
                rows, _ = side_by_side(blocks[i], ob.get(i, "(no %s)" % i))
                f.write("\n".join(rows) + "\n\n")
        P("  lspci -vvv, hvmdm | %s: %s" % (other, path))


def tail(text, n):
    if text is None:
        return "(missing)"
    lines = (text or "(empty)").splitlines()
    return "\n".join(lines[-n:])


def main():
    out = sys.argv[1]
    plan = []
    for line in (read(os.path.join(out, "plan")) or "").splitlines():
        if line.strip() and not line.startswith("#"):
            run, guest, dm, _tmo = line.split()
            plan.append((run, guest, dm))
    segs, boot = console_segments(out)
    runs = [Run(out, r, g, d, segs) for r, g, d in plan]
    common = load_expect(os.path.join(E2E_DIR, "common.expect"))
    rules = {g: merge_rules(common, load_expect(os.path.join(E2E_DIR, "guests", g, "expect"))) + probe_rules(g)
             for g in sorted({r.guest for r in runs})}

    lines, failures, failed_runs = [], [], []
    P = lines.append
    versions = (read(os.path.join(out, "versions")) or "").split("\n")
    P("== hvmdm end to end: real Xen nested in qemu-system-x86_64 TCG (%s)" %
      ", ".join(v for v in versions if v))
    tm = dict(l.split(" ", 1) for l in (read(os.path.join(out, "timings")) or "").splitlines() if " " in l)
    xen_t = first_time(boot, r"Xen version 4")
    dom0_t = first_time(boot, r"dom0-ready")
    P("phases: dom0 image %s s; nested run %s s (Xen banner at %s s, dom0 ready at %s s)" % (
        tm.get("image", "?"), tm.get("boot", "?"),
        "%.1f" % xen_t if xen_t else "?", "%.1f" % dom0_t if dom0_t else "?"))
    unpack = read(os.path.join(out, "unpack.log")) or ""
    if "unpacked" not in unpack:
        P("LOG ARCHIVE MISSING: %s" % unpack.strip())

    P("")
    P("seconds after `xl create`:")
    hdr = "%-16s" % "run" + "".join("%10s" % ph for ph, _, _ in PHASES)
    P(hdr)
    for r in runs:
        t = r.timings()
        P("%-16s" % r.name + "".join("%10s" % ("%.2f" % t[ph] if t[ph] is not None else "-") for ph, _, _ in PHASES))

    for g, grules in rules.items():
        gruns = [r for r in runs if r.guest == g]
        P("")
        P("guest %s: assertions (%s)" % (g, " | ".join(r.dm for r in gruns)))
        for rule in grules:
            cells = []
            for r in gruns:
                st, why = r.check(rule)
                cells.append(st)
                if r.dm == "hvmdm":
                    if st == "FAIL":
                        failures.append((r, rule[0], why))
                    if SUITE and st in ("PASS", "FAIL"):
                        print("%s e2e:%s:%s%s" % (st, r.name, rule[0], (" " + why) if why else ""))
            P("  %-34s %s" % (rule[0], "  ".join("%-6s" % c for c in cells)))
        for r in gruns:
            if r.dm != "hvmdm" and any(r.check(rule)[0] == "FAIL" for rule in grules):
                P("  (reference %s failed an assertion: the bed or the assertion needs a look)" % r.name)

    P("")
    P("measurements:")
    for r in runs:
        rss, n = r.maxrss(), r.ioreqs()
        P("  %-16s peak RSS %s, ioreqs handled during the run %s" % (
            r.name, "%d KiB" % rss if rss else "?", n if n is not None else "?"))

    for r in runs:
        t = r.timings()
        if t.get("init") is not None:
            P("  %-16s seconds from `xl create` to the guest's /init %.1f, to its power-off %s" % (
                r.name, t["init"], "%.1f" % t["off"] if t.get("off") is not None else "-"))

    for r in runs:
        bench = iobench(r)
        if bench:
            P("  %-16s port I/O round trip (iobench): %s" % (r.name, ", ".join(
                "%s %.0f us" % (k, v) for k, v in bench)))

    for g in rules:
        a = next((r for r in runs if r.guest == g and r.dm == "hvmdm"), None)
        b = next((r for r in runs if r.guest == g and r.dm != "hvmdm"), None)
        if not a or not b:
            continue
        rows, diffs = side_by_side(a.logs["guest"], b.logs["guest"])
        path = os.path.join(out, "compare-%s.txt" % g)
        with open(path, "w") as f:
            f.write("%-78s   %s\n" % ("== " + a.name, "== " + b.name))
            f.write("\n".join(rows) + "\n")
        P("")
        P("guest %s: hvmloader/SeaBIOS/guest output, %s | %s (%d lines differ; all of it in %s)" % (
            g, a.name, b.name, len(diffs), path))
        for row in diffs[:60]:
            P("  " + row)

    for g in rules:
        a = next((r for r in runs if r.guest == g and r.dm == "hvmdm"), None)
        b = next((r for r in runs if r.guest == g and r.dm != "hvmdm"), None)
        if a and os.path.isfile(os.path.join(E2E_DIR, "guests", g, "allow")):
            compare_dumps(out, g, a, b, P, failures)

    failed_runs = sorted({r.name for r, _, _ in failures})
    P("")
    if failures:
        P("RESULT: FAIL (%d hvmdm assertions failed in %s)" % (len(failures), ", ".join(failed_runs)))
        for r, name, why in failures:
            P("  FAIL %s:%s %s" % (r.name, name, why))
        for r in runs:
            if r.name not in failed_runs:
                continue
            P("")
            P("---- %s: Xen console (last 40 lines of the run)" % r.name)
            P(tail(r.logs["console"], 40))
            P("---- %s: device model stderr (/var/log/xen/qemu-dm-%s.log)" % (r.name, r.name))
            P(tail(r.logs["dm"], 40))
            P("---- %s: xl -vvv create (last 40 lines)" % r.name)
            P(tail(r.logs["xl"], 40))
            P("---- %s: xl daemon log" % r.name)
            P(tail(r.logs["xld"], 15))
            P("---- %s: guest serial" % r.name)
            P(tail(r.logs["serial"], 15))
        if not runs or not any(r.console for r in runs):
            P("---- console (last 60 lines)")
            P(tail(read(os.path.join(out, "console.log")), 60))
    else:
        nass = sum(len(rules[r.guest]) for r in runs if r.dm == "hvmdm")
        P("RESULT: PASS (%d hvmdm assertions)" % nass)
    report = "\n".join(lines) + "\n"
    with open(os.path.join(out, "report.txt"), "w") as f:
        f.write(report)
    if not SUITE:
        sys.stdout.write(report)
    sys.exit(1 if failures or not runs else 0)


main()
