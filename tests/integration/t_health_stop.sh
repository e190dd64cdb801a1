#!/usr/bin/env bash
# on-unhealthy = stop: an unhealthy service is stopped for good, after what
# depends on it (reverse order), and both end failed: the service with
# "unhealthy: REASON", its dependent with "dependency NAME failed".
# Neither is restarted.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl.sh"
. "$(dirname "$0")/probes.sh"

D=$TEST_DIR
tcp_listener db
port=$(cat db.port)
cat >muster.ini <<INI
[muster]
control-socket = $SOCK

[service proxy]
command = sleep 300
health-tcp = 127.0.0.1:$port
health-interval = 100ms
health-retries = 1
health-timeout = 2s
on-unhealthy = stop
restart = always

[service web]
command = $(service web 'trap "stamp web.stopped; exit 0" TERM; while :; do sleep 0.05; done')
depends = proxy
INI
start_muster -c muster.ini
wait_socket
wait_health proxy healthy
wait_state web ready

server_stop db
wait_state proxy failed
wait_state web failed
assert_eq "unhealthy: connection refused" "$(json_field proxy reason)" "proxy's reason"
assert_eq "dependency proxy failed" "$(json_field web reason)" "web's reason"
assert_order "$ERR" 'error: proxy: unhealthy: connection refused: stopping it for good' \
	'web: stopping' 'web: stopped' 'proxy: stopping' 'proxy: stopped'
assert_no_grep "$ERR" 'proxy: restarting' "proxy restarted"
stop_muster 0
