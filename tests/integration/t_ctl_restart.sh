#!/usr/bin/env bash
# musterctl restart NAME: the service stops and starts again (a new
# process), what depends on it keeps running; a stopped one just starts.
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/ctl.sh"


cat >muster.ini <<INI
[muster]
control-socket = $SOCK

[service db]
command = sleep 300

[service web]
command = sleep 300
depends = db
INI

pid_of() { ctl status "$1" | awk 'NR == 2 { print $3 }'; }

start_muster -c muster.ini
wait_socket
ctl wait db web || fail "wait db web: exit $?"
db1=$(pid_of db)
web1=$(pid_of web)

ctl restart db || fail "restart db: exit $?"
deadline=$(( $(date +%s) + DEFAULT_WAIT ))
until [ "$(state_of db)" = ready ] && [ "$(pid_of db)" != "$db1" ]; do
	[ "$(date +%s)" -gt "$deadline" ] &&
		fail "db was not ready with a new pid ${DEFAULT_WAIT}s after restart (state $(state_of db))"
	sleep 0.02
done
alive "$db1" && fail "db's old process $db1 is still running"
assert_eq "$web1" "$(pid_of web)" "web's pid (a dependent keeps running)"
ctl wait db web || fail "wait db web after restart: exit $?"

# restart of a stopped service starts it
ctl stop web || fail "stop web: exit $?"
wait_state web stopped
ctl restart web || fail "restart web (stopped): exit $?"
ctl wait web || fail "wait web after restarting it from stopped: exit $?"

ctl restart nosuch 2>/dev/null
assert_eq 1 "$?" "exit status of restart nosuch"

stop_muster 0
