#!/usr/bin/env bash
# Fault: a service closes its stdout (or both stdout and stderr) at once
# and keeps running.  That end of the pipe is finished for muster: the
# descriptor is closed (not polled forever: no spinning), what the service
# still writes to stderr comes through, the service stays ready, and when
# it stops, muster holds exactly as many descriptors as before it started.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../fault/lib.sh"

{
	header
	cat <<INI
[service keep]
command = sleep 300

[service closer]
command = $(service closer 'exec >&-
echo "still on stderr" >&2
exec sleep 300')

[service closeall]
command = $(service closeall 'exec >&- 2>&-
exec sleep 300')

[service closer_exits]
command = $(service closer_exits 'exec >&-
sleep 0.3
echo "bye" >&2
exit 3')
restart = no
INI
} >muster.ini

start_muster -c muster.ini
wait_for "$ERR" 'closer_exits: failed: exited with status 3'
wait_for "$ERR" '^closer +\| still on stderr$'
assert_grep "$ERR" '^closer_exits +\| bye$'
wait_state closer ready
wait_state closeall ready
assert_idle "$MPID" 2 10 "muster with closed output pipes"
fds=$(settled_fd_count "$MPID")

# what each one holds: keep 2 pipes, closer 1 (stderr), closeall none
ctl stop closer >/dev/null
wait_state closer stopped
assert_fds "$MPID" $((fds - 1)) "closer stopped (only its stderr pipe was open)"
ctl stop closeall >/dev/null
wait_state closeall stopped
assert_fds "$MPID" $((fds - 1)) "closeall stopped (no pipe was open)"
ctl stop keep >/dev/null
wait_state keep stopped
assert_fds "$MPID" $((fds - 3)) "keep stopped (two pipes)"

# and again: no descriptor piles up
ctl start closer closeall keep >/dev/null
for s in closer closeall keep; do wait_state "$s" ready; done
assert_fds "$MPID" "$fds" "all three started again"
[ "$(count_lines "$ERR" '^closer +\| still on stderr$')" = 2 ] || fail "closer's stderr line did not come through twice"
assert_no_zombies "$MPID"
assert_alive
stop_muster 0
assert_nothing_left
result "stdout closed at once: stays ready, stderr still relayed, pipe closed by muster (fd count exact), no spin"
