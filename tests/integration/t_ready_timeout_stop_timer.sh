#!/usr/bin/env bash
# After a ready-timeout, the next attempt gets its whole stop-timeout.
# Attempt 1 is not ready in time, gets SIGTERM and exits at once; attempt 2
# is not ready in time either and ignores SIGTERM: it must get SIGKILL
# stop-timeout (5s) after its own SIGTERM, not earlier.
#
# Regression (service.c, exited()): the timed-out path once went to the
# restart without stopping attempt 1's stop timer, which then fired during
# attempt 2's stop, at most 5 - 2.1 = 2.9s after its SIGTERM.
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/flaky.sh"

D=$TEST_DIR
cat >muster.ini <<INI
[muster]
control-socket = $D/ctl.sock
log-timestamps = yes

[service n]
command = $FLAKY $D/n.log pause ignore:15+pause
type = notify
ready-timeout = 2s
stop-timeout = 5s
restart-delay = 100ms
restart = on-failure
start-limit = none
INI

start_muster -c muster.ini
wait_for "$ERR" 'n: still running 5s after SIGTERM: sending SIGKILL' 40
wait_runs n.log 2

# seconds since the epoch of a message line (its RFC 3339 timestamp)
when() {
	local t
	t=$(grep -E -- "$1" "$ERR" | sed -n "${2}p" | grep -oE '[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+[-+Z][0-9:]*' | head -n 1)
	[ -n "$t" ] || fail "no timestamp on line $2 matching /$1/"
	date -d "$t" +%s.%N
}
term2=$(when 'n: not ready within 2s: stopping it' 2)
kill2=$(when 'n: still running 5s after SIGTERM: sending SIGKILL' 1)
gap=$(elapsed "$term2" "$kill2")
log "attempt 2: SIGKILL ${gap}s after its SIGTERM (stop-timeout 5s)"
assert_le 4.99 "$gap" "seconds from attempt 2's SIGTERM to its SIGKILL (stop-timeout 5s)"
stop_muster 0
