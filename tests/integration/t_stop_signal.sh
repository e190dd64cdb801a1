#!/usr/bin/env bash
# stop-signal is what a service is sent to stop it (here SIGINT; SIGTERM
# is ignored by the service, so only the configured signal stops it).
. "$(dirname "$0")/lib.sh"

cat >muster.ini <<INI
[service intme]
command = $(service intme "trap '' TERM; trap 'stamp intme.int; exit 0' INT; stamp intme.up; while :; do sleep 0.05; done")
stop-signal = SIGINT
stop-timeout = 30s
INI

start_muster -c muster.ini
wait_file intme.up
t0=$(now)
signal TERM
expect_exit 0
assert_file intme.int
assert_grep "$ERR" 'intme: stopping \(SIGINT to process group [0-9]+\)'
assert_grep "$ERR" 'intme: stopped \(status 0\)'
assert_no_grep "$ERR" 'SIGKILL'
assert_lt "$(elapsed "$t0")" 20 "time to stop (stop-timeout is 30s)"
