#!/usr/bin/env bash
# Reverse order holds through a finished oneshot: web depends on migrate
# (a oneshot, done), which depends on db; on SIGTERM db gets its signal
# only after web has exited.
. "$(dirname "$0")/lib.sh"

body() { # NAME
	cat <<SH
trap 'stamp $1.term; sleep 0.5; stamp $1.exit; exit 0' TERM
stamp $1.up
while :; do sleep 0.05; done
SH
}

cat >muster.ini <<INI
[muster]
graceful-timeout = 30s

[service db]
command = $(service db "$(body db)")

[service migrate]
command = $(service migrate 'stamp migrate.end')
type = oneshot
depends = db

[service web]
command = $(service web "$(body web)")
depends = migrate
INI

start_muster -c muster.ini
wait_for "$ERR" 'all 3 services up'
wait_file db.up; wait_file web.up

signal TERM
expect_exit 0

assert_ts_before web.exit db.term "db got SIGTERM after web exited"
assert_order "$ERR" 'web: stopping' 'web: stopped' 'db: stopping' 'db: stopped' 'all services stopped'
assert_no_grep "$ERR" 'migrate: stopping'
