#!/usr/bin/env bash
# muster -- CMD with no config: a tiny init.  The exit status is CMD's
# (128+N when a signal N killed it), and SIGTERM is forwarded to CMD
# (which may handle it and choose its status).
. "$(dirname "$0")/lib.sh"

run_muster -- /bin/sh -c 'exit 3'
assert_eq 3 $? "exit status of muster -- sh -c 'exit 3'"

run_muster -- /bin/sh -c 'kill -KILL $$'
assert_eq 137 $? "exit status when CMD is killed by SIGKILL"

service cmd 'trap "stamp cmd.term; exit 42" TERM; stamp cmd.up; while :; do sleep 0.05; done' >/dev/null
start_muster -- /bin/sh "$TEST_DIR/cmd.sh"
wait_file cmd.up
signal TERM
expect_exit 42
assert_file cmd.term

# no trap: the forwarded SIGTERM kills CMD: 143
start_muster -- /bin/sh -c 'echo $$ >cmd2.pid; exec sleep 300'
wait_file cmd2.pid
signal TERM
expect_exit 143
