#!/usr/bin/env bash
# A second muster on the socket of a live one exits 1 with a message naming
# the path, before starting anything; the first keeps its socket and serves.
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/ctl.sh"

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
