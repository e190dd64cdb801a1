#!/usr/bin/env bash
# As PID 1 (a new PID namespace), muster -- CMD leaves nothing behind: a
# grandchild that left with setsid and one that ignores SIGTERM, both
# orphaned (so reparented to muster, PID 1), are gone once muster has exited
# with CMD's status.
. "$(dirname "$0")/lib.sh"

# ---- muster as PID 1 of a new PID namespace (same block in every t_pid1_*) --
command -v unshare >/dev/null 2>&1 || skip "unshare(1) is not installed (util-linux): cannot run muster as PID 1"
if ! why=$(unshare --pid --fork --mount-proc --kill-child true 2>&1); then
	skip "the kernel refuses a new PID namespace here (unshare --pid --fork --mount-proc: ${why:-failed})"
fi
MUSTER_BIN=$MUSTER
M1=""   # muster's pid as seen from here; it is 1 in its namespace
MOUNT_PROC=--mount-proc   # empty: the namespace keeps our /proc

# start_pid1 ARG...: start_muster ARG..., with muster the PID 1 of a new PID
# namespace with its own /proc (unless MOUNT_PROC is empty).  MPID is
# unshare's pid (it exits with muster's status; killing it kills the
# namespace); M1 is muster's pid, or empty when muster exited before it was
# seen.
start_pid1() {
	MUSTER=unshare start_muster --pid --fork $MOUNT_PROC --kill-child "$MUSTER_BIN" "$@"
	local want kid ns deadline=$(($(date +%s) + DEFAULT_WAIT))
	want=$(readlink -f "$MUSTER_BIN")
	M1=""
	while [ -z "$M1" ]; do
		kid=$(cat "/proc/$MPID/task/$MPID/children" 2>/dev/null)
		kid=${kid%% *}
		if [ -n "$kid" ] && [ "$(readlink "/proc/$kid/exe" 2>/dev/null)" = "$want" ]; then
			M1=$kid
		elif muster_exited; then
			return 0
		elif [ "$(date +%s)" -gt "$deadline" ]; then
			fail "muster did not start as PID 1 under unshare (unshare pid $MPID)"
		else
			sleep 0.02
		fi
	done
	ns=$(awk '/^NSpid:/ { print $NF }' "/proc/$M1/status" 2>/dev/null)
	[ -z "$ns" ] || [ "$ns" = 1 ] || fail "muster (pid $M1) is pid $ns in its PID namespace, not 1"
}

# signal1 SIG: send SIG to muster, the PID 1 of start_pid1.
signal1() {
	[ -n "$M1" ] || fail "cannot send $1 to muster: it was not seen running as PID 1"
	signal "$1" "$M1"
}

# run_pid1 ARG...: run_muster ARG... as PID 1 of a new PID namespace, in the
# foreground; returns muster's exit status.
run_pid1() {
	MUSTER=unshare run_muster --pid --fork $MOUNT_PROC --kill-child "$MUSTER_BIN" "$@"
}
# ---------------------------------------------------------------------------

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
