#!/usr/bin/env bash
# As PID 1 (a new PID namespace), muster -- CMD leaves nothing behind: a
# grandchild that left with setsid and one that ignores SIGTERM, both
# orphaned (so reparented to muster, PID 1), are gone once muster has exited
# with CMD's status.
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/pid1.sh"

# host_pid NSPID: our pid of the descendant of muster that is NSPID in
# muster's namespace.
host_pid() {
	local p
	for p in $(descendants "$M1"); do
		if [ "$(awk '/^NSpid:/ { print $NF }' "/proc/$p/status" 2>/dev/null)" = "$1" ]; then
			echo "$p"
			return
		fi
	done
}

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

start_pid1 -- /bin/sh "$TEST_DIR/cmd.sh"
wait_file cmd.up
[ -n "$M1" ] || fail "muster was not seen running"
gs=$(host_pid "$(cat gs.pid)")
gi=$(host_pid "$(cat gi.pid)")
[ -n "$gs" ] && [ -n "$gi" ] ||
	fail "grandchildren not found under muster ($M1): gs '$gs' (ns pid $(cat gs.pid)), gi '$gi' (ns pid $(cat gi.pid))"
for g in gs gi; do
	p=${!g}
	alive "$p" || fail "$g ($p) is not running before CMD exits"
	# its parent subshell exits at once, but maybe not yet
	deadline=$(($(date +%s) + DEFAULT_WAIT))
	while [ "$(ppid_of "$p")" != "$M1" ] && [ "$(date +%s)" -le "$deadline" ]; do sleep 0.02; done
	assert_eq "$M1" "$(ppid_of "$p")" "parent of the orphan $g (muster, PID 1)"
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
