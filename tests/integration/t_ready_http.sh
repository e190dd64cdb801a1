#!/usr/bin/env bash
# ready-http: the service is ready once a GET of the URL answers 2xx or
# 3xx, tried every ready-interval (a 503 is not ready yet); what depends on
# it starts after.  An https:// URL is a configuration error saying why.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl.sh"
. "$(dirname "$0")/probes.sh"

http_server srv
port=$(cat srv.port)
echo 503 >srv.status
cat >muster.ini <<INI
[muster]
control-socket = $SOCK

[service api]
command = sleep 300
ready-http = http://127.0.0.1:$port/ready
ready-interval = 100ms

[service front]
command = sleep 300
depends = api
INI
start_muster -c muster.ini
wait_socket
# at least two refused attempts: still starting, front still waiting
until [ "$(grep -c . srv.log 2>/dev/null)" -ge 2 ]; do
	muster_exited && fail "muster exited"
	sleep 0.02
done
assert_eq starting "$(state_of api)" "api's state while the server says 503"
assert_eq waiting "$(state_of front)" "front's state"
echo 302 >srv.status
wait_state front ready
assert_order "$ERR" 'api: ready' 'front: started'
n=$(grep -c . srv.log)
stop_muster 0
assert_eq "$n" "$(grep -c . srv.log)" "GETs after ready (none)"

cat >bad.ini <<INI
[service a]
command = sleep 1
ready-http = https://127.0.0.1/
INI
"$MUSTER" --check -c bad.ini >/dev/null 2>check.err
assert_eq 78 $? "exit status of --check with an https URL"
assert_grep check.err "bad.ini:3: invalid URL 'https://127.0.0.1/' for 'ready-http': https is not supported \(expected http://HOST\[:PORT\]\[/PATH\]\)" "the error"
