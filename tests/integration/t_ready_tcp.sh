#!/usr/bin/env bash
# ready-tcp: the service is ready once HOST:PORT (or PORT on 127.0.0.1)
# accepts a connection.  The listeners open 300ms after the services
# start: the probe keeps trying (connection refused) and passes after the
# port opens; the dependents start after that (CLOCK_MONOTONIC stamps).
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/flaky.sh"

D=$TEST_DIR
p1=$("$FLAKY" --free-port) && p2=$("$FLAKY" --free-port) || fail "no free port"
[ "$p1" != "$p2" ] || p2=$("$FLAKY" --free-port)
cat >muster.ini <<INI
[muster]
control-socket = $D/ctl.sock

[service srv]
command = $FLAKY $D/srv.log sleep:300+listen:$p1+pause
ready-tcp = 127.0.0.1:$p1
ready-interval = 50ms

[service cli]
command = $FLAKY $D/cli.log pause
depends = srv

[service bare]
command = $FLAKY $D/bare.log sleep:300+listen:$p2+pause
ready-tcp = $p2
ready-interval = 50ms

[service cli2]
command = $FLAKY $D/cli2.log pause
depends = bare
INI

start_muster -c muster.ini
wait_state cli ready 30
wait_state cli2 ready 30

for pair in srv:cli bare:cli2; do
	s=${pair%%:*} c=${pair#*:}
	t_start=$(awk '$1 == "start" { print $4 }' "$s.log")
	t_listen=$(awk '$1 == "listening" { print $3 }' "$s.log")
	t_cli=$(awk '$1 == "start" { print $4 }' "$c.log")
	[ -n "$t_start" ] && [ -n "$t_listen" ] && [ -n "$t_cli" ] || fail "missing stamps for $s"
	log "$s started, listening at +$(elapsed "$t_start" "$t_listen")s, $c started at +$(elapsed "$t_start" "$t_cli")s"
	assert_le 0.3 "$(elapsed "$t_start" "$t_listen")" "$s listened 300ms or more after its start"
	assert_lt "$t_listen" "$t_cli" "$c started after $s listened"
	assert_order "$ERR" "$s: started" "$s: ready" "$c: started"
done
stop_muster 0
