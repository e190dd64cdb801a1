#!/usr/bin/env bash
# start-limit: more than N failures within D and the service is failed for
# good.  Only failures count: clean exits under restart = always do not,
# and failures spread out wider than the window never add up.
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

D=$TEST_DIR
cat >muster.ini <<INI
[muster]
control-socket = $D/ctl.sock

; fails at every run: 1 start + 3 restarts, then failed for good
[service crashy]
command = $FLAKY $D/crashy.log exit:1
restart-delay = 50ms
restart-delay-max = 50ms
start-limit = 3 in 60s

; five clean exits under restart = always, limit 2: not failures
[service clean]
command = $FLAKY $D/clean.log exit:0 exit:0 exit:0 exit:0 exit:0 pause
restart = always
restart-delay = 50ms
restart-delay-max = 50ms
start-limit = 2 in 60s

; fails at every run, but the delay (700ms) keeps three failures from ever
; falling within 1s
[service spaced]
command = $FLAKY $D/spaced.log exit:1
restart-delay = 700ms
restart-delay-max = 700ms
start-limit = 2 in 1s
INI

start_muster -c muster.ini

wait_state crashy failed
wait_for "$ERR" 'error: crashy: failed: start limit hit: more than 3 failures in 60s \(last: status 1\)'
assert_eq 4 "$(runs crashy.log)" "runs of crashy"
assert_count "$ERR" 'crashy: restarting in' 3
reason=$("$MUSTERCTL" -s ctl.sock status --json crashy | sed -n 's/.*"reason": "\([^"]*\)".*/\1/p')
assert_eq "start limit hit: more than 3 failures in 60s (last: status 1)" "$reason" "crashy's reason"

wait_state clean ready
assert_eq 6 "$(runs clean.log)" "runs of clean"

wait_runs spaced.log 5 30
s=$(state spaced)
case $s in
backoff | ready | starting) ;;
*) fail "spaced is '$s' after 4 failures spaced 0.7s apart (limit: more than 2 in 1s)" ;;
esac
assert_no_grep "$ERR" 'spaced: failed'

# failed for good: not started again, and muster keeps running
sleep 0.3
assert_eq 4 "$(runs crashy.log)" "runs of crashy, later"
alive "$MPID" || fail "muster exited"
stop_muster 0
assert_eq 4 "$(runs crashy.log)" "runs of crashy after shutdown"
