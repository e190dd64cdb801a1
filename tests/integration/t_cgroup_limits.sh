#!/usr/bin/env bash
# memory-max and pids-max on the real hierarchy: written to the service's
# cgroup where the controller is there; where it is missing, an error at
# start (78) under cgroups = yes, one warning under auto (the service runs).
# (The limits' values and OOM events are unit-tested on a fake root:
# tests/unit/check_cgroup.c.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl.sh"
. "$(dirname "$0")/cgroup.sh"
need_cgroup2

conf() { # MODE
	cat >muster.ini <<INI
[muster]
control-socket = $SOCK
cgroups = $1

[service w]
command = $(service w 'stamp w.up; exec sleep 1000')
memory-max = 64M
pids-max = 50
INI
}
# muster's base is a cgroup below ours (we are in ours): what ours passes down
ctls=" $(cat "$CG_SELF/cgroup.subtree_control") "
case $ctls in
*" memory "*" pids "*|*" pids "*" memory "*)
	conf yes
	start_muster -c muster.ini
	wait_socket
	wait_file w.up
	cg=$(cgroup_of "$(pid_of w)")
	assert_eq 67108864 "$(cat "$cg/memory.max")" "memory.max"
	assert_eq 50 "$(cat "$cg/pids.max")" "pids.max"
	stop_muster
	exit 0 ;;
esac
log "the memory or pids controller is missing here ($ctls): the error and the warning"
conf yes
run_muster -c muster.ini
assert_eq 78 "$?" "exit status under cgroups = yes"
assert_grep "$ERR" "error: w: (memory|pids)-max needs the (memory|pids) controller, which muster's cgroup does not have"
assert_no_grep "$ERR" 'w: started'

conf auto
start_muster -c muster.ini
wait_socket
wait_file w.up
assert_count "$ERR" "warning: w: (memory|pids)-max needs the (memory|pids) controller, which muster's cgroup does not have; the limit is not applied" 1
case $(cgroup_of "$(pid_of w)") in */w.service) ;; *) fail "w is not in a cgroup of its own";; esac
stop_muster
