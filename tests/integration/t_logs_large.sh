#!/usr/bin/env bash
# A large answer: with log-buffer = 16M, `logs -n 100000` of a service
# that printed 50000 lines (5 MB) gives every one, in order, intact; the
# answer is streamed (made as it is read), also through a slow reader.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl.sh"
export LC_ALL=C
: "${HELPERS:=$(cd "$(dirname "$0")/../.." && pwd)/build/helpers}"
LINEGEN=$HELPERS/linegen SLOWREAD=$HELPERS/slowread
[ -x "$LINEGEN" ] && [ -x "$SLOWREAD" ] || fail "no $LINEGEN or $SLOWREAD: build the helpers (make integration)"

cat >muster.ini <<INI
[muster]
control-socket = $SOCK
log-buffer = 16M

[service big]
command = $LINEGEN -n 50000 -l 100 -t big -H
INI
start_muster -c muster.ini
wait_socket
wait_for "$OUT" '^big +\| big 49999 '
$LINEGEN -n 50000 -l 100 -t big >exp.out
ctl logs -n 100000 big >got.out || fail "logs -n 100000: exit $?"
sed -E 's/^big +\| //' got.out | cmp -s - exp.out || fail "logs -n 100000 big: not the 50000 lines ($(wc -l <got.out) lines)"
# a reader taking 64 KiB every 10 ms: the same, all of it
ctl logs -n 100000 big | "$SLOWREAD" slow.out 65536 10000 || fail "logs into a slow reader failed"
sed -E 's/^big +\| //' slow.out | cmp -s - exp.out || fail "logs -n 100000 big, read slowly: $(wc -l <slow.out) lines"
stop_muster 0
exit 0
