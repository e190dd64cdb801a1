#!/usr/bin/env bash
# When a service failed to start (and what depends on it), muster must not
# announce "all N services up": that line (and READY=1 to systemd, sent at
# the same point) claims every service is ready.
. "$(dirname "$0")/lib.sh"


cat >muster.ini <<INI
[service broken]
command = /nonexistent
restart = no

[service needsbroken]
command = sleep 300
depends = broken

[service fine]
command = $(service fine 'while [ ! -s "$D/go" ]; do sleep 0.05; done; stamp fine.up; exec sleep 300')
ready-check = test -s $TEST_DIR/fine.up
ready-interval = 50ms
INI

start_muster -c muster.ini
wait_for "$ERR" 'needsbroken: failed'
echo go >go              # fine becomes ready only after the failures
wait_for "$ERR" 'fine: ready'
# give a wrong announcement the chance to show up: the next message is the
# shutdown's, and the log is in order
stop_muster 0
assert_no_grep "$ERR" 'all 3 services up'
