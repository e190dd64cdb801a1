#!/usr/bin/env bash
# musterctl ready: exit 0 iff every service that should be up is ready or
# done (a probe for Kubernetes or Docker); one still starting, waiting or
# failed makes it exit 1 and named; one stopped on request does not count.
. "$(dirname "$0")/lib.sh"

# ---- musterctl helpers (the same in every t_ctl_*.sh) ----
[ -x "${MUSTERCTL:-}" ] || skip "MUSTERCTL does not name an executable musterctl"
SOCK=$TEST_DIR/ctl.sock

# ctl ARG...: musterctl on this test's socket, bounded.
ctl() { timeout -k 5 "$DEFAULT_WAIT" "$MUSTERCTL" -s "$SOCK" "$@"; }

# wait_socket: until muster answers on $SOCK.
wait_socket() {
	local deadline=$(( $(date +%s) + DEFAULT_WAIT ))
	until [ -S "$SOCK" ] && "$MUSTERCTL" -s "$SOCK" status >/dev/null 2>&1; do
		muster_exited && fail "muster exited before its socket answered"
		[ "$(date +%s)" -gt "$deadline" ] && fail "no answer on $SOCK after ${DEFAULT_WAIT}s"
		sleep 0.02
	done
}

# state_of NAME: the STATE column of `musterctl status NAME`.
state_of() { ctl status "$1" 2>/dev/null | awk 'NR == 2 { print $2 }'; }

# wait_state NAME STATE: until NAME is in STATE (bounded).
wait_state() {
	local deadline=$(( $(date +%s) + DEFAULT_WAIT )) st
	while st=$(state_of "$1"); [ "$st" != "$2" ]; do
		[ "$(date +%s)" -gt "$deadline" ] &&
			fail "$1: expected state $2 within ${DEFAULT_WAIT}s, found '$st'"
		sleep 0.02
	done
}
# ----

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
