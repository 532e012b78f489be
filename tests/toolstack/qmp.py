# SPDX-License-Identifier: GPL-2.0-only
"""A QMP client that talks the way libxl does (libxl_qmp.c): one connection
per operation, qmp_capabilities first, commands as one JSON line ending in
CRLF with an integer id, an fd attached with SCM_RIGHTS to the first byte of
the command that takes it (add-fd). Replies are returned parsed; events are
skipped and kept in .events."""
import array
import json
import os
import select
import socket
import time


class QMPError(Exception):
    pass


class QMP:
    def __init__(self, path=None, sock=None, timeout=10):
        if sock is None:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            deadline = time.time() + timeout
            while True:
                try:
                    sock.connect(path)
                    break
                except (FileNotFoundError, ConnectionRefusedError):
                    if time.time() > deadline:
                        raise
                    time.sleep(0.02)
        self.s = sock
        self.s.settimeout(timeout)
        self.buf = b""
        self.events = []
        self.next_id = 1
        self.greeting = self.read_msg()

    def read_line(self):
        while b"\r\n" not in self.buf:
            chunk = self.s.recv(65536)
            if not chunk:
                raise EOFError("connection closed by the daemon")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def read_msg(self):
        return json.loads(self.read_line())

    def send_raw(self, data, fd=None):
        if fd is None:
            self.s.sendall(data)
            return
        self.s.sendmsg([data[:1]], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                                     array.array("i", [fd]))])
        self.s.sendall(data[1:])

    def reply(self, want_id=None):
        while True:
            m = self.read_msg()
            if "event" in m:
                self.events.append(m)
                continue
            if want_id is not None and m.get("id") != want_id:
                raise QMPError("reply id %r, expected %r: %r" % (m.get("id"), want_id, m))
            return m

    def cmd_full(self, name, args=None, fd=None):
        i = self.next_id
        self.next_id += 1
        msg = {"execute": name, "id": i}
        if args is not None:
            msg["arguments"] = args
        self.send_raw((json.dumps(msg, separators=(",", ":")) + "\r\n").encode(), fd)
        return self.reply(i)

    def cmd(self, name, args=None, fd=None):
        r = self.cmd_full(name, args, fd)
        if "error" in r:
            raise QMPError("%s: %s" % (name, r["error"]))
        return r["return"]

    def negotiate(self):
        return self.cmd("qmp_capabilities")

    def close(self):
        self.s.close()


def session(path, *cmds):
    """libxl's shape: connect, qmp_capabilities, the commands, disconnect."""
    q = QMP(path)
    q.negotiate()
    out = [q.cmd_full(c[0], c[1] if len(c) > 1 else None) for c in cmds]
    q.close()
    return out
