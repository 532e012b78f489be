#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""The toolstack contract end to end against the real hvmdm binary
(xen-interface.md §1, §7, §8; tests/suites/toolstack.sh runs this).

1. argv: every tests/toolstack/argv/*.argv is a command line libxl builds
   (libxl__build_device_model_args_new, or a golden capture). "expect:
   accept" ones must parse as given (without Xen the run then stops at
   "cannot attach to domain") and, run with --standalone, produce the machine
   the header lists (PCI functions, chardevs, drives, run state) over QMP;
   "expect: reject -OPT" ones must exit 1 naming -OPT and the reason, before
   creating anything. The reject list is what hvmdm lacks today: it shrinks
   as devices land.
2. The probe run libxl does before every HVM guest, with a real listening
   socket passed as an inherited fd (and a leaked fd that must be closed).
3. QMP sessions shaped like libxl's paths: create, dm_restrict readiness,
   VNC, save/restore errors, CD-ROM change with add-fd; and malformed input.
4. The sandbox: a qtest run under seccomp + chroot + runas exercising IDE DMA,
   serial output to a file and a QMP session with add-fd and a CD change,
   answering exactly as the same run outside the sandbox; and a forbidden
   system call that is killed with a log line naming it.
5. Logging: every stderr line is one plain "hvmdm: ..." line.

Prints "PASS name" / "FAIL name why" per check.
"""
import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "suites"))
from qmp import QMP, QMPError  # noqa: E402

HVMDM = None
TMP = None
fails = 0


def result(ok, name, why=""):
    global fails
    if ok:
        print("PASS %s" % name)
    else:
        fails += 1
        print("FAIL %s %s" % (name, why))
    sys.stdout.flush()
    return ok


# ---------------------------------------------------------------- fixtures

def load_fixture(path):
    hdr, argv = {}, []
    for line in open(path):
        line = line.rstrip("\n")
        m = re.match(r"# (\w+): (.*)$", line)
        if m:
            hdr[m.group(1)] = m.group(2)
        elif line and not line.startswith("#"):
            argv.append(line)
    return hdr, argv


def pattern_images(d):
    """An 8 MiB disk and a 2 MiB CD whose sectors name themselves (ide_diff.py's)."""
    import ide_diff
    return ide_diff.make_images(d)


def subst(s, env):
    for k, v in env.items():
        s = s.replace(k, str(v))
    return s


def log_lines_ok(name, err):
    bad = [l for l in err.splitlines() if l and not l.startswith("hvmdm: ")]
    return result(not bad, "log-format:" + name, "stderr lines not 'hvmdm: ...': %r" % bad[:3])


def sandboxed(argv):
    return any(a in argv for a in ("-sandbox", "-xen-domid-restrict", "-chroot", "-runas",
                                   "-run-with"))


def daemon_env(argv):
    """LeakSanitizer's exit-time tracer is a clone() the seccomp filter (rightly)
    refuses: no leak check for sandboxed runs of an ASan build."""
    env = dict(os.environ)
    if sandboxed(argv):
        env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":detect_leaks=0"
    return env


class Daemon:
    def __init__(self, argv, pass_fds=(), stdin=subprocess.DEVNULL):
        self.errf = tempfile.TemporaryFile(dir=TMP)
        self.p = subprocess.Popen([HVMDM] + argv, stdin=stdin, stdout=subprocess.PIPE,
                                  stderr=self.errf, pass_fds=pass_fds, env=daemon_env(argv))

    def stderr(self):
        self.errf.seek(0)
        return self.errf.read().decode(errors="replace")

    def stop(self, sig=signal.SIGHUP, timeout=10):
        if self.p.poll() is None:
            self.p.send_signal(sig)
        try:
            return self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            return "hung"


def proc_status(pid, key):
    for line in open("/proc/%d/status" % pid):
        if line.startswith(key + ":"):
            return line.split()[1:]
    return []


def check_machine(name, hdr, env, q):
    """The machine the header lists, as QMP reports it."""
    pci = q.cmd("query-pci")[0]["devices"]
    got = " ".join("00:%02x.%d=%04x:%04x" % (d["slot"], d["function"], d["id"]["vendor"],
                                             d["id"]["device"]) for d in pci)
    result(got == hdr["pci"], "argv-machine-pci:" + name, "got '%s' want '%s'" % (got, hdr["pci"]))
    chardevs = {c["label"]: c["filename"] for c in q.cmd("query-chardev")}
    ok, why = True, ""
    for want in hdr["chardev"].split():
        label, _, prefix = want.partition("=")
        if label not in chardevs or not chardevs[label].startswith(prefix):
            ok, why = False, "%s missing or not %s*: %r" % (label, prefix, chardevs)
    if len(chardevs) != len(hdr["chardev"].split()):
        ok, why = False, "extra chardevs: %r" % chardevs
    result(ok, "argv-machine-chardev:" + name, why)
    blocks = {b["device"]: b.get("inserted", {}).get("file", "") for b in q.cmd("query-block")}
    want = dict(w.partition("=")[::2] for w in subst(hdr["block"], env).split())
    result(blocks == want, "argv-machine-block:" + name, "got %r want %r" % (blocks, want))
    st = q.cmd("query-status")
    result(st["status"] == hdr["status"] and st["running"] == (hdr["status"] == "running"),
           "argv-machine-status:" + name, repr(st))
    result(q.cmd("query-name").get("name") == hdr["name"], "argv-machine-name:" + name)
    if "cpus" in hdr:
        n = len(q.cmd("query-cpus-fast"))
        result(n == int(hdr["cpus"]), "argv-machine-cpus:" + name, "%d vCPUs" % n)
    # xen-interface.md 7.1: the DM itself creates the tap under exactly libxl's name
    if "tap" in hdr and "@VIF@" in env:
        tap = env["@VIF@"]
        result(os.path.exists("/sys/class/net/" + tap), "argv-machine-tap:%s:%s" % (name, tap))
    if "vnc" in hdr:
        # libxl's post-spawn steps (xen-interface.md 1.1 step 7): query-vnc, then the password
        host, auth, pw = hdr["vnc"].split()
        v = q.cmd("query-vnc")
        result(v.get("enabled") and v.get("host") == host and v.get("auth") == auth
               and 5900 <= int(v.get("service", "0")) <= 5999, "argv-machine-vnc:" + name, repr(v))
        result(q.cmd("change-vnc-password", {"password": pw}) == {},
               "argv-machine-vnc-password:" + name)


def run_accepted(name, hdr, argv, env):
    """The argv as libxl passes it parses; with --standalone it builds the machine."""
    qmpfd = None
    fds = []
    if "@QMPFD@" in " ".join(argv):
        qmpfd = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        qmpfd.bind(os.path.join(TMP, "pre-opened-%s" % name))
        qmpfd.listen(1)
        env = dict(env, **{"@QMPFD@": qmpfd.fileno()})
        fds.append(qmpfd.fileno())
    args = [subst(a, env) for a in argv]
    rdir = None
    if "restrict" in hdr and os.geteuid() != 0:
        print("skip %s (-chroot/-runas need root)" % name)
        return
    if "tap" in hdr and os.geteuid() != 0:
        print("skip %s (-netdev tap creates a tap through /dev/net/tun: needs root)" % name)
        return
    if "restrict" in hdr:
        rdir = subst(hdr["restrict"], env).split()[0].split("=", 1)[1]
        os.mkdir(rdir, 0o000)  # as libxl creates it

    if not os.path.exists("/dev/xen/privcmd"):
        p = subprocess.run([HVMDM] + args, capture_output=True, timeout=30, pass_fds=fds)
        err = p.stderr.decode(errors="replace")
        result(p.returncode == 1 and "cannot attach to domain" in err and "option '" not in err,
               "argv-parses:" + name, "rc=%d %s" % (p.returncode, err.strip()[-300:]))

    d = Daemon(["--standalone"] + args, pass_fds=fds)
    try:
        if qmpfd is not None:
            q = QMP(qmpfd.getsockname())
        else:
            q = QMP(subst(argv[argv.index("-chardev") + 1].split("path=")[1].split(",")[0], env))
        q.negotiate()
        check_machine(name, hdr, env, q)
        if rdir:
            uid = proc_status(d.p.pid, "Uid")
            want_uid = subst(hdr["restrict"], env).split()[1].split("=")[1]
            result(uid and all(u == want_uid for u in uid), "restrict-uid:" + name, repr(uid))
            root = os.readlink("/proc/%d/root" % d.p.pid)
            result(root == rdir, "restrict-chroot:" + name, root)
            result(proc_status(d.p.pid, "Seccomp") == ["2"], "restrict-seccomp:" + name,
                   repr(proc_status(d.p.pid, "Seccomp")))
            # readiness as libxl checks it under dm_restrict, then unpause
            q.cmd("cont")
            result(q.cmd("query-status")["status"] == "running", "restrict-cont:" + name)
        q.close()
    except Exception as e:  # noqa: BLE001
        result(False, "argv-standalone:" + name, "%s: %s" % (e, d.stderr()[-400:]))
    rc = d.stop(signal.SIGHUP)
    err = d.stderr()
    result(rc == 0 and "forbidden" not in err, "sighup-exit:" + name, "rc=%r %s" % (rc, err[-300:]))
    log_lines_ok(name, err)
    if qmpfd is not None:
        qmpfd.close()


def run_rejected(name, hdr, argv, env):
    opt = hdr["expect"].split()[1]
    before = set(os.listdir(TMP))
    statefd = os.open("/dev/null", os.O_RDONLY)
    env = dict(env, **{"@STATEFD@": statefd, "@QMPFD@": 99})
    p = subprocess.run([HVMDM] + [subst(a, env) for a in argv], capture_output=True, timeout=30,
                       pass_fds=[statefd])
    os.close(statefd)
    err = p.stderr.decode(errors="replace")
    result(p.returncode == 1 and "option '%s'" % opt in err and hdr["because"] in err,
           "argv-rejected:%s (%s %s)" % (name, opt, hdr["because"]),
           "rc=%d %s" % (p.returncode, err.strip()[-300:]))
    result(set(os.listdir(TMP)) == before, "argv-rejected-early:" + name,
           "created %r" % (set(os.listdir(TMP)) - before))


def test_argv(env):
    accepted, rejected = [], []
    for path in sorted(glob.glob(os.path.join(HERE, "argv", "*.argv"))):
        name = os.path.basename(path)[:-5]
        hdr, argv = load_fixture(path)
        if hdr["expect"] == "accept":
            accepted.append(name)
            run_accepted(name, hdr, argv, env)
        else:
            rejected.append("%s(%s)" % (name, hdr["because"]))
            run_rejected(name, hdr, argv, env)
    print("# accepted: " + " ".join(accepted))
    print("# rejected until hvmdm has the device/feature: " + " ".join(rejected))


# ---------------------------------------------------------------- the probe

def test_probe():
    """libxl__spawn_local_dm's probe: pre-opened listening socket as fd=N."""
    lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    lsock.bind(os.path.join(TMP, "qmp-libxl-probe"))
    lsock.listen(1)
    marker = os.path.join(TMP, "leaked-fd-marker")
    leak = os.open(marker, os.O_RDONLY | os.O_CREAT, 0o600)  # what a forking toolstack might leak
    fd = lsock.fileno()
    d = Daemon(["-S", "-no-user-config", "-nodefaults", "-nographic", "-machine",
                "none,accel=xen", "-chardev",
                "socket,id=libxl-cmd,fd=%d,server=on,wait=off" % fd, "-mon",
                "chardev=libxl-cmd,mode=control"], pass_fds=[fd, leak])
    try:
        q = QMP(lsock.getsockname())
        result("qemu" in q.greeting["QMP"]["version"], "probe-greeting", repr(q.greeting))
        fdd = "/proc/%d/fd" % d.p.pid
        links = {n: os.readlink(os.path.join(fdd, n)) for n in os.listdir(fdd)}
        result(marker not in links.values() and links.get(str(fd), "").startswith("socket:"),
               "probe-inherited-fds-closed", "daemon fds %r (leaked %d, qmp %d)" % (links, leak, fd))
        q.negotiate()
        opts = q.cmd("query-command-line-options")
        result(isinstance(opts, list) and all("option" in o and "parameters" in o for o in opts),
               "probe-query-command-line-options", repr(opts)[:200])
        result(q.cmd("quit") == {}, "probe-quit-reply")
        rc = d.p.wait(10)
        result(rc == 0, "probe-exit-0", "rc=%r %s" % (rc, d.stderr()))
    except Exception as e:  # noqa: BLE001
        result(False, "probe", "%s %s" % (e, d.stderr()))
        d.stop(signal.SIGKILL)
    os.close(leak)
    lsock.close()


# ---------------------------------------------------------------- QMP sessions

def start_disk_cdrom(env, extra=()):
    sock = os.path.join(TMP, "qmp-sess")
    args = ["--standalone", "-xen-domid", "30", "-no-shutdown", "-chardev",
            "socket,id=libxl-cmd,path=%s,server=on,wait=off" % sock, "-mon",
            "chardev=libxl-cmd,mode=control", "-nodefaults", "-no-user-config", "-name", "sess",
            "-vnc", "none", "-display", "none", "-nographic", "-net", "none", "-machine",
            "xenfv,suppress-vmdesc=on", "-m", "128", "-drive",
            "file=%s,if=ide,index=0,media=disk,format=raw,cache=writeback" % env["@DISK@"],
            "-drive", "if=none,readonly=on,id=ide-5632,file=%s,format=raw" % env["@CD@"],
            "-device", "ide-cd,id=ide-5632,drive=ide-5632,bus=ide.1,unit=0"] + list(extra)
    return Daemon(args), sock


def cdrom_change(q, iso, name):
    """xl cdrom-insert (libxl_disk.c): query-version, eject, add-fd, blockdev-change-medium."""
    q.cmd("query-version")
    result(q.cmd("eject", {"id": "ide-5632"}) == {}, "cdrom-eject:" + name)
    fd = os.open(iso, os.O_RDONLY)
    r = q.cmd("add-fd", {"opaque": "raw:" + iso}, fd=fd)
    os.close(fd)
    result("fdset-id" in r and "fd" in r, "cdrom-add-fd:" + name, repr(r))
    r = q.cmd_full("blockdev-change-medium", {"id": "ide-5632", "filename":
                                              "/dev/fdset/%d" % r["fdset-id"], "format": "raw"})
    result(r.get("return") == {}, "cdrom-change-medium:" + name, repr(r))
    blk = {b["device"]: b for b in q.cmd("query-block")}
    ins = blk.get("ide-5632", {}).get("inserted", {})
    result(ins.get("file", "").startswith("/dev/fdset/"), "cdrom-query-block:" + name, repr(ins))


def err_class(r):
    return r.get("error", {}).get("class")


def test_qmp_sessions(env):
    d, sock = start_disk_cdrom(env)
    try:
        # xl create: two connections, each negotiating (qmp-libxl.log)
        q = QMP(sock)
        q.negotiate()
        r = q.cmd("query-chardev")
        result([c["label"] for c in r] == ["libxl-cmd"], "session-create-query-chardev", repr(r))
        q.close()
        q = QMP(sock)
        q.negotiate()
        result(q.cmd("cont") == {}, "session-create-cont-while-running")
        q.close()
        q = QMP(sock)
        q.negotiate()
        result(q.cmd("query-vnc") == {"enabled": False}, "session-query-vnc-none")
        r = q.cmd_full("change-vnc-password", {"password": "x"})
        result(err_class(r) == "GenericError", "session-change-vnc-password-error", repr(r))
        # xl save: stop, add-fd, xen-save-devices-state (the stream to the fdset's file), cont
        result(q.cmd("stop") == {} and q.cmd("query-status")["status"] == "paused",
               "session-save-stop")
        fd = os.open(os.path.join(TMP, "qemu-save"), os.O_WRONLY | os.O_CREAT, 0o600)
        a = q.cmd("add-fd", fd=fd)
        os.close(fd)
        r = q.cmd_full("xen-save-devices-state", {"filename": "/dev/fdset/%d" % a["fdset-id"],
                                                  "live": False})
        result(r.get("return") == {} and
               open(os.path.join(TMP, "qemu-save"), "rb").read(8) == b"HVMDMSTA",
               "session-save-devices-state", repr(r))
        r = q.cmd_full("xen-load-devices-state", {"filename": "/dev/fdset/%d" % a["fdset-id"]})
        result(err_class(r) == "GenericError", "session-load-devices-state-error", repr(r))
        result(q.cmd("cont") == {} and q.cmd("query-status")["status"] == "running",
               "session-save-cancel-cont")
        result(q.cmd("system_wakeup") == {}, "session-system-wakeup")
        r = q.cmd_full("no-such-command")
        result(err_class(r) == "CommandNotFound", "session-unknown-command", repr(r))
        q.close()
        q = QMP(sock)
        q.negotiate()
        cdrom_change(q, env["@CD@"], "session")
        q.close()
        test_bad_input(sock, d)
    except Exception as e:  # noqa: BLE001
        result(False, "qmp-sessions", "%s %s" % (e, d.stderr()[-300:]))
    rc = d.stop(signal.SIGTERM)
    result(rc == 0, "sigterm-exit", "rc=%r" % rc)
    result(not os.path.exists(sock), "sigterm-socket-removed")
    log_lines_ok("sessions", d.stderr())


def alive_and_answering(sock, d, name):
    ok = d.p.poll() is None
    if ok:
        q = QMP(sock)
        q.negotiate()
        ok = q.cmd("query-status")["status"] == "running"
        q.close()
    return result(ok, "robust-daemon-alive:" + name, d.stderr()[-200:])


def test_bad_input(sock, d):
    q = QMP(sock)
    q.send_raw(b'{"execute": ]\r\n')  # a JSON syntax error
    q.send_raw(b'{"execute":"qmp_capabilities","id":1}\r\n')
    q.send_raw(b'{"execute":"query-status","id":2}\r\n')
    msgs = []
    try:
        for _ in range(3):
            msgs.append(q.read_msg())
    except Exception:  # noqa: BLE001
        pass
    result(len(msgs) == 3 and "error" in msgs[0] and msgs[2].get("id") == 2,
           "robust-malformed-json-error", repr(msgs))
    q.close()
    alive_and_answering(sock, d, "malformed-json")
    q = QMP(sock)
    q.negotiate()
    q.send_raw(b'["not", "an", "object"]\r\n')
    r = q.read_msg()
    result("error" in r, "robust-non-object", repr(r))
    result(q.cmd("query-status")["status"] == "running", "robust-connection-usable-after-error")
    q.close()
    q = QMP(sock)
    try:
        q.send_raw(b'{"execute":"' + b"x" * (4 << 20) + b'"}\r\n')
        q.read_msg()
    except Exception:  # noqa: BLE001
        pass  # QEMU-like: an error reply or a closed connection, either is fine
    q.close()
    alive_and_answering(sock, d, "huge-line")
    for cut in (b'{"execute":"query-bl', b'{"execute":"qmp_capabilities","id":1}\r\n{"exec'):
        s = socket.socket(socket.AF_UNIX)
        s.connect(sock)
        s.sendall(cut)
        s.close()
    q = QMP(sock)  # abrupt close with an fd in flight
    fd = os.open("/dev/null", os.O_RDONLY)
    q.send_raw(b'{"execute":"add-fd","id":1', fd=fd)
    os.close(fd)
    q.close()
    alive_and_answering(sock, d, "abrupt-disconnect")


# ---------------------------------------------------------------- the sandbox

IDE_TEMPLATE = os.path.join(ROOT, "tests", "traces", "ide", "ide-dma.trace")


def template_cmds():
    return [l.strip() for l in open(IDE_TEMPLATE) if l.strip() and not l.startswith("#")]


SERIAL_CMDS = ["outb 0x3fb 0x03", "outb 0x3f9 0x00"] + ["outb 0x3f8 0x%02x" % c for c in
                                                          b"sandboxed serial\n"]


def qtest_run(env, tag, sandbox_args):
    """IDE DMA + serial + QMP CD change over qtest; the answers, the serial file."""
    import ide_diff
    sock = os.path.join(TMP, "qmp-qtest-" + tag)
    serial = os.path.join(TMP, "serial-" + tag)
    argv = [HVMDM, "-accel", "qtest", "-qtest", "stdio", "-machine", "pc", "-nodefaults",
            "-m", "128M", "-drive",
            "file=%s,if=ide,index=0,media=disk,format=raw,cache=writeback" % env["@DISK@"],
            "-drive", "if=none,readonly=on,id=ide-5632,file=%s,format=raw" % env["@CD@"],
            "-device", "ide-cd,id=ide-5632,drive=ide-5632,bus=ide.1,unit=0",
            "-serial", "file:" + serial, "-chardev",
            "socket,id=mon,path=%s,server=on,wait=off" % sock, "-mon",
            "chardev=mon,mode=control"] + sandbox_args
    saved = dict(os.environ)
    os.environ.update(daemon_env(argv))
    proc = ide_diff.Proc(argv)
    os.environ.clear()
    os.environ.update(saved)
    answers = []
    try:
        cmds = template_cmds()
        half = len(cmds) // 2
        for c in cmds[:half]:
            answers.append(ide_diff.run_line(proc, c))
        q = QMP(sock)
        q.negotiate()
        cdrom_change(q, env["@CD@"], tag)
        q.close()
        for c in cmds[half:] + SERIAL_CMDS:
            answers.append(ide_diff.run_line(proc, c))
        proc.p.stdin.close()
        rc = proc.p.wait(20)
    except Exception as e:  # noqa: BLE001
        rc = "error: %s" % e
        proc.p.kill()
        proc.p.wait()
    err = proc.p.stderr.read().decode(errors="replace")
    data = open(serial, "rb").read() if os.path.exists(serial) else b""
    return answers, rc, err, data


def test_sandbox(env):
    plain, rc0, err0, ser0 = qtest_run(env, "plain", [])
    result(rc0 == 0 and plain, "sandbox-reference-run", "rc=%r %s" % (rc0, err0[-300:]))
    root = os.path.join(TMP, "sandbox-root")
    os.mkdir(root, 0o000)
    boxed, rc, err, ser = qtest_run(env, "boxed", ["-sandbox", "on", "-chroot", root, "-runas",
                                                   "65534:65534"])
    result(rc == 0 and "forbidden" not in err, "sandbox-no-kill",
           "rc=%r %s" % (rc, err[-400:]))
    result(boxed == plain, "sandbox-same-answers (%d commands: IDE DMA, serial, QMP CD change)"
           % len(plain), "first difference at %s" % next(
               (i for i in range(min(len(boxed), len(plain))) if boxed[i] != plain[i]), "end"))
    result(b"sandboxed serial" in ser and ser == ser0, "sandbox-serial-file", repr(ser[-40:]))
    log_lines_ok("sandbox", err)


def test_sandbox_path_refused(env):
    """Under the filter a medium given as a path is refused over QMP (§8: media
    arrive as fds), not opened, and the daemon goes on."""
    d, sock = start_disk_cdrom(env, ["-sandbox", "on"])
    try:
        q = QMP(sock)
        q.negotiate()
        q.cmd("eject", {"id": "ide-5632"})
        r = q.cmd_full("blockdev-change-medium", {"id": "ide-5632", "filename": env["@CD@"],
                                                  "format": "raw"})
        result(err_class(r) == "GenericError" and "add-fd" in r["error"]["desc"],
               "sandbox-path-medium-refused", repr(r))
        q.close()
        alive_and_answering(sock, d, "sandbox-path-medium")
    except Exception as e:  # noqa: BLE001
        result(False, "sandbox-path-medium-refused", "%s %s" % (e, d.stderr()[-300:]))
    result(d.stop(signal.SIGTERM) == 0, "sandbox-sigterm-exit")


def test_sandbox_kill(env):
    """A call outside the allow-list kills the daemon and the log names it:
    tests/toolstack/forbidden.c makes the main loop call getppid."""
    cc = shutil.which(os.environ.get("CC", "cc"))
    if not cc:
        print("skip sandbox-forbidden-call-killed (no C compiler for the shim)")
        return
    shim = os.path.join(TMP, "forbidden.so")
    subprocess.run([cc, "-shared", "-fPIC", "-o", shim, os.path.join(HERE, "forbidden.c"),
                    "-ldl"], check=True)
    saved = dict(os.environ)
    os.environ["LD_PRELOAD"] = shim
    os.environ["ASAN_OPTIONS"] = os.environ.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0"
    try:
        d, sock = start_disk_cdrom(env, ["-sandbox", "on"])
    finally:
        os.environ.clear()
        os.environ.update(saved)
    try:
        rc = d.p.wait(10)
    except subprocess.TimeoutExpired:
        rc = d.stop(signal.SIGKILL)
    err = d.stderr()
    result(rc == -signal.SIGSYS and re.search(r"forbidden system call getppid \(\d+\)", err),
           "sandbox-forbidden-call-killed", "rc=%r %s" % (rc, err[-300:]))


def write_kernel_files(d):
    """@DIR@/vmlinuz and @DIR@/initrd for the kernel= fixtures: the fw_cfg
    suite's synthetic bzImage (no kernel binary is kept in the repo)."""
    sys.path.insert(0, os.path.join(HERE, "..", "suites"))
    import fw_cfg_files  # noqa: E402
    with open(os.path.join(d, "vmlinuz"), "wb") as f:
        f.write(fw_cfg_files.bzimage())
    with open(os.path.join(d, "initrd"), "wb") as f:
        f.write(fw_cfg_files.pattern(70000, 0x33))


def main():
    global HVMDM, TMP
    HVMDM = os.path.abspath(sys.argv[1])
    TMP = tempfile.mkdtemp(prefix="hvmdm-toolstack-")
    os.chmod(TMP, 0o755)  # the daemon under -runas reaches nothing here anyway
    try:
        env = dict(pattern_images(TMP))
        env["@DIR@"] = TMP
        # libxl names the tap vif<domid>.<n>-emu; one name per run, so that runs of this
        # suite in parallel (several work trees) do not fight over one tap (TUNSETIFF EBUSY).
        env["@VIF@"] = "vif%d.0-emu" % (os.getpid() % 100000)
        write_kernel_files(TMP)
        root = os.geteuid() == 0
        test_probe()
        test_argv(env)
        test_qmp_sessions(env)
        if root:
            test_sandbox(env)
        else:
            print("skip sandbox (needs root for -chroot/-runas)")
        test_sandbox_path_refused(env)
        test_sandbox_kill(env)
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
