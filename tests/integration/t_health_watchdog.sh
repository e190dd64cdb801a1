#!/usr/bin/env bash
# watchdog = DURATION: the service gets WATCHDOG_USEC, WATCHDOG_PID (its own
# pid) and NOTIFY_SOCKET, like systemd's WatchdogSec=; fed with WATCHDOG=1
# every 100 ms it is healthy; when it stops sending, it is unhealthy at
# once (health-retries and the start period do not apply) and
# on-unhealthy = restart restarts it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl.sh"
. "$(dirname "$0")/probes.sh"

D=$TEST_DIR
touch feed
cat >dog.py <<'PY'
import os, socket, sys, time
d = sys.argv[1]
with open(d + "/env.log", "a") as f:
    f.write("%d %s %s\n" % (os.getpid(), os.environ.get("WATCHDOG_PID"), os.environ.get("WATCHDOG_USEC")))
a = os.environ["NOTIFY_SOCKET"]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
usec = int(os.environ["WATCHDOG_USEC"])
# ready once running: the watchdog starts with ready (a slow start under
# load is not a missed ping)
s.sendto(b"READY=1", "\0" + a[1:] if a[0] == "@" else a)
while True:
    if os.path.exists(d + "/feed"):
        s.sendto(b"WATCHDOG=1", "\0" + a[1:] if a[0] == "@" else a)
    time.sleep(0.1)
PY
cat >muster.ini <<INI
[muster]
control-socket = $SOCK

[service dog]
command = python3 $D/dog.py $D
type = notify
watchdog = 2s
health-retries = 5
health-start-period = 1m
restart-delay = 100ms
INI
start_muster -c muster.ini
wait_socket
wait_health dog healthy
wait_file env.log
read -r pid wpid usec <env.log
assert_eq "$pid" "$wpid" "WATCHDOG_PID"
assert_eq 2000000 "$usec" "WATCHDOG_USEC"
assert_eq "$pid" "$(pid_of dog)" "dog's pid"

rm feed
wait_for "$ERR" 'error: dog: unhealthy: no WATCHDOG=1 within 2s: stopping it \(on-unhealthy = restart\)'
wait_for "$ERR" 'dog: restarting in'
touch feed
wait_health dog healthy
new=$(pid_of dog)
[ "$new" != "$pid" ] || fail "dog was not restarted (pid $pid)"
assert_eq 1 "$(ctl status dog | awk 'NR == 2 { print $5 }')" "dog's restarts"
stop_muster 0
