# SPDX-License-Identifier: GPL-2.0-only
"""The VNC server of BUILD/hvmdm as libxl and users meet it (tests/suites/vnc.sh):

1. QMP (query-vnc, change-vnc-password, set_password, expire_password) answers
   as Debian's QEMU 7.2 answers the same commands with the same -vnc option,
   side by side (the TCP port may differ: each listens on a free display).
2. A connected client appears in query-vnc as in QEMU's (host, service, family,
   websocket). TigerVNC's vncviewer under Xvfb connects with the password set
   over QMP and is refused with a wrong one.
3. Under the sandbox (-sandbox on: the seccomp allow-list, as dm_restrict
   runs it) clients are served: vncsnapshot takes a screenshot, a client
   authenticates, sends keys, pointer and cut text, a bad one is dropped,
   and the daemon is not killed.
Prints PASS/FAIL lines."""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "toolstack"))
from qmp import QMP  # noqa: E402

HVMDM = sys.argv[1]
TMP = tempfile.mkdtemp(prefix="hvmdm-vnc-")
QEMU = shutil.which("qemu-system-x86_64")


def result(ok, name, why=""):
    print(("PASS %s" % name) if ok else ("FAIL %s %s" % (name, why)))
    sys.stdout.flush()


def free_display(start):
    """A display whose port is free now (the daemon's to= search covers races)."""
    for d in range(start, 99):
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", 5900 + d))
            return d
        except OSError:
            continue
        finally:
            s.close()
    return start


class Proc:
    def __init__(self, argv, tag):
        self.err = open(os.path.join(TMP, tag + ".err"), "w+")
        env = dict(os.environ)
        if "-sandbox" in argv:
            env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":detect_leaks=0"
        self.p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=self.err, env=env)

    def stderr(self):
        self.err.seek(0)
        return self.err.read()

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
        try:
            return self.p.wait(10)
        except subprocess.TimeoutExpired:
            self.p.kill()
            return self.p.wait()


def start_hvmdm(vnc, tag, extra=()):
    sock = os.path.join(TMP, tag + ".qmp")
    argv = [HVMDM, "--standalone", "-xen-domid", "31", "-no-shutdown", "-chardev",
            "socket,id=libxl-cmd,path=%s,server=on,wait=off" % sock, "-mon",
            "chardev=libxl-cmd,mode=control", "-nodefaults", "-no-user-config", "-name", tag,
            "-vnc", vnc, "-display", "none", "-net", "none", "-machine",
            "xenfv,suppress-vmdesc=on", "-m", "64"] + list(extra)
    return Proc(argv, tag), sock


def start_qemu(vnc, tag):
    sock = os.path.join(TMP, tag + ".qmp")
    argv = [QEMU, "-M", "none", "-S", "-display", "none", "-nodefaults", "-vnc", vnc,
            "-chardev", "socket,id=m,path=%s,server=on,wait=off" % sock, "-mon",
            "chardev=m,mode=control"]
    return Proc(argv, tag), sock


def connect(sock):
    q = QMP(sock)
    q.cmd("qmp_capabilities")
    return q


# Commands libxl and users send, in order (the password is set between the queries).
SESSION = [
    ("query-vnc", None),
    ("change-vnc-password", {"password": "secret12"}),
    ("change-vnc-password", {}),
    ("change-vnc-password", {"password": "x", "bogus": 1}),
    ("set_password", {"protocol": "vnc", "password": "secret12"}),
    ("set_password", {"protocol": "vnc", "password": "x", "connected": "keep"}),
    ("set_password", {"protocol": "vnc", "password": "x", "connected": "fail"}),
    ("set_password", {"protocol": "spice", "password": "x"}),
    ("set_password", {"protocol": "rdp", "password": "x"}),
    ("set_password", {"protocol": "vnc", "password": "x", "display": "vnc1"}),
    ("expire_password", {"protocol": "vnc", "time": "never"}),
    ("expire_password", {"protocol": "vnc", "time": "+3600"}),
    ("expire_password", {"protocol": "vnc", "time": "now", "display": "vnc1"}),
    ("expire_password", {"protocol": "spice", "time": "now"}),
    ("query-vnc", None),
]


def answers(sock):
    q = connect(sock)
    out = []
    for cmd, args in SESSION:
        r = q.cmd_full(cmd, args) if args is not None else q.cmd_full(cmd)
        r.pop("id", None)
        if "return" in r and isinstance(r["return"], dict) and "service" in r["return"]:
            r["return"]["service"] = "PORT" if r["return"]["service"].isdigit() else "?"
        out.append(r)
    q.s.close()
    return out


def test_qmp_like_qemu():
    if not QEMU:
        result(False, "vnc-qmp-like-qemu", "qemu-system-x86_64 missing (scripts/deps.sh)")
        return
    for opt in ("password=on,", ""):
        tag = "pw" if opt else "nopw"
        dq = free_display(40)
        qe, qs = start_qemu("127.0.0.1:%d,%sto=99" % (dq, opt), "qemu-" + tag)
        dh = free_display(dq + 1)
        hv, hs = start_hvmdm("127.0.0.1:%d,%sto=99" % (dh, opt), "hvmdm-" + tag)
        try:
            a, b = answers(qs), answers(hs)
            for (cmd, args), x, y in zip(SESSION, a, b):
                if x != y:
                    result(False, "vnc-qmp-like-qemu-%s %s %r" % (tag, cmd, args),
                           "qemu %r hvmdm %r" % (x, y))
                    break
            else:
                result(True, "vnc-qmp-like-qemu-%s (%d commands)" % (tag, len(SESSION)))
        except Exception as e:  # noqa: BLE001
            result(False, "vnc-qmp-like-qemu-%s" % tag, "%s %s" % (e, hv.stderr()[-300:]))
        qe.stop()
        hv.stop()
    hv, hs = start_hvmdm("none", "hvmdm-none")
    qe, qs = start_qemu("none", "qemu-none")
    try:
        a, b = answers(qs), answers(hs)
        result(a == b, "vnc-qmp-like-qemu-vnc-none", "qemu %r\nhvmdm %r" % (a, b))
    except Exception as e:  # noqa: BLE001
        result(False, "vnc-qmp-like-qemu-vnc-none", str(e))
    qe.stop()
    hv.stop()


def port_of(sock):
    q = connect(sock)
    r = q.cmd("query-vnc")
    q.s.close()
    return int(r["service"]), r


def rfb_client(port, password=None):
    """RFB 3.8 handshake up to ServerInit; the socket, or None when refused."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    assert s.recv(12) == b"RFB 003.008\n"
    s.sendall(b"RFB 003.008\n")
    n = s.recv(1)[0]
    types = s.recv(n)
    if password is None:
        assert 1 in types
        s.sendall(b"\x01")
    else:
        assert 2 in types
        s.sendall(b"\x02")
        ch = recv_exact(s, 16)
        s.sendall(vnc_response(ch, password))
    if recv_exact(s, 4) != b"\0\0\0\0":
        s.close()
        return None
    s.sendall(b"\x01")
    init = recv_exact(s, 24)
    recv_exact(s, int.from_bytes(init[20:24], "big"))
    return s


def recv_exact(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise EOFError("closed")
        b += c
    return b


def des_ecb(key, data):
    """DES-ECB with a VNC key: VNC's DES takes each key byte's bits in reverse
    order (RFB 7.2.2). openssl's DES, not the daemon's own library's."""
    key = bytes(int("{:08b}".format(c)[::-1], 2) for c in key)
    p = subprocess.run(["openssl", "enc", "-des-ecb", "-nopad", "-K", key.hex(), "-provider",
                        "legacy", "-provider", "default"], input=data,
                       capture_output=True, check=True)
    return p.stdout


def vnc_response(challenge, password):
    """The VNC Authentication response to a challenge."""
    return des_ecb(password.encode()[:8].ljust(8, b"\0"), challenge)


def vnc_passwd_file(path, password):
    """A password file as vncpasswd writes it: the password DES-encrypted with
    the fixed key of VNC's password files."""
    fixed = bytes([23, 82, 107, 6, 35, 78, 88, 7])
    with open(path, "wb") as f:
        f.write(des_ecb(fixed, password.encode()[:8].ljust(8, b"\0")))


def test_clients_in_query_vnc():
    if not QEMU:
        return
    shapes = []
    for tag, start in (("qemu", start_qemu), ("hvmdm", start_hvmdm)):
        d = free_display(60)
        pr, sock = start("127.0.0.1:%d,to=99" % d, tag + "-cl")
        try:
            time.sleep(0.2)
            port, _ = port_of(sock)
            c = rfb_client(port)
            time.sleep(0.2)
            _, r = port_of(sock)
            cl = r["clients"]
            ok = (len(cl) == 1 and cl[0]["host"] == "127.0.0.1"
                  and cl[0]["service"] == str(c.getsockname()[1]))
            shapes.append(sorted((k, type(v).__name__) for k, v in cl[0].items()) if cl else None)
            result(ok, "vnc-query-clients-%s" % tag, repr(r))
            c.close()
        except Exception as e:  # noqa: BLE001
            result(False, "vnc-query-clients-%s" % tag, "%s %s" % (e, pr.stderr()[-300:]))
        pr.stop()
    result(len(shapes) == 2 and shapes[0] == shapes[1], "vnc-query-clients-shape-like-qemu",
           repr(shapes))


def test_sandboxed_clients():
    """-sandbox on: every call the server makes on these paths is on the allow-list."""
    d = free_display(80)
    pr, sock = start_hvmdm("127.0.0.1:%d,password=on,to=99" % d, "boxed", ["-sandbox", "on"])
    name = "vnc-sandbox"
    try:
        time.sleep(0.2)
        port, _ = port_of(sock)
        q = connect(sock)
        q.cmd("change-vnc-password", {"password": "pw"})
        result(rfb_client(port, "wrong") is None, name + "-wrong-password-refused")
        c = rfb_client(port, "pw")
        result(c is not None, name + "-password-accepted")
        if c:
            # raw 32 bpp, a full update, a key, the pointer, cut text, then garbage
            c.sendall(bytes([0, 0, 0, 0, 32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0]))
            c.sendall(bytes([2, 0, 0, 2, 0, 0, 0, 0, 0xff, 0xff, 0xfe, 0xfe]))
            c.sendall(bytes([3, 0, 0, 0, 0, 0, 2, 0x80, 1, 0xe0]))
            c.settimeout(10)
            got = b""
            while len(got) < 640 * 480 * 4:
                chunk = c.recv(1 << 20)
                if not chunk:
                    break
                got += chunk
            result(len(got) >= 640 * 480 * 4, name + "-update", "%d bytes" % len(got))
            c.sendall(bytes([4, 1, 0, 0, 0, 0, 0, 0x61, 5, 1, 0, 10, 0, 10]))
            c.sendall(bytes([6, 0, 0, 0, 0, 0, 0, 4]) + b"abcd")
            c.sendall(bytes([0x42]))
            c.settimeout(5)
            try:
                while c.recv(65536):
                    pass
                dropped = True
            except ConnectionResetError:
                dropped = True
            except socket.timeout:
                dropped = False
            result(dropped, name + "-garbage-dropped")
            c.close()
        # a real client refused by the authentication (no password file)
        subprocess.run(["vncsnapshot", "-quiet", "-allowblank", "-passwd", "/dev/null",
                        "127.0.0.1:%d" % (port - 5900), os.path.join(TMP, "s.jpg")],
                       capture_output=True, timeout=30)
        r = q.cmd("query-status")
        alive = pr.p.poll() is None and "forbidden" not in pr.stderr()
        result(alive and r.get("status") == "running", name + "-daemon-alive",
               pr.stderr()[-400:])
        q.s.close()
    except Exception as e:  # noqa: BLE001
        result(False, name, "%s %s" % (e, pr.stderr()[-400:]))
    pr.stop()


def test_snapshot_plain():
    """vncsnapshot against the daemon's standalone screen (black before any mode)."""
    d = free_display(85)
    pr, sock = start_hvmdm("127.0.0.1:%d,to=99" % d, "snap")
    try:
        time.sleep(0.2)
        port, _ = port_of(sock)
        out = os.path.join(TMP, "snap.jpg")
        p = subprocess.run(["vncsnapshot", "-quiet", "-allowblank", "127.0.0.1:%d" % (port - 5900),
                            out], capture_output=True, timeout=30)
        result(p.returncode == 0 and os.path.getsize(out) > 0, "vnc-vncsnapshot-standalone",
               p.stderr.decode()[-300:])
    except Exception as e:  # noqa: BLE001
        result(False, "vnc-vncsnapshot-standalone", "%s %s" % (e, pr.stderr()[-300:]))
    pr.stop()


def clients_after(sock, proc, want, tries=100):
    """query-vnc's clients once there are want of them (or after tries)."""
    cl = []
    for _ in range(tries):
        q = connect(sock)
        cl = q.cmd("query-vnc")["clients"]
        q.s.close()
        if len(cl) == want or proc.poll() is not None:
            break
        time.sleep(0.1)
    return cl


def test_tigervnc():
    """TigerVNC's vncviewer under Xvfb: refused with a wrong password, connected
    (listed by query-vnc) with the right one."""
    name = "vnc-tigervnc"
    if not shutil.which("vncviewer") or not shutil.which("Xvfb"):
        result(False, name, "vncviewer/Xvfb missing (scripts/deps.sh: tigervnc-viewer xvfb)")
        return
    dpy = ":%d" % (40 + os.getpid() % 50)
    xvfb = subprocess.Popen(["Xvfb", dpy, "-screen", "0", "800x600x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    d = free_display(90)
    pr, sock = start_hvmdm("127.0.0.1:%d,password=on,to=99" % d, "tiger")
    try:
        time.sleep(0.3)
        port, _ = port_of(sock)
        q = connect(sock)
        q.cmd("change-vnc-password", {"password": "tiger123"})
        q.s.close()
        env = dict(os.environ, DISPLAY=dpy)
        for pw, want in (("wrong", 0), ("tiger123", 1)):
            pwf = os.path.join(TMP, "passwd-" + pw)
            vnc_passwd_file(pwf, pw)
            errf = open(os.path.join(TMP, "viewer-%s.err" % pw), "w+")
            v = subprocess.Popen(["vncviewer", "-passwd", pwf, "-AlertOnFatalError=0",
                                  "127.0.0.1::%d" % port], env=env, stdout=subprocess.DEVNULL,
                                 stderr=errf)
            if want:
                cl = clients_after(sock, v, 1)
                result(len(cl) == 1 and v.poll() is None, name + "-password-connects",
                       open(errf.name).read()[-300:])
            else:
                # the viewer reports the server's refusal (RFB 3.8 SecurityResult reason)
                for _ in range(100):
                    if "uthentication" in open(errf.name).read() or v.poll() is not None:
                        break
                    time.sleep(0.1)
                err = open(errf.name).read()
                result("uthentication fail" in err and not clients_after(sock, v, 0, 1),
                       name + "-wrong-password-refused", err[-300:])
            v.kill()
            v.wait()
            errf.close()
    except Exception as e:  # noqa: BLE001
        result(False, name, "%s %s" % (e, pr.stderr()[-300:]))
    pr.stop()
    xvfb.kill()
    xvfb.wait()


def main():
    try:
        test_tigervnc()
        test_qmp_like_qemu()
        test_clients_in_query_vnc()
        test_snapshot_plain()
        test_sandboxed_clients()
    finally:
        shutil.rmtree(TMP, ignore_errors=True)


main()
