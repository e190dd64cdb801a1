#!/usr/bin/env bash
# musterctl stop NAME stops what depends on NAME first, and a stopped
# service stays stopped (restart = always or not) until started; start NAME
# starts what NAME depends on too.
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/ctl.sh"

cat >muster.ini <<INI
[muster]
control-socket = $SOCK

[service db]
command = $(service db 'echo db up; exec sleep 300')
restart = always

[service web]
command = $(service web 'echo web up; exec sleep 300')
depends = db
restart = always

[service clock]
command = $(service clock 'echo tick; sleep 0.05; exit 1')
restart = always
restart-delay = 50ms
restart-delay-max = 50ms
start-limit = 0
INI

restarts_of() { ctl status "$1" | awk 'NR == 2 { print $5 }'; }

start_muster -c muster.ini
wait_socket
ctl wait db web || fail "wait db web: exit $?"

ctl stop db || fail "stop db: exit $?"
wait_state db stopped
wait_state web stopped
# web (which depends on db) was stopped before db was signalled
assert_order "$ERR" 'web: stopped' 'db: stopping'

# they stay stopped while the clock service restarts a few times
r0=$(restarts_of clock)
deadline=$(( $(date +%s) + DEFAULT_WAIT ))
while [ "$(restarts_of clock)" -lt $((r0 + 4)) ]; do
	[ "$(date +%s)" -gt "$deadline" ] && fail "clock did not restart 4 times in ${DEFAULT_WAIT}s"
	sleep 0.05
done
assert_eq stopped "$(state_of db)" "db's state after being stopped"
assert_eq stopped "$(state_of web)" "web's state after being stopped"
assert_count "$OUT" 'db +\| db up' 1

# start web: db, what web depends on, starts too (first)
ctl start web || fail "start web: exit $?"
ctl wait --timeout 20s web db || fail "web and db should be ready after start web"
assert_count "$OUT" 'db +\| db up' 2
assert_count "$OUT" 'web +\| web up' 2
n_db=$(grep -nE 'db: started' "$ERR" | tail -n 1 | cut -d: -f1)
n_web=$(grep -nE 'web: started' "$ERR" | tail -n 1 | cut -d: -f1)
[ "$n_db" -lt "$n_web" ] || fail "db should have started before web (log lines $n_db, $n_web)"

# several names at once; unknown names change nothing
ctl stop web db || fail "stop web db: exit $?"
wait_state db stopped
ctl start db nosuch 2>err.txt
assert_eq 1 "$?" "exit status of start with an unknown name"
assert_grep err.txt "no service named 'nosuch'" "the message"
assert_eq stopped "$(state_of db)" "db after a refused start"
ctl start db web || fail "start db web: exit $?"
ctl wait web db || fail "web and db should be ready again"

# usage
ctl start 2>/dev/null
assert_eq 2 "$?" "exit status of start without names"
ctl stop 2>/dev/null
assert_eq 2 "$?" "exit status of stop without names"

stop_muster 0
