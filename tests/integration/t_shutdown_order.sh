#!/usr/bin/env bash
# On SIGTERM services stop in reverse dependency order: web (depends on
# app) first, then app (depends on db), then db; each gets its stop signal
# only once what depends on it has exited.  The services record when the
# TERM reached them and when they exited (each takes 0.3s to exit).
. "$(dirname "$0")/lib.sh"

body() { # NAME
	cat <<SH
trap 'stamp $1.term; sleep 0.3; stamp $1.exit; exit 0' TERM
stamp $1.up
while :; do sleep 0.05; done
SH
}

cat >muster.ini <<INI
[muster]
graceful-timeout = 30s

[service db]
command = $(service db "$(body db)")

[service web]
command = $(service web "$(body web)")
depends = app

[service app]
command = $(service app "$(body app)")
depends = db
INI

start_muster -c muster.ini
wait_for "$ERR" 'all 3 services up'
wait_file db.up; wait_file app.up; wait_file web.up

signal TERM
expect_exit 0

assert_order "$ERR" 'stopping 3 services' \
	'web: stopping \(SIGTERM to process group [0-9]+\)' 'web: stopped' \
	'app: stopping \(SIGTERM to process group [0-9]+\)' 'app: stopped' \
	'db: stopping \(SIGTERM to process group [0-9]+\)' 'db: stopped' \
	'all services stopped'
# the services' own clocks: each got TERM after its dependent had exited
assert_ts_before web.exit app.term "app got SIGTERM after web exited"
assert_ts_before app.exit db.term "db got SIGTERM after app exited"
# they exited by their trap (status 0), not by a SIGKILL
assert_grep "$ERR" 'web: stopped \(status 0\)'
assert_grep "$ERR" 'app: stopped \(status 0\)'
assert_grep "$ERR" 'db: stopped \(status 0\)'
assert_no_grep "$ERR" 'SIGKILL'
