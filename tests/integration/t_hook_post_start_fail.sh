#!/usr/bin/env bash
# A post-start that fails is logged, nothing more: the service stays ready
# and is not restarted.  A stop-command that fails gets the stop-signal
# sent after all.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl.sh"

cat >muster.ini <<INI
[muster]
control-socket = $SOCK

[service web]
command = $(service web 'trap "echo got TERM >\"\$D/term\"; exit 0" TERM; while :; do sleep 0.05; done')
post-start = $(service post 'echo post ran; exit 4')
stop-command = /nonexistent/stop
INI

start_muster -c muster.ini
wait_socket
wait_for "$ERR" 'web: post-start exited with status 4'
assert_eq ready "$(state_of web)" "web after its post-start failed"
ctl status web >st.txt
assert_grep st.txt ' 0 +-' "no restart, no exit"
ctl stop web || fail "stop web: exit $?"
wait_file term
assert_grep "$ERR" 'web: stop-command: cannot exec /nonexistent/stop: No such file or directory: sending SIGTERM' \
	"a stop-command that cannot run falls back to stop-signal"
stop_muster 0
