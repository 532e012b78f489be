#!/usr/bin/env python3
"""hvmdm started the way QEMU 7.2's libqtest starts QEMU (tests/qtest/libqtest.c,
qtest_init_without_qmp_handshake): the test listens on two unix sockets, then
runs

  sh -c "exec QEMU -qtest unix:S -qtest-log LOG -chardev socket,path=Q,id=char0
         -mon chardev=char0,mode=control -display none EXTRA -accel qtest"

and accepts the qtest connection, then the QMP one (both are *client* sockets
on QEMU's side). It then sends "endianness" over qtest, reads the QMP greeting
and runs qmp_capabilities, and probes with query-machines and qom-list-types
({'abstract': false, 'implements': 'device'}) as qtest_has_machine() and
qtest_has_device() do. libqtest waits 50 s on each accept; this fake waits
10 s, so a hang is a failure, not a slow pass.

  libqtest.py HVMDM

Prints "PASS name" / "FAIL name why" per check.
"""
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

ACCEPT_TIMEOUT = 10


def check(name, ok, why=""):
    print("PASS %s" % name if ok else "FAIL %s %s" % (name, why))


class Libqtest:
    """One QEMU (here hvmdm) as libqtest runs it."""

    def __init__(self, hvmdm, tmp, extra, log="/dev/null"):
        self.sock_path = os.path.join(tmp, "qtest-%d.sock" % os.getpid())
        self.qmp_path = os.path.join(tmp, "qtest-%d.qmp" % os.getpid())
        for p in (self.sock_path, self.qmp_path):
            if os.path.exists(p):
                os.unlink(p)
        sock = self._listen(self.sock_path)
        qmpsock = self._listen(self.qmp_path)
        cmd = ("exec %s -qtest unix:%s -qtest-log %s -chardev socket,path=%s,id=char0 "
               "-mon chardev=char0,mode=control -display none %s -accel qtest"
               % (hvmdm, self.sock_path, log, self.qmp_path, extra))
        self.stderr = open(os.path.join(tmp, "stderr"), "w+")
        self.p = subprocess.Popen(["/bin/sh", "-c", cmd], stderr=self.stderr)
        self.fd = self._accept(sock)
        self.qmp = self._accept(qmpsock) if self.fd else None
        os.unlink(self.sock_path)
        os.unlink(self.qmp_path)
        self.rx = b""
        self.qrx = b""

    @staticmethod
    def _listen(path):
        s = socket.socket(socket.AF_UNIX)
        s.bind(path)
        s.listen(1)
        s.settimeout(ACCEPT_TIMEOUT)
        return s

    @staticmethod
    def _accept(s):
        try:
            c, _ = s.accept()
            c.settimeout(ACCEPT_TIMEOUT)
            return c
        except OSError:
            return None
        finally:
            s.close()

    def started(self):
        return self.fd is not None and self.qmp is not None

    def cmd(self, line):
        """One qtest command; the answer line (IRQ notices skipped)."""
        self.fd.sendall((line + "\n").encode())
        while True:
            while b"\n" not in self.rx:
                data = self.fd.recv(4096)
                if not data:
                    return None
                self.rx += data
            ans, self.rx = self.rx.split(b"\n", 1)
            ans = ans.decode()
            if not ans.startswith("IRQ"):
                return ans

    def qmp_recv(self):
        while b"\n" not in self.qrx:
            data = self.qmp.recv(65536)
            if not data:
                return None
            self.qrx += data
        line, self.qrx = self.qrx.split(b"\n", 1)
        return json.loads(line)

    def qmp_cmd(self, name, args=None):
        msg = {"execute": name}
        if args is not None:
            msg["arguments"] = args
        self.qmp.sendall((json.dumps(msg) + "\n").encode())
        while True:
            r = self.qmp_recv()
            if r is None or "event" not in r:
                return r

    def quit(self):
        for s in (self.fd, self.qmp):
            if s:
                s.close()
        self.p.terminate()
        try:
            return self.p.wait(10)
        except subprocess.TimeoutExpired:
            self.p.kill()
            return self.p.wait()


def test_start(hvmdm, tmp):
    q = Libqtest(hvmdm, tmp, "-machine pc")
    ok = q.started()
    check("libqtest-start-connects-both-sockets", ok,
          "qtest %s, QMP %s" % (q.fd is not None, q.qmp is not None))
    if not ok:
        q.quit()
        return
    check("libqtest-start-endianness", q.cmd("endianness") == "OK little")
    g = q.qmp_recv()
    check("libqtest-start-qmp-greeting", bool(g) and "QMP" in g, repr(g))
    r = q.qmp_cmd("qmp_capabilities")
    check("libqtest-start-qmp-capabilities", r == {"return": {}}, repr(r))
    # The monitor is a client socket: query-chardev describes the peer as QEMU
    # does for a connected client ("unix:PATH"), not a listener.
    r = q.qmp_cmd("query-chardev")
    mons = [c for c in (r or {}).get("return", []) if c.get("label") == "char0"]
    check("libqtest-start-query-chardev-client",
          len(mons) == 1 and mons[0].get("filename") == "unix:" + q.qmp_path
          and mons[0].get("frontend-open") is True, repr(mons))
    check("libqtest-start-outb-inb",
          q.cmd("outb 0x70 0x0e") == "OK" and q.cmd("inb 0x71").startswith("OK 0x"))
    q.quit()


def test_machine_none(hvmdm, tmp):
    """qtest_get_machines() and qtest_has_device() run "-machine none"."""
    q = Libqtest(hvmdm, tmp, "-machine none")
    if not q.started():
        check("libqtest-machine-none-starts", False, "no connection")
        q.quit()
        return
    q.qmp_recv()
    q.qmp_cmd("qmp_capabilities")
    r = q.qmp_cmd("query-machines")
    ms = r.get("return") if r else None
    names = sorted(m.get("name") for m in ms) if isinstance(ms, list) else []
    # The machines -machine takes (dm/cmdline.c machine table), nothing else.
    check("libqtest-query-machines-names", names == ["none", "pc", "xenfv"], repr(r))
    pc = [m for m in ms or [] if m.get("name") == "pc"]
    check("libqtest-query-machines-pc-fields",
          len(pc) == 1 and pc[0].get("cpu-max", 0) >= 1
          and isinstance(pc[0].get("hotpluggable-cpus"), bool)
          and pc[0].get("deprecated") is False, repr(pc))
    r = q.qmp_cmd("qom-list-types", {"abstract": False, "implements": "device"})
    ts = r.get("return") if r else None
    tnames = sorted(t.get("name") for t in ts) if isinstance(ts, list) else []
    # -device help lists the same types: the build's own, no QEMU type it lacks.
    check("libqtest-qom-list-types-devices",
          "piix3-ide" in tnames and "ide-hd" in tnames and "ide-cd" in tnames
          and "isa-serial" in tnames and "e1000" in tnames and "sb16" not in tnames
          and all(t.get("abstract") is not True for t in ts), repr(tnames))
    r = q.qmp_cmd("qom-list-types", {"implements": "no-such-type"})
    check("libqtest-qom-list-types-unknown-empty", r == {"return": []}, repr(r))
    r = q.qmp_cmd("qom-list-types", {"abstract": "yes"})
    check("libqtest-qom-list-types-bad-arg",
          bool(r) and r.get("error", {}).get("class") == "GenericError", repr(r))
    q.quit()


LOG_R = re.compile(r"^\[R \+\d+\.\d{6}\] (.*)$")
LOG_S = re.compile(r"^\[S \+\d+\.\d{6}\] (.*)$")


def test_qtest_log(hvmdm, tmp):
    """-qtest-log FILE: QEMU 7.2's format (checked against Debian's
    qemu-system-x86_64 -accel tcg -qtest stdio -qtest-log FILE):
    "[I 0.000000] OPENED", "[R +S.UUUUUU] CMD", "[S +S.UUUUUU] ANSWER", "[I +S.UUUUUU] CLOSED"."""
    log = os.path.join(tmp, "qtest.log")
    q = Libqtest(hvmdm, tmp, "-machine pc", log=log)
    if not q.started():
        check("libqtest-qtest-log", False, "no connection")
        q.quit()
        return
    q.cmd("outb 0x70 0x0f")
    q.cmd("inb 0x71")
    q.cmd("bogus")
    q.quit()
    with open(log) as f:
        lines = f.read().splitlines()
    check("libqtest-qtest-log-opened", bool(lines) and re.match(r"^\[I \d+\.\d{6}\] OPENED$",
                                                                lines[0]), repr(lines[:1]))
    body = []
    for ln in lines[1:]:
        m = LOG_R.match(ln) or LOG_S.match(ln)
        if m:
            body.append(ln[1] + " " + m.group(1))
    check("libqtest-qtest-log-both-directions",
          body[:6] == ["R outb 0x70 0x0f", "S OK", "R inb 0x71", "S OK 0x" + body[3][7:],
                       "R bogus", "S FAIL Unknown command 'bogus'"]
          and len(body[3]) > 7, repr(body))
    check("libqtest-qtest-log-closed", bool(lines) and re.match(
        r"^\[I \+\d+\.\d{6}\] CLOSED$", lines[-1]), repr(lines[-1:]))


def test_options(hvmdm, tmp):
    """Options libqtest users pass that hvmdm must take."""
    for name, extra in (("monitor-none", "-monitor none"), ("vga-none", "-vga none"),
                        ("rtc-clock-vm", "-rtc clock=vm"),
                        ("rtc-base", "-rtc base=2020-01-01T00:00:00"),
                        ("rtc-base-utc", "-rtc base=utc,clock=vm")):
        q = Libqtest(hvmdm, tmp, "-machine pc " + extra)
        ok = q.started() and q.cmd("endianness") == "OK little"
        q.stderr.seek(0)
        check("libqtest-option-" + name, ok, q.stderr.read().strip()[:200])
        q.quit()


def test_rtc_base(hvmdm, tmp):
    """-rtc base=DATE dates the standalone virtual clock: the CMOS century byte
    (0x32, BCD) follows it, as QEMU's RTC does for its base date."""
    for base, want in (("1999-06-01", "OK 0x0019"), ("2106-01-01T00:00:00", "OK 0x0021")):
        q = Libqtest(hvmdm, tmp, "-machine pc -rtc base=" + base)
        ans = q.cmd("outb 0x70 0x32") and q.cmd("inb 0x71") if q.started() else None
        check("libqtest-rtc-base-century-" + base[:4], ans == want, repr(ans))
        q.quit()


def test_drive_positions(hvmdm, tmp):
    """-drive if=ide without index= takes the first free unit in command-line
    order, bus= alone the first free one from that bus on, bus=+unit= exactly
    there (QEMU 7.2 drive_new()); query-block names them as QEMU does."""
    img = os.path.join(tmp, "disk.img")
    with open(img, "wb") as f:
        f.truncate(1 << 20)
    cases = (
        ("-drive file=%s,if=ide,format=raw -drive if=ide,media=cdrom" % img,
         ["ide0-hd0", "ide0-cd1"]),
        ("-drive if=ide,media=cdrom,index=0 -drive file=%s,if=ide" % img,
         ["ide0-cd0", "ide0-hd1"]),
        ("-drive if=ide,media=cdrom,bus=1 -drive file=%s,if=ide,bus=1,unit=0,index=3" % img,
         None),
        ("-drive if=ide,media=cdrom,bus=1 -drive file=%s,if=ide,bus=0,unit=1" % img,
         ["ide0-hd1", "ide1-cd0"]),
        ("-drive if=ide,media=cdrom,bus=1,unit=1 -drive if=ide,media=cdrom,bus=1",
         ["ide1-cd0", "ide1-cd1"]),
    )
    for n, (args, want) in enumerate(cases):
        q = Libqtest(hvmdm, tmp, "-machine pc " + args)
        if want is None:
            q.stderr.seek(0)
            check("libqtest-drive-position-%d-refused" % n,
                  q.p.wait(10) == 1 and "index cannot be used" in q.stderr.read())
            q.quit()
            continue
        got = None
        if q.started():
            q.qmp_recv()
            q.qmp_cmd("qmp_capabilities")
            r = q.qmp_cmd("query-block")
            got = sorted(d.get("device") for d in (r or {}).get("return", []))
        check("libqtest-drive-position-%d" % n, got == sorted(want), repr(got))
        q.quit()


def identify(q, base, drive, cmd):
    """IDENTIFY (0xec) or IDENTIFY PACKET DEVICE (0xa1): (serial, firmware, model),
    words 10-19, 23-26, 27-46 (ATA8-ACS 7.16, byte-swapped ASCII)."""
    q.cmd("outb 0x%x 0x%x" % (base + 6, 0xa0 | (drive << 4)))
    q.cmd("outb 0x%x 0x%x" % (base + 7, cmd))
    words = []
    for _ in range(256):
        a = q.cmd("inw 0x%x" % base)
        words.append(int(a.split()[1], 16) if a and a.startswith("OK") else 0)

    def text(lo, hi):
        raw = b"".join(w.to_bytes(2, "big") for w in words[lo:hi])
        return raw.decode("ascii", "replace").rstrip()
    return text(10, 20), text(23, 27), text(27, 47)


def test_identify_props(hvmdm, tmp):
    """-global ide-hd.serial=/ver=/model= (ide-test's "-global ide-hd.ver=..."
    cases) and the same properties of -device ide-hd/ide-cd reach IDENTIFY,
    as QEMU 7.2's ide_dev_initfn puts them there; the defaults otherwise."""
    img = os.path.join(tmp, "disk.img")
    with open(img, "wb") as f:
        f.truncate(1 << 20)
    cases = (
        ("-drive file=%s,if=ide" % img, 0x1f0, 0, 0xec, ("QM00001", "2.5+", "QEMU HARDDISK")),
        ("-drive file=%s,if=ide -global ide-hd.serial=testserial -global ide-hd.ver=testvers "
         "-global ide-hd.model=testmodel" % img, 0x1f0, 0, 0xec,
         ("testserial", "testvers", "testmodel")),
        ("-drive if=none,id=d0,file=%s -device ide-hd,drive=d0,bus=ide.0,unit=1,serial=S1,"
         "ver=V1,model=M1 -global ide-hd.serial=ignored" % img, 0x1f0, 1, 0xec, ("S1", "V1", "M1")),
        ("-drive if=ide,media=cdrom,bus=1 -global ide-cd.model=mycd", 0x170, 0, 0xa1,
         ("QM00003", "2.5+", "mycd")),
        ("-drive file=%s,if=ide -global ide-hd.serial=123456789012345678901234" % img, 0x1f0, 0,
         0xec, ("12345678901234567890", "2.5+", "QEMU HARDDISK")),
    )
    for n, (args, base, drive, cmd, want) in enumerate(cases):
        q = Libqtest(hvmdm, tmp, "-machine pc " + args)
        got = identify(q, base, drive, cmd) if q.started() else None
        q.stderr.seek(0)
        check("libqtest-identify-props-%d" % n, got == want,
              "%r (want %r) %s" % (got, want, q.stderr.read()[:200]))
        q.quit()


def test_refused_fast(hvmdm, tmp):
    """A refused option exits at once with a message, as QEMU does, and
    libqtest's two accepts return at once too (hvmdm connects to both sockets
    and closes them before exiting) instead of waiting 50 s each: the test's
    first read then sees end of file."""
    for name, extra, word in (("parse", "-machine pc -spice port=5900", "-spice"),
                              ("setup", "-machine pc -drive file=/nonexistent/x,if=ide,index=0",
                               "/nonexistent/x")):
        t0 = time.monotonic()
        q = Libqtest(hvmdm, tmp, extra)
        took = time.monotonic() - t0
        rc = q.p.wait(10)
        q.stderr.seek(0)
        err = q.stderr.read()
        check("libqtest-refused-%s-exits" % name, rc == 1 and word in err,
              "rc %s: %s" % (rc, err))
        check("libqtest-refused-%s-fast" % name, q.started() and took < 5,
              "%.1f s, connected %s" % (took, q.started()))
        check("libqtest-refused-%s-eof" % name, q.started() and q.fd.recv(1) == b"")
        q.quit()


def test_mon_connect_fails(hvmdm, tmp):
    """A client QMP socket whose path nobody listens on: QEMU exits 1 at start-up
    ("Failed to connect to 'P': No such file or directory")."""
    path = os.path.join(tmp, "nobody.qmp")
    p = subprocess.run([hvmdm, "-machine", "pc", "-accel", "qtest", "-qtest", "stdio",
                        "-chardev", "socket,path=%s,id=char0" % path,
                        "-mon", "chardev=char0,mode=control"],
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=10)
    err = p.stderr.decode()
    check("libqtest-mon-client-no-listener", p.returncode == 1 and path in err,
          "rc %d: %s" % (p.returncode, err))


def main():
    hvmdm = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory(prefix="hvmdm-libqtest-") as tmp:
        test_start(hvmdm, tmp)
        test_machine_none(hvmdm, tmp)
        test_qtest_log(hvmdm, tmp)
        test_options(hvmdm, tmp)
        test_rtc_base(hvmdm, tmp)
        test_drive_positions(hvmdm, tmp)
        test_identify_props(hvmdm, tmp)
        test_refused_fast(hvmdm, tmp)
        test_mon_connect_fails(hvmdm, tmp)


if __name__ == "__main__":
    main()
