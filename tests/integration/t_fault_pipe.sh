#!/usr/bin/env bash
# Fault: pipe2() fails.  A service start makes up to four pipes (exec
# status, stdout, stderr, ready-fd); the failshim fails the first, second,
# third or fourth of them (EMFILE) for one start of a service that crashed.
# Each time: one clear "NAME: cannot start: Too many open files" line, the
# pipes already made are closed (descriptor count back where it was), the
# next attempt (backoff) works, the other services keep their processes,
# no zombie.  The main command's pipe failing ends the run with 127.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../fault/lib.sh"

build_shim
{
	header
	cat <<INI
[service keep]
command = sleep 300

[service p_exec]
command = sleep 300

[service p_out]
command = sleep 300

[service p_err]
command = sleep 300

[service p_ready]
command = $(service p_ready 'echo ready >&3; exec sleep 300')
ready-fd = 3
INI
} >muster.ini

start_shimmed -c muster.ini
wait_for "$ERR" 'all 5 services up'
keep=$(svc_pid keep)
fds0=$(settled_fd_count "$MPID")

# NAME SKIP: the crash-restart of NAME makes SKIP pipes, then one fails
pipe_fails() {
	local name=$1 skip=$2 old new
	old=$(svc_pid "$name")
	[ -n "$old" ] || fail "$name has no pid"
	inject pipe2 errno=EMFILE skip="$skip" count=1
	kill -KILL "$old"
	wait_for "$ERR" "error: $name: cannot start: Too many open files"
	wait_state "$name" ready
	disarm pipe2
	new=$(svc_pid "$name")
	[ -n "$new" ] && [ "$new" != "$old" ] || fail "$name: not restarted (pid $old, now '$new')"
	assert_count "$ERR" "error: $name: cannot start" 1
	assert_eq 1 "$(grep -c "^pipe2 " "$SHIM/log")" "pipe2 failures injected for $name"
	rm -f "$SHIM/log"
	assert_fds "$MPID" "$fds0" "after pipe $((skip + 1)) of $name's start failed"
	assert_same_pid keep "$keep"
	assert_no_zombies "$MPID"
}

pipe_fails p_exec 0   # the exec-status pipe
pipe_fails p_out 1    # stdout's
pipe_fails p_err 2    # stderr's
pipe_fails p_ready 3  # ready-fd's
assert_alive
assert_idle "$MPID" 1 10
stop_muster 0
assert_nothing_left
result "pipe2 EMFILE at each of the 4 pipes of a start: one 'cannot start: Too many open files' line each, no descriptor leaked, restarted, others kept"

# the main command's exec-status pipe
inject pipe2 errno=EMFILE skip=3   # keep's three pipes work
{
	header
	printf '[service keep]\ncommand = sleep 300\n'
} >cmd.ini
start_shimmed -c cmd.ini -- /bin/echo never
expect_exit 127
assert_count "$ERR" 'error: cannot start /bin/echo: Too many open files' 1
assert_nothing_left
result "pipe2 EMFILE for -- CMD: one line, services stopped, exit 127"
