#!/usr/bin/env bash
# Reload and the [muster] keys, by each key's reload rule in the key table:
# log-prefix and control-socket need muster to start again (the answer says
# so, the running values stay: the socket still answers where it was);
# log-timestamps applies at once (the next lines are stamped).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl.sh"

conf() { # LOG_PREFIX SOCKET TIMESTAMPS
	cat >muster.ini <<INI
[muster]
control-socket = $2
log-prefix = $1
log-timestamps = $3

[service talk]
command = $(service talk 'i=0; while :; do i=$((i+1)); echo "line $i"; [ -e "$D/stop" ] && exit 0; sleep 0.05; done')
INI
}
conf yes "$SOCK" no
start_muster -c muster.ini
wait_socket
wait_for "$OUT" '^talk +\| line 3$'
assert_no_grep "$OUT" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T'

conf no "$TEST_DIR/other.sock" yes
ctl reload >reload.out 2>&1 || { cat reload.out >&2; fail "musterctl reload failed"; }
assert_grep reload.out '^log-prefix: changed; applies when muster starts again$'
assert_grep reload.out '^control-socket: changed; applies when muster starts again$'
assert_no_grep reload.out 'log-timestamps'
assert_grep reload.out '^talk: unchanged$'
[ -e "$TEST_DIR/other.sock" ] && fail "a control socket appeared at the new path"
ctl status talk >/dev/null || fail "the control socket no longer answers where it was"
# timestamps now, and still the name prefix
wait_for "$OUT" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[^ ]+ talk +\| line [0-9]+$'
touch stop
stop_muster 0
