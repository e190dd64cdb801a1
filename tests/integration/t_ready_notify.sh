#!/usr/bin/env bash
# type = notify with a small C sd_notify client (tests/helpers/notify_client):
# the service gets NOTIFY_SOCKET = <control socket>.notify (a simple
# service does not); it is ready on READY=1, not on exec; its dependent
# starts only after READY=1 was sent (CLOCK_MONOTONIC stamps of both);
# STATUS= shows in musterctl status.
. "$(dirname "$0")/lib.sh"

: "${HELPERS:=$(cd "$(dirname "$0")/../.." && pwd)/build/helpers}"
FLAKY=$HELPERS/flaky
[ -x "$FLAKY" ] || skip "helper $FLAKY not built (make integration builds it)"
[ -x "$MUSTERCTL" ] || skip "MUSTERCTL is not set to musterctl"

# state NAME: NAME's state, as musterctl status --json says
state() {
	"$MUSTERCTL" -s "$TEST_DIR/ctl.sock" status --json "$1" 2>/dev/null |
		sed -n 's/.*"state": "\([a-z]*\)".*/\1/p'
}

# wait_state NAME STATE [TIMEOUT]
wait_state() {
	local deadline=$(( $(date +%s%N) + ${3:-$DEFAULT_WAIT} * 1000000000 )) s
	while s=$(state "$1"); [ "$s" != "$2" ]; do
		[ "$(date +%s%N)" -gt "$deadline" ] &&
			fail "$1 is '$s' after ${3:-$DEFAULT_WAIT}s, expected '$2'"
		sleep 0.05
	done
}

# runs LOG: how many times a flaky service started
runs() {
	local n
	n=$(grep -c '^start ' "$1" 2>/dev/null)
	echo "${n:-0}"
}

# wait_runs LOG N [TIMEOUT]: until the service has started N times
wait_runs() {
	local deadline=$(( $(date +%s%N) + ${3:-$DEFAULT_WAIT} * 1000000000 ))
	while [ "$(runs "$1")" -lt "$2" ]; do
		[ "$(date +%s%N)" -gt "$deadline" ] &&
			fail "$(basename "$1" .log) started $(runs "$1") times in ${3:-$DEFAULT_WAIT}s, expected $2"
		sleep 0.02
	done
}
NC=$HELPERS/notify_client
[ -x "$NC" ] || skip "helper $NC not built"

D=$TEST_DIR
cat >muster.ini <<INI
[muster]
control-socket = $D/ctl.sock

[service db]
command = /bin/sh -c 'echo "socket=\$NOTIFY_SOCKET"; exec "\$0" "\$@"'
  $NC -l $D/db.log stamp:start 'send:STATUS=warming up' sleep:400 stamp:ready
  'send:READY=1\nSTATUS=accepting connections' pause
type = notify

[service web]
command = /bin/sh -c 'echo "web socket=\${NOTIFY_SOCKET-none}"; exec "\$0" "\$@"'
  $FLAKY $D/web.log pause
depends = db
INI

start_muster -c muster.ini
wait_for "$ERR" 'all 2 services up' 30

assert_grep "$OUT" "db +\| socket=$D/ctl.sock.notify\$"
assert_grep "$OUT" 'web +\| web socket=none$'
assert_order "$ERR" 'db: started' 'db: ready' 'web: started'

t_start=$(awk '$1 == "start" { print $3 }' db.log)
t_ready=$(awk '$1 == "ready" { print $3 }' db.log)
t_web=$(awk '$1 == "start" { print $4 }' web.log)
[ -n "$t_start" ] && [ -n "$t_ready" ] && [ -n "$t_web" ] || fail "missing stamps"
log "db started, READY=1 at +$(elapsed "$t_start" "$t_ready")s, web started at +$(elapsed "$t_start" "$t_web")s"
assert_lt "$t_ready" "$t_web" "READY=1 sent before web started"
assert_le 0.4 "$(elapsed "$t_start" "$t_web")" "web started at least 400ms after db"

json=$("$MUSTERCTL" -s ctl.sock status --json db)
grep -q '"status": "accepting connections"' <<<"$json" ||
	fail "db: expected STATUS 'accepting connections' in: $json"

# the socket is there while muster runs, gone after
[ -S "$D/ctl.sock.notify" ] || fail "no notify socket $D/ctl.sock.notify"
stop_muster 0
assert_no_file "$D/ctl.sock.notify"
