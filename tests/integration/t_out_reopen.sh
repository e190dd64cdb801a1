#!/usr/bin/env bash
# SIGUSR1 reopens the log-files, as logrotate needs: after `mv FILE
# FILE.old` the lines keep going to FILE.old (the open descriptor) until
# SIGUSR1, then to a new FILE.  No line is lost or doubled across the
# switch: FILE.old + FILE is the service's output, the same as stdout.
. "$(dirname "$0")/lib.sh"
export LC_ALL=C   # byte semantics for grep/sed/sort on binary and long lines

: "${HELPERS:=$(cd "$(dirname "$0")/../.." && pwd)/build/helpers}"
LINEGEN=$HELPERS/linegen
[ -x "$LINEGEN" ] || fail "no $LINEGEN: build the helpers (make integration)"

cat >muster.ini <<INI
[muster]
control-socket = $PWD/ctl.sock

[service t]
command = $LINEGEN -n 100000 -l 30 -t t -d 5000
log-file = $PWD/t.log
INI

lines() { if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi; }
# wait_lines FILE N: until FILE has at least N lines
wait_lines() {
	local deadline=$(($(date +%s) + ${3:-$DEFAULT_WAIT}))
	until [ "$(lines "$1")" -ge "$2" ]; do
		[ "$(date +%s)" -gt "$deadline" ] && fail "$1 has $(lines "$1") lines after ${3:-$DEFAULT_WAIT}s, expected $2"
		sleep 0.05
	done
}

start_muster -c muster.ini
wait_for "$ERR" 'all 1 service up|all 1 services up'
wait_lines t.log 20
mv t.log t.log.old
at_mv=$(lines t.log.old)
# lines keep flowing into the moved file, no new file appears by itself
wait_lines t.log.old $((at_mv + 30))
assert_no_file t.log
signal USR1
wait_for "$ERR" 'reopening log files'
wait_lines t.log 30
signal TERM
expect_exit 0

old=$(lines t.log.old)
new=$(lines t.log)
log "t.log.old: $at_mv lines at the mv, $old in the end; t.log: $new lines"
# stdout has every line; the two files together are the same lines
grep -E '^t +\| ' "$OUT" | sed -E 's/^t +\| //' >got.out
k=$(wc -l <got.out)
$LINEGEN -n "$k" -l 30 -t t >exp.out
cmp -s exp.out got.out || fail "stdout: the first $k lines are not the service's output: $(cmp exp.out got.out 2>&1)"
cat t.log.old t.log >both
cmp -s exp.out both ||
	fail "t.log.old ($old lines) + t.log ($new lines) is not the output ($k lines): $(cmp exp.out both 2>&1)"
exit 0
