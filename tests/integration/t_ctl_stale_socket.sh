#!/usr/bin/env bash
# A socket file left by a killed muster (SIGKILL) is stale: the next muster
# replaces it and serves.  Something at the path that is not a socket is
# never removed: muster exits 1 naming the path.
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/ctl.sh"

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
