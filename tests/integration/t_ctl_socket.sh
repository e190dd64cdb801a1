#!/usr/bin/env bash
# The control socket is created mode 0600 whatever the daemon's umask, at
# [muster] control-socket, else at $MUSTER_SOCKET (which musterctl follows
# too), and removed when muster exits.
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

# a permissive umask must not make the socket reachable by others
old_umask=$(umask)
umask 000
start_muster -c muster.ini
umask "$old_umask"
wait_socket
[ -S "$SOCK" ] || fail "$SOCK is not a socket"
assert_eq 600 "$(stat -c %a "$SOCK")" "the socket's mode"
assert_eq "$(id -u)" "$(stat -c %u "$SOCK")" "the socket's owner"
# no descriptor of the socket leaks into a service
pid=$(ctl status web | awk 'NR == 2 { print $3 }')
ls -l /proc/"$pid"/fd | grep -q socket && fail "web holds a socket: $(ls -l /proc/"$pid"/fd)"
stop_muster 0
assert_no_file "$SOCK"

# no control-socket in the config: $MUSTER_SOCKET, for both programs
cat >env.ini <<INI
[service web]
command = sleep 300
INI
export MUSTER_SOCKET=$TEST_DIR/env.sock
start_muster -c env.ini
deadline=$(( $(date +%s) + DEFAULT_WAIT ))
until [ -S "$MUSTER_SOCKET" ]; do
	[ "$(date +%s)" -gt "$deadline" ] && fail "no socket at \$MUSTER_SOCKET ($MUSTER_SOCKET)"
	sleep 0.02
done
assert_eq 600 "$(stat -c %a "$MUSTER_SOCKET")" "the socket's mode"
timeout "$DEFAULT_WAIT" "$MUSTERCTL" wait web || fail "musterctl (no -s) did not find \$MUSTER_SOCKET"
timeout "$DEFAULT_WAIT" "$MUSTERCTL" status >st.txt || fail "musterctl status (no -s): exit $?"
assert_grep st.txt '^web +ready' "status through \$MUSTER_SOCKET"
stop_muster 0
assert_no_file "$MUSTER_SOCKET"
