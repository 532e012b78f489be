#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""unpack.py CONSOLE_LOG DEST: the log archive dom0 printed on its console
(numbered "@@B64 N data" lines between @@E2E-ARCHIVE-BEGIN size= md5= and
@@E2E-ARCHIVE-END lines=) back into files under DEST. Fails, naming the
reason, on a missing line, a size or md5 mismatch."""
import base64
import hashlib
import io
import re
import sys
import tarfile


def main():
    log, dest = sys.argv[1], sys.argv[2]
    begin = end = None
    lines = {}
    with open(log, errors="replace") as f:
        for raw in f:
            raw = raw.replace("\r", "")
            m = re.search(r"@@E2E-ARCHIVE-BEGIN size=(\d+) md5=([0-9a-f]+)", raw)
            if m:
                begin = (int(m.group(1)), m.group(2))
                lines = {}
                continue
            m = re.search(r"@@E2E-ARCHIVE-END lines=(\d+)", raw)
            if m:
                end = int(m.group(1))
                continue
            m = re.search(r"@@B64 (\d+) ([A-Za-z0-9+/=]+)\s*$", raw)
            if m:
                lines[int(m.group(1))] = m.group(2)
    if not begin:
        sys.exit("no @@E2E-ARCHIVE-BEGIN in %s (dom0 did not finish its runs)" % log)
    if end is None:
        sys.exit("archive not terminated (%d lines seen)" % len(lines))
    missing = [n for n in range(1, end + 1) if n not in lines]
    if missing:
        sys.exit("archive lines missing: %s" % missing[:10])
    data = base64.b64decode("".join(lines[n] for n in range(1, end + 1)))
    if len(data) != begin[0] or hashlib.md5(data).hexdigest() != begin[1]:
        sys.exit("archive size/md5 mismatch (%d bytes)" % len(data))
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as t:
        t.extractall(dest)
    print("unpacked %d bytes into %s" % (len(data), dest))


main()
