#!/usr/bin/env bash
# The whole shutdown gets graceful-timeout: with a long stop-timeout, a
# service that ignores SIGTERM is SIGKILLed when graceful-timeout passes.
. "$(dirname "$0")/lib.sh"

cat >muster.ini <<INI
[muster]
graceful-timeout = 1s

[service stubborn]
command = $(service stubborn "trap '' TERM; echo \$\$ >\$D/stubborn.pid; stamp stubborn.up; while :; do sleep 0.05; done")
stop-timeout = 60s
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
	'graceful-timeout \(1s\) passed with 1 services? running: sending SIGKILL' \
	'stubborn: stopped \(signal 9\)' 'all services stopped'
assert_no_grep "$ERR" 'still running .* after SIGTERM'
assert_le 0.9 "$took" "time from SIGTERM to exit (>= graceful-timeout 1s)"
assert_lt "$took" 30 "time from SIGTERM to exit (< stop-timeout 60s)"
wait_gone "$pid" 5 || fail "the service's process $pid is still there after muster exited"
