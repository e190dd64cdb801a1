#!/usr/bin/env bash
# A socket file left by a killed muster (SIGKILL) is stale: the next muster
# replaces it and serves.  Something at the path that is not a socket is
# never removed: muster exits 1 naming the path.
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

[service web]
command = sleep 300
INI

start_muster -c muster.ini
wait_socket
kill -KILL "$MPID"
wait_exit "$MPID" >/dev/null
kill_everything
[ -S "$SOCK" ] || fail "the killed muster's socket file should still be there"
ctl status 2>/dev/null
assert_eq 3 "$?" "musterctl on a stale socket"

start_muster -c muster.ini
wait_socket
ctl wait web || fail "wait web on the new muster: exit $?"
assert_grep "$ERR" "removing the stale control socket $SOCK" "the new muster's log"
assert_eq 600 "$(stat -c %a "$SOCK")" "the new socket's mode"
stop_muster 0
assert_no_file "$SOCK"

# a regular file at the path: not touched, exit 1
echo precious >"$SOCK"
run_muster -c muster.ini
rc=$?
assert_eq 1 "$rc" "muster's exit status with a regular file at the socket path"
assert_grep "$ERR" "$SOCK.*not a socket" "muster's message"
assert_eq precious "$(cat "$SOCK")" "the file at the socket path"
