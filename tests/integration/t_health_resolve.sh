#!/usr/bin/env bash
# Host names in ready-tcp, ready-http, health-tcp and health-http are
# resolved through the machine's resolver (getaddrinfo, in a child process
# of muster's, never in its loop): "localhost" here, from /etc/hosts.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl.sh"
. "$(dirname "$0")/probes.sh"

getent hosts localhost 2>/dev/null | grep -q '127\.0\.0\.1' ||
	skip "localhost does not resolve to 127.0.0.1 on this machine"
http_server srv
tcp_listener db
hp=$(cat srv.port) tp=$(cat db.port)
cat >muster.ini <<INI
[muster]
control-socket = $SOCK

[service tcp]
command = sleep 300
ready-tcp = localhost:$tp
health-tcp = localhost:$tp
health-interval = 100ms
on-unhealthy = ignore

[service http]
command = sleep 300
ready-http = http://localhost:$hp/ready
health-http = http://localhost:$hp/health
health-interval = 100ms
INI
start_muster -c muster.ini -v
wait_socket
wait_health tcp healthy
wait_health http healthy
assert_grep srv.log '^GET /ready$' "the readiness GET"
assert_grep srv.log '^GET /health$' "the health GET"
assert_grep "$ERR" 'tcp: readiness from ready-tcp' "tcp's readiness"
assert_grep "$ERR" 'http: readiness from ready-http' "http's readiness"

# the name is resolved again for every check: the listener gone, refused
server_stop db
wait_health tcp unhealthy
assert_eq "connection refused" "$(json_field tcp reason)" "tcp's reason"
stop_muster 0
