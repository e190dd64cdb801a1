#!/usr/bin/env bash
# As PID 1 of a new PID namespace that kept the host's /proc (unshare
# without --mount-proc, as some runtimes do), muster still finds what CMD
# left behind when CMD exits: the orphan that handles SIGTERM gets it (it
# records it), the one that ignores SIGTERM is killed at the
# graceful-timeout, and muster exits with CMD's status.
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/pid1.sh"
MOUNT_PROC=""

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

service cmd '
(setsid sh -c "trap \"date +%s.%N >$D/gs.term; exit 0\" TERM; echo \$\$ >$D/gs.pid; while :; do sleep 0.05; done" &)
(trap "" TERM; exec sh -c "echo \$\$ >$D/gi.pid; while :; do sleep 0.05; done" &)
while [ ! -s "$D/gs.pid" ] || [ ! -s "$D/gi.pid" ]; do sleep 0.05; done
stamp cmd.up
while [ ! -e "$D/go" ]; do sleep 0.05; done
exit 3' >/dev/null

start_pid1 -v -- /bin/sh "$TEST_DIR/cmd.sh"
wait_file cmd.up
[ -n "$M1" ] || fail "muster was not seen running"
gs=$(host_pid "$(cat gs.pid)")
gi=$(host_pid "$(cat gi.pid)")
[ -n "$gs" ] && [ -n "$gi" ] ||
	fail "grandchildren not found under muster ($M1): gs '$gs' (ns pid $(cat gs.pid)), gi '$gi' (ns pid $(cat gi.pid))"
t0=$(now)
touch go
expect_exit 3 40
took=$(elapsed "$t0")
log "muster exited ${took}s after CMD was told to exit"
for g in gs gi; do
	p=${!g}
	wait_gone "$p" 5 || fail "$g (pid $p) is still there after muster exited (state $(stat_field "$p" 1))"
done
assert_file gs.term
assert_no_grep "$ERR" 'survive SIGKILL'
