#!/usr/bin/env bash
# A service that ignores SIGTERM is sent SIGKILL (to its process group)
# once its stop-timeout has passed, well before the graceful-timeout.
. "$(dirname "$0")/lib.sh"

cat >muster.ini <<INI
[muster]
graceful-timeout = 60s

[service stubborn]
command = $(service stubborn "trap '' TERM; echo \$\$ >\$D/stubborn.pid; stamp stubborn.up; while :; do sleep 0.05; done")
stop-timeout = 1s
INI

start_muster -c muster.ini
wait_for "$ERR" 'all 1 service up'
wait_file stubborn.up
pid=$(cat stubborn.pid)

t0=$(now)
signal TERM
expect_exit 0 30
took=$(elapsed "$t0")

assert_order "$ERR" 'stubborn: stopping \(SIGTERM' \
	'stubborn: still running 1s after SIGTERM: sending SIGKILL' \
	'stubborn: stopped \(signal 9\)' 'all services stopped'
assert_no_grep "$ERR" 'graceful-timeout'
# not before the stop-timeout, and long before the graceful-timeout
assert_le 0.9 "$took" "time from SIGTERM to exit (>= stop-timeout 1s)"
assert_lt "$took" 30 "time from SIGTERM to exit (< graceful-timeout 60s)"
wait_gone "$pid" 5 || fail "the service's process $pid is still there after muster exited"
