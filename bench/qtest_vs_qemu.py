#!/usr/bin/env python3
"""hvmdm against QEMU on the same qtest input. Prints figures; never fails.

  qtest_vs_qemu.py HVMDM [--accesses N] [--runs N] [--qemu PATH]

(a) throughput: one mixed trace of N accesses (default 1,000,000): port I/O
    to CMOS, the PS/2 controller, the COM1 scratch register and PCI config
    cycles through 0xcf8/0xcfc; MMIO reads and writes in the PCI hole
    (unassigned on both: the MMIO look-up path, no device behind it);
    guest-RAM readq/writeq/read/write. Fed through a pipe to
      hvmdm -machine pc -accel qtest -qtest stdio ...
      qemu-system-x86_64 -machine pc -accel tcg -S -qtest stdio ...
    (Debian's QEMU has no qtest accelerator; TCG stopped with -S answers
    the same protocol). Commands per second side by side, and how many
    answers differ (for information: QEMU's RTC keeps the century in CMOS
    0x32/0x37, hvmdm's CMOS leaves it to Xen's RTC).
(b) start-up: time from exec to the first answer ("endianness"), and the
    resident set size at that moment, median of --runs runs, with the same
    machine options.
"""
import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

MACHINE = ["-machine", "pc", "-m", "128", "-nodefaults", "-serial", "null",
           "-display", "none"]


def hvmdm_argv(hvmdm):
    return [hvmdm] + MACHINE + ["-accel", "qtest", "-qtest", "stdio"]


def qemu_argv(qemu):
    argv = [qemu] + [a if a != "128" else "128M" for a in MACHINE]
    return argv + ["-accel", "tcg", "-S", "-qtest", "stdio", "-qtest-log", "none"]


def make_trace(path, n, seed=1):
    """N accesses: 45% port I/O, 15% MMIO, 40% guest RAM."""
    rnd = random.Random(seed)
    pio = [
        lambda: "outb 0x70 0x%02x\n" % rnd.randrange(0x0e, 0x80),
        lambda: "inb 0x71\n",
        lambda: "inb 0x64\n",
        lambda: "outb 0x3ff 0x%02x\n" % rnd.randrange(256),
        lambda: "inb 0x3ff\n",
        lambda: "outl 0xcf8 0x%08x\n" % (0x80000000 | rnd.choice([0, 0x800]) | rnd.randrange(0, 0x40, 4)),
        lambda: "inl 0xcfc\n",
    ]
    mmio = [
        lambda: "readl 0x%x\n" % (0xfebf0000 + 4 * rnd.randrange(1024)),
        lambda: "writel 0x%x 0x%x\n" % (0xfebf0000 + 4 * rnd.randrange(1024), rnd.randrange(1 << 32)),
    ]
    ram = [
        lambda: "readq 0x%x\n" % (8 * rnd.randrange(0x100000, 0x200000)),
        lambda: "writeq 0x%x 0x%x\n" % (8 * rnd.randrange(0x100000, 0x200000), rnd.randrange(1 << 64)),
        lambda: "read 0x%x 64\n" % (64 * rnd.randrange(0x40000, 0x80000)),
        lambda: "write 0x%x 16 0x%032x\n" % (16 * rnd.randrange(0x80000, 0x100000), rnd.randrange(1 << 128)),
    ]
    with open(path, "w") as f:
        for _ in range(n):
            r = rnd.random()
            group = pio if r < 0.45 else mmio if r < 0.60 else ram
            f.write(rnd.choice(group)())


def run_trace(argv, trace, out, answers, timeout=900):
    """Feed the trace through a pipe and time until the last answer arrives.

    QEMU's qtest does not exit at the end of its input, so the run ends
    when every command has been answered; the process is then terminated.
    """
    t0 = time.perf_counter()
    cat = subprocess.Popen(["cat", trace], stdout=subprocess.PIPE)
    p = subprocess.Popen(argv, stdin=cat.stdout, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL)
    cat.stdout.close()
    chunks, seen = [], 0
    deadline = t0 + timeout
    while seen < answers and time.perf_counter() < deadline:
        d = os.read(p.stdout.fileno(), 1 << 20)
        if not d:
            break
        chunks.append(d)
        seen += d.count(b"\n")
    t1 = time.perf_counter()
    p.terminate()
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    cat.wait()
    with open(out, "wb") as o:
        o.write(b"".join(chunks))
    return t1 - t0, seen


def differing(a, b):
    n = 0
    with open(a, "rb") as fa, open(b, "rb") as fb:
        for la, lb in zip(fa, fb):
            n += la != lb
    return n


def startup(argv):
    """Seconds from exec to the first answer, and VmRSS (KiB) then."""
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL)
    p.stdin.write(b"endianness\n")
    p.stdin.flush()
    line = p.stdout.readline()
    t1 = time.perf_counter()
    rss = 0
    try:
        with open("/proc/%d/status" % p.pid) as f:
            for l in f:
                if l.startswith("VmRSS:"):
                    rss = int(l.split()[1])
    except OSError:
        pass
    p.stdin.close()
    p.terminate()
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    return (t1 - t0, rss) if line.startswith(b"OK") else (None, rss)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("hvmdm")
    ap.add_argument("--accesses", type=int, default=1000000)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--qemu", default=shutil.which("qemu-system-x86_64"))
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="hvmdm-bench-")
    trace = os.path.join(tmp, "mixed.trace")
    make_trace(trace, args.accesses)
    print("== qtest throughput: %d mixed accesses (45%% PIO, 15%% MMIO, 40%% RAM) through a pipe"
          % args.accesses)
    print("   machine: %s" % " ".join(MACHINE))
    results = {}
    for name, argv in (("hvmdm", hvmdm_argv(args.hvmdm)),
                       ("qemu", qemu_argv(args.qemu) if args.qemu else None)):
        if argv is None:
            print("   %-6s not installed" % name)
            continue
        out = os.path.join(tmp, name + ".out")
        secs, lines = run_trace(argv, trace, out, args.accesses)
        results[name] = (secs, out, lines)
        print("   %-6s %8.3f s  %10.0f commands/s  (%d of %d answered)"
              % (name, secs, lines / secs, lines, args.accesses))
    if "hvmdm" in results and "qemu" in results:
        h, q = results["hvmdm"], results["qemu"]
        print("   hvmdm/qemu throughput ratio: %.2fx" % (q[0] / h[0]))
        print("   answers that differ: %d of %d" % (differing(h[1], q[1]), min(h[2], q[2])))

    print("== start-up: exec to first qtest answer, RSS then (median of %d)" % args.runs)
    for name, argv in (("hvmdm", hvmdm_argv(args.hvmdm)),
                       ("qemu", qemu_argv(args.qemu) if args.qemu else None)):
        if argv is None:
            continue
        times, rsss = [], []
        for _ in range(args.runs):
            t, rss = startup(argv)
            if t is not None:
                times.append(t)
                rsss.append(rss)
        if times:
            print("   %-6s %8.1f ms to ready   RSS %8.1f MiB"
                  % (name, 1000 * statistics.median(times), statistics.median(rsss) / 1024))
        else:
            print("   %-6s did not answer" % name)
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
