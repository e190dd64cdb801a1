#!/usr/bin/env bash
# start, stop and restart wait for the outcome in muster: start returns 0
# only once the service is ready; 1 with the reason when it fails; 124
# when --timeout passes (the service carries on starting); --no-block
# returns at once.  stop returns once the service has stopped; restart
# once it is back and ready.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl.sh"

cat >muster.ini <<INI
[muster]
control-socket = $SOCK

[service slow]
command = sleep 300
ready-check = test -e $TEST_DIR/go
ready-interval = 20ms
enabled = no

[service bad]
command = $(service bad 'echo 1 >"$D/bad-ran"; exit 3')
type = notify
restart = no
enabled = no

[service never]
command = sleep 300
type = notify
ready-timeout = 60s
enabled = no

[service stubborn]
command = $(service stubborn 'trap "sleep 0.5; exit 0" TERM; while :; do sleep 0.05; done')
INI

start_muster -c muster.ini
wait_socket
ctl wait stubborn || fail "stubborn not ready"

# slow: the start waits until it is ready
( ctl start slow >out.txt 2>&1; echo $? >rc; now >returned ) &
starter=$!
wait_for "$ERR" 'slow: started'
now >go.ts
touch go
wait "$starter"
assert_eq 0 "$(cat rc)" "start slow's exit status ($(cat out.txt))"
assert_ts_before go.ts returned
assert_eq ready "$(state_of slow)" "slow when start returned"

# bad: exits before it is ready: 1, with the reason
ctl start bad >out.txt 2>err.txt
assert_eq 1 "$?" "start of a failing service"
assert_grep err.txt 'bad failed: exited with status 3' "the reason"

# never: --timeout passes: 124, and it carries on starting
ctl start --timeout 500ms never >out.txt 2>err.txt
assert_eq 124 "$?" "start past --timeout"
assert_grep err.txt 'timed out after 0.5s .*never is starting' "the message"
assert_eq starting "$(state_of never)" "never after the start timed out"

# --no-block: at once, while it is still starting
ctl stop never || fail "stop never: exit $?"
ctl start --no-block never || fail "start --no-block: exit $?"
assert_eq starting "$(state_of never)" "never after start --no-block"

# stop waits until it has stopped; restart until it is back
ctl stop stubborn || fail "stop stubborn: exit $?"
assert_eq stopped "$(state_of stubborn)" "stubborn when stop returned"
ctl start stubborn || fail "start stubborn: exit $?"
p1=$(pid_of stubborn)
ctl restart stubborn || fail "restart stubborn: exit $?"
assert_eq ready "$(state_of stubborn)" "stubborn when restart returned"
[ "$(pid_of stubborn)" != "$p1" ] || fail "restart returned before stubborn was restarted"
stop_muster 0
