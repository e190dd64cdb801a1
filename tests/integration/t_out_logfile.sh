#!/usr/bin/env bash
# log-file: the file gets exactly what the service wrote (no name prefix),
# stdout and stderr lines both, while the daemon's streams get the prefixed
# lines as usual.  Two services sharing one log-file: every line whole.
# With log-timestamps: an RFC 3339 timestamp before each line, in the file
# and on the streams.  With log-prefix = no: a service without log-file
# writes straight to muster's stdout (inherited); one with a log-file goes
# through muster, unprefixed, and also to its file.
. "$(dirname "$0")/lib.sh"
export LC_ALL=C   # byte semantics for grep/sed/sort on binary and long lines

: "${HELPERS:=$(cd "$(dirname "$0")/../.." && pwd)/build/helpers}"
LINEGEN=$HELPERS/linegen
[ -x "$LINEGEN" ] || fail "no $LINEGEN: build the helpers (make integration)"

W="$LINEGEN -n 5000 -l 120 -t w"
M="$LINEGEN -n 3000 -l 70 -t m -e 3"
S1="$LINEGEN -n 4000 -l 90 -t sa"
S2="$LINEGEN -n 4000 -l 50 -t sb"

# strip NAME FILE: NAME's lines of FILE without the "NAME | " prefix
strip() { grep -aE "^$1 +\\| " "$2" | sed -E "s/^$1 +\\| //"; }
same() { # EXPECTED_FILE FOUND_FILE WHAT
	cmp -s "$1" "$2" ||
		fail "$3: $(wc -l <"$2") lines, expected $(wc -l <"$1"), not identical: $(cmp "$1" "$2" 2>&1 | head -n 1)"
}

# ---- 1: plain log-files -------------------------------------------------
cat >muster.ini <<INI
[muster]
control-socket = $PWD/ctl.sock

[service w]
command = $W
type = oneshot
restart = no
log-file = $PWD/w.log

[service m]
command = $M
type = oneshot
restart = no
log-file = $PWD/m.log

[service sa]
command = $S1
type = oneshot
restart = no
log-file = $PWD/shared.log

[service sb]
command = $S2
type = oneshot
restart = no
log-file = $PWD/shared.log

[service holder]
command = sleep 300
depends = w m sa sb
INI
echo "an old line" >w.log   # appended to, not truncated

start_muster -c muster.ini
wait_for "$ERR" 'all 5 services up'
stop_muster 0

{ echo "an old line"; $W; } >exp.w
same exp.w w.log "w.log"
strip w "$OUT" >got.w
$W >exp.w
same exp.w got.w "w on stdout"

# stdout and stderr lines both in the file, each stream in its order
$M >exp.m.out 2>exp.m.err
grep -E '^m [0-9]+ ' m.log | awk '$2 % 3 != 2' >got.m.out
grep -E '^m [0-9]+ ' m.log | awk '$2 % 3 == 2' >got.m.err
same exp.m.out got.m.out "m.log, stdout lines"
same exp.m.err got.m.err "m.log, stderr lines"
assert_eq "$(($(wc -l <exp.m.out) + $(wc -l <exp.m.err)))" "$(wc -l <m.log)" "lines in m.log"
strip m "$ERR" >got.m.err2
same exp.m.err got.m.err2 "m's stderr on muster's stderr"

# a shared log-file: lines of both services, every one whole
$S1 >exp.sa
$S2 >exp.sb
grep '^sa ' shared.log >got.sa
grep '^sb ' shared.log >got.sb
same exp.sa got.sa "sa's lines in shared.log"
same exp.sb got.sb "sb's lines in shared.log"
assert_eq 8000 "$(wc -l <shared.log)" "lines in shared.log"

# ---- 2: log-timestamps --------------------------------------------------
rm -f w.log
cat >muster.ini <<INI
[muster]
control-socket = $PWD/ctl.sock
log-timestamps = yes

[service w]
command = $LINEGEN -n 200 -l 40 -t w
type = oneshot
restart = no
log-file = $PWD/w.log

[service holder]
command = sleep 300
depends = w
INI
t0=$(date +%s)
start_muster -c muster.ini
wait_for "$ERR" 'all 2 services up'
stop_muster 0
t1=$(date +%s)

TS='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}([+-][0-9]{2}:[0-9]{2}|Z)'
assert_count w.log "^$TS w [0-9]+ [a-z]+\$" 200
assert_eq 200 "$(wc -l <w.log)" "lines in w.log"
assert_count "$OUT" "^$TS w +\\| w [0-9]+ [a-z]+\$" 200
assert_eq 200 "$(wc -l <"$OUT")" "lines on stdout"
assert_grep "$ERR" "^$TS muster( +\\||:) w: started"
# the text after the timestamp is the service's line
sed -E "s/^$TS //" w.log >got.w
$LINEGEN -n 200 -l 40 -t w >exp.w
same exp.w got.w "w.log without the timestamps"
# the time is now (give or take the machine's load)
first=$(head -n 1 w.log | cut -d' ' -f1)
s=$(date -d "$first" +%s 2>/dev/null) || fail "date cannot parse the timestamp '$first'"
[ "$s" -ge $((t0 - 2)) ] && [ "$s" -le $((t1 + 2)) ] ||
	fail "timestamp $first ($s) is not within the run ($t0..$t1)"

# ---- 3: log-prefix = no ---------------------------------------------------
rm -f w.log
cat >muster.ini <<INI
[muster]
control-socket = $PWD/ctl.sock
log-prefix = no

[service direct]
command = $(service direct 'echo "direct to stdout"; echo "direct to stderr" >&2; stamp direct.done; exec sleep 300')

[service logged]
command = $LINEGEN -n 300 -l 60 -t lg -e 4
type = oneshot
restart = no
log-file = $PWD/lg.log

[service holder]
command = sleep 300
depends = logged
INI
start_muster -c muster.ini
wait_for "$ERR" 'all 3 services up'
wait_file direct.done
wait_for "$OUT" '^direct to stdout$'
wait_for "$ERR" '^direct to stderr$'
# direct writes to the very file muster's stdout is (inherited, no pipe)
DPID=$(sed -n 's/.*direct: started (pid \([0-9]*\)).*/\1/p' "$ERR" | head -n 1)
[ -n "$DPID" ] || fail "no pid for direct"
dl=$(readlink "/proc/$DPID/fd/1")
ml=$(readlink "/proc/$MPID/fd/1")
assert_eq "$ml" "$dl" "direct's stdout (log-prefix = no)"
stop_muster 0

$LINEGEN -n 300 -l 60 -t lg -e 4 >exp.lg.out 2>exp.lg.err
grep -E '^lg ' "$OUT" >got.lg.out
grep -E '^lg ' "$ERR" >got.lg.err
same exp.lg.out got.lg.out "logged's stdout, unprefixed"
same exp.lg.err got.lg.err "logged's stderr, unprefixed"
assert_no_grep "$OUT" '\| ' "stdout with log-prefix = no"
assert_eq 300 "$(wc -l <lg.log)" "lines in lg.log"
awk '$2 % 4 != 3' lg.log >got.lg.out
same exp.lg.out got.lg.out "lg.log, stdout lines"
exit 0
