#!/usr/bin/env bash
# musterctl wait [--timeout D] NAME...: blocks until every NAME is ready or
# done (exit 0); exit 1 as soon as one failed or is stopped, or when D
# passed; exit 1 too when muster shuts down under it.  Unknown names exit 1,
# bad usage 2.
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/ctl.sh"

cat >muster.ini <<INI
[muster]
control-socket = $SOCK

[service slow]
command = $(service slow 'sleep 1; stamp slow.end')
type = oneshot

[service never]
command = sleep 300
type = notify
ready-timeout = 1h

[service broken]
command = $(service broken 'sleep 0.3; exit 3')
restart = no

[service fast]
command = sleep 300
INI

start_muster -v -c muster.ini
wait_socket

# blocks until the oneshot is done
ctl wait slow || fail "wait slow: exit $?, expected 0"
assert_file slow.end
ctl wait fast slow || fail "wait fast slow: exit $?, expected 0"

# failure: exit 1 with the reason
ctl wait broken 2>err.txt
assert_eq 1 "$?" "exit status of wait broken"
assert_grep err.txt 'broken failed' "wait broken's message"

# timeout: exit 1 after about D, naming what was not ready
t0=$(now)
ctl wait --timeout 500ms never 2>err.txt
assert_eq 1 "$?" "exit status of wait --timeout 500ms never"
took=$(elapsed "$t0")
assert_le 0.45 "$took" "wait --timeout 500ms returned too early"
assert_lt "$took" 10 "wait --timeout 500ms took too long"
assert_grep err.txt 'timed out after 0.5s: never is starting' "wait's timeout message"
ctl wait --timeout=1s fast never 2>/dev/null
assert_eq 1 "$?" "exit status of wait --timeout=1s fast never"
ctl wait -t 0 fast || fail "wait -t 0 fast (ready) should exit 0"

# a service stopped on request will not come: exit 1 at once
ctl stop fast || fail "stop fast: exit $?"
wait_state fast stopped
ctl wait fast 2>err.txt
assert_eq 1 "$?" "exit status of wait for a stopped service"
assert_grep err.txt 'fast is stopped' "the message"

# unknown names and usage
ctl wait nosuch 2>/dev/null
assert_eq 1 "$?" "exit status of wait nosuch"
ctl wait --timeout soon slow 2>err.txt
assert_eq 2 "$?" "exit status of wait with a bad duration"
assert_grep err.txt "bad timeout 'soon'" "the bad duration's message"
ctl wait 2>/dev/null
assert_eq 2 "$?" "exit status of wait without names"
ctl wait --timeout 2>/dev/null
assert_eq 2 "$?" "exit status of wait --timeout without a duration"

# a wait still pending when muster shuts down ends with exit 1
n0=$(grep -c 'control: wait from' "$ERR")
ctl wait never 2>pending.err &
waiter=$!
deadline=$(( $(date +%s) + DEFAULT_WAIT ))
until [ "$(grep -c 'control: wait from' "$ERR")" -gt "$n0" ]; do
	[ "$(date +%s)" -gt "$deadline" ] && fail "the daemon never saw the pending wait"
	sleep 0.02
done
ctl shutdown >/dev/null || fail "shutdown: exit $?"
wait_exit "$waiter" "$DEFAULT_WAIT"
rc=$?
assert_eq 1 "$rc" "exit status of a wait pending at shutdown"
assert_grep pending.err 'shutting down' "the pending wait's message"
expect_exit 0
