#!/usr/bin/env bash
# MAINPID= is a trust boundary: a `user = nobody` notify service names, as
# its main process, (1) an unrelated root process, (2) muster itself, (3)
# another service's main process.  Each is refused with one warning naming
# the service and the pid; the old main process stays, so stopping the
# service stops it promptly, the victim lives on, muster does not signal
# itself, the other service keeps running, and shutdown does not wait out
# a timeout.  (0.1 took MAINPID= unchecked: the victim was SIGTERMed and
# SIGKILLed at `musterctl stop`, muster killed itself with exit 137.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl.sh"

NC=$HELPERS/notify_client
[ -x "$NC" ] || skip "helper $NC not built"

# nobody must reach the scripts and the notify socket: a directory of its own
nobody_dir
ND=$NB
cp "$NC" "$ND/nc"
sleep 1000 &
victim=$!
trap 'r=$?; kill $victim 2>/dev/null; (exit $r); _cleanup' EXIT
echo "$victim" >"$ND/victim.pid"
SOCK=$ND/ctl.sock

script() { # NAME BODY
	printf '%s\n' "$2" >"$ND/$1.sh"
	chmod 755 "$ND/$1.sh"
	printf '/bin/sh %s' "$ND/$1.sh"
}
cat >muster.ini <<INI
[muster]
control-socket = $SOCK
graceful-timeout = 60s

[service target]
command = sleep 1000
user = nobody

[service victim]
command = $(script victim "exec $ND/nc \"send:READY=1\\nMAINPID=\$(cat $ND/victim.pid)\" pause")
type = notify
user = nobody
stop-timeout = 30s

[service rootvictim]
command = $(script rootvictim "exec $ND/nc \"send:READY=1\\nMAINPID=\$(cat $ND/victim.pid)\" pause")
type = notify
stop-timeout = 30s

[service self]
command = $(script self "exec $ND/nc \"send:READY=1\\nMAINPID=\$PPID\" pause")
type = notify
user = nobody
stop-timeout = 30s

[service other]
command = $(script other "while [ ! -s $ND/target.pid ]; do sleep 0.05; done; exec $ND/nc \"send:READY=1\\nMAINPID=\$(cat $ND/target.pid)\" pause")
type = notify
user = nobody
stop-timeout = 30s
INI

start_muster -c muster.ini
wait_socket
wait_state target ready
tpid=$(pid_of target)
echo "$tpid" >"$ND/target.pid.tmp" && mv "$ND/target.pid.tmp" "$ND/target.pid"
wait_for "$ERR" 'all 5 services up' 30
for s in victim rootvictim self other; do
	wait_state "$s" ready
done
for s in victim rootvictim self other; do
	p=$(pid_of "$s")
	[ "$p" != "$victim" ] && [ "$p" != "$MPID" ] && [ "$p" != "$tpid" ] ||
		fail "$s: its main process became $p"
done

t0=$(now)
ctl stop victim rootvictim self other >/dev/null || fail "musterctl stop failed"
for s in victim rootvictim self other; do
	wait_state "$s" stopped
done
assert_le "$(elapsed "$t0")" 15 "seconds to stop the four (stop-timeout is 30s)"
alive "$victim" || fail "the unrelated process $victim was killed"
muster_exited && fail "muster exited: it signalled itself"
assert_eq ready "$(state_of target)" "target's state"
assert_eq "$tpid" "$(pid_of target)" "target's main process"
alive "$tpid" || fail "target's main process $tpid was killed"

# nobody could not signal the root process; root could, but it is no
# process muster started
assert_grep "$ERR" "victim: MAINPID=$victim refused: it belongs to another user"
assert_grep "$ERR" "rootvictim: MAINPID=$victim refused: it is not a process muster started"
assert_grep "$ERR" "self: MAINPID=$MPID refused: it is muster itself"
assert_grep "$ERR" "other: MAINPID=$tpid refused: it is the main process of another service"
assert_no_grep "$ERR" 'main process is now'

t0=$(now)
signal TERM
expect_exit 0 30
assert_le "$(elapsed "$t0")" 15 "seconds from SIGTERM to exit (graceful-timeout is 60s)"
alive "$victim" || fail "the unrelated process $victim was killed at shutdown"
