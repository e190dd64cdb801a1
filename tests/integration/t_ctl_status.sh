#!/usr/bin/env bash
# musterctl status: one row per service with NAME, STATE, PID, UPTIME,
# RESTARTS, LAST EXIT (0, 1, signal 9, -) and the notify STATUS text;
# `status NAME...` only those; an unknown name is an error (exit 1).
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/ctl.sh"

cat >muster.ini <<INI
[muster]
control-socket = $SOCK

[service web]
command = $(service web 'exec sleep 300')

[service once]
command = /bin/true
type = oneshot

[service bad]
command = $(service bad 'exit 1')
restart = no

[service killed]
command = $(service killed 'kill -9 $$')
restart = no

[service notified]
command = $(service notified 'exec python3 -c "
import os, socket, time
a = os.environ[\"NOTIFY_SOCKET\"]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b\"READY=1\nSTATUS=serving 3 clients\", \"\0\" + a[1:] if a[0] == \"@\" else a)
time.sleep(300)
"')
type = notify
INI

start_muster -c muster.ini
wait_socket
ctl wait web once notified || fail "web, once and notified should become ready or done"
ctl wait bad killed 2>/dev/null && fail "waiting for bad and killed should fail"
wait_state bad failed
wait_state killed failed

ctl status >status.txt || fail "status: exit $?"
cat status.txt >&2
assert_grep status.txt '^NAME +STATE +PID +UPTIME +RESTARTS +LAST EXIT +STATUS$' "the header"
assert_count status.txt '.' 6
assert_grep status.txt '^web +ready +[0-9]+ +[0-9.]+[smhd][0-9]*[smh]? +0 +-$' "web's row"
assert_grep status.txt '^once +done +- +- +0 +0$' "once's row"
assert_grep status.txt '^bad +failed +- +- +0 +1 +.*exited with status 1' "bad's row"
assert_grep status.txt '^killed +failed +- +- +0 +signal 9 ' "killed's row"
assert_grep status.txt '^notified +ready +[0-9]+ +[^ ]+ +0 +- +serving 3 clients$' "notified's row"
# the PID column is the service's main process
pid=$(awk '$1 == "web" { print $3 }' status.txt)
[ "$(tr '\0' ' ' </proc/"$pid"/cmdline)" = "sleep 300 " ] || fail "web's PID $pid is not its sleep"

# only the names asked for, in that order
ctl status once web >some.txt || fail "status once web: exit $?"
assert_count some.txt '.' 3
assert_eq "once web" "$(awk 'NR > 1 { printf "%s%s", sep, $1; sep = " " }' some.txt)" "rows of status once web"

# an unknown name: exit 1, named
ctl status web nosuch >/dev/null 2>err.txt
rc=$?
assert_eq 1 "$rc" "exit status of status with an unknown name"
assert_grep err.txt "nosuch" "the error message"

stop_muster 0
