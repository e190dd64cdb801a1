#!/usr/bin/env bash
# A log-file that cannot be written (a file at muster's file-size limit:
# EFBIG on every write, as a full disk gives ENOSPC; /dev/full itself is
# refused, not being a regular file): one error line, not one per line;
# the service keeps running (same pid, no restart) and its stdout stream
# is unaffected.  "One error line per failure streak": a log-file that
# fails, works again after SIGUSR1, then fails again, gives a second error
# line; reopening a file that still fails gives none.  A log-file whose
# directory is missing: one error line; once the directory exists, the
# lines go to the file.
. "$(dirname "$0")/lib.sh"
export LC_ALL=C   # byte semantics for grep/sed/sort on binary and long lines

: "${HELPERS:=$(cd "$(dirname "$0")/../.." && pwd)/build/helpers}"
LINEGEN=$HELPERS/linegen
[ -x "$LINEGEN" ] || fail "no $LINEGEN: build the helpers (make integration)"

# muster under a file-size limit (its signal, SIGXFSZ, muster ignores):
# a file already that large cannot take another byte
LIMIT_K=65536 # far beyond what muster.out gets
REAL_MUSTER=$MUSTER
cat >wrap.sh <<SH
#!/bin/bash
ulimit -f $LIMIT_K || exit 99
exec "$REAL_MUSTER" "\$@"
SH
chmod +x wrap.sh
MUSTER=$TEST_DIR/wrap.sh
at_limit() { truncate -s $((LIMIT_K * 1024)) "$1"; } # sparse: no disk used
at_limit full.log
at_limit flip.log
cat >muster.ini <<INI
[muster]
control-socket = $PWD/ctl.sock

[service full]
command = $LINEGEN -n 100000 -l 40 -t f -d 4000
log-file = $PWD/full.log

[service flip]
command = $LINEGEN -n 100000 -l 40 -t g -d 4000
log-file = $PWD/flip.log

[service nodir]
command = $LINEGEN -n 100000 -l 40 -t n -d 4000
log-file = $PWD/later/n.log
INI

count() { grep -cE -- "$1" "$2"; }
# wait_count FILE PATTERN N: until N lines of FILE match
wait_count() {
	local deadline=$(($(date +%s) + DEFAULT_WAIT))
	until [ "$(count "$2" "$1")" -ge "$3" ]; do
		[ "$(date +%s)" -gt "$deadline" ] &&
			fail "$(basename "$1"): $(count "$2" "$1") lines match /$2/ after ${DEFAULT_WAIT}s, expected $3"
		sleep 0.05
	done
}
FULL_ERR="error: log-file $PWD/full.log"
FLIP_ERR="error: log-file $PWD/flip.log"

start_muster -c muster.ini
wait_for "$ERR" 'all 3 services up'
wait_count "$OUT" '^full +\| f ' 100
wait_count "$OUT" '^flip +\| g ' 100
wait_count "$OUT" '^nodir +\| n ' 100
assert_count "$ERR" "$FULL_ERR" 1
assert_count "$ERR" "$FLIP_ERR" 1
assert_grep "$ERR" "$FULL_ERR.*File too large"
assert_count "$ERR" "log-file $PWD/later/n.log" 1
# the directory appears: the lines go to the file from then on
mkdir later
wait_count later/n.log '^n ' 20

# flip.log works again after SIGUSR1 (a new, empty file): said once;
# full.log still fails: nothing new said
rm flip.log
signal USR1
wait_for "$ERR" "log-file $PWD/flip.log: writing again"
wait_count flip.log '^g ' 20
# and fails again: a new streak, a new error line (what it got until
# then is real.log)
mv flip.log real.log
at_limit flip.log
signal USR1
wait_count "$ERR" "$FLIP_ERR" 2
n=$(count '^full +\| f ' "$OUT")
wait_count "$OUT" '^full +\| f ' $((n + 100))
assert_count "$ERR" "$FULL_ERR" 1
assert_count "$ERR" "$FLIP_ERR" 2
assert_count "$ERR" "log-file $PWD/flip.log: writing again" 1

# the services never stopped
assert_count "$ERR" 'full: started' 1
assert_count "$ERR" 'flip: started' 1
assert_count "$ERR" 'nodir: started' 1
FPID=$(sed -n 's/.*full: started (pid \([0-9]*\)).*/\1/p' "$ERR")
alive "$FPID" || fail "full (pid $FPID) is not running"
if [ -x "$MUSTERCTL" ]; then
	timeout 10 "$MUSTERCTL" -s "$PWD/ctl.sock" status >status.out 2>&1 || fail "musterctl status: $(cat status.out)"
	grep -qE "^full +ready +$FPID .* 0 +-" status.out || fail "full's status: $(grep -E '^(NAME|full)' status.out)"
fi
stop_muster 0

# stdout is complete: every line of both, in order, from the first
for s in full:f flip:g nodir:n; do
	name=${s%:*} tag=${s#*:}
	grep -E "^$name +\\| " "$OUT" | sed -E "s/^$name +\\| //" >"got.$name"
	k=$(wc -l <"got.$name")
	$LINEGEN -n "$k" -l 40 -t "$tag" >"exp.$name"
	cmp -s "exp.$name" "got.$name" || fail "$name on stdout: $(cmp "exp.$name" "got.$name" 2>&1)"
done
# real.log holds a run of consecutive lines, each whole
first=$(head -n 1 real.log | cut -d' ' -f2)
n=$(wc -l <real.log)
$LINEGEN -n $((first + n)) -l 40 -t g | tail -n "$n" >exp.real
cmp -s exp.real real.log || fail "real.log: not $n consecutive whole lines from line $first"
first=$(head -n 1 later/n.log | cut -d' ' -f2)
n=$(wc -l <later/n.log)
$LINEGEN -n $((first + n)) -l 40 -t n | tail -n "$n" >exp.n
cmp -s exp.n later/n.log || fail "later/n.log: not $n consecutive whole lines from line $first"
exit 0
