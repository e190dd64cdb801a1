#!/usr/bin/env bash
# musterctl timeline: each service's waiting, starting and ready times of
# the last start, and the critical chain: from the service ready last, back
# through the depends/after target that became ready last before each one
# started.  Here a -> mid -> top is the slow path (0.2s + 0.6s); b (an
# `after` target, 0.3s) is not on it.  Automatic restarts since do not
# rewrite the story.
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/ctl.sh"

cat >muster.ini <<INI
[muster]
control-socket = $SOCK

[service a]
command = sleep 0.2
type = oneshot

[service b]
command = sleep 0.3
type = oneshot

[service mid]
command = sleep 0.6
type = oneshot
depends = a

[service top]
command = sleep 300
depends = mid
after = b

[service flap]
command = $(service flap 'sleep 0.1; exit 1')
restart = always
restart-delay = 50ms
restart-delay-max = 50ms
start-limit = 0
INI

start_muster -c muster.ini
wait_socket
ctl wait top || fail "wait top: exit $?"
# let flap restart a few times after everything was up
deadline=$(( $(date +%s) + DEFAULT_WAIT ))
until [ "$(ctl status flap | awk 'NR == 2 { print $5 }')" -ge 5 ]; do
	[ "$(date +%s)" -gt "$deadline" ] && fail "flap did not restart 5 times"
	sleep 0.05
done

ctl timeline >tl.txt || fail "timeline: exit $?"
cat tl.txt >&2
assert_grep tl.txt '^NAME +WAITING +STARTING +READY +TOOK$' "the header"
assert_grep tl.txt '^a +0\.0[0-9]+s +0\.0[0-9]+s +0\.[0-9]+s +0\.[0-9]+s$' "a's row"
assert_grep tl.txt '^top +[0-9.]+s +[0-9.]+s +[0-9.]+s +[0-9.]+s$' "top's row"
field() { awk -v n="$1" -v f="$2" '$1 == n { sub(/s$/, "", $f); print $f }' tl.txt; }
# mid started when a was ready; top when mid was
assert_le "$(field a 4)" "$(field mid 3)" "a ready before mid started"
assert_le "$(field mid 4)" "$(field top 3)" "mid ready before top started"
assert_le 0.55 "$(field mid 5)" "mid took its 0.6s"

chain=$(sed -n '/^critical chain/,$p' tl.txt | tail -n +2 | sed 's/^[^a-z]*//' | awk '{ print $1 }' | tr '\n' ' ')
assert_eq "top mid a " "$chain" "the critical chain"
assert_grep tl.txt '^critical chain \(everything ready at [0-9.]+s\):$' "the chain's title"
assert_grep tl.txt '^top @[0-9.]+s \+[0-9.]+s$' "the chain's first line"
assert_grep tl.txt '^└─mid @[0-9.]+s \+0\.[5-9][0-9]*s$' "the chain's second line"
assert_grep tl.txt '^  └─a @0\.0[0-9]*s \+0\.[0-9]+s$' "the chain's third line"
# the total is top's ready time, not a restart of flap's
assert_eq "$(field top 4)s" "$(sed -n 's/^critical chain (everything ready at \(.*\)):$/\1/p' tl.txt)" "the total"

stop_muster 0
