#!/usr/bin/env bash
# Partial lines: a line written in several parts (with pauses between them)
# goes out as one line; the last line without a newline goes out, with a
# newline, when the service closes its output: at exit, on stdout and on
# stderr, and when the service is killed by the shutdown mid-line.  The
# log-file gets the same lines.  Names are padded to the longest one.
. "$(dirname "$0")/lib.sh"
export LC_ALL=C   # byte semantics for grep/sed/sort on binary and long lines

cat >muster.ini <<INI
[muster]
control-socket = $PWD/ctl.sock

[service parts]
command = $(service parts 'printf "abc"; sleep 0.3; printf "def"; sleep 0.3; printf "ghi\n"; printf "err " >&2; sleep 0.2; printf "tail" >&2; printf "last words"')
type = oneshot
restart = no
log-file = $TEST_DIR/parts.log

[service cut]
command = $(service cut 'printf "line one\n"; printf "cut off mid-"; stamp cut.ready; exec sleep 300')
log-file = $TEST_DIR/cut.log

[service a-rather-long-name]
command = echo "aligned"
type = oneshot
restart = no

[service holder]
command = sleep 300
depends = parts a-rather-long-name
INI

start_muster -c muster.ini
wait_for "$ERR" 'all 4 services up'
wait_file cut.ready
# the partial line is held, not written, while the service lives
wait_for "$OUT" '^cut +\| line one$'
sleep 0.3
assert_no_grep "$OUT" 'cut off mid-' "stdout while cut's line is unfinished"
stop_muster 0

assert_count "$OUT" '^parts +\| abcdefghi$' 1
assert_no_grep "$OUT" '^parts +\| (abc|def|ghi)$'
assert_count "$OUT" '^parts +\| last words$' 1
assert_count "$ERR" '^parts +\| err tail$' 1
assert_count "$OUT" '^cut +\| line one$' 1
assert_count "$OUT" '^cut +\| cut off mid-$' 1
# the names are padded to the longest one: every "|" in the same column
assert_count "$OUT" '^a-rather-long-name \| aligned$' 1
assert_count "$OUT" '^cut {16}\| line one$' 1
cols=$(awk '{ print index($0, " | ") }' "$OUT" | sort -u | paste -sd' ')
assert_eq 19 "$cols" "column of ' | ' on stdout"
# nothing else from the services
assert_eq 4 "$(grep -cE '^(parts|cut) +\| ' "$OUT")" "service lines on stdout"
assert_eq 1 "$(grep -cE '^(parts|cut) +\| ' "$ERR")" "service lines on stderr"
# every byte of stdout ends a line
[ "$(tail -c 1 "$OUT" | od -An -c | tr -d ' ')" = '\n' ] || fail "stdout does not end with a newline"

# the log-files: the same lines, no prefix (stdout and stderr lines may
# come in either order there)
assert_eq "abcdefghi|err tail|last words" "$(sort parts.log | paste -sd'|')" "parts.log"
assert_eq "line one|cut off mid-" "$(paste -sd'|' cut.log)" "cut.log"
exit 0
