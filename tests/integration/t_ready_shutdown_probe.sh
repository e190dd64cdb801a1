#!/usr/bin/env bash
# Shutdown during readiness probes is immediate: a ready-check still
# running (it would take 60s) is killed, a ready-tcp probe waiting 60s for
# its next try and a notify service 60s from its ready-timeout are stopped
# at once, and what depends on them never starts.  No process is left.
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/flaky.sh"

NC=$HELPERS/notify_client
[ -x "$NC" ] || skip "helper $NC not built"

D=$TEST_DIR
port=$("$FLAKY" --free-port) || fail "no free port"
cat >muster.ini <<INI
[muster]
control-socket = $D/ctl.sock
graceful-timeout = 60s

[service checked]
command = $FLAKY $D/checked.log pause
ready-check = sh -c 'echo \$\$\$\$ >$D/check.pid; exec sleep 60'
ready-interval = 60s
ready-timeout = 5m
stop-timeout = 60s

[service tcp]
command = $FLAKY $D/tcp.log pause
ready-tcp = 127.0.0.1:$port
ready-interval = 60s
ready-timeout = 5m
stop-timeout = 60s

[service notified]
command = $NC pause
type = notify
ready-timeout = 5m
stop-timeout = 60s

[service dep]
command = $FLAKY $D/dep.log pause
depends = checked tcp notified
INI

start_muster -c muster.ini
wait_file check.pid 30
check=$(cat check.pid)
alive "$check" || fail "the ready-check (pid $check) is not running"
wait_runs tcp.log 1
wait_for "$ERR" 'notified: started'
for s in checked tcp notified; do
	assert_eq starting "$(state "$s")" "state of $s"
done
assert_eq waiting "$(state dep)" "state of dep"
pids=$(descendants "$MPID")

t0=$(now)
signal TERM
expect_exit 0 30
took=$(elapsed "$t0")
log "exit $took s after SIGTERM, with three services in their readiness probes"
assert_lt "$took" 10 "time from SIGTERM to exit (the check takes 60s, the intervals are 60s)"

wait_gone "$check" 5 || fail "the ready-check (pid $check) outlived muster"
for p in $pids; do
	wait_gone "$p" 5 || fail "process $p ($(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)) outlived muster"
done
assert_eq 0 "$(runs dep.log)" "runs of dep"
assert_no_grep "$ERR" '(checked|tcp|notified): ready'
assert_grep "$ERR" 'all services stopped'
