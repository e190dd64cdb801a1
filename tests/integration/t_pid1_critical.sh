#!/usr/bin/env bash
# As PID 1 (a new PID namespace), a critical service ending for good ends
# the run and muster exits with its status: with no main command, with a
# main command (which is stopped; its own status does not count), killed
# by a signal (128+N), and failed for good after its restarts.
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/pid1.sh"

cat >alone.ini <<INI
[muster]
control-socket = $TEST_DIR/ctl.sock

[service bystander]
command = $(service bystander 'trap "stamp bystander.term; exit 0" TERM; stamp bystander.up; while :; do sleep 0.05; done')

[service boss]
command = $(service boss 'while [ ! -s $D/bystander.up ]; do sleep 0.05; done; exit 5')
critical = yes
restart = no
INI
start_pid1 -c alone.ini
expect_exit 5
assert_file bystander.term
assert_order "$ERR" 'boss: .*status 5' 'stopping 1 service' 'bystander: stopping' 'all services stopped'

# with a main command: CMD is stopped first, muster exits with boss's status
cat >withcmd.ini <<INI
[muster]
control-socket = $TEST_DIR/ctl.sock

[service boss]
command = $(service boss2 'while [ ! -s $D/cmd.up ]; do sleep 0.05; done; exit 3')
critical = yes
restart = no
INI
service cmd 'trap "stamp cmd.term; exit 9" TERM; stamp cmd.up; while :; do sleep 0.05; done' >/dev/null
start_pid1 -c withcmd.ini -- /bin/sh "$TEST_DIR/cmd.sh"
expect_exit 3
assert_file cmd.term
assert_grep "$ERR" 'main command exited with status 9'

# killed by a signal: 128+N
cat >killed.ini <<INI
[muster]
control-socket = $TEST_DIR/ctl.sock

[service boss]
command = /bin/sh -c 'kill -KILL \$\$\$\$'
critical = yes
restart = no
INI
start_pid1 -c killed.ini
expect_exit 137

# failed for good after its restarts (start limit)
cat >limit.ini <<INI
[muster]
control-socket = $TEST_DIR/ctl.sock

[service boss]
command = /bin/sh -c 'exit 4'
critical = yes
restart = on-failure
restart-delay = 50ms
start-limit = 2 in 60s
INI
start_pid1 -c limit.ini
expect_exit 4 30
assert_grep "$ERR" 'boss: failed: start limit'
assert_count "$ERR" 'boss: started' 3
