#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""libxl-probe.py DM: run DM the way libxl (Xen 4.20 and later) probes a
qemu-xen device model before the real spawn (libxl_dm.c; xen-interface.md
section 1.1 step 2), and check every step. libxl binds and listens on the
QMP socket itself and passes it as an inherited fd:

    DM -S -no-user-config -nodefaults -nographic -machine none,accel=xen
       -chardev socket,id=libxl-cmd,fd=N,server=on,wait=off
       -mon chardev=libxl-cmd,mode=control

then connects, reads the greeting, sends qmp_capabilities,
query-command-line-options and quit (each with an id), and expects the
device model to exit. Prints "PASS probe:STEP" / "FAIL probe:STEP why"."""
import json
import os
import socket
import subprocess
import sys
import tempfile

TIMEOUT = 20


def main():
    dm = sys.argv[1]
    d = tempfile.mkdtemp(prefix="probe-")
    path = os.path.join(d, "qmp-libxl-probe")
    ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    ls.bind(path)
    ls.listen(1)
    fd = ls.fileno()
    argv = [dm, "-S", "-no-user-config", "-nodefaults", "-nographic",
            "-machine", "none,accel=xen",
            "-chardev", "socket,id=libxl-cmd,fd=%d,server=on,wait=off" % fd,
            "-mon", "chardev=libxl-cmd,mode=control"]
    p = subprocess.Popen(argv, pass_fds=(fd,), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    ok = True

    def check(step, cond, why=""):
        nonlocal ok
        print("%s probe:%s%s" % ("PASS" if cond else "FAIL", step, "" if cond else " " + why))
        ok = ok and cond
        return cond

    try:
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        c.settimeout(TIMEOUT)
        c.connect(path)
        f = c.makefile("rwb")
        greet = json.loads(f.readline())
        ver = greet.get("QMP", {}).get("version", {}).get("qemu", {})
        check("greeting", {"major", "minor", "micro"} <= set(ver), "greeting %r" % greet)
        replies = {}
        for i, cmd in enumerate(("qmp_capabilities", "query-command-line-options", "quit"), 1):
            f.write((json.dumps({"execute": cmd, "id": i}) + "\r\n").encode())
            f.flush()
            line = f.readline()
            check("%s-crlf" % cmd, line.endswith(b"\r\n"), "reply not CRLF-terminated: %r" % line[:80])
            r = json.loads(line) if line.strip() else {}
            replies[cmd] = r
            check("%s-reply" % cmd, "return" in r and r.get("id") == i, "reply %r" % str(r)[:200])
        opts = replies.get("query-command-line-options", {}).get("return")
        check("options-are-a-list", isinstance(opts, list) and all("option" in o for o in opts),
              "return %r" % str(opts)[:200])
        rc = p.wait(timeout=TIMEOUT)
        check("exits-after-quit", rc == 0, "exit status %s" % rc)
    except (OSError, ValueError, subprocess.TimeoutExpired) as e:
        check("protocol", False, "%s: %s" % (type(e).__name__, e))
        p.kill()
        p.wait()
    out = p.stdout.read().decode(errors="replace")
    if not ok and out:
        print("DM output:\n" + out)
    os.unlink(path)
    os.rmdir(d)
    sys.exit(0 if ok else 1)


main()
