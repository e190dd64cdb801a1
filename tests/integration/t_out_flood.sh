#!/usr/bin/env bash
# Output under load: 5 services write 20,000 lines each as fast as they can
# (fully buffered, so lines are split across writes), every 7th line to
# stderr.  Every line must arrive whole, exactly once and in order, with
# "NAME | " in front, stdout lines on muster's stdout and stderr lines on
# its stderr, nothing else on stdout.
. "$(dirname "$0")/lib.sh"
export LC_ALL=C   # byte semantics for grep/sed/sort on binary and long lines

: "${HELPERS:=$(cd "$(dirname "$0")/../.." && pwd)/build/helpers}"
LINEGEN=$HELPERS/linegen
[ -x "$LINEGEN" ] || fail "no $LINEGEN: build the helpers (make integration)"

N=20000
args() { # I: linegen's arguments for service sI (line length differs per service)
	echo "-n $N -l $((40 + $1 * 17)) -t s$1 -e 7"
}

{
	echo "[muster]"
	echo "control-socket = $PWD/ctl.sock"
	for i in 1 2 3 4 5; do
		printf '[service s%s]\ncommand = %s\ntype = oneshot\nrestart = no\n' "$i" "$LINEGEN $(args "$i")"
	done
	printf '[service holder]\ncommand = sleep 300\ndepends = s1 s2 s3 s4 s5\n'
} >muster.ini

start_muster -c muster.ini
wait_for "$ERR" 'all 6 services up' 30
stop_muster 0   # the shutdown drains the pipes: everything is out now

for i in 1 2 3 4 5; do
	# the oracle: the same command, run directly
	# shellcheck disable=SC2046 # the arguments are words
	"$LINEGEN" $(args "$i") >"exp.$i.out" 2>"exp.$i.err" || fail "linegen failed"
	grep -aE "^s$i +\| " "$OUT" | sed -E "s/^s$i +\| //" >"got.$i.out"
	grep -aE "^s$i +\| " "$ERR" | sed -E "s/^s$i +\| //" >"got.$i.err"
	for s in out err; do
		want=$(wc -l <"exp.$i.$s")
		got=$(wc -l <"got.$i.$s")
		if ! cmp -s "exp.$i.$s" "got.$i.$s"; then
			log "first difference: $(cmp "exp.$i.$s" "got.$i.$s" 2>&1 | head -n 1)"
			diff "exp.$i.$s" "got.$i.$s" | head -n 6 >&2
			fail "s$i std$s: expected $want lines exactly as written, found $got lines that differ"
		fi
	done
done

# nothing but the services' stdout lines on stdout (no muster message, no
# stderr line, no fragment of a line)
stray=$(grep -avnE '^s[1-5] +\| s[1-5] [0-9]+ [a-z]+$' "$OUT" | head -n 3)
[ -z "$stray" ] || fail "unexpected lines on stdout: $stray"
# on stderr: the services' stderr lines and muster's own messages only
stray=$(grep -avnE '^(s[1-5] +\| s[1-5] [0-9]+ [a-z]+|muster( +\||:) .*)$' "$ERR" | head -n 3)
[ -z "$stray" ] || fail "unexpected lines on stderr: $stray"
total=$(wc -l <"$OUT")
want=$((5 * (N - N / 7)))
assert_eq "$want" "$total" "lines on stdout"
exit 0
