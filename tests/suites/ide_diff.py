#!/usr/bin/env python3
"""IDE differential test: hvmdm against Debian's QEMU, in lockstep over qtest.

Each template under tests/traces/ide/ is a qtest script with a "# ide-argv:"
line (not "# argv:": traces.sh must not replay templates) whose @DISK@, @CD@
and @TMP@ stand for images this script makes (a
pattern disk whose every sector names itself, a pattern CD image). Both
device models run it interactively, one command at a time, and every answer
is compared. Disk I/O completes asynchronously in QEMU (and may in hvmdm),
so two pseudo-commands make the transcript deterministic:

  wait PORT          poll "inb PORT" until BSY (bit 7) is clear; the answer
                     is the settled status (the number of polls is not part
                     of it)
  dmawait PORT       the same until BSY and DRQ are clear (a DMA command keeps
                     DRQ set while it runs)
  data PORT N [w|l]  N data-register reads (inw, or inl), answered as one
                     hex string of the bytes read
  packet PORT B0..B11  an ATAPI command packet: six outw to the data port

With --replay, each template is instead expanded into a plain trace (wait ->
one inb, data -> inw/inl lines, packet -> outw lines: hvmdm completes disk
I/O synchronously in replay) and the transcript of `hvmdm --replay` is
compared with the template's .expected file (--update writes it): the same
checks as a regression trace that needs no QEMU.

Known, intended differences come from tests/diff/known-differences.txt
(device | trace glob | command | hvmdm answer | qemu answer | reason), the
same file the generic runner reads. Prints "PASS name" / "FAIL name: why".
"""
import argparse
import fnmatch
import os
import select
import struct
import subprocess
import sys
import tempfile
import time

QEMU_BASE = ["-accel", "tcg", "-S", "-qtest", "stdio", "-qtest-log", "/dev/null",
             "-display", "none"]
HVMDM_BASE = ["-accel", "qtest", "-qtest", "stdio", "-display", "none"]
DISK_SECTORS = 16384  # 8 MiB
CD_SECTORS = 2048     # 1024 CD sectors: 2 MiB (4 MiB in 512-byte units, 8 MiB max)


def pattern_sector(n):
    """Sector n of the pattern disk: its number, then bytes that depend on it."""
    head = struct.pack("<QQ", n, n ^ 0xa5a5a5a5a5a5a5a5)
    body = bytes(((n * 7 + i) & 0xff) for i in range(16, 512))
    return head + body


def make_images(tmp):
    disk = os.path.join(tmp, "disk.img")
    cd = os.path.join(tmp, "cd.iso")
    with open(disk, "wb") as f:
        for n in range(DISK_SECTORS):
            f.write(pattern_sector(n))
    with open(cd, "wb") as f:
        for n in range(CD_SECTORS):
            f.write(pattern_sector(0x100000 + n))
    return {"@DISK@": disk, "@CD@": cd, "@TMP@": tmp}


class Proc:
    def __init__(self, argv):
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        self.buf = b""

    def cmd(self, line, timeout=30):
        self.p.stdin.write((line + "\n").encode())
        self.p.stdin.flush()
        deadline = time.time() + timeout
        while True:
            while b"\n" in self.buf:
                one, self.buf = self.buf.split(b"\n", 1)
                s = one.decode(errors="replace")
                if s.startswith("IRQ ") or s.startswith("["):
                    continue
                return s
            left = deadline - time.time()
            if left <= 0:
                raise RuntimeError("timed out on '%s'" % line)
            r, _, _ = select.select([self.p.stdout], [], [], left)
            if r:
                chunk = os.read(self.p.stdout.fileno(), 65536)
                if not chunk:
                    err = self.p.stderr.read().decode(errors="replace")
                    raise RuntimeError("exited on '%s': %s" % (line, err[-300:]))
                self.buf += chunk

    def close(self):
        self.p.kill()
        self.p.wait()


def run_line(proc, line):
    w = line.split()
    if w[0] in ("wait", "dmawait"):
        mask = 0x80 if w[0] == "wait" else 0x88
        for _ in range(100000):
            a = proc.cmd("inb %s" % w[1])
            if not a.startswith("OK ") or not int(a.split()[1], 16) & mask:
                return a
        return "FAIL still busy"
    if w[0] == "data":
        size = "l" if len(w) > 3 and w[3] == "l" else "w"
        nbytes = 4 if size == "l" else 2
        out = b""
        for _ in range(int(w[2], 0)):
            a = proc.cmd("in%s %s" % (size, w[1]))
            out += int(a.split()[1], 16).to_bytes(nbytes, "little")
        return "DATA " + out.hex()
    if w[0] == "packet":
        b = [int(x, 16) for x in w[2:14]]
        for i in range(0, 12, 2):
            a = proc.cmd("outw %s 0x%04x" % (w[1], b[i] | b[i + 1] << 8))
        return a
    return proc.cmd(line)


def expand(cmds):
    out = []
    for c in cmds:
        w = c.split()
        if w[0] in ("wait", "dmawait"):
            out.append("inb %s" % w[1])
        elif w[0] == "data":
            size = "l" if len(w) > 3 and w[3] == "l" else "w"
            out += ["in%s %s" % (size, w[1])] * int(w[2], 0)
        elif w[0] == "packet":
            b = [int(x, 16) for x in w[2:14]]
            out += ["outw %s 0x%04x" % (w[1], b[i] | b[i + 1] << 8) for i in range(0, 12, 2)]
        else:
            out.append(c)
    return out


def run_replay(path, subst, hvmdm, update):
    name = os.path.basename(path).rsplit(".", 1)[0]
    argv, cmds = [], []
    for line in open(path):
        line = line.rstrip("\n")
        if line.startswith("# ide-argv:"):
            argv = line[len("# ide-argv:"):].split()
        elif line.strip() and not line.startswith("#"):
            cmds.append(line.strip())
    for k, v in subst.items():
        argv = [a.replace(k, v) for a in argv]
    trace = os.path.join(subst["@TMP@"], name + ".trace")
    with open(trace, "w") as f:
        f.write("\n".join(expand(cmds)) + "\n")
    p = subprocess.run([hvmdm, "--replay", trace] + argv, capture_output=True, timeout=300)
    got = p.stdout.decode(errors="replace")
    expected = path.rsplit(".", 1)[0] + ".expected"
    if update:
        open(expected, "w").write(got)
    if p.returncode != 0:
        return "FAIL replay-%s: exit %d %s" % (name, p.returncode, p.stderr.decode()[-200:])
    if not os.path.exists(expected):
        return "FAIL replay-%s: no %s" % (name, expected)
    want = open(expected).read()
    if got != want:
        gl, wl = got.split("\n"), want.split("\n")
        i = next((i for i in range(min(len(gl), len(wl))) if gl[i] != wl[i]), min(len(gl), len(wl)))
        return "FAIL replay-%s: answer %d is '%s', expected '%s'" % (
            name, i + 1, gl[i] if i < len(gl) else "<none>", wl[i] if i < len(wl) else "<none>")
    return "PASS replay-%s (%d answers)" % (name, len(want.split("\n")) - 1)


def load_known(path):
    known = []
    if not os.path.exists(path):
        return known
    for line in open(path):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) == 6:
            known.append(parts)
    return known


def run_template(path, subst, hvmdm, qemu, known):
    name = os.path.basename(path).rsplit(".", 1)[0]
    argv, cmds = [], []
    for line in open(path):
        line = line.rstrip("\n")
        if line.startswith("# ide-argv:"):
            argv = line[len("# ide-argv:"):].split()
        elif line.strip() and not line.startswith("#"):
            cmds.append(line.strip())
    def argv_for(sub):
        out = argv
        for k, v in sub.items():
            out = [a.replace(k, v) for a in out]
        return out

    ours = Proc([hvmdm] + HVMDM_BASE + argv_for(subst[0]))
    theirs = Proc([qemu] + QEMU_BASE + argv_for(subst[1]))
    try:
        for i, c in enumerate(cmds):
            a, b = run_line(ours, c), run_line(theirs, c)
            if a == b:
                continue
            if any(fnmatch.fnmatch(name, k[1]) and k[2] == c and k[3] == a and k[4] == b
                   for k in known):
                continue
            return "FAIL %s: line %d '%s'\n    hvmdm: %s\n    qemu:  %s" % (name, i + 1, c, a, b)
    except RuntimeError as e:
        return "FAIL %s: %s" % (name, e)
    finally:
        ours.close()
        theirs.close()
    return "PASS %s (%d commands)" % (name, len(cmds))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hvmdm", required=True)
    ap.add_argument("--qemu", default="qemu-system-x86_64")
    ap.add_argument("--known", default=os.path.join(os.path.dirname(__file__), "..", "diff",
                                                    "known-differences.txt"))
    ap.add_argument("--replay", action="store_true")
    ap.add_argument("--update", action="store_true")
    ap.add_argument("templates", nargs="+")
    args = ap.parse_args()
    if args.replay:
        failed = False
        with tempfile.TemporaryDirectory() as tmp:
            for n, t in enumerate(args.templates):
                d = os.path.join(tmp, str(n))
                os.mkdir(d)
                r = run_replay(t, make_images(d), args.hvmdm, args.update)
                print(r)
                failed |= r.startswith("FAIL")
        return 1 if failed else 0
    qemu = args.qemu
    if os.path.sep not in qemu:
        qemu = next((os.path.join(d, qemu) for d in os.environ.get("PATH", "").split(":")
                     if os.access(os.path.join(d, qemu), os.X_OK)), None)
    if not qemu:
        print("skip ide-diff: %s is not installed" % args.qemu)
        return 0
    known = load_known(args.known)
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        for n, t in enumerate(args.templates):
            # fresh images for each run, one set per device model (they write to them)
            subst = []
            for side in ("hvmdm", "qemu"):
                d = os.path.join(tmp, "%d-%s" % (n, side))
                os.mkdir(d)
                subst.append(make_images(d))
            r = run_template(t, subst, args.hvmdm, qemu, known)
            print(r)
            failed |= r.startswith("FAIL")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
