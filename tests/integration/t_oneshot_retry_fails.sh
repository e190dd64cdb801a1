#!/usr/bin/env bash
# A oneshot that keeps failing under the default restart = on-failure is
# retried until its start-limit, then failed for good; its dependent is
# never started.
. "$(dirname "$0")/lib.sh"

cat >muster.ini <<INI
[service migrate]
command = $(service migrate 'echo run >>$D/migrate.runs; exit 1')
type = oneshot
restart-delay = 50ms
start-limit = 2 in 60s

[service web]
command = $(service web 'stamp web.start; exec sleep 300')
depends = migrate
INI

start_muster -c muster.ini
wait_for "$ERR" 'migrate: failed: start limit'
wait_for "$ERR" 'web: failed: dependency migrate failed'
assert_count migrate.runs '^run$' 3
assert_no_file web.start
assert_no_grep "$ERR" 'web: started'
stop_muster 0
