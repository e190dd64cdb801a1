#!/usr/bin/env bash
# A second muster on the socket of a live one exits 1 with a message naming
# the path, before starting anything; the first keeps its socket and serves.
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
command = $(service web 'echo $$ >>"$D/web.starts"; exec sleep 300')
INI

start_muster -c muster.ini
wait_socket
ctl wait web || fail "wait web: exit $?"
ino=$(stat -c %i "$SOCK")

MUSTER_IT_TAG=$IT_TAG timeout -k 5 "$DEFAULT_WAIT" "$MUSTER" -c muster.ini \
	</dev/null >second.out 2>second.err
rc=$?
cat second.err >&2
assert_eq 1 "$rc" "the second muster's exit status"
assert_grep second.err "$SOCK" "the second muster's message names the path"
assert_grep second.err 'in use|another muster' "the second muster's message"
assert_count web.starts '.' 1

# the first is untouched
assert_eq "$ino" "$(stat -c %i "$SOCK")" "the socket's inode"
ctl status web >st.txt || fail "status on the first muster: exit $?"
assert_grep st.txt '^web +ready' "the first muster's status"
stop_muster 0
assert_no_file "$SOCK"
