#!/usr/bin/env python3
"""Differential runner: one trace, two device models, line by line.

Replays a trace (shared/docs/trace-format.md) through `hvmdm --replay` and
through Debian's QEMU (`qemu-system-x86_64 -accel tcg -S -qtest stdio`, which
serves port, MMIO and memory commands without the qtest accelerator module
that Debian strips), with the machine argv from the trace's `# argv:` line,
and compares the transcripts. The first divergence is reported with the
commands before it. Known, intended differences are declared in
tests/diff/known-differences.txt (one per line, with the device and the
reason); a divergence that matches one is accepted, and a declaration that
no trace uses any more is reported so that the file cannot go stale.

What QEMU cannot take is translated or refused visibly:
  pcicfg r|w SBDF REG SIZE [VAL]  -> outl 0xcf8 ... ; in/out 0xcfc+(REG&3)
  ioreq, bufioreq, invalidate      -> the trace is skipped (Xen-only shapes)
  clock_step, clock_set            -> skipped unless QEMU answers them (they
                                      need the qtest accelerator module)

Each trace prints "PASS name", "FAIL name: why" or "SKIP name: why"
(the suite runner counts PASS and FAIL and shows the rest).
"""
import argparse
import fnmatch
import os
import re
import select
import subprocess
import sys
import threading
import time

QEMU_BASE = ["-accel", "tcg", "-S", "-qtest", "stdio", "-qtest-log", "/dev/null",
             "-display", "none"]
XEN_ONLY = ("ioreq", "bufioreq", "invalidate")
SBDF = re.compile(r"^([0-9a-fA-F]{4}):([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\.([0-7])$")


def read_trace(path):
    argv, cmds = [], []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("# argv:"):
                argv = line[len("# argv:"):].split()
            elif line.strip() and not line.startswith("#"):
                cmds.append(line.strip())
    return argv, cmds


def cf8_address(sbdf, reg):
    m = SBDF.match(sbdf)
    if not m:
        return None
    bus, dev, fn = int(m.group(2), 16), int(m.group(3), 16), int(m.group(4), 16)
    return 0x80000000 | bus << 16 | dev << 11 | fn << 8 | (reg & 0xfc)


def to_qemu(cmds):
    """QEMU's commands for ours: a list of (qemu lines, index of the line whose answer counts)."""
    out = []
    for c in cmds:
        w = c.split()
        if w[0] == "pcicfg" and len(w) >= 5:
            reg, size = int(w[3], 0), int(w[4], 0)
            addr = cf8_address(w[2], reg)
            suffix = {1: "b", 2: "w", 4: "l"}.get(size)
            if addr is None or suffix is None:
                out.append(([c], 0))  # malformed: let QEMU fail it too
                continue
            port = 0xcfc + (reg & 3)
            if w[1] == "r":
                acc = "in%s 0x%x" % (suffix, port)
            else:
                acc = "out%s 0x%x %s" % (suffix, port, w[5] if len(w) > 5 else "0")
            out.append((["outl 0xcf8 0x%x" % addr, acc], 1))
        else:
            out.append(([c], 0))
    return out


def run_hvmdm(hvmdm, trace, argv, timeout):
    p = subprocess.run([hvmdm, "--replay", trace] + argv, capture_output=True, text=True,
                       timeout=timeout)
    if p.returncode != 0:
        return None, "hvmdm exited %d: %s" % (p.returncode, p.stderr.strip()[-300:])
    return group_answers(p.stdout.splitlines()), None


def group_answers(lines):
    """[(IRQ lines before it, answer)] per command."""
    out, irqs = [], []
    for l in lines:
        if l.startswith("IRQ "):
            irqs.append(l)
        else:
            out.append((" ".join(irqs), l))
            irqs = []
    if irqs:
        out.append((" ".join(irqs), "<no answer>"))
    return out


def run_qemu(qemu, argv, groups, timeout):
    """Feed QEMU and collect one answer per qtest line (IRQ lines kept in place)."""
    lines = [l for g, _ in groups for l in g]
    p = subprocess.Popen([qemu] + QEMU_BASE + argv, stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    answers, buf, need = [], b"", len(lines)
    deadline = time.time() + timeout
    # Write from a thread: a long trace's answers fill the stdout pipe before its
    # commands are all written, and a single blocking write would then never end.
    def feed():
        try:
            p.stdin.write(("\n".join(lines) + "\n").encode())
            p.stdin.flush()
        except (BrokenPipeError, ValueError):
            pass
    writer = threading.Thread(target=feed, daemon=True)
    try:
        writer.start()
        while sum(1 for a in answers if not a.startswith("IRQ ")) < need:
            left = deadline - time.time()
            if left <= 0:
                return None, "QEMU timed out after %d answers" % len(answers)
            r, _, _ = select.select([p.stdout], [], [], left)
            if not r:
                continue
            chunk = os.read(p.stdout.fileno(), 65536)
            if not chunk:
                err = p.stderr.read().decode(errors="replace").strip()
                return None, "QEMU exited: %s" % err[-300:]
            buf += chunk
            *done, buf = buf.split(b"\n")
            answers += [d.decode(errors="replace") for d in done]
    finally:
        p.kill()
        p.wait()
    # fold back: one answer per command of ours, with every IRQ line its QEMU commands caused
    out, it = [], iter(group_answers(answers))
    for group, keep in groups:
        got = [next(it) for _ in group]
        out.append((" ".join(g[0] for g in got if g[0]), got[keep][1]))
    return out, None


def load_known(path):
    known = []
    if not path or not os.path.exists(path):
        return known
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = [p.strip() for p in line.split("|")]
            if len(parts) != 6:
                sys.exit("%s:%d: want 'device | trace-glob | command | hvmdm | qemu | reason'"
                         % (path, n))
            known.append({"where": "%s:%d" % (path, n), "device": parts[0], "trace": parts[1],
                          "cmd": parts[2], "ours": parts[3], "qemu": parts[4],
                          "reason": parts[5], "used": False})
    return known


def keyed(cmds):
    """Commands as the known-differences file names them: 0xcfc accesses carry cf8."""
    cf8, out = None, []
    for c in cmds:
        w = c.split()
        if w[0] == "outl" and len(w) == 3 and int(w[1], 0) == 0xcf8:
            cf8 = int(w[2], 0)
        if w[0] in ("inb", "inw", "inl", "outb", "outw", "outl") and len(w) >= 2 \
                and 0xcfc <= int(w[1], 0) <= 0xcff and cf8 is not None:
            out.append("%s [cf8=0x%08x]" % (c, cf8))
        else:
            out.append(c)
    return out


def show(entry):
    irqs, answer = entry
    return "%s%s" % (irqs + " / " if irqs else "", answer)


def compare(name, cmds, ours, theirs, known, context):
    keys = keyed(cmds)
    for i in range(len(cmds)):
        a = show(ours[i]) if i < len(ours) else "<missing>"
        b = show(theirs[i]) if i < len(theirs) else "<missing>"
        if a == b:
            continue
        match = [k for k in known if fnmatch.fnmatch(name, k["trace"]) and k["cmd"] == keys[i]
                 and k["ours"] == a and k["qemu"] == b]
        if match:
            for k in match:
                k["used"] = True
            continue
        ctx = "\n".join("    %s -> %s | %s" % (keys[j], show(ours[j]), show(theirs[j]))
                        for j in range(max(0, i - context), i))
        return ("line %d: %s\n    hvmdm: %s\n    qemu:  %s\n"
                "  before it (command -> hvmdm | qemu):\n%s" % (i + 1, keys[i], a, b, ctx))
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hvmdm", required=True)
    ap.add_argument("--qemu", default="qemu-system-x86_64")
    ap.add_argument("--known", default=os.path.join(os.path.dirname(__file__),
                                                    "known-differences.txt"))
    ap.add_argument("--context", type=int, default=6)
    ap.add_argument("--timeout", type=int, default=120)
    ap.add_argument("traces", nargs="+")
    args = ap.parse_args()
    known = load_known(args.known)
    qemu = args.qemu if os.path.sep in args.qemu else \
        next((os.path.join(d, args.qemu) for d in os.environ.get("PATH", "").split(":")
              if os.access(os.path.join(d, args.qemu), os.X_OK)), None)
    failed = False
    for trace in args.traces:
        name = os.path.basename(trace).rsplit(".", 1)[0]
        argv, cmds = read_trace(trace)
        if qemu is None:
            print("SKIP %s: %s is not installed (scripts/deps.sh installs it)" % (name, args.qemu))
            continue
        xen = [c for c in cmds if c.split()[0] in XEN_ONLY]
        if xen:
            print("SKIP %s: Xen-only command QEMU has no counterpart for: %s" % (name, xen[0]))
            continue
        ours, err = run_hvmdm(args.hvmdm, trace, argv, args.timeout)
        if err:
            print("FAIL %s: %s" % (name, err))
            failed = True
            continue
        theirs, err = run_qemu(qemu, argv, to_qemu(cmds), args.timeout)
        if err:
            print("FAIL %s: %s" % (name, err))
            failed = True
            continue
        clocked = [i for i, c in enumerate(cmds) if c.split()[0] in ("clock_step", "clock_set")]
        if clocked and theirs[clocked[0]][1].startswith("FAIL Unknown command"):
            print("SKIP %s: QEMU lacks the qtest accelerator module for %s" %
                  (name, cmds[clocked[0]]))
            continue
        why = compare(name, cmds, ours, theirs, known, args.context)
        if why:
            print("FAIL %s: %s" % (name, why))
            failed = True
        else:
            print("PASS %s (%d commands)" % (name, len(cmds)))
    for k in known:
        if not k["used"] and any(fnmatch.fnmatch(os.path.basename(t).rsplit(".", 1)[0],
                                                 k["trace"]) for t in args.traces):
            print("FAIL known-differences: %s (%s) matched nothing: stale?" %
                  (k["where"], k["device"]))
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
