#!/usr/bin/env bash
# health-http against a real HTTP server the test starts: 2xx is healthy;
# health-retries answers of 503 in a row make the service unhealthy, with
# "HTTP 503" as its reason (on-unhealthy = ignore: it keeps running, the
# same process); a 200 again makes it healthy.  musterctl status shows a
# HEALTH column and JSON "health".
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl.sh"
. "$(dirname "$0")/probes.sh"

http_server srv
port=$(cat srv.port)
cat >muster.ini <<INI
[muster]
control-socket = $SOCK

[service web]
command = sleep 300
health-http = http://127.0.0.1:$port/healthz?probe=1
health-interval = 100ms
health-retries = 2
on-unhealthy = ignore

[service plain]
command = sleep 300
INI
start_muster -c muster.ini
wait_socket
wait_state web ready
wait_health web healthy
assert_grep srv.log '^GET /healthz\?probe=1$' "the GET the server saw"
pid=$(pid_of web)

ctl status >status.txt
assert_grep status.txt '^NAME +STATE +PID +UPTIME +RESTARTS +LAST EXIT +STATUS +HEALTH$' "the header"
assert_grep status.txt '^web +ready .* healthy$' "web's row"
assert_grep status.txt '^plain +ready .* -$' "plain's row: no check"
assert_eq healthy "$(json_field web health)" "web's JSON health"
assert_eq null "$(json_field plain health)" "plain's JSON health"

echo 503 >srv.status
wait_health web unhealthy
assert_eq "HTTP 503" "$(json_field web reason)" "the reason"
assert_grep "$ERR" 'warning: web: health check failed \(1 of 2 in a row\): HTTP 503' "the first failure"
assert_grep "$ERR" 'error: web: unhealthy: HTTP 503 \(on-unhealthy = ignore' "the verdict"
ctl status web >status.txt
assert_grep status.txt '^web +ready .* HTTP 503 +unhealthy$' "web's row, unhealthy"
assert_eq "$pid" "$(pid_of web)" "web's pid (ignore: not restarted)"
assert_eq ready "$(state_of web)" "web's state"

echo 200 >srv.status
wait_health web healthy
wait_for "$ERR" 'web: healthy again'
assert_eq null "$(json_field web reason)" "the reason once healthy"
stop_muster 0
