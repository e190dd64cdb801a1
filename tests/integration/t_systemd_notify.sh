#!/usr/bin/env bash
# Plays systemd: a datagram socket as NOTIFY_SOCKET with WATCHDOG_USEC set.
# muster must send STATUS progress while starting, READY=1 only once the
# last service is ready, RELOADING=1 then READY=1 around a SIGHUP reload,
# STOPPING=1 at shutdown, and WATCHDOG=1 at about half the interval.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip "python3 is needed to play systemd"

# the receiver: one line per datagram, "<monotonic seconds> <fields | ...>"
cat >sd.py <<'PY'
import os, socket, sys, time
path = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
open(path + ".bound", "w").write("bound\n")
s.settimeout(60)
with open("sd.log", "a", buffering=1) as log:
    while True:
        try:
            m = s.recv(65536).decode()
        except socket.timeout:
            break
        log.write("%.6f %s\n" % (time.monotonic(), m.replace("\n", " | ")))
PY
# tagged: the test's cleanup kills it with everything else
MUSTER_IT_TAG=$IT_TAG python3 sd.py "$TEST_DIR/sd.sock" &
wait_file sd.sock.bound

cat >muster.ini <<INI
[muster]
control-socket = $TEST_DIR/ctl.sock
[service a]
command = $(service a 'stamp a.up; exec sleep 1000')
[service slow]
command = $(service slow 'sleep 0.4; stamp slow.ready; echo >&3; exec sleep 1000')
ready-fd = 3
depends = a
INI

NOTIFY_SOCKET=$TEST_DIR/sd.sock WATCHDOG_USEC=400000 start_muster -c muster.ini
wait_for "$ERR" 'all 2 services up'
wait_for sd.log 'READY=1'
assert_grep sd.log 'STATUS=starting: 0/2 ready' "progress before anything is ready"
assert_grep sd.log 'STATUS=starting: 1/2 ready' "progress at the first service"
assert_order sd.log 'STATUS=starting: 0/2 ready' 'STATUS=starting: 1/2 ready' \
	'STATUS=starting: 2/2 ready' '^[0-9.]+ READY=1'
# READY=1 came after the slow service said it was ready (its own clock is
# realtime; compare through muster's log order instead): nothing before it
assert_eq 1 "$(grep -c 'READY=1' sd.log)" "READY=1 sent once while starting"

# reload: RELOADING=1 then READY=1
signal HUP
wait_for sd.log 'RELOADING=1'
poll_for sd.log '^[0-9.]+ READY=1.*STATUS=running' 10 || fail "no READY=1 after the reload"
rl=$(line_no sd.log 'RELOADING=1')
rd=$(grep -nE '^[0-9.]+ READY=1' sd.log | tail -1 | cut -d: -f1)
assert_lt "$rl" "$rd" "READY=1 (line $rd) after RELOADING=1 (line $rl)"
assert_grep sd.log 'MONOTONIC_USEC=[0-9]+' "RELOADING=1 carries MONOTONIC_USEC"

# watchdog: pings every ~0.2s (half of 0.4s); let some accumulate
poll_for sd.log 'WATCHDOG=1' 10 || fail "no WATCHDOG=1"
t0=$(now)
while [ "$(grep -c WATCHDOG=1 sd.log)" -lt 6 ]; do
	[ "$(elapsed "$t0")" \< 20 ] || fail "fewer than 6 watchdog pings in 20s"
	sleep 0.1
done
# the gaps: none much above the interval (0.4s) even on a loaded machine
gaps=$(grep 'WATCHDOG=1' sd.log | awk 'NR > 1 { printf "%.3f\n", $1 - p } { p = $1 }')
max=$(echo "$gaps" | sort -n | tail -1)
min=$(echo "$gaps" | sort -n | head -1)
assert_le "$max" 0.45 "largest gap between watchdog pings (interval 0.4s, pinged at half)"
assert_le 0.1 "$min" "smallest gap between watchdog pings (not a flood)"

signal TERM
expect_exit 0
poll_for sd.log 'STOPPING=1' 5 || fail "no STOPPING=1 at shutdown"
