#!/usr/bin/env bash
# musterctl shutdown: muster stops every service and exits 0, and its
# socket is removed.
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/ctl.sh"

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
