#!/usr/bin/env bash
# A critical service ending for good shuts everything down, and muster
# exits with its status (128+N when killed by signal N).
. "$(dirname "$0")/lib.sh"

cat >muster.ini <<INI
[service bystander]
command = $(service bystander 'trap "stamp bystander.term; exit 0" TERM; stamp bystander.up; while :; do sleep 0.05; done')

[service boss]
command = $(service boss 'while [ ! -s $D/bystander.up ]; do sleep 0.05; done; exit 5')
critical = yes
restart = no
INI

start_muster -c muster.ini
expect_exit 5
assert_file bystander.term
assert_order "$ERR" 'boss: .*status 5' 'stopping 1 service' 'bystander: stopping' 'all services stopped'

cat >kill.ini <<INI
[service boss]
command = $(service boss2 'echo $$ >$D/boss.pid; while :; do sleep 0.05; done')
critical = yes
restart = no
INI
start_muster -c kill.ini
wait_file boss.pid
kill -KILL "$(cat boss.pid)"
expect_exit 137
