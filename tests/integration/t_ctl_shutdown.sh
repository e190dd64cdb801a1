#!/usr/bin/env bash
# musterctl shutdown: muster stops every service and exits 0, and its
# socket is removed.
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
command = $(service web 'trap "stamp web.term; exit 0" TERM; while :; do sleep 0.05; done')
INI

start_muster -c muster.ini
wait_socket
ctl wait web || fail "wait web: exit $?"
ctl shutdown >out.txt || fail "shutdown: exit $?"
assert_grep out.txt 'shutting down' "shutdown's output"
expect_exit 0
assert_file web.term
assert_grep "$ERR" 'shutdown requested by uid' "the daemon's log"
assert_no_file "$SOCK"

# nothing answers any more: exit 3
ctl status 2>err.txt
assert_eq 3 "$?" "exit status of status after shutdown"
