#!/usr/bin/env python3
"""Reduce a failing trace to a short one that still fails (delta debugging).

    scripts/minimize-trace.py TRACE [-o OUT] [oracle]

The failure to keep is decided by one oracle:
  (default) a fuzz reproducer (its header names the config): the trace is run
            by `fuzz-CONFIG --check-trace` (build-fuzz/, or --fuzz BIN), which
            applies every harness invariant under ASan+UBSan; it fails when that
            exits non-zero with the same sanitizer SUMMARY / invariant message
            as the original.
  --hvmdm BIN   `BIN --replay TRACE <# argv:>` crashes, hangs (--timeout), or
                prints a sanitizer report (use an ASan build: build-san/hvmdm).
  --diff BIN    tests/diff/qemu-diff.py --hvmdm BIN reports a divergence (FAIL).
  --cmd 'CMD'   CMD with {} replaced by the candidate trace exits non-zero.
--match REGEX additionally requires REGEX in the output of the failing run.
A finding listed in tests/fuzz/known-findings.txt passes the harness: run with
FUZZ_KNOWN=/dev/null to minimize one.

Lines starting with '#' at the top (argv, images, provenance) are kept; the
commands are reduced by ddmin (chunks, then single lines) and the result is
written to OUT (default: TRACE with .min.trace). @DISK@ and @CD@ in the argv
become zero-filled images of 2 MiB and 1 MiB, as the fuzz harness makes them.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAN_RE = re.compile(r"^SUMMARY: \w+Sanitizer: .*$|invariant failed: .*$|runtime error: .*$",
                    re.M)


def read_trace(path):
    header, cmds = [], []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#") and not cmds:
                header.append(line)
            elif line.strip() and not line.lstrip().startswith("#"):
                cmds.append(line)
    return header, cmds


def header_value(header, key):
    for h in header:
        if h.startswith("# %s:" % key):
            return h.split(":", 1)[1].strip()
    return None


def fuzz_config(header):
    for h in header:
        m = re.match(r"# hvmdm fuzz reproducer, config (\S+):", h)
        if m:
            return m.group(1)
    return None


def signature(text):
    """The stable part of a failure report: the sanitizer summary or invariant text."""
    m = SAN_RE.search(text)
    if not m:
        return None
    s = m.group(0)
    s = re.sub(r"0x[0-9a-f]+", "0x?", s)
    return re.sub(r"\b\d+\b", "N", s)


class Oracle:
    def __init__(self, args, header, tmpdir):
        self.args = args
        self.header = header
        self.tmp = tmpdir
        self.runs = 0
        self.want = None
        disk = os.path.join(tmpdir, "disk.img")
        cd = os.path.join(tmpdir, "cd.iso")
        for path, size in ((disk, 2 << 20), (cd, 1 << 20)):
            with open(path, "wb") as f:
                f.truncate(size)
        argv = header_value(header, "argv") or header_value(header, "fuzz-argv") or ""
        self.argv = argv.replace("@DISK@", disk).replace("@CD@", cd).split()
        self.config = fuzz_config(header) or args.config

    def command(self, path):
        a = self.args
        if a.cmd:
            return a.cmd.replace("{}", path), None, True
        if a.diff:
            return [sys.executable, os.path.join(ROOT, "tests/diff/qemu-diff.py"),
                    "--hvmdm", a.diff, path], None, False
        if a.hvmdm:
            return [a.hvmdm, "--replay", path] + self.argv, None, False
        env = dict(os.environ, FUZZ_CONFIG=self.config or "chipset")
        return [a.fuzz, "--check-trace", path], env, False

    def run(self, cmds):
        self.runs += 1
        path = os.path.join(self.tmp, "candidate.trace")
        with open(path, "w") as f:
            f.write("\n".join(self.header + cmds) + "\n")
        argv, env, shell = self.command(path)
        try:
            p = subprocess.run(argv, env=env, shell=shell, cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=self.args.timeout)
            out, rc = p.stdout.decode(errors="replace"), p.returncode
        except subprocess.TimeoutExpired:
            return self.judge("timeout", True, "timeout")
        if self.args.diff:
            failed = bool(re.search(r"^FAIL (?!known-differences)", out, re.M))
        elif self.args.hvmdm:
            failed = rc != 0 or bool(SAN_RE.search(out))
        else:
            failed = rc != 0
        return self.judge(out, failed, signature(out) if not self.args.diff else None)

    def judge(self, out, failed, sig):
        if not failed:
            return False
        if self.args.match and not re.search(self.args.match, out, re.M):
            return False
        if self.want is None:
            self.want = sig
            return True
        return sig == self.want


def ddmin(cmds, fails, log):
    n = 2
    while len(cmds) >= 2:
        chunk = (len(cmds) + n - 1) // n
        reduced = False
        for i in range(0, len(cmds), chunk):
            rest = cmds[:i] + cmds[i + chunk:]
            if rest and fails(rest):
                cmds = rest
                n = max(n - 1, 2)
                reduced = True
                log(len(cmds))
                break
        if not reduced:
            if chunk == 1:
                break
            n = min(2 * n, len(cmds))
    # A last pass of single lines (ddmin can leave some behind after a late cut).
    i = 0
    while i < len(cmds) and len(cmds) > 1:
        rest = cmds[:i] + cmds[i + 1:]
        if fails(rest):
            cmds = rest
            log(len(cmds))
        else:
            i += 1
    return cmds


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("trace")
    ap.add_argument("-o", "--output")
    ap.add_argument("--fuzz", default=os.path.join(ROOT, "build-fuzz/tests/fuzz/fuzz-generic"))
    ap.add_argument("--config", help="fuzz config when the header does not name one")
    ap.add_argument("--hvmdm")
    ap.add_argument("--diff", metavar="HVMDM")
    ap.add_argument("--cmd")
    ap.add_argument("--match")
    ap.add_argument("--timeout", type=int, default=60)
    args = ap.parse_args()
    header, cmds = read_trace(args.trace)
    out = args.output or re.sub(r"(\.trace)?$", ".min.trace", args.trace, count=1)
    with tempfile.TemporaryDirectory(prefix="minimize-") as tmp:
        oracle = Oracle(args, header, tmp)
        if not oracle.run(cmds):
            sys.exit("minimize: %s does not fail with this oracle; nothing to keep" % args.trace)
        print("minimize: %d commands fail (%s)" % (len(cmds), oracle.want or "exit status"),
              file=sys.stderr)
        cmds = ddmin(cmds, oracle.run,
                     lambda n: print("minimize: %d commands" % n, file=sys.stderr))
        with open(out, "w") as f:
            f.write("\n".join(header + cmds) + "\n")
        print("minimize: %s: %d commands after %d runs" % (out, len(cmds), oracle.runs),
              file=sys.stderr)


if __name__ == "__main__":
    main()
