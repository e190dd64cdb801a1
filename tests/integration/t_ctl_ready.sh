#!/usr/bin/env bash
# musterctl ready: exit 0 iff every service that should be up is ready or
# done (a probe for Kubernetes or Docker); one still starting, waiting or
# failed makes it exit 1 and named; one stopped on request does not count.
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/ctl.sh"

cat >muster.ini <<INI
[muster]
control-socket = $SOCK

[service slow]
command = $(service slow 'until [ -e "$D/go" ]; do sleep 0.02; done')
type = oneshot

[service web]
command = sleep 300
depends = slow

[service opt]
command = $(service opt '[ -e "$D/ok-now" ] && exit 0
until [ -e "$D/fail-now" ]; do sleep 0.02; done; exit 1')
type = oneshot
restart = no
INI

start_muster -c muster.ini
wait_socket
wait_state slow starting

ctl ready >out.txt 2>err.txt
assert_eq 1 "$?" "ready while slow is starting"
assert_grep err.txt 'not ready: .*slow \(starting\)' "ready's message"
assert_grep err.txt 'web \(waiting\)' "ready's message"

touch go
ctl wait web || fail "wait web: exit $?"
ctl ready 2>err.txt
assert_eq 1 "$?" "ready while opt is still starting"
assert_grep err.txt 'opt \(starting\)' "ready's message"
assert_no_grep err.txt 'slow|web' "ready's message"

touch fail-now
wait_state opt failed
ctl ready 2>err.txt
assert_eq 1 "$?" "ready with opt failed"
assert_grep err.txt 'opt \(failed\)' "ready's message"

touch ok-now
ctl start opt || fail "start opt: exit $?"
ctl wait opt || fail "wait opt: exit $?"
ctl ready >out.txt || fail "ready with everything up: exit $?, $(cat out.txt)"
assert_grep out.txt '3 of 3 services ready or done' "ready's output"

# stopped on request: not wanted up, so it does not count
ctl stop web || fail "stop web: exit $?"
wait_state web stopped
ctl ready >/dev/null || fail "ready after web was stopped on request: exit $?"

stop_muster 0
