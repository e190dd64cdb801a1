#!/usr/bin/env bash
# Abusive clients never block or crash the daemon, and supervision goes on
# meanwhile: silent clients (dropped after the request timeout), garbage,
# a 1 MiB line, clients that disconnect before or during the answer (and
# during a wait), 200 clients at once -- while a service keeps restarting
# and printing, and `musterctl status` keeps answering at once.
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/ctl.sh"

cat >muster.ini <<INI
[muster]
control-socket = $SOCK

[service ticker]
command = $(service ticker 'echo tick; sleep 0.05; echo tock; exit 1')
restart = always
restart-delay = 50ms
restart-delay-max = 50ms
start-limit = 0

[service never]
command = sleep 300
type = notify
ready-timeout = 1h
INI

restarts_of() { ctl status ticker | awk 'NR == 2 { print $5 }'; }
nfds() { ls /proc/"$MPID"/fd | wc -l; }

start_muster -c muster.ini
wait_socket
wait_for "$OUT" 'ticker +\| tock'
fds0=$(nfds)
r0=$(restarts_of)
ticks0=$(grep -cE 'ticker +\| tick' "$OUT")

# status answers at once while silent clients hold connections
MUSTER_IT_TAG=$IT_TAG python3 - "$SOCK" <<'PY' &
import socket, sys, time
held = []
for _ in range(20):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sys.argv[1])
    held.append(s)
open("silent.up", "w").close()
time.sleep(300)
PY
silent=$!
deadline=$(( $(date +%s) + DEFAULT_WAIT ))
until [ -e silent.up ]; do
	[ "$(date +%s)" -gt "$deadline" ] && fail "the silent clients did not connect"
	sleep 0.02
done
t0=$(now)
ctl status ticker >/dev/null || fail "status with 20 silent clients connected: exit $?"
assert_lt "$(elapsed "$t0")" 3 "status with silent clients connected took"
kill "$silent"

python3 - "$SOCK" <<'PY' || fail "the daemon did not stand the abuse (above)"
import os, socket, sys, threading, time
path = sys.argv[1]

def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(30)
    s.connect(path)
    return s

def read_all(s):
    out = b""
    while True:
        b = s.recv(65536)
        if not b:
            return out
        out += b

# garbage: an error line each, then the daemon closes
for g in [os.urandom(3000) + b"\n", b"\x00" * 100 + b"\n", b"\n", b"muster\n", b"%%%%\n"]:
    s = conn()
    s.sendall(g)
    r = read_all(s)
    assert r.startswith(b"error "), (g[:20], r)
    s.close()
print("garbage: ok")

# a 1 MiB line (no newline): refused as too long; the rest is drained
s = conn()
t = threading.Thread(target=lambda: s.sendall(b"A" * (1 << 20)))
t.start()
r = read_all(s)
t.join(30)
assert r == b"error request too long (the limit is 4096 bytes)\n", r
s.close()
print("1 MiB line: ok")

# a 1 MiB line ending in a newline, pipelined after a good request
s = conn()
t = threading.Thread(target=lambda: s.sendall(b"muster 1 status\n" + b"B" * (1 << 20) + b"\n"))
t.start()
r = read_all(s)
t.join(30)
assert r.endswith(b"ok\n") and r.count(b"\nok\n") + r.startswith(b"ok\n") == 1, r[-200:]
s.close()
print("pipelined garbage after a request: ok")

# disconnects: right after the request, mid-wait, after half a request
for i in range(50):
    s = conn()
    s.sendall(b"muster 1 status\n")
    s.close()
for i in range(20):
    s = conn()
    s.sendall(b"muster 1 wait never\n")
    time.sleep(0.005)
    s.close()
for i in range(20):
    s = conn()
    s.sendall(b"muster 1 sta")
    s.close()
# a reader that reads one byte then leaves
s = conn()
s.sendall(b"muster 1 status ticker never ticker never ticker never\n")
s.recv(1)
s.close()
print("disconnects: ok")

# 200 clients at once
socks = [conn() for _ in range(200)]
for s in socks:
    s.sendall(b"muster 1 status ticker\n")
for s in socks:
    r = read_all(s)
    assert r.startswith(b"row name=ticker") and r.endswith(b"\nok\n"), r
    s.close()
print("200 at once: ok")

# a silent client is dropped after the request timeout (10s)
s = conn()
t0 = time.time()
r = read_all(s)
assert r.startswith(b"error no request within"), r
assert time.time() - t0 < 25, time.time() - t0
print("silent client dropped after %.1fs: ok" % (time.time() - t0))
PY

# supervision went on: more restarts, more output, still answering
r1=$(restarts_of)
ticks1=$(grep -cE 'ticker +\| tick' "$OUT")
[ "$r1" -gt "$r0" ] || fail "ticker did not restart during the abuse ($r0 -> $r1)"
[ "$ticks1" -gt "$ticks0" ] || fail "ticker's output stopped during the abuse ($ticks0 -> $ticks1)"
ctl wait --timeout 5s ticker >/dev/null 2>&1 || true
ctl status >/dev/null || fail "status after the abuse: exit $?"
# every client's descriptor is closed again
deadline=$(( $(date +%s) + DEFAULT_WAIT ))
until [ "$(nfds)" -le "$fds0" ]; do
	[ "$(date +%s)" -gt "$deadline" ] && fail "the daemon holds $(nfds) descriptors, $fds0 before the abuse"
	sleep 0.05
done
stop_muster 0
