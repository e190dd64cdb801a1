#!/usr/bin/env bash
# ready-timeout: a service not ready in time is stopped (its stop-signal,
# then SIGKILL after stop-timeout if it ignores it), and the attempt counts
# as a failed start: it is retried under its restart policy and counts
# toward its start limit.
#   slow      notify, never ready twice, ready on the third run
#   hopeless  notify, never ready, start-limit 1: failed after two attempts
#   stubborn  a ready-check that never passes, ignores SIGTERM: SIGKILLed
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/flaky.sh"

NC=$HELPERS/notify_client
[ -x "$NC" ] || skip "helper $NC not built"

D=$TEST_DIR
cat >muster.ini <<INI
[muster]
control-socket = $D/ctl.sock

[service slow]
command = $(service slow "n=\$(grep -c . \"\$D/slow.runs\" 2>/dev/null)
echo \$\$ >>\"\$D/slow.runs\"
[ \"\${n:-0}\" -ge 2 ] && exec $NC -l \"\$D/slow.log\" stamp:ready send:READY=1 pause
exec $NC pause")
type = notify
ready-timeout = 2s
restart-delay = 100ms
start-limit = 5 in 60s

[service dep]
command = $FLAKY $D/dep.log pause
depends = slow

[service hopeless]
command = $NC pause
type = notify
ready-timeout = 500ms
restart-delay = 100ms
start-limit = 1 in 60s

[service stubborn]
command = $FLAKY $D/stubborn.log ignore:15+pause
ready-check = false
ready-timeout = 500ms
stop-timeout = 500ms
restart = no
INI

start_muster -c muster.ini

# slow: two timeouts, each stopping the attempt, then ready
wait_state dep ready 30
assert_count "$ERR" 'error: slow: not ready within 2s: stopping it' 2
assert_count "$ERR" 'slow: restarting in' 2
assert_eq 3 "$(wc -l <slow.runs)" "runs of slow"
for p in $(head -n 2 slow.runs); do
	alive "$p" && fail "slow's timed-out attempt (pid $p) still runs"
done
t_ready=$(awk '$1 == "ready" { print $3 }' slow.log)
t_dep=$(awk '$1 == "start" { print $4 }' dep.log)
assert_lt "$t_ready" "$t_dep" "dep started after slow's READY=1"
assert_order "$ERR" 'slow: not ready within' 'slow: stopping \(SIGTERM' 'slow: restarting in' \
	'slow: ready' 'dep: started'

# hopeless: the timeouts are failures: start limit
wait_state hopeless failed 30
assert_count "$ERR" 'error: hopeless: not ready within 0.5s: stopping it' 2
assert_grep "$ERR" 'error: hopeless: failed: start limit hit: more than 1 failures in 60s \(last: not ready within 0.5s\)'

# stubborn: SIGTERM ignored, SIGKILL after stop-timeout, failed (restart = no)
wait_state stubborn failed 30
assert_order "$ERR" 'error: stubborn: not ready within 0.5s: stopping it' \
	'stubborn: still running 0.5s after SIGTERM: sending SIGKILL' 'stubborn: failed: not ready within 0.5s'
assert_eq 1 "$(runs stubborn.log)" "runs of stubborn"

stop_muster 0
