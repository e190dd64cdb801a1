#!/usr/bin/env bash
# Whose sd_notify messages count, and which are ignored (with the C client
# tests/helpers/notify_client; each check waits for BARRIER=1 to come back,
# so that the message before it has surely been read):
# - notify-access = main: READY=1 from a grandchild (a child of the main
#   process) is ignored, READY=1 from the main process counts;
# - a process that is no service's (this test) is ignored, and one in
#   another session is ignored under notify-access = all;
# - oversize datagrams (4097 bytes), NUL bytes, bad values are ignored; a
#   4096-byte datagram is read;
# - MAINPID= from the main process moves the main process: the new one's
#   READY=1 counts, the old one's no longer does, and the new one's exit
#   is the service's exit;
# - descriptors passed with a message are closed, and none stays open in
#   muster.
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/flaky.sh"

NC=$HELPERS/notify_client
[ -x "$NC" ] || skip "helper $NC not built"

pid_of() {
	"$MUSTERCTL" -s "$TEST_DIR/ctl.sock" status --json "$1" | sed -n 's/.*"pid": \([0-9]*\).*/\1/p'
}
status_of() {
	"$MUSTERCTL" -s "$TEST_DIR/ctl.sock" status --json "$1" |
		sed -n 's/.*"status": \("[^"]*"\|null\).*/\1/p'
}

D=$TEST_DIR
cat >muster.ini <<INI
[muster]
control-socket = $D/ctl.sock

[service grand]
command = $(service grand "$NC 'send:READY=1\\nSTATUS=from a grandchild' barrier && echo sent >\"\$D/grand.sent\"
exec $NC waitfile:\$D/grand.go 'send:READY=1\\nSTATUS=from the main process' pause")
type = notify
ready-timeout = 2m

[service outside]
command = $NC waitfile:$D/outside.go send:READY=1 pause
type = notify
ready-timeout = 2m

[service session]
command = $NC waitfile:$D/session.go send:READY=1 pause
type = notify
ready-timeout = 2m
notify-access = all

[service big]
command = $NC pad:4097:READY=1 nul:READY=1 'send:READY=0\nREADY=yes\nREADY\nMAINPID=-1' barrier
  touch:$D/big.sent waitfile:$D/big.go pad:4096:READY=1 pause
type = notify
ready-timeout = 2m

[service mp]
command = $NC 'fork:waitfile:$D/mp.go,send:READY=1\nSTATUS=from the new main,barrier,pause'
  'send:MAINPID=%c' barrier send:READY=1 barrier touch:$D/mp.moved waitfile:$D/mp.exit exit:0
type = notify
ready-timeout = 2m
restart = no

[service fds]
command = $NC waitfile:$D/fds.go fds:16:STATUS=sixteen barrier fds:3:READY=1 touch:$D/fds.sent pause
type = notify
ready-timeout = 2m
INI

start_muster -c muster.ini
wait_for "$ERR" 'fds: started' 30

# a grandchild, notify-access = main
wait_file grand.sent
assert_eq starting "$(state grand)" "grand, after READY=1 from its grandchild"
assert_eq null "$(status_of grand)" "grand's status text, after STATUS= from its grandchild"
touch grand.go
wait_state grand ready
assert_eq '"from the main process"' "$(status_of grand)" "grand's status text"

# not a service's process
NOTIFY_SOCKET=$D/ctl.sock.notify "$NC" send:READY=1 barrier || fail "notify_client (outside) failed"
assert_eq starting "$(state outside)" "outside, after READY=1 from a process of no service"
touch outside.go
wait_state outside ready

# notify-access = all, but from another session
NOTIFY_SOCKET=$D/ctl.sock.notify setsid -w "$NC" send:READY=1 barrier ||
	fail "notify_client (other session) failed"
assert_eq starting "$(state session)" "session, after READY=1 from another session"
touch session.go
wait_state session ready

# oversize and garbage, from the main process
wait_file big.sent
assert_eq starting "$(state big)" "big, after oversize and garbage messages"
assert_grep "$ERR" "warning: big: 4097-byte message from pid $(pid_of big) ignored \(limit 4096\)"
touch big.go
wait_state big ready

# MAINPID=
wait_file mp.moved
old=$(cat mp.moved)      # the first main process wrote its pid there
new=$(pid_of mp)
assert_eq "$old" "$(ppid_of "$new")" "parent of mp's main pid $new (the first main is $old)"
assert_eq starting "$(state mp)" "mp, after READY=1 from the main process it handed over"
assert_grep "$ERR" "mp: main process is now $new"
touch mp.go
wait_state mp ready
assert_eq '"from the new main"' "$(status_of mp)" "mp's status text"
assert_eq "$new" "$(pid_of mp)" "mp's main pid"
# the old main exits: not the service's exit
touch mp.exit
wait_gone "$old" 10 || fail "the old main process $old did not exit"
sleep 0.2
assert_eq ready "$(state mp)" "mp, after its old main process exited"
# the new main's death is the service's
kill -TERM "$new"
wait_state mp failed
assert_grep "$ERR" 'mp: failed: exited with signal 15'

# descriptors: notify_client itself checks that muster closed them (it
# exits 3 if not); and muster holds no more descriptors than before
# (a count once it is steady: musterctl's connections come and go)
nfd() {
	local a b i
	b=$(find "/proc/$MPID/fd" -mindepth 1 | wc -l)
	for i in $(seq 1 100); do
		sleep 0.05
		a=$(find "/proc/$MPID/fd" -mindepth 1 | wc -l)
		[ "$a" = "$b" ] && break
		b=$a
	done
	echo "$a"
}
before=$(nfd)
touch fds.go
wait_file fds.sent
wait_state fds ready
after=$(nfd)
assert_le "$after" "$before" "descriptors open in muster after 20 were passed to it (before: $before)"
alive "$(pid_of fds)" || fail "the fds client exited (descriptors not closed?)"

stop_muster 0
