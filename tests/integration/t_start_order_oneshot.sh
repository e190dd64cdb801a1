#!/usr/bin/env bash
# A service that depends on a oneshot starts only after the oneshot has
# finished (exited 0), and a chain is started in order: setup -> migrate -> web.
. "$(dirname "$0")/lib.sh"

cat >muster.ini <<INI
[muster]
graceful-timeout = 20s

[service web]
command = $(service web 'stamp web.start; exec sleep 300')
depends = migrate

[service migrate]
command = $(service migrate 'stamp migrate.start; sleep 0.4; stamp migrate.end')
type = oneshot
depends = setup

[service setup]
command = $(service setup 'stamp setup.start; sleep 0.4; stamp setup.end')
type = oneshot
INI

start_muster -c muster.ini
wait_for "$ERR" 'all 3 services up'

# the daemon's own account, in order
assert_order "$ERR" 'setup: started' 'setup: done' 'migrate: started' 'migrate: done' \
	'web: started' 'web: ready' 'all 3 services up in [0-9]+\.[0-9]{3}s'
# and the services' own clocks
assert_ts_before setup.end migrate.start "migrate started after setup finished"
assert_ts_before migrate.end web.start "web started after migrate finished"
assert_count "$ERR" 'setup: started' 1
assert_count "$ERR" 'migrate: started' 1

stop_muster 0
assert_grep "$ERR" 'all services stopped'
