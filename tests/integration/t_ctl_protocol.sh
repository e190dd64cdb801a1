#!/usr/bin/env bash
# The wire protocol (man musterctl.8), spoken raw: "muster VERSION COMMAND
# ARG..." one line in, rows and one final line out.  Other versions and
# garbage get an `error` line that says why (what old clients show).  And
# musterctl against a fake daemon: it reports an `error` (exit 1), a reply
# that is not the protocol (exit 1), and an answer cut short (exit 3).
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/ctl.sh"

cat >muster.ini <<INI
[muster]
control-socket = $SOCK

[service web]
command = sleep 300
INI

start_muster -c muster.ini
wait_socket
ctl wait web || fail "wait web: exit $?"

python3 - "$SOCK" <<'PY' || fail "the raw protocol is not as documented (above)"
import socket, sys
path = sys.argv[1]

def talk(data, shut=True):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(20)
    s.connect(path)
    s.sendall(data)
    if shut:
        s.shutdown(socket.SHUT_WR)
    out = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        out += b
    s.close()
    return out.decode()

def check(req, pred, what):
    r = talk(req)
    lines = r.split("\n")
    assert lines[-1] == "", (req, "no final newline", r)
    finals = [l for l in lines[:-1] if l.split(" ")[0] in ("ok", "fail", "error", "usage")]
    assert len(finals) == 1 and finals[0] == lines[-2], (req, "one final line, last", r)
    assert pred(r), (req, what, r)
    print("ok:", req[:40], "->", lines[-2][:100])

check(b"muster 1 status\n", lambda r: r.startswith("row name=web state=ready pid=") and r.endswith("ok\n"), "status rows")
check(b"muster 1 status web\n", lambda r: r.count("row ") == 1, "one row")
check(b"muster 1 status web%20x\n", lambda r: r == "fail no service named 'web x'\n", "escaped name")
check(b"muster 1 status", lambda r: r.endswith("ok\n"), "a request ended by EOF, no LF")
check(b"muster 1 status\r\n", lambda r: r.endswith("ok\n"), "CR LF")
check(b"muster 1 wait timeout=0 web\n", lambda r: r == "ok\n", "wait")
check(b"muster 1 wait timeout=x web\n", lambda r: r.startswith("usage bad timeout 'x'"), "bad duration")
check(b"muster 1 ready\n", lambda r: r.startswith("ok "), "ready")
check(b"muster 0 status\n", lambda r: r.startswith("error protocol version 0 is not supported") and "musterctl" in r, "old version")
check(b"muster 3 status\n", lambda r: r.startswith("error protocol version 3 is not supported"), "newer version")
check(b"muster 2 signal web NOPE\n", lambda r: r.startswith("usage unknown signal 'NOPE'"), "signal: an unknown signal, by name")
check(b"muster 1 start web block=no\n", lambda r: r == "ok\n", "start, not waiting")
check(b"GET / HTTP/1.0\r\n\r\n", lambda r: r.startswith("error not a muster request"), "HTTP")
check(b"muster 1 frobnicate\n", lambda r: r == "error unknown command 'frobnicate'\n", "unknown command")
check(b"muster 1 status \x1b[2J\n", lambda r: r.startswith("error control character"), "control bytes")
check(b"\x00\xff\xfe garbage\n", lambda r: r.startswith("error "), "binary")
check(b"muster 1 graph\n", lambda r: "row from=" in r and r.endswith("ok\n") or r == "row node=web state=ready\nok\n", "graph")
PY
stop_muster 0

# musterctl against a fake daemon that says what a future muster might
FAKE=$TEST_DIR/fake.sock
MUSTER_IT_TAG=$IT_TAG python3 - "$FAKE" <<'PY' &
import os, socket, sys
path = sys.argv[1]
replies = {
    b"status": b"error protocol version 1 is not supported: this muster (9.0) speaks version 2\n",
    b"ready": b"HTTP/1.0 200 OK\n\nhello\n",
    b"graph": b"row node=web state=ready\n",          # no final line
    b"reload": b"out web: restarted\nerr careful\nok\n",
}
l = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
l.bind(path)
l.listen(8)
l.settimeout(60)
for _ in range(len(replies)):
    c, _ = l.accept()
    c.settimeout(20)
    req = b""
    while not req.endswith(b"\n"):
        b = c.recv(4096)
        if not b:
            break
        req += b
    words = req.split()
    c.sendall(replies.get(words[2] if len(words) > 2 else b"", b"error ?\n"))
    c.close()
PY
fake=$!
deadline=$(( $(date +%s) + DEFAULT_WAIT ))
until [ -S "$FAKE" ]; do
	[ "$(date +%s)" -gt "$deadline" ] && fail "the fake daemon did not start"
	sleep 0.02
done
timeout 20 "$MUSTERCTL" -s "$FAKE" status >/dev/null 2>err.txt
assert_eq 1 "$?" "musterctl's exit status on an error reply"
assert_grep err.txt 'protocol version 1 is not supported: this muster \(9.0\) speaks version 2' "the message shown"
timeout 20 "$MUSTERCTL" -s "$FAKE" ready >/dev/null 2>err.txt
assert_eq 1 "$?" "musterctl's exit status on a reply that is not the protocol"
assert_grep err.txt "$FAKE: not a muster reply" "the message shown"
timeout 20 "$MUSTERCTL" -s "$FAKE" graph >/dev/null 2>err.txt
assert_eq 3 "$?" "musterctl's exit status on an answer cut short"
assert_grep err.txt "$FAKE: the connection closed before the answer was complete" "the message shown"
timeout 20 "$MUSTERCTL" -s "$FAKE" reload >out.txt 2>err.txt
assert_eq 0 "$?" "musterctl's exit status on out/err lines and ok"
assert_eq "web: restarted" "$(cat out.txt)" "reload's stdout"
assert_eq "careful" "$(cat err.txt)" "reload's stderr"
wait "$fake"
