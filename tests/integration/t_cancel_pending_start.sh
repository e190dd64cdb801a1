#!/usr/bin/env bash
# SIGTERM cancels pending starts: a service still waiting for a slow
# dependency is never started, and the slow oneshot (starting) is stopped
# at once rather than waited for.
. "$(dirname "$0")/lib.sh"

cat >muster.ini <<INI
[muster]
graceful-timeout = 60s

[service slow]
command = $(service slow 'stamp slow.start; sleep 30; stamp slow.end')
type = oneshot

[service dep]
command = $(service dep 'stamp dep.start; exec sleep 300')
depends = slow

[service later]
command = $(service later 'stamp later.start; exec sleep 300')
after = dep
INI

start_muster -c muster.ini
wait_for "$ERR" 'slow: started'
wait_file slow.start

t0=$(now)
signal TERM
expect_exit 0 20
took=$(elapsed "$t0")

assert_grep "$ERR" 'stopping 1 service'
assert_order "$ERR" 'slow: started' 'slow: stopping \(SIGTERM' 'slow: stopped \(signal 15\)' 'all services stopped'
assert_no_grep "$ERR" 'dep: started'
assert_no_grep "$ERR" 'later: started'
assert_no_grep "$ERR" 'all [0-9]+ services? up'
assert_no_file dep.start
assert_no_file later.start
assert_no_file slow.end
assert_lt "$took" 15 "time from SIGTERM to exit (slow sleeps 30s)"
