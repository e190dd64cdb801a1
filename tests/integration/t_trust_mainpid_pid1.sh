#!/usr/bin/env bash
# MAINPID=1 names process 1: refused (one warning), the old main process
# stays, and stopping the service stops it at once.  muster runs here as
# process 2 of a PID namespace whose process 1 is a shell, so process 1 is
# a real, unrelated process.  (0.1 took the pid: the stop signal went to
# process 1, which ignores it, and the service stayed `stopping` until
# stop-timeout.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl.sh"
. "$(dirname "$0")/pid1.sh"

NC=$HELPERS/notify_client
[ -x "$NC" ] || skip "helper $NC not built"

cat >muster.ini <<INI
[muster]
control-socket = $SOCK
graceful-timeout = 60s

[service s]
command = $NC 'send:READY=1\\nMAINPID=1' pause
type = notify
stop-timeout = 40s
INI
# sh is process 1 of the namespace (it waits for muster: it does not exec it)
MUSTER=unshare start_muster --pid --fork --mount-proc --kill-child \
	/bin/sh -c '"$0" "$@"; echo "muster exited $?" >&2' "$MUSTER_BIN" -c muster.ini
wait_socket
wait_state s ready
t0=$(now)
ctl stop s >/dev/null || fail "musterctl stop failed"
wait_state s stopped
assert_le "$(elapsed "$t0")" 15 "seconds to stop s (stop-timeout is 40s)"
assert_grep "$ERR" 's: MAINPID=1 refused: it is PID 1; the main process stays [0-9]+'
ctl shutdown >/dev/null || fail "musterctl shutdown failed"
wait_for "$ERR" 'muster exited 0'
