#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
#
# The device model libxl spawns in the end-to-end test, installed as
# /e2e/dm-hvmdm and /e2e/dm-qemu (the name picks the real program). The
# guest's xl config names it in device_model_override; libxl runs it twice
# per domain, exactly as it runs qemu-xen:
#
#   probe  (-machine none, no -xen-domid): argv logged, then exec'd in place
#          (libxl SIGKILLs the probe after `quit`; nothing to wait for);
#   real   (-xen-domid N): argv logged, the program started as a child with
#          the very argv libxl passed plus one instrumentation option (hvmdm:
#          --record FILE, every ioreq handled; qemu-xen: -trace of its
#          handle_ioreq event), the signals libxl sends (SIGHUP on destroy)
#          forwarded to it, xenstore's device-model state watched to time the
#          readiness, and its exit status and peak RSS (wait4's ru_maxrss)
#          written when it exits.
#
# Output: /var/log/xen/out/RUN/{argv-probe.txt,argv-real.txt,dm-exit-real.txt,
# ioreq.trace} (RUN from /run/e2e-run, written by /init before `xl create`),
# and "@@E2E ..." progress lines on the console. stdout/stderr are libxl's
# /var/log/xen/qemu-dm-RUN.log and are left to the device model.
import os
import signal
import subprocess
import sys
import threading

PROGRAMS = {
    "dm-hvmdm": "/usr/local/bin/hvmdm",
    "dm-qemu": "/usr/libexec/xen-qemu-system-i386",
}


def uptime():
    with open("/proc/uptime") as f:
        return f.read().split()[0]


def console(msg):
    try:
        with open("/dev/console", "w") as c:
            c.write("@@E2E t=%s %s\n" % (uptime(), msg))
    except OSError:
        pass


def main():
    kind = os.path.basename(sys.argv[0])
    prog = PROGRAMS[kind]
    argv = sys.argv[1:]
    try:
        with open("/run/e2e-run") as f:
            run = f.read().strip()
    except OSError:
        run = "unknown"
    out = "/var/log/xen/out/" + run
    os.makedirs(out, exist_ok=True)
    real = "-xen-domid" in argv
    phase = "real" if real else "probe"
    with open("%s/argv-%s.txt" % (out, phase), "w") as f:
        f.write("\n".join(argv) + "\n")
    console("run=%s phase=dm-spawn-%s dm=%s pid=%d argc=%d" % (run, phase, kind[3:], os.getpid(), len(argv)))
    if not real:
        os.execv(prog, [prog] + argv)

    domid = argv[argv.index("-xen-domid") + 1]
    extra = []
    if kind == "dm-hvmdm":
        extra = ["--record", out + "/ioreq.trace"]
    else:
        extra = ["-trace", "enable=handle_ioreq,file=%s/ioreq.trace" % out]
    child = subprocess.Popen([prog] + argv + extra, close_fds=False)

    def forward(signo, _frame):
        try:
            child.send_signal(signo)
        except ProcessLookupError:
            pass

    for s in (signal.SIGHUP, signal.SIGTERM, signal.SIGINT):
        signal.signal(s, forward)

    path = "/local/domain/0/device-model/%s/state" % domid

    def watch():
        w = subprocess.Popen(["xenstore-watch", path], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True)
        for _line in w.stdout:
            r = subprocess.run(["xenstore-read", path], capture_output=True, text=True)
            if r.returncode == 0 and r.stdout.strip() == "running":
                console("run=%s phase=dm-ready domid=%s" % (run, domid))
                break
            if child.poll() is not None:
                break
        w.kill()
        w.wait()

    threading.Thread(target=watch, daemon=True).start()

    while True:
        try:
            _pid, status, ru = os.wait4(child.pid, 0)
            break
        except InterruptedError:
            continue
    code = os.waitstatus_to_exitcode(status)
    desc = "status=%d" % code if code >= 0 else "signal=%d" % -code
    with open(out + "/dm-exit-real.txt", "w") as f:
        f.write("%s maxrss_kb=%d utime=%.2f stime=%.2f\n" % (desc, ru.ru_maxrss, ru.ru_utime, ru.ru_stime))
    console("run=%s phase=dm-exit %s maxrss_kb=%d" % (run, desc, ru.ru_maxrss))
    sys.exit(code if code >= 0 else 128 - code)


main()
