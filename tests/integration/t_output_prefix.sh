#!/usr/bin/env bash
# A child's output is written as "name | line": stdout lines to muster's
# stdout, stderr lines to muster's stderr, never crossed; a last partial
# line is flushed when the child exits; many lines from two services
# are never interleaved mid-line and none is dropped.
. "$(dirname "$0")/lib.sh"

cat >muster.ini <<INI
[service talker]
command = $(service talker 'echo "to stdout 1"; echo "to stderr 1" >&2; echo "to stdout 2"; printf "no newline"')
type = oneshot

[service chatter]
command = $(service chatter 'i=0; while [ $i -lt 2000 ]; do echo "chatter line $i abcdefghijklmnopqrstuvwxyz0123456789"; i=$((i+1)); done; stamp chatter.end')
type = oneshot

[service babble]
command = $(service babble 'i=0; while [ $i -lt 2000 ]; do echo "babble line $i ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" >&2; i=$((i+1)); done; stamp babble.end')
type = oneshot

[service holder]
command = sleep 300
depends = talker chatter babble
INI

start_muster -c muster.ini
wait_for "$ERR" 'all 4 services up'
stop_muster 0

assert_grep "$OUT" '^talker +\| to stdout 1$'
assert_grep "$OUT" '^talker +\| to stdout 2$'
assert_grep "$ERR" '^talker +\| to stderr 1$'
assert_order "$OUT" '^talker +\| to stdout 1$' '^talker +\| to stdout 2$'
assert_no_grep "$OUT" 'to stderr'
assert_no_grep "$ERR" 'to stdout'
# the partial last line, flushed at exit as a line of its own
assert_grep "$OUT" '^talker +\| no newline$'
# the daemon's own messages go to stderr only
assert_no_grep "$OUT" '^muster: '

# every line whole, in order, on the right stream
assert_count "$OUT" '^chatter +\| chatter line [0-9]+ abcdefghijklmnopqrstuvwxyz0123456789$' 2000
assert_count "$ERR" '^babble +\| babble line [0-9]+ ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789$' 2000
assert_no_grep "$OUT" 'babble'
assert_no_grep "$ERR" 'chatter line'
seq=$(sed -n 's/^chatter *| chatter line \([0-9]*\) .*/\1/p' "$OUT" | awk 'NR - 1 != $1 { print NR - 1 " -> " $1; exit }')
[ -z "$seq" ] || fail "chatter's lines out of order or missing: expected line $seq"
