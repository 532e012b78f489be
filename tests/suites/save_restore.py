#!/usr/bin/env python3
"""Save/restore of the standalone platform, checked against uninterrupted runs.

For each trace: run it once through -qtest stdio (the reference answers and
IRQ reports); then, for a few cut points k (the last one saved through
add-fd and /dev/fdset/N, as libxl does), run commands [0, k) in a process
with a QMP monitor beside the qtest one, `stop` + `xen-save-devices-state`,
end it, start a fresh process with the same options plus -incoming fd:N of
the saved file, run commands [k, n) and compare every line with the
reference. Then damage one saved stream (truncations, single-byte flips,
sampled deterministically) and check each is refused with exit 1 and a
message, never a signal (a crash, an ASan report) and never accepted.
"""
import json
import os
import random
import select
import shlex
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "toolstack"))
from qmp import QMP  # noqa: E402  (libxl's way of talking QMP)

HVMDM = sys.argv[1]
TRACES = ["cmos", "i8042", "serial", "rtl8139-cmode", "rtl8139-cplus", "e1000-unplug",
          "pci-xenfv"]
CUTS = 3
failures = 0


def check(name, ok, why=""):
    global failures
    if not ok:
        failures += 1
    print("PASS %s" % name if ok else "FAIL %s %s" % (name, why))


def trace_of(name):
    argv, cmds = [], []
    with open("tests/traces/%s.trace" % name) as f:
        for line in f:
            line = line.strip()
            if line.startswith("# argv:"):
                argv = shlex.split(line[len("# argv:"):])
            elif line and not line.startswith("#"):
                cmds.append(line)
    return argv, cmds


class Guest:
    """A qtest process: one command in, its IRQ reports and its answer out."""

    def __init__(self, argv, pass_fds=()):
        self.p = subprocess.Popen([HVMDM] + argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, pass_fds=pass_fds)
        self.buf = b""

    def line(self):
        deadline = time.monotonic() + 20
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.p.stdout], [], [], left)[0]:
                raise RuntimeError("no answer")
            data = os.read(self.p.stdout.fileno(), 65536)
            if not data:
                raise RuntimeError("EOF (exit %s)" % self.p.poll())
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode()

    def cmd(self, c):
        try:
            self.p.stdin.write((c + "\n").encode())
            self.p.stdin.flush()
        except OSError as e:
            raise RuntimeError("cannot send: %s (exit %s)" % (e, self.p.poll()))
        out = []
        while True:
            a = self.line()
            out.append(a)
            if not a.startswith("IRQ"):
                return out

    def end(self):
        try:
            self.p.stdin.close()
        except OSError:
            pass
        try:
            self.p.wait(20)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        err = self.p.stderr.read().decode(errors="replace")
        self.p.stderr.close()
        self.p.stdout.close()
        return self.p.returncode, err


def qtest_argv(argv):
    return argv + ["-accel", "qtest", "-qtest", "stdio"]


def save_at(argv, cmds, k, tmp, path, fdset=False):
    """Run cmds[:k] with a QMP monitor, save to path; the answers so far."""
    sock = os.path.join(tmp, "qmp")
    if os.path.exists(sock):
        os.unlink(sock)
    g = Guest(qtest_argv(argv) + ["-chardev", "socket,id=mon,path=%s,server=on,wait=off" % sock,
                                  "-mon", "chardev=mon,mode=control"])
    out = [g.cmd(c) for c in cmds[:k]] if k else [g.cmd("clock_step 0")]
    q = QMP(sock)
    q.negotiate()
    r1 = q.cmd_full("stop")
    if fdset:
        # libxl's way: the file opened by the toolstack, passed with add-fd.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        a = q.cmd("add-fd", fd=fd)
        os.close(fd)
        r2 = q.cmd_full("xen-save-devices-state",
                        {"filename": "/dev/fdset/%d" % a["fdset-id"], "live": False})
    else:
        r2 = q.cmd_full("xen-save-devices-state", {"filename": path})
    q.close()
    g.end()
    return out if k else [], r1, r2


def restore(argv, path):
    fd = os.open(path, os.O_RDONLY)
    try:
        return Guest(qtest_argv(argv) + ["-incoming", "fd:%d" % fd], pass_fds=[fd])
    finally:
        os.close(fd)


def run_trace(name, tmp):
    argv, cmds = trace_of(name)
    g = Guest(qtest_argv(argv))
    ref = [g.cmd(c) for c in cmds]
    g.end()
    n = len(cmds)
    cuts = sorted({1, n // 2, n - 1} if n > 2 else {1})[:CUTS]
    path = os.path.join(tmp, "state")
    for k in cuts:
        try:
            before, r1, r2 = save_at(argv, cmds, k, tmp, path, fdset=k == cuts[-1])
            check("save:%s@%d" % (name, k), r1.get("return") == {} and r2.get("return") == {} and
                  before == ref[:k], "%r %r" % (r1, r2))
            h = restore(argv, path)
            after = []
            for c in cmds[k:]:
                after.append(h.cmd(c))
            rc, err = h.end()
            bad = next((i for i in range(n - k) if after[i] != ref[k + i]), None)
            check("restore:%s@%d" % (name, k), bad is None and rc == 0,
                  "rc %s; at command %s %r: %r, uninterrupted %r %s" %
                  (rc, None if bad is None else k + bad,
                   None if bad is None else cmds[k + bad],
                   None if bad is None else after[bad], None if bad is None else ref[k + bad],
                   err[-300:]))
        except RuntimeError as e:
            check("restore:%s@%d" % (name, k), False, str(e))
    return argv, path


def refused(argv, path):
    h = restore(argv, path)
    try:
        h.cmd("clock_step 0")
        answered = True
    except RuntimeError:
        answered = False
    rc, err = h.end()
    return answered, rc, err


def corruption(argv, path, tmp):
    """Truncations and byte flips of the saved stream: exit 1 and a message, or a valid load."""
    data = open(path, "rb").read()
    rng = random.Random(16)
    # Bounded samples (RAM travels as its non-zero pages only, so streams are small).
    every = list(range(len(data)))
    cuts = sorted(set(rng.sample(every, min(40, len(every))) + [len(data) - 1]))
    flips = sorted(rng.sample(every, min(40, len(every))))
    bad = os.path.join(tmp, "bad")
    crashes, accepted_trunc = [], []
    for c in cuts:
        with open(bad, "wb") as f:
            f.write(data[:c])
        answered, rc, err = refused(argv, bad)
        if rc < 0 or "Sanitizer" in err or "runtime error" in err:
            crashes.append(("cut", c, rc))
        elif answered or rc != 1 or "refused" not in err:
            accepted_trunc.append((c, rc))
    check("truncated-refused", not accepted_trunc and not crashes,
          "%r %r" % (accepted_trunc[:5], crashes[:5]))
    # A field's name damaged: the message names the device and the field.
    with open(bad, "wb") as f:
        f.write(data.replace(b"\x09intercept", b"\x09intercepu", 1))
    answered, rc, err = refused(argv, bad)
    check("damaged-names-field", rc == 1 and
          "sim-platform: bad section (version 1), at field 'intercept'" in err, err[-300:])
    odd = []
    for at in flips:
        b = bytearray(data)
        b[at] ^= 1 << rng.randrange(8)
        with open(bad, "wb") as f:
            f.write(b)
        answered, rc, err = refused(argv, bad)
        if rc < 0 or "Sanitizer" in err or "runtime error" in err:
            crashes.append(("flip", at, rc))
        elif not answered and (rc != 1 or "refused" not in err):
            odd.append((at, rc, err[-200:]))
    check("flipped-refused-or-valid", not crashes and not odd, "%r %r" % (crashes[:5], odd[:3]))


def main():
    with tempfile.TemporaryDirectory() as tmp:
        for name in TRACES:
            argv, path = run_trace(name, tmp)
        corruption(argv, path, tmp)
        # A stream of another machine (-m) is refused, naming the field.
        argv, _ = trace_of("serial")
        save_at(argv, [], 0, tmp, path)
        other = [a if a != "128" else "64" for a in argv]
        answered, rc, err = refused(other, path)
        check("other-machine-refused", not answered and rc == 1 and "ram_size" in err,
              "rc %s %r" % (rc, err[-300:]))
        # QEMU's error for a path it cannot open.
        sock = os.path.join(tmp, "qmp")
        if os.path.exists(sock):
            os.unlink(sock)
        g = Guest(qtest_argv(argv) + ["-chardev",
                                      "socket,id=mon,path=%s,server=on,wait=off" % sock,
                                      "-mon", "chardev=mon,mode=control"])
        g.cmd("clock_step 0")
        q = QMP(sock)
        q.negotiate()
        r = q.cmd_full("xen-save-devices-state", {"filename": "/nonexistent/dir/state"})
        check("save-unopenable-path", r.get("error", {}).get("desc") ==
              "Unable to open /nonexistent/dir/state: No such file or directory", repr(r))
        q.close()
        g.end()
    return 0


if __name__ == "__main__":
    sys.exit(main())
