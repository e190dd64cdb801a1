#!/usr/bin/env bash
# muster -- CMD (not PID 1: a child subreaper) leaves nothing behind: a
# grandchild that left with setsid and one that ignores SIGTERM, both
# orphaned (so reparented to muster, not to the host's init), are gone once
# muster has exited with CMD's status.
. "$(dirname "$0")/lib.sh"

# CMD: two grandchildren, both orphaned (their parent subshell exits): gs
# in a session of its own (setsid), gi ignoring SIGTERM in CMD's process
# group.  Each writes its pid (as seen in CMD's PID namespace); CMD exits 3
# when told to.
service cmd '
(setsid sh -c "echo \$\$ >$D/gs.pid; exec sleep 300" &)
(trap "" TERM; exec sh -c "echo \$\$ >$D/gi.pid; while :; do sleep 0.05; done" &)
while [ ! -s "$D/gs.pid" ] || [ ! -s "$D/gi.pid" ]; do sleep 0.05; done
stamp cmd.up
while [ ! -e "$D/go" ]; do sleep 0.05; done
exit 3' >/dev/null

start_muster -- /bin/sh "$TEST_DIR/cmd.sh"
wait_file cmd.up
gs=$(cat gs.pid) gi=$(cat gi.pid)
for g in gs gi; do
	p=${!g}
	alive "$p" || fail "$g ($p) is not running before CMD exits"
	# its parent subshell exits at once, but maybe not yet
	deadline=$(($(date +%s) + DEFAULT_WAIT))
	while [ "$(ppid_of "$p")" != "$MPID" ] && [ "$(date +%s)" -le "$deadline" ]; do sleep 0.02; done
	assert_eq "$MPID" "$(ppid_of "$p")" "parent of the orphan $g (muster, the subreaper)"
done
[ "$(stat_field "$gs" 4)" != "$(stat_field "$gi" 4)" ] || fail "gs ($gs) is in gi's session: setsid did not work"
sigign=$(awk '/^SigIgn:/ { print $2 }' "/proc/$gi/status")
(( 0x$sigign & (1 << 14) )) || fail "gi ($gi) does not ignore SIGTERM (SigIgn $sigign)"

touch go
expect_exit 3 40
for g in gs gi; do
	p=${!g}
	wait_gone "$p" 5 || fail "$g (pid $p) is still there after muster exited (state $(stat_field "$p" 1), parent $(ppid_of "$p"))"
done
