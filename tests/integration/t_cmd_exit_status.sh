#!/usr/bin/env bash
# muster -c FILE -- CMD: CMD runs once every service is ready (after the
# oneshot finished), and when CMD exits everything stops and muster exits
# with CMD's status.
. "$(dirname "$0")/lib.sh"

cat >muster.ini <<INI
[service prep]
command = $(service prep 'sleep 0.3; stamp prep.end')
type = oneshot

[service daemon]
command = $(service daemon 'trap "stamp daemon.term; exit 0" TERM; stamp daemon.up; while :; do sleep 0.05; done')
depends = prep
INI
service cmd 'stamp cmd.start; while [ ! -s "$D/daemon.up" ]; do sleep 0.05; done; echo "cmd output"; exit 7' >/dev/null

start_muster -c muster.ini -- /bin/sh "$TEST_DIR/cmd.sh"
expect_exit 7
assert_ts_before prep.end cmd.start "CMD started after the oneshot finished"
assert_file daemon.term
assert_ts_before cmd.start daemon.term "the service was stopped after CMD ran"
assert_grep "$OUT" 'cmd output'
assert_order "$ERR" 'all 2 services up' 'daemon: stopping' 'all services stopped'
