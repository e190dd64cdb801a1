#!/usr/bin/env bash
# A log-file that is a FIFO is refused, without blocking: muster starts,
# starts the service, says "PATH: not a regular file" once per file, and
# the service's lines still reach muster's stdout; SIGUSR1 tries again
# (and says nothing new); shutdown is clean.  Two FIFOs: one nobody reads
# (a blocking open would wait for a reader for ever), one with a reader
# (the open succeeds, the check of what was opened refuses it).
. "$(dirname "$0")/lib.sh"

mkfifo lonely.fifo read.fifo || skip "cannot make FIFOs here"
# a reader that never blocks anyone: the test holds read.fifo open
exec 3<>read.fifo

cat >muster.ini <<INI
[muster]
control-socket = $PWD/ctl.sock

[service lonely]
command = $(service lonely 'i=0; while :; do i=$((i + 1)); echo "lonely line $i"; sleep 0.05; done')
log-file = $PWD/lonely.fifo

[service read]
command = $(service read 'i=0; while :; do i=$((i + 1)); echo "read line $i"; sleep 0.05; done')
log-file = $PWD/read.fifo
INI

start_muster -c muster.ini
wait_for "$ERR" 'all 2 services up'
wait_for "$ERR" "lonely: log-file $PWD/lonely.fifo: not a regular file"
wait_for "$ERR" "read: log-file $PWD/read.fifo: not a regular file"
wait_for "$OUT" '^lonely +\| lonely line 3$'
wait_for "$OUT" '^read +\| read line 3$'

# SIGUSR1: refused again, not said again; the lines go on
signal USR1
wait_for "$ERR" 'reopening log files'
n=$(grep -c '^lonely +| lonely line' "$OUT")
wait_for "$OUT" "^lonely +\\| lonely line $((n + 3))\$"
assert_count "$ERR" "$PWD/lonely.fifo: not a regular file" 1
assert_count "$ERR" "$PWD/read.fifo: not a regular file" 1

stop_muster 0
# nothing was written into the FIFO that has a reader
if read -r -t 0 <&3; then
	read -r line <&3
	fail "read.fifo got a line: $line"
fi
assert_count "$ERR" 'lonely: started' 1
assert_count "$ERR" 'read: started' 1
exit 0
