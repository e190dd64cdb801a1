#!/usr/bin/env bash
# SIGTERM cancels a pending restart: a crashed service waiting out a long
# restart-delay is not started again, and muster exits without waiting.
. "$(dirname "$0")/lib.sh"

cat >muster.ini <<INI
[service crashy]
command = $(service crashy 'echo run >>$D/crashy.runs; exit 3')
restart = on-failure
restart-delay = 30s
restart-delay-max = 60s
INI

start_muster -c muster.ini
wait_for "$ERR" 'crashy: exited with status 3'
wait_for "$ERR" 'crashy: restarting in 30s'

t0=$(now)
signal TERM
expect_exit 0 20
took=$(elapsed "$t0")

assert_count "$ERR" 'crashy: started' 1
assert_count crashy.runs '^run$' 1
assert_lt "$took" 15 "time from SIGTERM to exit (restart-delay is 30s)"
assert_grep "$ERR" 'all services stopped'
