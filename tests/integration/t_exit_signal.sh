#!/usr/bin/env bash
# Stopped on request (SIGTERM or SIGINT) with every service stopped,
# muster exits 0; a config with no services is valid and runs too.
. "$(dirname "$0")/lib.sh"

cat >muster.ini <<INI
[service s]
command = sleep 300
INI

for sig in TERM INT; do
	start_muster -c muster.ini
	wait_for "$ERR" 'all 1 service up'
	signal $sig
	expect_exit 0
	assert_grep "$ERR" "stopping 1 service \\(SIG$sig\\)"
	assert_grep "$ERR" 's: stopped \(signal 15\)'
	assert_grep "$ERR" 'all services stopped'
done

# no services at all
printf '[muster]\ngraceful-timeout = 5s\n' >empty.ini
start_muster -c empty.ini
wait_for "$ERR" 'starting 0 services'
alive "$MPID" || fail "muster exited with an empty config"
signal TERM
expect_exit 0
