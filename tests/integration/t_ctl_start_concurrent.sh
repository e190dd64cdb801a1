#!/usr/bin/env bash
# A second start of a starting service joins the wait: both return 0 once
# it is ready.  A stop during a blocking start ends that start at once with
# exit 1 ("stop requested"), and the stop itself returns 0 once stopped.
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
INI

start_muster -c muster.ini
wait_socket

( ctl start slow >a.txt 2>&1; echo $? >a.rc; now >a.ts ) &
a=$!
wait_state slow starting
( ctl start slow >b.txt 2>&1; echo $? >b.rc; now >b.ts ) &
b=$!
deadline=$(( $(date +%s) + DEFAULT_WAIT ))
until [ "$(grep -c 'control: start slow' "$ERR")" -ge 2 ]; do
	[ "$(date +%s)" -gt "$deadline" ] && fail "the second start did not arrive"
	sleep 0.02
done
now >go.ts
touch go
wait "$a" "$b"
assert_eq 0 "$(cat a.rc)" "first start ($(cat a.txt))"
assert_eq 0 "$(cat b.rc)" "second start ($(cat b.txt))"
assert_ts_before go.ts a.ts
assert_ts_before go.ts b.ts

ctl stop slow || fail "stop slow: exit $?"
rm -f go
ctl start slow >c.txt 2>&1 &
c=$!
wait_state slow starting
ctl stop slow || fail "stop during the start: exit $?"
wait "$c"
assert_eq 1 "$?" "the start a stop interrupted"
assert_grep c.txt 'slow: stop requested while it started' "the reason"
assert_eq stopped "$(state_of slow)" "slow after the stop"
stop_muster 0
