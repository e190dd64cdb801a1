#!/usr/bin/env bash
# A `depends` target that crashes and is restarted leaves its dependents
# running; one that fails for good (its start limit) stops them first
# (reverse order: api, then web) and they end failed, "dependency X
# failed".  An `after` service is not touched: ordering only.
#
#   db  <-depends-  web  <-depends-  api        db  <-after-  logger
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/flaky.sh"

# pid NAME: the main pid musterctl shows
pid_of() {
	"$MUSTERCTL" -s "$TEST_DIR/ctl.sock" status --json "$1" | sed -n 's/.*"pid": \([0-9]*\).*/\1/p'
}

D=$TEST_DIR
cat >muster.ini <<INI
[muster]
control-socket = $D/ctl.sock

[service db]
command = $FLAKY $D/db.log pause
start-limit = 1 in 60s
restart-delay = 200ms

[service web]
command = $FLAKY $D/web.log pause
depends = db

[service api]
command = $FLAKY $D/api.log pause
depends = web

[service logger]
command = $FLAKY $D/logger.log pause
after = db
INI

start_muster -c muster.ini
wait_for "$ERR" 'all 4 services up'
web=$(pid_of web)
api=$(pid_of api)
logger=$(pid_of logger)
db1=$(pid_of db)
[ -n "$web" ] && [ -n "$api" ] && [ -n "$db1" ] || fail "no pids from musterctl status"

# a crash: restarted, the dependents stay as they are
kill -KILL "$db1"
wait_for "$ERR" 'db: restarting in 0.2s'
wait_runs db.log 2
wait_state db ready
assert_eq "$web" "$(pid_of web)" "web's pid after db's restart"
assert_eq "$api" "$(pid_of api)" "api's pid after db's restart"
alive "$web" || fail "web (pid $web) is gone after db's restart"
assert_eq 1 "$(runs web.log)" "runs of web"
assert_eq ready "$(state web)" "web's state"
assert_no_grep "$ERR" '(web|api|logger): stopping'

# a second crash within 60s: more than 1 failure, db fails for good
db2=$(pid_of db)
kill -KILL "$db2"
wait_for "$ERR" 'error: db: failed: start limit hit'
wait_state api failed
wait_state web failed
wait_gone "$api" 10 || fail "api (pid $api) still runs"
wait_gone "$web" 10 || fail "web (pid $web) still runs"
assert_grep "$ERR" 'error: web: failed: dependency db failed'
assert_grep "$ERR" 'error: api: failed: dependency web failed'
# the dependents were stopped (signalled), api before web
assert_order "$ERR" 'db: failed: start limit' 'api: stopping' 'api: stopped' 'web: stopping'
reason=$("$MUSTERCTL" -s ctl.sock status --json web | sed -n 's/.*"reason": "\([^"]*\)".*/\1/p')
assert_eq "dependency db failed" "$reason" "web's reason"

# logger (after = db) runs on, untouched
assert_eq ready "$(state logger)" "logger's state"
assert_eq "$logger" "$(pid_of logger)" "logger's pid"
assert_no_grep "$ERR" 'logger: stopping'
# nothing comes back
assert_eq 1 "$(runs web.log)" "runs of web"
assert_eq 2 "$(runs db.log)" "runs of db"

stop_muster 0
