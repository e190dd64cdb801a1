#!/usr/bin/env bash
# The notify socket is open to every local user (mode 0666).  3000
# oversized datagrams from a process that is no service's leave no line at
# all; 3000 bad datagrams from a service give at most one warning line a
# second, the next line counting those held back.  (0.1 logged one warning
# per datagram, before it even looked at the sender: 3000 lines.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl.sh"

command -v python3 >/dev/null || skip "python3 is not installed (it sends the flood)"
NC=$HELPERS/notify_client
[ -x "$NC" ] || skip "helper $NC not built"

cat >flood.py <<'PY'
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
big = b"READY=1\nX_PAD=" + b"x" * 5000
for i in range(int(sys.argv[2])):
    s.sendto(big, sys.argv[1])
PY

# the service: waits for the outsider's flood to end, floods 3000, waits a
# little over a second (its own time, not the test's), sends one more, then
# READY=1: once it is ready, muster has read every datagram before it
cat >muster.ini <<INI
[muster]
control-socket = $SOCK

[service noisy]
command = $(service noisy "$NC waitfile:\$D/outsider.done
python3 \$D/flood.py \"\$NOTIFY_SOCKET\" 3000
sleep 1.2
python3 \$D/flood.py \"\$NOTIFY_SOCKET\" 1
exec $NC send:READY=1 pause")
type = notify
notify-access = all
ready-timeout = 2m
INI
start_muster -c muster.ini
wait_socket
[ -S "$SOCK.notify" ] || fail "no notify socket at $SOCK.notify"
python3 flood.py "$SOCK.notify" 3000 || fail "the outsider's flood could not be sent"
touch outsider.done
wait_state noisy ready

# the outsider: not a word (its pid is that of python3, a child of this shell)
all=$(grep -c 'byte message from pid' "$ERR")
lines=$(grep -c 'noisy: .*byte message from pid .* ignored' "$ERR")
assert_eq 0 "$((all - lines))" "lines about the outsider's 3000 datagrams"
[ "$lines" -ge 2 ] || fail "expected the first warning and one after the pause, found $lines"
[ "$lines" -le 40 ] || fail "3001 bad datagrams gave $lines warning lines (one a second at most)"
# every datagram is accounted for: said, or counted as held back
held=$(sed -n 's/.*(\([0-9]*\) more notify warnings suppressed).*/\1/p' "$ERR" | awk '{ n += $1 } END { print n + 0 }')
assert_eq 3001 "$((lines + held))" "warnings said plus held back"
stop_muster 0
