#!/usr/bin/env bash
# Fault: a service ignores every signal, and its children leave its process
# group (one with setpgid, one with setsid) and ignore every signal too.
#   - musterctl stop: the stop-signal does nothing; after stop-timeout one
#     clear line and SIGKILL to the group end the main process; the two
#     escaped children stay in muster's tree (it is their subreaper), not
#     zombies, not re-parented to init;
#   - their pipes stay open while they live; killed by hand, they are
#     reaped and the descriptors closed;
#   - started again: a second set;
#   - shutdown: the leftover children get SIGTERM (ignored), then SIGKILL at
#     the graceful-timeout; muster exits 0 in about that time, with nothing
#     left behind and the other services stopped normally.
# This is the process-group regime (cgroups = no); with service cgroups,
# the stop kills the escaped children too (t_cgroup_kill).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../fault/lib.sh"

build_c stubborn
mkdir pids
{
	header 'graceful-timeout = 3s
cgroups = no'
	cat <<INI
[service keep]
command = sleep 300

[service stubborn]
command = $TEST_DIR/stubborn $TEST_DIR/pids
stop-timeout = 1s
INI
} >muster.ini

# wait_pids MAINPID: the three pid files of that run, as "main pgrp sess"
wait_pids() {
	local f
	for f in main pgrp sess; do wait_file "pids/$f.$1"; done
	echo "$(cat pids/main."$1") $(cat pids/pgrp."$1") $(cat pids/sess."$1")"
}

start_muster -c muster.ini
wait_for "$ERR" 'all 2 services up'
keep=$(svc_pid keep)
set -- $(wait_pids "$(svc_pid stubborn)")
main1=$1 pg1=$2 ss1=$3
[ "$(stat_field "$pg1" 3)" = "$pg1" ] || fail "the setpgid child is not in a group of its own"
[ "$(stat_field "$ss1" 4)" = "$ss1" ] || fail "the setsid child is not in a session of its own"
fds0=$(settled_fd_count "$MPID")

# ---- stop: stop-timeout, SIGKILL ---------------------------------------------
t0=$(now)
ctl stop stubborn >/dev/null || fail "musterctl stop stubborn failed"
wait_state stubborn stopped 10
took=$(elapsed "$t0")
assert_le 0.9 "$took" "stop took at least the stop-timeout"
assert_count "$ERR" 'warning: stubborn: still running 1s after SIGTERM: sending SIGKILL' 1
assert_grep "$ERR" 'stubborn: stopped \(signal 9\)'
wait_gone "$main1" 5 || fail "stubborn's main process $main1 survived SIGKILL"
for p in "$pg1" "$ss1"; do
	alive "$p" || fail "escaped child $p died (only SIGKILL can kill it, and muster did not send it one yet)"
	assert_eq "$MPID" "$(ppid_of "$p")" "parent of the escaped child $p (muster is the subreaper)"
done
assert_no_zombies "$MPID"
assert_same_pid keep "$keep"
assert_idle "$MPID" 1 10
# the escaped children still hold stubborn's output pipes: muster keeps
# reading them; once they are killed (by hand here), the pipes close and
# muster reaps them
assert_fds "$MPID" "$fds0" "with stubborn stopped but its children alive"
kill -KILL "$pg1" "$ss1"
wait_gone "$pg1" 5 && wait_gone "$ss1" 5 || fail "escaped children not reaped by muster"
assert_no_zombies "$MPID"
assert_fds "$MPID" $((fds0 - 2)) "with stubborn and its children gone"

# ---- again ------------------------------------------------------------------------------------
ctl start stubborn >/dev/null || fail "musterctl start stubborn failed"
wait_state stubborn ready
set -- $(wait_pids "$(svc_pid stubborn)")
pg2=$2 ss2=$3
assert_fds "$MPID" "$fds0" "stubborn started again"

# ---- shutdown: everything goes, in about the graceful-timeout ----------------------------
t0=$(now)
signal TERM
expect_exit 0 20
took=$(elapsed "$t0")
assert_lt "$took" 8 "shutdown time with a graceful-timeout of 3s"
assert_grep "$ERR" 'stubborn: still running 1s after SIGTERM: sending SIGKILL'
assert_grep "$ERR" 'keep: stopped \(signal 15\)'
for p in "$pg2" "$ss2"; do
	assert_grep "$ERR" "stopping leftover process $p \\(SIGTERM\\)"
	wait_gone "$p" 3 || fail "escaped child $p is still there after muster exited (state $(stat_field "$p" 1), parent $(ppid_of "$p"))"
done
assert_nothing_left
result "signal-ignoring service with setpgid/setsid children: stop -> SIGKILL after stop-timeout (one line), children stay in muster's tree until shutdown; shutdown SIGTERMs then SIGKILLs the leftovers at graceful-timeout, exit 0 in ${took}s"
