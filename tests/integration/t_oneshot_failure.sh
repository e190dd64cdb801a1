#!/usr/bin/env bash
# A oneshot that exits non-zero fails its start: what depends on it is
# never started and is reported failed (naming the dependency); what is
# only "after" it starts regardless; muster keeps running.
. "$(dirname "$0")/lib.sh"

cat >muster.ini <<INI
[service migrate]
command = $(service migrate 'echo run >>$D/migrate.runs; exit 3')
type = oneshot
restart = no

[service web]
command = $(service web 'stamp web.start; exec sleep 300')
depends = migrate

[service worker]
command = $(service worker 'stamp worker.start; exec sleep 300')
depends = web

[service metrics]
command = $(service metrics 'stamp metrics.start; exec sleep 300')
after = migrate
INI

start_muster -c muster.ini
wait_for "$ERR" 'migrate: .*(failed|exited).*status 3'
wait_for "$ERR" 'web: failed: dependency migrate failed'
wait_for "$ERR" 'worker: failed: dependency web failed'
wait_file metrics.start

assert_no_grep "$ERR" 'web: started'
assert_no_grep "$ERR" 'worker: started'
assert_no_grep "$ERR" 'migrate: done'
assert_no_file web.start
assert_no_file worker.start
assert_count migrate.runs '^run$' 1
assert_order "$ERR" 'migrate: started' 'metrics: started'
alive "$MPID" || fail "muster exited after a failed oneshot"

stop_muster 0
assert_no_file web.start
