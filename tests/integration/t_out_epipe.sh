#!/usr/bin/env bash
# The reader of muster's stdout goes away (EPIPE): muster neither dies of
# SIGPIPE nor blocks the services; what it would have written to stdout is
# discarded, while the log-file still gets every line and stderr works.
. "$(dirname "$0")/lib.sh"
export LC_ALL=C   # byte semantics for grep/sed/sort on binary and long lines

: "${HELPERS:=$(cd "$(dirname "$0")/../.." && pwd)/build/helpers}"
LINEGEN=$HELPERS/linegen
[ -x "$LINEGEN" ] || fail "no $LINEGEN: build the helpers (make integration)"

GEN="$LINEGEN -n 200000 -l 50 -t a"   # 10 MB: far more than any buffer

cat >muster.ini <<INI
[muster]
control-socket = $PWD/ctl.sock

[service a]
command = $GEN
type = oneshot
restart = no
log-file = $PWD/a.log

[service late]
command = $(service late 'while [ ! -e "$D/go" ]; do sleep 0.05; done; echo "late line" >&2; exec sleep 300')
INI

mkfifo stdout.fifo
MUSTER_IT_TAG=$IT_TAG head -n 3 <stdout.fifo >got.head &   # tagged: the cleanup kills it
HPID=$!
# start_muster, but with stdout into the FIFO (MPID, .rc.PID as lib.sh)
OUT=$PWD/got.head
(
	MUSTER_IT_TAG=$IT_TAG "$MUSTER" -c muster.ini </dev/null >stdout.fifo 2>"$ERR" &
	echo $! >.mpid
	wait $!
	echo $? >"$TEST_DIR/.rc.$!"
) 2>/dev/null &
for i in $(seq 1 500); do [ -s .mpid ] && break; sleep 0.01; done
MPID=$(cat .mpid 2>/dev/null)
[ -n "$MPID" ] || fail "muster did not start"

wait_gone "$HPID" 20 || fail "head did not get its 3 lines"
# the service is not held back: it writes its 10 MB and is done
wait_for "$ERR" 'a: done' 20
alive "$MPID" || fail "muster died after its stdout reader went away"
# stderr still works
touch go
wait_for "$ERR" '^late +\| late line$'
stop_muster 0

assert_count got.head '^a +\| a [0-2] [a-z]+$' 3
$GEN >exp.a
cmp -s exp.a a.log || fail "a.log: $(wc -l <a.log) lines, expected 200000: $(cmp exp.a a.log 2>&1)"
exit 0
