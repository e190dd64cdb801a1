#!/usr/bin/env bash
# Fault: exec fails in ways other than a missing file: a file without the
# execute bit, a directory, a script whose interpreter is missing, an
# executable that is no known format.  Each is one clear line
# "NAME: cannot exec PATH: REASON" per attempt and a failed start: with
# restart = no the service is failed at once, with the default on-failure
# it retries until the start limit; what depends on it fails; the others
# keep running; no zombie, no descriptor leak, muster idles.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../fault/lib.sh"

printf '#!/bin/sh\nexec sleep 300\n' >noexec.sh
chmod 0644 noexec.sh
mkdir adir
printf '#!/nonexistent/interpreter\nexec sleep 300\n' >badinterp.sh
chmod 0755 badinterp.sh
printf 'this is not a program\n' >garbage
chmod 0755 garbage

{
	header
	cat <<INI
[service keep]
command = sleep 300

[service noexec]
command = $TEST_DIR/noexec.sh
restart = no

[service dir]
command = $TEST_DIR/adir
restart = no

[service interp]
command = $TEST_DIR/badinterp.sh
restart = no

[service garbage]
command = $TEST_DIR/garbage
restart = no

[service needs_interp]
command = sleep 300
depends = interp

[service retry]
command = $TEST_DIR/noexec.sh
restart-delay = 50ms
restart-delay-max = 100ms
start-limit = 3 in 60s
INI
} >muster.ini

start_muster -c muster.ini
wait_for "$ERR" 'retry: failed'
wait_for "$ERR" 'needs_interp: failed'
keep=$(svc_pid keep)
[ -n "$keep" ] || fail "keep is not running: $(ctl status)"

check_one() { # NAME PATH REASON
	assert_count "$ERR" "error: $1: cannot exec $2: $3\$" 1
	assert_grep "$ERR" "error: $1: failed: cannot exec $2: $3\$"
	assert_eq failed "$(svc_state "$1")" "$1's state"
}
check_one noexec "$TEST_DIR/noexec.sh" 'Permission denied'
check_one dir "$TEST_DIR/adir" 'Permission denied'
check_one interp "$TEST_DIR/badinterp.sh" 'No such file or directory'
check_one garbage "$TEST_DIR/garbage" 'Exec format error'
assert_grep "$ERR" 'needs_interp: failed: dependency interp failed'
assert_no_grep "$ERR" 'needs_interp: started'
# start-limit 3 in 60s: four attempts, four lines
assert_count "$ERR" "error: retry: cannot exec $TEST_DIR/noexec.sh: Permission denied" 4
assert_grep "$ERR" 'retry: failed: start limit hit'

assert_alive
assert_same_pid keep "$keep"
assert_no_zombies "$MPID"
assert_idle "$MPID" 1 10
fds0=$(settled_fd_count "$MPID")

# fixed on disk, started by hand: it runs; broken again: fails again
chmod 0755 noexec.sh
ctl start noexec >/dev/null || fail "musterctl start noexec failed"
wait_state noexec ready
ctl stop noexec >/dev/null
wait_state noexec stopped
chmod 0644 noexec.sh
ctl start noexec >/dev/null
wait_state noexec failed
assert_count "$ERR" "error: noexec: cannot exec $TEST_DIR/noexec.sh: Permission denied" 2
assert_fds "$MPID" "$fds0" "after the second failed exec"
assert_same_pid keep "$keep"

stop_muster 0
assert_nothing_left
result "exec of a non-executable / a directory: 'Permission denied'; missing interpreter: 'No such file or directory' (names the script, not the interpreter); not a program: 'Exec format error'; one line per attempt, failed, dependent failed, others kept"
