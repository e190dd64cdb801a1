#!/usr/bin/env bash
# musterctl logs: the newest LINES (default 100) of the services named
# (every service without NAME), merged in the order they were printed,
# prefixed as live output is; stderr lines too; an unknown name fails.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl.sh"

# a and b take turns (each waits until muster has written the other's
# line), so that the order of all lines is known: a 0, b 0, a 1, b 1, ...
cat >turns.sh <<'SH'
me=$1 n=$2 out=$3 err=$4 i=0
while [ $i -lt $n ]; do
	if [ "$me" = b ]; then
		until grep -q " a line $i\$" "$out"; do sleep 0.01; done
	elif [ $i -gt 0 ]; then
		until grep -q " b line $((i - 1))\$" "$out"; do sleep 0.01; done
	fi
	if [ $((i % 10)) = 9 ]; then
		echo "$me err $i" >&2
		until grep -q " $me err $i\$" "$err"; do sleep 0.01; done
	fi
	echo "$me line $i"
	i=$((i + 1))
done
exec sleep 300
SH

cat >muster.ini <<INI
[muster]
control-socket = $SOCK

[service a]
command = /bin/sh $PWD/turns.sh a 150 $PWD/muster.out $PWD/muster.err

[service b]
command = /bin/sh $PWD/turns.sh b 150 $PWD/muster.out $PWD/muster.err
INI

start_muster -c muster.ini
wait_socket
wait_for "$OUT" '^b +\| b line 149$'

# -n, one name: its newest lines, stdout and stderr, in order, prefixed
ctl logs -n 5 a >a5.out || fail "logs -n 5 a: exit $?"
printf '%s\n' 'a      | a line 146' 'a      | a line 147' 'a      | a line 148' \
	'a      | a err 149' 'a      | a line 149' | cmp -s - a5.out || fail "logs -n 5 a: $(cat a5.out)"

# the default is 100, merged over both, the newest last
ctl logs >all.out || fail "logs: exit $?"
assert_eq 100 "$(wc -l <all.out)" "lines of logs (default -n)"
assert_eq 'b      | b line 149' "$(tail -n 1 all.out)" "the newest line"
# in the order printed: a k before b k before a k+1
grep -v ' err ' all.out | sed -E 's/^([ab]) +\| [ab] line ([0-9]+)$/\2 \1/' >keys.txt
grep -vqE '^[0-9]+ [ab]$' keys.txt && fail "unexpected lines: $(grep -vE '^[0-9]+ [ab]$' keys.txt | head -3)"
sort -s -k1,1n -k2,2 keys.txt | cmp -s - keys.txt || fail "logs is not in the order the lines were printed: $(head -5 all.out)"

# names: several; the same order; all of a and b with a large -n
ctl logs -n 100000 b a >ab.out || fail "logs b a: exit $?"
assert_eq $((2 * (150 + 15))) "$(wc -l <ab.out)" "every line of a and b"
assert_eq 'a      | a line 0' "$(head -n 1 ab.out)" "the oldest line"
grep -v ' err ' ab.out | cmp -s - <(grep -E '^[ab] +\| [ab] line' "$OUT") ||
	fail "logs b a: not the lines of live output, in its order"
ctl logs -n 0 a >zero.out || fail "logs -n 0: exit $?"
[ -s zero.out ] && fail "logs -n 0 printed: $(head -3 zero.out)"

# muster's own lines are not among the services'; by name they are
grep -q 'muster' all.out && fail "muster's own lines in logs: $(grep muster all.out | head -2)"
ctl logs muster >own.out || fail "logs muster: exit $?"
grep -qE '^muster +\| all 2 services up' own.out || fail "logs muster: $(cat own.out)"

# an unknown name: exit 1, the name said, nothing printed
ctl logs a nope >bad.out 2>bad.err
assert_eq 1 "$?" "exit status of logs with an unknown name"
grep -q "no service named 'nope'" bad.err || fail "logs nope: $(cat bad.err)"
[ -s bad.out ] && fail "logs nope printed: $(cat bad.out)"
ctl logs -n x >/dev/null 2>&1
assert_eq 2 "$?" "exit status of logs -n x"
stop_muster 0
exit 0
