#!/usr/bin/env bash
# start-limit: more than N failures within D and the service is failed for
# good.  Only failures count: clean exits under restart = always do not,
# and failures spread out wider than the window never add up.
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/flaky.sh"

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
