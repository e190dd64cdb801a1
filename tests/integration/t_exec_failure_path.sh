#!/usr/bin/env bash
# A program name without '/' is looked up in PATH; one not found there is
# an exec failure naming the program; a file without execute permission is
# reported as "Permission denied".
. "$(dirname "$0")/lib.sh"

printf '#!/bin/sh\nexit 0\n' >noexec.sh
chmod 644 noexec.sh

cat >muster.ini <<INI
[service found]
command = true
type = oneshot

[service missing]
command = no-such-program-muster-it
restart = no

[service noperm]
command = $TEST_DIR/noexec.sh
restart = no
INI

start_muster -c muster.ini
wait_for "$ERR" 'found: done'
wait_for "$ERR" 'missing: cannot exec no-such-program-muster-it: No such file or directory'
wait_for "$ERR" "noperm: cannot exec $TEST_DIR/noexec.sh: Permission denied"
stop_muster 0
