#!/usr/bin/env bash
# No child process is left behind: grandchildren that called setsid (left
# the service's process group and session), one of them orphaned and one
# ignoring SIGTERM, are all gone once muster has exited.
. "$(dirname "$0")/lib.sh"

cat >muster.ini <<INI
[muster]
graceful-timeout = 3s

[service forker]
command = $(service forker '
# gc1: setsid, parent stays (its parent is the service shell)
setsid sh -c "echo \$\$ >$D/gc1.pid; exec sleep 300" &
# gc2: setsid in a subshell that exits at once: an orphan
(setsid sh -c "echo \$\$ >$D/gc2.pid; exec sleep 300" &)
# gc3: an orphan in its own session that ignores SIGTERM
(setsid sh -c "trap \"\" TERM; echo \$\$ >$D/gc3.pid; while :; do sleep 0.05; done" &)
stamp forker.up
while :; do sleep 0.05; done')
INI

start_muster -c muster.ini
wait_for "$ERR" 'all 1 service up'
wait_file forker.up
wait_file gc1.pid; wait_file gc2.pid; wait_file gc3.pid
svcpid=$(sed -n 's/.*forker: started (pid \([0-9]*\)).*/\1/p' "$ERR")
[ -n "$svcpid" ] || fail "no 'forker: started (pid N)' line"

# the setup is what it claims: other sessions, alive, under muster
for g in gc1 gc2 gc3; do
	p=$(cat $g.pid)
	alive "$p" || fail "$g ($p) is not running before the shutdown"
	[ "$(stat_field "$p" 4)" != "$(stat_field "$svcpid" 4)" ] ||
		fail "$g ($p) is in the service's session; setsid did not work"
	descendants "$MPID" | grep -qx "$p" ||
		fail "$g ($p) is not a descendant of muster ($MPID): is muster a subreaper?"
done

signal TERM
expect_exit 0 30

for g in gc1 gc2 gc3; do
	p=$(cat $g.pid)
	if ! wait_gone "$p" 3; then
		fail "$g (pid $p) is still there after muster exited (state $(stat_field "$p" 1), parent $(ppid_of "$p"))"
	fi
done
assert_grep "$ERR" 'all services stopped'
