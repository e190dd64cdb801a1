#!/usr/bin/env bash
# on-unhealthy = restart (the default): an unhealthy service is stopped and
# its exit counts as a failure, whatever its status: restarted after the
# backoff delay, counted for start-limit, failed for good past it with the
# check's reason.  health-check runs its command directly (no shell unless
# it is itself sh -c), and its last output line is the reason.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl.sh"
. "$(dirname "$0")/probes.sh"

D=$TEST_DIR
touch ok
cat >muster.ini <<INI
[muster]
control-socket = $SOCK

[service app]
command = sleep 300
health-check = sh -c 'echo checked >>$D/checks.log; test -e $D/ok || { echo "db: connection lost" >&2; exit 1; }'
health-interval = 100ms
health-retries = 2
restart-delay = 100ms
start-limit = 2 in 60s

[service next]
command = sleep 300
depends = app
INI
start_muster -c muster.ini
wait_socket
wait_health app healthy
next_pid=$(pid_of next)
first=$(pid_of app)

rm ok
wait_for "$ERR" 'error: app: unhealthy: db: connection lost: stopping it \(on-unhealthy = restart\)'
wait_for "$ERR" 'app: restarting in'
# the start limit: 2 failures in 60s are allowed, the third is one too many
wait_state app failed
reason=$(json_field app reason)
case $reason in
"start limit hit: more than 2 failures in 60s (last: unhealthy: db: connection lost)") ;;
*) fail "app's reason: '$reason'" ;;
esac
assert_eq 2 "$(count_lines "$ERR" 'app: restarting in')" "restarts before the limit"
assert_eq 3 "$(count_lines "$ERR" 'app: unhealthy: db: connection lost: stopping it')" "unhealthy verdicts"
[ -d "/proc/$first" ] && fail "the first app process ($first) still runs"
# next depends on app: kept running while app restarted, failed with it for good
wait_state next failed
assert_grep "$ERR" 'next: failed: dependency app failed' "next's end"
stop_muster 0
