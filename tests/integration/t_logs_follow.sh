#!/usr/bin/env bash
# musterctl logs -f: the newest lines, then every new line as it comes,
# none twice, none missed, until muster exits: then it exits 0.  Two
# followers at once (one of every service, one of a name) both see all.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl.sh"

cat >muster.ini <<INI
[muster]
control-socket = $SOCK

[service tick]
command = /bin/sh -c 'i=0; while :; do echo "tick \$i"; i=\$((i+1)); sleep 0.02; done'

[service quiet]
command = sleep 300
INI
start_muster -c muster.ini
wait_socket
wait_for "$OUT" '^tick +\| tick 20$'

ctl logs -f -n 3 tick >one.out 2>one.err &
P1=$!
ctl logs --follow >all.out 2>all.err &
P2=$!
# both have their history and at least 30 new lines
wait_for one.out '^tick +\| tick (5[0-9]|[6-9][0-9]|[0-9]{3,})$'
first=$(head -n 1 one.out | sed -E 's/.* tick //')
last=$(tail -n 1 one.out | sed -E 's/.* tick //')
[ "$last" -gt $((first + 20)) ] || fail "the follower saw too little: $(cat one.out)"
wait_for all.out "^tick +\\| tick $((first + 30))\$"

stop_muster 0
wait_gone "$P1" "$DEFAULT_WAIT" || fail "logs -f did not end when muster exited"
wait "$P1"
assert_eq 0 "$?" "exit status of logs -f when muster exits"
wait_gone "$P2" "$DEFAULT_WAIT" || fail "the second logs -f did not end when muster exited"
wait "$P2"
assert_eq 0 "$?" "exit status of the second logs -f"
[ -s one.err ] && fail "logs -f said: $(cat one.err)"

# no line twice, none missed: consecutive from the first to the last
for f in one.out all.out; do
	grep -E '^tick ' "$f" | sed -E 's/.* tick //' >nums
	awk 'NR > 1 && $1 != prev + 1 { print "after " prev ": " $1; exit 1 } { prev = $1 }' nums >gap ||
		fail "$f: not every line once, in order: $(cat gap)"
done
assert_eq 3 "$(awk -v f="$first" '{ n = $NF } n < f + 3 { c++ } END { print c + 0 }' one.out)" \
	"history lines before the new ones (-n 3)"
# what the follower of every service saw of tick is what live output had
grep -E '^tick ' all.out >a.txt
grep -E '^tick ' "$OUT" | grep -Fx -f a.txt | cmp -s - a.txt || fail "the follower's lines are not live output's"
exit 0
