#!/usr/bin/env python3
"""QEMU 7.2's own qtest programs (built by scripts/qemu-qtest-build.sh) run
against hvmdm, one test case per process, so one failure cannot hide the
cases after it (a glib test program stops at its first failed assertion).

QTEST_QEMU_BINARY is a symlink named qemu-system-x86_64 (libqtest takes the
architecture from the name) to hvmdm. A case that cannot pass on hvmdm for a
reason of design is listed, with the reason, in
tests/qemu-qtest/not-applicable.txt; it must still fail (an entry whose case
passes is stale and fails the suite). Every other case must pass.

  qemu_qtest.py [--reference] BINDIR HVMDM [PROGRAM...]
      (default: the programs programs.txt says to run)

Prints "PASS qtest:PROGRAM:PATH", "PASS qtest:PROGRAM:PATH (not applicable:
why)" or "FAIL qtest:PROGRAM:PATH why", then one summary line per program.
With --reference the same cases then run on Debian's QEMU
(tests/qemu-qtest/debian-qemu.sh): its counts are printed, they never fail
the suite.
"""
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
LISTS = os.path.join(HERE, "..", "qemu-qtest")
CASE_TIMEOUT = 60  # a case that hangs fails; libqtest itself waits 50 s per accept


def read_list(name):
    """Lines "PROGRAM [CASE-PATH] [REASON]" of a tests/qemu-qtest list, comments dropped."""
    rows = []
    with open(os.path.join(LISTS, name)) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                rows.append(line.split(None, 2))
    return rows


def run(prog, args, env, timeout):
    """The program in the scratch directory: a case that aborts leaves its files there."""
    try:
        p = subprocess.run([prog] + args, env=env, cwd=env["TMPDIR"], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=timeout)
        return p.returncode, p.stdout.decode(errors="replace")
    except subprocess.TimeoutExpired as e:
        return -1, (e.stdout or b"").decode(errors="replace") + "\n(timeout)"


def why_failed(out):
    """The line that says why: glib's assertion, libqtest's error, hvmdm's refusal."""
    for pat in (r"^(?:\*\*\n)?ERROR:.*$", r"^hvmdm: .*$", r"^qemu-system.*$", r"^Bail out!.*$",
                r"^\(timeout\)$"):
        m = re.findall(pat, out, re.M)
        if m:
            return m[-1][:300]
    return out.strip().splitlines()[-1][:300] if out.strip() else "no output"


def reference(prog, name, cases, env):
    """The cases on Debian's QEMU: counts only (its failures are QEMU's, not ours)."""
    if not os.access("/usr/bin/qemu-system-x86_64", os.X_OK):
        print("qtest %s on Debian's QEMU: not run (no /usr/bin/qemu-system-x86_64)" % name)
        return
    npass, failed = 0, []
    for case in cases:
        _, out = run(prog, ["--tap", "-p", case], env, CASE_TIMEOUT)
        if re.search(r"^ok \d+ %s$" % re.escape(case), out, re.M):
            npass += 1
        else:
            failed.append(case.rsplit("/", 1)[-1])
    print("qtest %s on Debian's QEMU (reference): %d passed, %d failed%s" % (
        name, npass, len(failed), (": " + " ".join(failed)) if failed else ""))


def main():
    args = sys.argv[1:]
    with_reference = args[:1] == ["--reference"]
    if with_reference:
        args = args[1:]
    bindir, hvmdm = args[0], os.path.abspath(args[1])
    programs = read_list("programs.txt")
    for r in programs:
        if r[1:2] != ["run"]:
            print("qtest %s: not run: %s" % (r[0], " ".join(r[1:])))
    wanted = args[2:] or [r[0] for r in programs if r[1:2] == ["run"]]
    na = {(r[0], r[1]): (r[2] if len(r) > 2 else "") for r in read_list("not-applicable.txt")}
    for (prog, path), why in na.items():
        if not why:
            print("FAIL qtest:%s:%s not-applicable.txt gives no reason" % (prog, path))
    tmp = tempfile.mkdtemp(prefix="hvmdm-qtest-")
    wrapper = os.path.join(tmp, "qemu-system-x86_64")
    os.symlink(hvmdm, wrapper)
    os.mkdir(os.path.join(tmp, "debian"))
    debian = os.path.join(tmp, "debian", "qemu-system-x86_64")
    os.symlink(os.path.join(LISTS, "debian-qemu.sh"), debian)
    env = dict(os.environ, QTEST_QEMU_BINARY=wrapper, TMPDIR=tmp)
    env.pop("QTEST_LOG", None)
    seen = set()
    for name in wanted:
        prog = os.path.join(bindir, name)
        rc, out = run(prog, ["-l"], env, CASE_TIMEOUT)
        cases = [l for l in out.splitlines() if l.startswith("/")]
        if rc != 0 or not cases:
            print("FAIL qtest:%s:list exit %d: %s" % (name, rc, why_failed(out)))
            continue
        npass = nna = nfail = 0
        for case in cases:
            seen.add((name, case))
            # -p runs the case and those under it; its own TAP line is the answer.
            rc, out = run(prog, ["--tap", "-p", case], env, CASE_TIMEOUT)
            ok = re.search(r"^ok \d+ %s(?: |$)" % re.escape(case), out, re.M) is not None
            skipped = re.search(r"^ok \d+ %s # SKIP" % re.escape(case), out, re.M) is not None
            if (name, case) in na:
                if ok and not skipped:
                    nfail += 1
                    print("FAIL qtest:%s:%s passes but is listed as not applicable" % (name, case))
                else:
                    nna += 1
                    print("PASS qtest:%s:%s (not applicable: %s)" % (name, case, na[(name, case)]))
            elif ok and not skipped:
                npass += 1
                print("PASS qtest:%s:%s" % (name, case))
            else:
                nfail += 1
                print("FAIL qtest:%s:%s %s" % (name, case, "skipped by the program" if skipped
                                                 else why_failed(out)))
        print("qtest %s: %d passed, %d not applicable, %d failed" % (name, npass, nna, nfail))
        if with_reference:
            reference(prog, name, cases, dict(env, QTEST_QEMU_BINARY=debian))
    for key in sorted(set(na) - seen):
        if key[0] in wanted:
            print("FAIL qtest:%s:%s not-applicable.txt names a case the program does not have"
                  % key)
    subprocess.run(["rm", "-rf", tmp])


if __name__ == "__main__":
    main()
