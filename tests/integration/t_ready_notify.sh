#!/usr/bin/env bash
# type = notify with a small C sd_notify client (tests/helpers/notify_client):
# the service gets NOTIFY_SOCKET = <control socket>.notify (a simple
# service does not); it is ready on READY=1, not on exec; its dependent
# starts only after READY=1 was sent (CLOCK_MONOTONIC stamps of both);
# STATUS= shows in musterctl status.
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/flaky.sh"

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
