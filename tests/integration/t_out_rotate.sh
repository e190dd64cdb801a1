#!/usr/bin/env bash
# log-max-size / log-max-files: a log-file that would grow past the size is
# rotated (FILE -> FILE.1 -> FILE.2 ...) at a line boundary, keeping
# log-max-files old files; nothing is lost from the kept files (together
# they are the tail of the output, in order), no file exceeds the size, and
# a file that already exists counts with its current size.  The daemon's
# stdout gets every line regardless.
. "$(dirname "$0")/lib.sh"
export LC_ALL=C   # byte semantics for grep/sed/sort on binary and long lines

: "${HELPERS:=$(cd "$(dirname "$0")/../.." && pwd)/build/helpers}"
LINEGEN=$HELPERS/linegen
[ -x "$LINEGEN" ] || fail "no $LINEGEN: build the helpers (make integration)"

R="$LINEGEN -n 2000 -l 99 -t r"     # 2000 lines of 100 bytes
P="$LINEGEN -n 5 -l 99 -t p"
MAX=10240                           # 10K: 102 lines of 100 bytes fit

cat >muster.ini <<INI
[muster]
control-socket = $PWD/ctl.sock
log-max-size = 10K
log-max-files = 3

[service r]
command = $R
type = oneshot
restart = no
log-file = $PWD/r.log

[service pre]
command = $P
type = oneshot
restart = no
log-file = $PWD/pre.log

[service holder]
command = sleep 300
depends = r pre
INI
# pre.log exists with 10,000 bytes: two more lines fit, the third rotates
for i in $(seq 100 199); do printf 'old %s %s\n' "$i" "$(printf '%091d' 0)"; done >pre.log
assert_eq 10000 "$(stat -c %s pre.log)" "size of the prepared pre.log"
cp pre.log pre.orig

start_muster -c muster.ini
wait_for "$ERR" 'all 3 services up'
stop_muster 0

# stdout: everything
$R >exp.r
grep -E '^r +\| ' "$OUT" | sed -E 's/^r +\| //' >got.r
cmp -s exp.r got.r || fail "r on stdout: $(wc -l <got.r) lines, expected 2000"

# r.log, r.log.1 .. r.log.3; no r.log.4
for f in r.log r.log.1 r.log.2 r.log.3; do
	assert_file "$f"
	size=$(stat -c %s "$f")
	[ "$size" -le "$MAX" ] || fail "$f has $size bytes, more than log-max-size ($MAX)"
done
assert_no_file r.log.4
for f in r.log.1 r.log.2 r.log.3; do
	# rotated only when the next line would not fit: 102 lines each
	assert_eq 10200 "$(stat -c %s "$f")" "size of $f"
done
# together, oldest first, they are the last lines of the output
cat r.log.3 r.log.2 r.log.1 r.log >kept
n=$(wc -l <kept)
assert_eq $((3 * 102 + 2000 % 102)) "$n" "lines kept in r.log*"
tail -n "$n" exp.r >exp.tail
cmp -s exp.tail kept || fail "r.log.3 r.log.2 r.log.1 r.log are not the last $n lines in order: $(cmp exp.tail kept 2>&1)"

# pre.log: the old 10,000 bytes + 2 lines went to pre.log.1, 3 lines after
{ cat pre.orig; $P | head -n 2; } >exp.pre1
$P | tail -n 3 >exp.pre
cmp -s exp.pre1 pre.log.1 || fail "pre.log.1 ($(stat -c %s pre.log.1 2>/dev/null) bytes): expected the old file plus 2 lines (10200 bytes)"
cmp -s exp.pre pre.log || fail "pre.log: expected the last 3 lines, found $(wc -l <pre.log) lines"
assert_no_file pre.log.2
exit 0
