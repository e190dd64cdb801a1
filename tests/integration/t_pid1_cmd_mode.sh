#!/usr/bin/env bash
# As PID 1 (a new PID namespace), muster -c FILE -- CMD: the services start
# first and CMD only once every one is ready; when CMD exits the services
# stop in reverse dependency order and muster exits with CMD's status.
# SIGTERM to muster stops CMD first (143 when it dies of it).  A service
# that fails to start means CMD never runs: muster exits 1, naming it.
. "$(dirname "$0")/lib.sh"
: "${HELPERS:=$(cd "$(dirname "$0")/../.." && pwd)/build/helpers}"
SIGREC=$HELPERS/sigrecord
[ -x "$SIGREC" ] || fail "helper $SIGREC is missing: build it with make integration"

. "$(dirname "$0")/pid1.sh"

cat >muster.ini <<INI
[muster]
control-socket = $TEST_DIR/ctl.sock

[service db]
command = $(service db 'trap "stamp db.term; exit 0" TERM; sleep 0.5; stamp db.ready; while :; do sleep 0.05; done')
ready-check = test -s $TEST_DIR/db.ready

[service web]
command = $(service web 'trap "stamp web.term; exit 0" TERM; stamp web.start; while :; do sleep 0.05; done')
depends = db
ready-check = test -s $TEST_DIR/web.start
INI
service cmd 'stamp cmd.start
echo "ppid=$PPID"
for f in db.ready web.start; do [ -s "$D/$f" ] && echo "saw $f"; done
stamp cmd.end
exit 7' >/dev/null

start_pid1 -c muster.ini -- /bin/sh "$TEST_DIR/cmd.sh"
expect_exit 7
assert_grep "$OUT" '^ppid=1$' "CMD's parent as CMD sees it (muster, PID 1)"
assert_grep "$OUT" '^saw db.ready$' "CMD saw db ready when it started"
assert_grep "$OUT" '^saw web.start$' "CMD saw web started when it started"
assert_ts_before db.ready web.start "web started after db was ready"
assert_ts_before web.start cmd.start "CMD started after web"
assert_ts_before cmd.end web.term "web stopped after CMD exited"
assert_ts_before web.term db.term "web (the dependent) stopped before db"
assert_order "$ERR" 'all 2 services up' 'main command started' 'main command exited with status 7' \
	'web: stopping' 'db: stopping' 'all services stopped'

# SIGTERM to PID 1 while CMD runs: CMD gets it (from muster, pid 1), dies of
# it, then the services stop: 143
rm -f db.ready db.term web.start web.term rec.txt
start_pid1 -c muster.ini -- "$SIGREC" "$TEST_DIR/rec.txt"
wait_file rec.txt
wait_for "$ERR" 'main command started'
signal1 TERM
expect_exit 143
assert_eq "SIGTERM from=1" "$(tail -n 1 rec.txt)" "the signal CMD received last"
assert_file web.term
assert_file db.term

# a service fails to start: no CMD, status 1, the service named
cat >broken.ini <<INI
[muster]
control-socket = $TEST_DIR/ctl.sock

[service fine]
command = $(service fine 'stamp fine.up; exec sleep 300')

[service broken]
command = /nonexistent/broken
restart = no
INI
start_pid1 -c broken.ini -- /bin/sh -c "touch $TEST_DIR/cmd.ran"
expect_exit 1
assert_no_file cmd.ran
assert_grep "$ERR" 'error: broken failed to start .*not running'
assert_grep "$ERR" 'all services stopped'
