#!/usr/bin/env bash
# Out of descriptors: with a low RLIMIT_NOFILE, a flood of connections
# makes the daemon pause accepting (said once, not a crash, not a busy
# loop); once the flood is gone it accepts again and answers at once, and
# the service it supervises never noticed.
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/ctl.sh"

cat >muster.ini <<INI
[muster]
control-socket = $SOCK

[service web]
command = sleep 300
INI

# muster under a hard limit of 40 descriptors (it raises soft to hard)
printf '#!/bin/sh\nulimit -n 40 || exit 99\nexec %s "$@"\n' "$MUSTER" >limited-muster
chmod +x limited-muster
MUSTER=$TEST_DIR/limited-muster start_muster -c muster.ini
wait_socket
ctl wait web || fail "wait web: exit $?"
grep -q '^Max open files  *40  *40 ' /proc/"$MPID"/limits || skip "cannot lower muster's descriptor limit"
web_pid=$(ctl status web | awk 'NR == 2 { print $3 }')
fds0=$(ls /proc/"$MPID"/fd | wc -l)

MUSTER_IT_TAG=$IT_TAG python3 - "$SOCK" "$ERR" <<'PY' || fail "the flood did not go as expected (above)"
import socket, sys, time
path, err = sys.argv[1], sys.argv[2]
held = []
for _ in range(60):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(20)
    s.connect(path)
    held.append(s)
deadline = time.time() + 20
while "cannot accept a connection; pausing" not in open(err, errors="replace").read():
    assert time.time() < deadline, "the daemon never said it paused accepting"
    time.sleep(0.05)
for s in held:
    s.close()
print("flood of 60 connections: the daemon paused accepting")
PY

t0=$(now)
ctl status web >st.txt || fail "status after the flood: exit $?"
assert_lt "$(elapsed "$t0")" 5 "status after the flood took"
assert_grep st.txt "^web +ready +$web_pid " "web after the flood"
assert_count "$ERR" 'cannot accept a connection; pausing' 1
assert_grep "$ERR" 'control: accepting connections again' "the daemon's log"
deadline=$(( $(date +%s) + DEFAULT_WAIT ))
until [ "$(ls /proc/"$MPID"/fd | wc -l)" -le "$fds0" ]; do
	[ "$(date +%s)" -gt "$deadline" ] && fail "muster holds $(ls /proc/"$MPID"/fd | wc -l) descriptors, $fds0 before"
	sleep 0.05
done
stop_muster 0
