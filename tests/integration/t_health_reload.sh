#!/usr/bin/env bash
# A reload that leaves a service alone leaves its health check running as
# it was (the same process, checks going on with the command of the new,
# identical config); a reload that changes a health key restarts it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl.sh"
. "$(dirname "$0")/probes.sh"

D=$TEST_DIR
write_config() { # OTHER_ENV INTERVAL
	cat >muster.ini <<INI
[muster]
control-socket = $SOCK

[service app]
command = sleep 300
health-check = sh -c 'echo >>$D/checks.log'
health-interval = $2

[service other]
command = sleep 300
env = GEN=$1
INI
}
write_config 1 100ms
start_muster -c muster.ini
wait_socket
wait_health app healthy
pid=$(pid_of app)

for gen in 2 3 4; do
	write_config $gen 100ms
	ctl reload >reload.txt || fail "reload $gen"
	assert_grep reload.txt '^app: unchanged$' "the reload report"
	n=$(wc -l <checks.log)
	until [ "$(wc -l <checks.log)" -ge $((n + 3)) ]; do
		muster_exited && fail "muster exited"
		sleep 0.02
	done
done
assert_eq "$pid" "$(pid_of app)" "app's pid across reloads that left it alone"
assert_eq healthy "$(health_of app)" "app's health"

write_config 4 200ms
ctl reload >reload.txt || fail "reload with a new health-interval"
assert_grep reload.txt '^app: changed, restarting$' "the reload report"
wait_health app healthy
[ "$(pid_of app)" != "$pid" ] || fail "app kept its process through a change of health-interval"
stop_muster 0
