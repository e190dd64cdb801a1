#!/usr/bin/env bash
# With service cgroups, MAINPID= must name a process in the sender's own
# cgroup: b names a child of service a (alive, started by muster, not a's
# main process, root's like b), which passes every other check; it is
# refused with one warning, and b's main process stays.  A process of b's
# own cgroup is accepted.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl.sh"
. "$(dirname "$0")/cgroup.sh"
need_cgroup2
NC=$HELPERS/notify_client
[ -x "$NC" ] || skip "helper $NC not built"

cat >muster.ini <<INI
[muster]
control-socket = $SOCK
cgroups = yes

[service a]
command = $(service a 'sleep 1000 & echo $! >$D/a_child.pid; wait')

[service b]
command = $(service b "while [ ! -s $TEST_DIR/a_child.pid ]; do sleep 0.02; done
exec $NC \"send:READY=1\\nMAINPID=\$(cat $TEST_DIR/a_child.pid)\" pause")
type = notify
after = a

[service c]
command = $(service c "sleep 1000 & echo \$! >$TEST_DIR/c_child.pid
exec $NC \"send:READY=1\\nMAINPID=\$!\" pause")
type = notify
INI

start_muster -c muster.ini
wait_socket
wait_for "$ERR" 'all 3 services up'
child=$(cat a_child.pid)
wait_for "$ERR" "b: MAINPID=$child refused: it is not in the service's cgroup"
bpid=$(sed -n 's/.*b: started (pid \([0-9]*\)).*/\1/p' "$ERR")
assert_eq "$bpid" "$(pid_of b)" "b's main process"
alive "$child" || fail "a's child $child is gone"
# c's own child: accepted
wait_file c_child.pid
cchild=$(cat c_child.pid)
for i in $(seq 1 500); do [ "$(pid_of c)" = "$cchild" ] && break; sleep 0.02; done
assert_eq "$cchild" "$(pid_of c)" "c's main process after MAINPID= of its own child"
assert_no_grep "$ERR" "c: MAINPID=.* refused"
stop_muster
