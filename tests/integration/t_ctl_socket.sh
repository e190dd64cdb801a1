#!/usr/bin/env bash
# The control socket is created mode 0600 whatever the daemon's umask, at
# [muster] control-socket, else at $MUSTER_SOCKET (which musterctl follows
# too), and removed when muster exits.
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/ctl.sh"

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
