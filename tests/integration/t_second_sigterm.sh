#!/usr/bin/env bash
# A second SIGTERM during shutdown stops waiting: every remaining process
# group is SIGKILLed at once and muster exits, long before the timeouts.
. "$(dirname "$0")/lib.sh"

cat >muster.ini <<INI
[muster]
graceful-timeout = 100s

[service stubborn]
command = $(service stubborn "trap '' TERM; echo \$\$ >\$D/stubborn.pid; stamp stubborn.up; while :; do sleep 0.05; done")
stop-timeout = 100s

[service other]
command = $(service other "trap '' TERM; echo \$\$ >\$D/other.pid; stamp other.up; while :; do sleep 0.05; done")
stop-timeout = 100s
INI

start_muster -c muster.ini
wait_for "$ERR" 'all 2 services up'
wait_file stubborn.up; wait_file other.up

signal TERM
wait_for "$ERR" 'stubborn: stopping \(SIGTERM'
wait_for "$ERR" 'other: stopping \(SIGTERM'
t0=$(now)
signal TERM
expect_exit 0 60
took=$(elapsed "$t0")

assert_order "$ERR" 'stubborn: stopping \(SIGTERM' 'SIGTERM again' 'stubborn: stopped \(signal 9\)'
assert_order "$ERR" 'SIGTERM again' 'other: stopped \(signal 9\)'
assert_lt "$took" 50 "time from the second SIGTERM to exit (timeouts are 100s)"
for s in stubborn other; do
	wait_gone "$(cat $s.pid)" 5 || fail "$s's process $(cat $s.pid) is still there after muster exited"
done
