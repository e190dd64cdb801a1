#!/usr/bin/env bash
# muster -c FILE -- CMD: when a service fails to start, CMD never runs,
# the rest is stopped, and muster exits 1 with a message naming the service.
. "$(dirname "$0")/lib.sh"

cat >muster.ini <<INI
[service fine]
command = $(service fine 'stamp fine.up; exec sleep 300')

[service broken]
command = /nonexistent
restart = no
INI
service cmd 'stamp cmd.start; exit 0' >/dev/null

start_muster -c muster.ini -- /bin/sh "$TEST_DIR/cmd.sh"
expect_exit 1
assert_no_file cmd.start
assert_grep "$ERR" 'broken.*fail'
assert_grep "$ERR" 'broken: cannot exec /nonexistent: No such file or directory'
assert_grep "$ERR" 'all services stopped'
