#!/usr/bin/env bash
# As PID 1 (a new PID namespace) with a config and no main command, muster
# has no default signal actions to fall back on, yet it stops on SIGTERM and
# SIGINT: sent from outside the namespace, sent from inside it (a service
# running `kill -TERM 1`, which the kernel delivers to a PID 1 only when it
# handles the signal), and a second SIGTERM cuts a slow shutdown short.
# SIGTSTP, which muster does not handle without a main command, does not
# stop it as PID 1 (muster(8), CONTAINERS, says so).
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/pid1.sh"

cat >muster.ini <<INI
[muster]
control-socket = $TEST_DIR/ctl.sock

[service s]
command = $(service s 'trap "stamp s.term; exit 0" TERM; stamp s.up; while :; do sleep 0.05; done')
INI

for sig in TERM INT; do
	rm -f s.up s.term
	start_pid1 -c muster.ini
	wait_for "$ERR" 'all 1 service up'
	wait_file s.up
	signal1 $sig
	expect_exit 0
	assert_file s.term
	assert_grep "$ERR" "stopping 1 service \\(SIG$sig\\)"
	assert_grep "$ERR" 'all services stopped'
	assert_no_file ctl.sock
done

# SIGTSTP (Ctrl-Z) does not stop PID 1: watch it for a second
rm -f s.up s.term
start_pid1 -c muster.ini
wait_for "$ERR" 'all 1 service up'
signal1 TSTP
for _ in $(seq 1 50); do
	case $(stat_field "$M1" 1) in T | t) fail "muster, PID 1 with no main command, was stopped by SIGTSTP" ;; esac
	sleep 0.02
done
signal1 TERM
expect_exit 0

# from inside the namespace: a service signals PID 1
rm -f s.up s.term
cat >inside.ini <<INI
[muster]
control-socket = $TEST_DIR/ctl.sock

[service s]
command = $(service s2 'trap "stamp s.term; exit 0" TERM; stamp s.up; while :; do sleep 0.05; done')

[service killer]
command = $(service killer 'while [ ! -s $D/s.up ]; do sleep 0.05; done; stamp killer.sent; kill -TERM 1; sleep 300')
INI
start_pid1 -c inside.ini
expect_exit 0
assert_file killer.sent
assert_file s.term
assert_grep "$ERR" 'stopping 2 services \(SIGTERM\)'

# a second SIGTERM during the shutdown: kill everything now
cat >stubborn.ini <<INI
[muster]
control-socket = $TEST_DIR/ctl.sock
graceful-timeout = 100s

[service stubborn]
command = $(service stubborn 'trap "" TERM; stamp stubborn.up; while :; do sleep 0.05; done')
stop-timeout = 100s
INI
start_pid1 -c stubborn.ini
wait_file stubborn.up
signal1 TERM
wait_for "$ERR" 'stubborn: stopping \(SIGTERM'
t0=$(now)
signal1 TERM
expect_exit 0 30
assert_lt "$(elapsed "$t0")" 15 "seconds from the second SIGTERM to the exit"
