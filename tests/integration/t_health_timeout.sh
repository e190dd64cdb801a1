#!/usr/bin/env bash
# A health check that hangs is killed at health-timeout, its whole process
# group with it (a grandchild it left running too), and counts as failed:
# "timed out after 1s".  Nothing is left: no process, no zombie.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl.sh"
. "$(dirname "$0")/probes.sh"

D=$TEST_DIR
cat >muster.ini <<INI
[muster]
control-socket = $SOCK

[service app]
command = sleep 300
health-check = sh -c 'echo \$\$\$\$ >>$D/check.pids; sleep 300 & echo \$! >>$D/grandchild.pids; wait'
health-interval = 100ms
health-timeout = 1s
health-retries = 2
on-unhealthy = ignore
INI
start_muster -c muster.ini
wait_socket
wait_state app ready
wait_for "$ERR" 'warning: app: health check failed \(1 of 2 in a row\): timed out after 1s'
wait_health app unhealthy
assert_eq "timed out after 1s" "$(json_field app reason)" "the reason"
# every check but the one running now is gone, with its grandchild
wait_file check.pids
n=$(wc -l <check.pids)
[ "$n" -ge 2 ] || fail "expected 2 checks or more by now, found $n"
for pid in $(head -n $((n - 1)) check.pids) $(head -n $((n - 1)) grandchild.pids); do
	wait_gone "$pid" 5 || fail "process $pid of a timed-out check is still there: $(cat /proc/$pid/stat 2>/dev/null)"
done
log "$n checks run, each killed after 1s with its group"
# the state stayed ready (ignore), with the same process
assert_eq ready "$(state_of app)" "app's state"
stop_muster 0
# and once muster is gone, nothing of the last check is left either
for pid in $(cat check.pids grandchild.pids); do
	wait_gone "$pid" 5 || fail "process $pid outlived muster"
done
