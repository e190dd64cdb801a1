#!/usr/bin/env bash
# log-buffer = 0 keeps no lines: logs prints none (exit 0), while live
# output and the log-file get every line; logs -f still shows new ones.
# A reload to a size keeps lines from then on.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl.sh"

cat >muster.ini <<INI
[muster]
control-socket = $SOCK
log-buffer = 0

[service s]
command = /bin/sh -c 'i=0; while [ \$i -lt 20 ]; do echo "s \$i"; i=\$((i+1)); done; exec sleep 300'
log-file = $PWD/s.log

[service t]
command = /bin/sh -c 'until [ -e $PWD/go ]; do sleep 0.01; done; i=0; until [ -e $PWD/seen ]; do echo "t new \$i"; i=\$((i+1)); sleep 0.05; done; exec sleep 300'
INI
start_muster -c muster.ini
wait_socket
wait_for "$OUT" '^s +\| s 19$'
ctl logs >none.out || fail "logs: exit $?"
[ -s none.out ] && fail "log-buffer = 0, yet logs printed: $(head -3 none.out)"
assert_eq 20 "$(grep -c '^s ' s.log)" "lines in the log-file"

# t prints a line every 50 ms once "go" exists, until "seen" does
ctl logs -f t >follow.out 2>&1 &
FPID=$!
: >go
wait_for follow.out '^t +\| t new [0-9]+$'
: >seen
kill "$FPID" 2>/dev/null
wait "$FPID" 2>/dev/null
grep -q skipped follow.out && fail "the follower skipped lines: $(cat follow.out)"
ctl logs t >none.out || fail "logs t: exit $?"
[ -s none.out ] && fail "log-buffer = 0, yet logs t printed: $(head -3 none.out)"

sed -i 's/^log-buffer = 0$/log-buffer = 64K/' muster.ini
ctl reload >/dev/null || fail "reload: exit $?"
ctl restart s >/dev/null || fail "restart: exit $?"
wait_for "$OUT" '^s +\| s 19$'
deadline=$(( $(date +%s) + DEFAULT_WAIT ))
until [ "$(ctl logs s | wc -l)" = 20 ]; do
	[ "$(date +%s)" -gt "$deadline" ] && fail "after log-buffer = 64K: $(ctl logs s | wc -l) lines, expected 20"
	sleep 0.05
done
stop_muster 0
exit 0
