#!/bin/bash
# Trace and command-line checks of the standalone platform.
#
#   traces.sh BUILD
#
# Every tests/traces/NAME.trace is replayed with
#   BUILD/hvmdm --replay NAME.trace <argv from its "# argv: ..." line>
# and its stdout compared with NAME.expected byte for byte (a diff excerpt
# on failure). Subdirectories (tests/traces/ide, qemu, ...) belong to the
# suites that own them (they may use placeholders or their own runner).
# Then the command line: unknown options, missing arguments, help, qtest
# over stdio and a unix socket, SIGTERM.
# Prints "PASS name" / "FAIL name why" per check (scripts/run-tests.sh).
set -u
cd "$(dirname "$0")/../.." || exit 2
BUILD=${1:-build}
HVMDM=$BUILD/hvmdm
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1 ${2:-}"; }

if [ ! -x "$HVMDM" ]; then
	fail "hvmdm-built" "$HVMDM missing"
	exit 0
fi

# ---------------------------------------------------------------- traces
trace_argv() {
	sed -n 's/^# argv: //p' "$1" | head -n1
}

for trace in tests/traces/*.trace; do
	[ -f "$trace" ] || continue
	name=$(basename "$trace" .trace)
	expected=${trace%.trace}.expected
	argv=$(trace_argv "$trace")
	if [ ! -f "$expected" ]; then
		fail "trace:$name" "no $expected"
		continue
	fi
	# shellcheck disable=SC2086
	timeout 60 "$HVMDM" --replay "$trace" $argv >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ $rc -ne 0 ]; then
		fail "trace:$name" "exit status $rc: $(head -c 300 "$TMP/err")"
	elif cmp -s "$TMP/out" "$expected"; then
		pass "trace:$name"
	else
		fail "trace:$name" "transcript differs (- expected, + hvmdm):"
		diff -u "$expected" "$TMP/out" | sed -n '3,40p' | sed 's/^/    /'
	fi
done

# ---------------------------------------------------------------- command line
expect_reject() { # name, the option to be named, argv...
	local name=$1 opt=$2
	shift 2
	"$HVMDM" "$@" >"$TMP/out" 2>"$TMP/err"
	local rc=$?
	if [ $rc -ne 1 ]; then
		fail "$name" "exit status $rc, wanted 1"
	elif ! grep -qF -- "'$opt'" "$TMP/err"; then
		fail "$name" "message does not name '$opt': $(head -c 200 "$TMP/err")"
	else
		pass "$name"
	fi
}

expect_reject cli:unknown-option -foo -foo
expect_reject cli:unknown-option-after-good ---bogus -m 128 ---bogus
expect_reject cli:missing-argument -m -m
expect_reject cli:missing-argument-last -device -nodefaults -device
expect_reject cli:bad-machine -machine -machine q35
expect_reject cli:bad-memory -m -m lots
expect_reject cli:bad-machine-key -machine -machine xenfv,frob=1
expect_reject cli:bad-accel -accel -accel kvm
expect_reject cli:bad-qtest-chardev -qtest -accel qtest -qtest tcp:1
expect_reject cli:stray-argument disk.img disk.img
expect_reject cli:unknown-device-help -device -device nosuchdev,help

if "$HVMDM" -device help >"$TMP/out" 2>&1 && grep -q . "$TMP/out"; then
	pass cli:device-help
else
	fail cli:device-help "exit status or empty output"
fi
first_type=$(sed -n 's/^  \([a-z0-9-]*\) .*/\1/p' "$TMP/out" | head -n1)
if [ -n "$first_type" ] && "$HVMDM" -device "$first_type,help" >"$TMP/out" 2>&1; then
	pass cli:device-type-help
else
	fail cli:device-type-help "-device $first_type,help failed"
fi
if "$HVMDM" --help >"$TMP/out" 2>&1 && grep -q -- '-xen-domid' "$TMP/out" &&
	grep -q -- '--replay' "$TMP/out"; then
	pass cli:help
else
	fail cli:help "exit status, or native/QEMU options not listed"
fi
if "$HVMDM" --version >"$TMP/out" 2>&1 && grep -q hvmdm "$TMP/out"; then
	pass cli:version
else
	fail cli:version
fi

# libxl's argv for a guest parses (only the options hvmdm models; -machine none runs nothing).
if "$HVMDM" -machine help >/dev/null 2>&1; then
	pass cli:machine-help
else
	fail cli:machine-help
fi

# ---------------------------------------------------------------- replay behaviour
printf 'inb 0x10000\nbogus 1\noutb\nwrite 0 0 0x00\nendianness\n' >"$TMP/bad.trace"
"$HVMDM" --replay "$TMP/bad.trace" -machine none >"$TMP/out" 2>/dev/null
if [ $? -eq 0 ] && [ "$(grep -c '^FAIL ' "$TMP/out")" -eq 4 ] &&
	[ "$(tail -n1 "$TMP/out")" = "OK little" ]; then
	pass replay:malformed-lines-fail-and-go-on
else
	fail replay:malformed-lines-fail-and-go-on "$(tr '\n' '|' <"$TMP/out")"
fi

# An overlong line is one FAIL; the next line still runs.
{
	head -c 2100000 /dev/zero | tr '\0' 'a'
	printf '\nendianness\n'
} >"$TMP/long.trace"
"$HVMDM" --replay "$TMP/long.trace" -machine none >"$TMP/out" 2>/dev/null
if [ "$(cat "$TMP/out")" = "$(printf 'FAIL line longer than 2097216 bytes\nOK little')" ]; then
	pass replay:overlong-line
else
	fail replay:overlong-line "$(head -c 200 "$TMP/out")"
fi

# A write of 32 KiB and one of TRACE_SPAN_MAX (1 MiB) fit on one line, as in
# QEMU 7.2's qtest, which has no line limit (issue 17): both answer OK and
# read back what they wrote.
python3 - "$TMP/span.trace" <<'PY'
import sys
pat = bytes((i * 7 + 3) & 0xFF for i in range(1 << 20))
with open(sys.argv[1], "w") as f:
    for n in (32768, 1 << 20):
        f.write("write 0x100000 0x%x 0x%s\n" % (n, pat[:n].hex()))
        f.write("read 0x100000 0x%x\n" % n)
PY
"$HVMDM" --replay "$TMP/span.trace" -machine xenfv -m 16 -serial null >"$TMP/out" 2>/dev/null
want=$(python3 -c '
pat = bytes((i * 7 + 3) & 0xFF for i in range(1 << 20))
for n in (32768, 1 << 20):
    print("OK"); print("OK 0x" + pat[:n].hex())')
if [ "$(cat "$TMP/out")" = "$want" ]; then
	pass replay:write-of-span-max-fits-one-line
else
	fail replay:write-of-span-max-fits-one-line "$(head -c 200 "$TMP/out")"
fi

# Random, mostly malformed lines (fixed seed): every command answered, exit 0.
if command -v python3 >/dev/null; then
	python3 - "$TMP/garbage.trace" <<'EOF'
import random, sys
r = random.Random(7)
cmds = ("outb outw outl inb inw inl readb readw readl readq writeb writew writel writeq "
        "read write memset clock_step clock_set irq_intercept_in irq_intercept_out ioreq "
        "pcicfg invalidate bufioreq b64read b64write endianness").split()
args = ("0 1 -1 0x 0xffffffffffffffff 0x10000 0xcf8 0xcfc 0x80000000 0x3f8 0x60 0x64 "
        "0x70 0x71 0xa0000 0x7fffffff 4096 65536 1048577 pio copy r w 0000:00:01.0 "
        "00:02.0 ioapic aGVsbG8= 0x0102 zz 2 3 8 4 0x10 0x12").split()
with open(sys.argv[1], "w") as f:
    for _ in range(5000):
        f.write(" ".join([r.choice(cmds)] + [r.choice(args) for _ in range(r.randrange(9))]) + "\n")
EOF
	timeout 120 "$HVMDM" --replay "$TMP/garbage.trace" -machine xenfv -serial null \
		>"$TMP/out" 2>/dev/null
	rc=$?
	answers=$(grep -vc '^IRQ ' "$TMP/out")
	if [ $rc -eq 0 ] && [ "$answers" -eq 5000 ]; then
		pass replay:random-lines
	else
		fail replay:random-lines "exit status $rc, $answers answers to 5000 commands"
	fi
fi

if "$HVMDM" --replay "$TMP/does-not-exist" -machine none >/dev/null 2>"$TMP/err"; then
	fail replay:missing-file "exit status 0"
elif grep -q does-not-exist "$TMP/err"; then
	pass replay:missing-file
else
	fail replay:missing-file "message does not name the file"
fi

# ---------------------------------------------------------------- qtest transports
out=$(printf 'endianness\nwriteb 0x100 0x7f\nreadb 0x100\n' |
	timeout 20 "$HVMDM" -machine none -accel qtest -qtest stdio 2>/dev/null)
if [ "$out" = "$(printf 'OK little\nOK\nOK 0x000000000000007f')" ]; then
	pass qtest:stdio
else
	fail qtest:stdio "$out"
fi

if command -v python3 >/dev/null; then
	out=$(timeout 30 python3 - "$HVMDM" "$TMP/qt.sock" <<'EOF'
import socket, subprocess, sys
hvmdm, path = sys.argv[1], sys.argv[2]
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(1)
p = subprocess.Popen([hvmdm, "-machine", "none", "-accel", "qtest", "-qtest", "unix:" + path],
                     stderr=subprocess.DEVNULL)
srv.settimeout(20)
c, _ = srv.accept()
c.sendall(b"endianness\nwritel 0x200 0x12345678\nreadw 0x202\n")
buf = b""
while buf.count(b"\n") < 3:
    d = c.recv(4096)
    if not d:
        break
    buf += d
c.close()
rc = p.wait(timeout=20)
sys.stdout.write(buf.decode() + "rc=%d" % rc)
EOF
)
	if [ "$out" = "$(printf 'OK little\nOK\nOK 0x0000000000001234\nrc=0')" ]; then
		pass qtest:unix-client
	else
		fail qtest:unix-client "$(echo "$out" | tr '\n' '|')"
	fi
fi

# A QMP monitor works next to the qtest protocol (trace-format.md "Invocation").
if command -v python3 >/dev/null; then
	out=$(timeout 30 python3 - "$HVMDM" "$TMP/qmp.sock" <<'EOF'
import os, socket, subprocess, sys, time
hvmdm, path = sys.argv[1], sys.argv[2]
p = subprocess.Popen([hvmdm, "-machine", "xenfv", "-accel", "qtest", "-qtest", "stdio",
                      "-chardev", "socket,id=m,path=%s,server=on,wait=off" % path,
                      "-mon", "chardev=m,mode=control"],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
p.stdin.write(b"endianness\n")
p.stdin.flush()
answer = p.stdout.readline().decode().strip()
s = socket.socket(socket.AF_UNIX)
s.connect(path)
f = s.makefile("rwb")
f.readline()
for cmd in (b'{"execute": "qmp_capabilities"}', b'{"execute": "query-status"}'):
    f.write(cmd + b"\n")
    f.flush()
    reply = f.readline().decode()
p.stdin.close()
rc = p.wait(timeout=20)
print(answer, '"running": true' in reply, rc)
EOF
)
	if [ "$out" = "OK little True 0" ]; then
		pass qtest:qmp-monitor
	else
		fail qtest:qmp-monitor "$out"
	fi
fi

# SIGTERM ends the process with status 0 (qtest waiting for input on a pipe).
mkfifo "$TMP/fifo"
"$HVMDM" -machine none -accel qtest -qtest stdio <"$TMP/fifo" >"$TMP/sig.out" 2>&1 &
pid=$!
exec 9>"$TMP/fifo"
echo endianness >&9
# Once it has answered, its signals are watched: no timing assumption.
for _ in $(seq 200); do
	grep -q "OK little" "$TMP/sig.out" 2>/dev/null && break
	sleep 0.1
done
kill -TERM $pid
wait $pid
rc=$?
exec 9>&-
if [ $rc -eq 0 ]; then
	pass signal:sigterm-exits-0
else
	fail signal:sigterm-exits-0 "exit status $rc"
fi

# The demo runs with no arguments and says what it did.
if timeout 30 "$HVMDM" >"$TMP/out" 2>"$TMP/err" && grep -q "What it did" "$TMP/out"; then
	pass demo:runs
else
	fail demo:runs "$(head -c 300 "$TMP/err")"
fi
exit 0
