#!/usr/bin/env bash
# A forking daemon's handover: the first process sends
# "MAINPID=<its child>\nREADY=1" and exits at once, as daemons that fork
# into the background do.  The message was sent before the exit, so it
# must count: the service is ready with the child as its main process (the
# first process's exit is not the service's), and its dependent starts.
# systemd reads its notify socket before it handles SIGCHLD for this reason.
#
# Regression: muster once handled the SIGCHLD of the first process before
# it read the datagram already waiting on the notify socket; the service
# then "exited with status 0", its dependent failed ("dependency X is
# stopped"), and the daemon ran on unsupervised.  Seen in about 2 of 3
# runs; five services here make a miss near certain.
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/flaky.sh"

NC=$HELPERS/notify_client
[ -x "$NC" ] || skip "helper $NC not built"

D=$TEST_DIR
{
	printf '[muster]\ncontrol-socket = %s/ctl.sock\n' "$D"
	for i in 1 2 3 4 5; do
		cat <<INI

[service d$i]
command = $NC fork:pause 'send:MAINPID=%c\nREADY=1' exit:0
type = notify
ready-timeout = 1m

[service w$i]
command = $FLAKY $D/w$i.log pause
depends = d$i
INI
	done
} >muster.ini

start_muster -c muster.ini
for i in 1 2 3 4 5; do
	wait_for "$ERR" "(d$i: ready|w$i: failed)" 30
done
missed=$(grep -cE 'd[1-5]: exited with status 0' "$ERR")
if [ "$missed" -gt 0 ] && grep -qE 'w[1-5]: failed: dependency d[1-5] is stopped' "$ERR"; then
	fail "$missed of 5 forking daemons lost: SIGCHLD of the first process handled before its MAINPID=/READY=1 already on the notify socket (the service 'exited with status 0', its dependent failed)"
fi
for i in 1 2 3 4 5; do
	wait_state "d$i" ready
	wait_state "w$i" ready
	main=$("$MUSTERCTL" -s ctl.sock status --json "d$i" | sed -n 's/.*"pid": \([0-9]*\).*/\1/p')
	assert_grep "$ERR" "d$i: main process is now $main\$"
	alive "$main" || fail "d$i: its main process $main is not running"
done
assert_no_grep "$ERR" 'exited with status 0'
stop_muster 0
