#!/usr/bin/env bash
# When the main command exits by itself, what it left behind (an orphan in
# a session of its own) is stopped as muster(8) says under SHUTDOWN:
# SIGTERM first, SIGKILL only at the graceful-timeout.  The orphan here
# handles SIGTERM (it records it and exits), so it must have seen it.
# Both with no config and with one.
. "$(dirname "$0")/lib.sh"

service cmd '(setsid sh -c "trap \"date +%s.%N >$D/left.term; exit 0\" TERM; echo \$\$ >$D/left.pid; while :; do sleep 0.05; done" &)
while [ ! -s "$D/left.pid" ]; do sleep 0.05; done
exit 0' >/dev/null
cat >muster.ini <<INI
[muster]
control-socket = $TEST_DIR/ctl.sock
graceful-timeout = 10s
INI

bug=""
for mode in zero-config config; do
	rm -f left.pid left.term
	case $mode in
	zero-config) start_muster -v -- /bin/sh "$TEST_DIR/cmd.sh" ;;
	config) start_muster -v -c muster.ini -- /bin/sh "$TEST_DIR/cmd.sh" ;;
	esac
	expect_exit 0 30
	wait_file left.pid
	left=$(cat left.pid)
	wait_gone "$left" 5 || fail "$mode: the orphan ($left) is still there after muster exited"
	if [ ! -s left.term ]; then
		bug="$bug $mode"
		log "$mode: the orphan ($left) was killed without a SIGTERM first"
		continue
	fi
	assert_grep "$ERR" "stopping leftover process $left \\(SIGTERM\\)"
done
if [ -n "$bug" ]; then
	known_bug "when CMD exits by itself its leftover processes get SIGKILL at once, no SIGTERM first ($bug )"
	fail "the orphan got no SIGTERM before it was killed ($bug )"
fi
