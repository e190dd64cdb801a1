#!/usr/bin/env bash
# An exec failure is detected and reported as
# "NAME: cannot exec PATH: No such file or directory"; it is a failed
# start: the service ends failed and what depends on it never starts.
# muster itself keeps running and stops cleanly on SIGTERM.
. "$(dirname "$0")/lib.sh"

cat >muster.ini <<INI
[service bad]
command = /nonexistent --flag
restart = no

[service needsbad]
command = $(service needsbad 'stamp needsbad.start; exec sleep 300')
depends = bad

[service fine]
command = $(service fine 'stamp fine.start; exec sleep 300')
INI

start_muster -c muster.ini
wait_for "$ERR" 'bad: cannot exec /nonexistent: No such file or directory'
wait_for "$ERR" 'needsbad: .*failed.*dependency bad'
wait_file fine.start

assert_grep "$ERR" 'bad: failed'
assert_no_grep "$ERR" 'bad: ready'
assert_no_grep "$ERR" 'needsbad: started'
assert_no_file needsbad.start
alive "$MPID" || fail "muster exited after a failed start"

stop_muster 0
assert_no_file needsbad.start
