#!/usr/bin/env bash
# As PID 1 (a new PID namespace), a critical service ending for good ends
# the run and muster exits with its status: with no main command, with a
# main command (which is stopped; its own status does not count), killed
# by a signal (128+N), and failed for good after its restarts.
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

cat >alone.ini <<INI
[muster]
control-socket = $TEST_DIR/ctl.sock

[service bystander]
command = $(service bystander 'trap "stamp bystander.term; exit 0" TERM; stamp bystander.up; while :; do sleep 0.05; done')

[service boss]
command = $(service boss 'while [ ! -s $D/bystander.up ]; do sleep 0.05; done; exit 5')
critical = yes
restart = no
INI
start_pid1 -c alone.ini
expect_exit 5
assert_file bystander.term
assert_order "$ERR" 'boss: .*status 5' 'stopping 1 service' 'bystander: stopping' 'all services stopped'

# with a main command: CMD is stopped first, muster exits with boss's status
cat >withcmd.ini <<INI
[muster]
control-socket = $TEST_DIR/ctl.sock

[service boss]
command = $(service boss2 'while [ ! -s $D/cmd.up ]; do sleep 0.05; done; exit 3')
critical = yes
restart = no
INI
service cmd 'trap "stamp cmd.term; exit 9" TERM; stamp cmd.up; while :; do sleep 0.05; done' >/dev/null
start_pid1 -c withcmd.ini -- /bin/sh "$TEST_DIR/cmd.sh"
expect_exit 3
assert_file cmd.term
assert_grep "$ERR" 'main command exited with status 9'

# killed by a signal: 128+N
cat >killed.ini <<INI
[muster]
control-socket = $TEST_DIR/ctl.sock

[service boss]
command = /bin/sh -c 'kill -KILL \$\$'
critical = yes
restart = no
INI
start_pid1 -c killed.ini
expect_exit 137

# failed for good after its restarts (start limit)
cat >limit.ini <<INI
[muster]
control-socket = $TEST_DIR/ctl.sock

[service boss]
command = /bin/sh -c 'exit 4'
critical = yes
restart = on-failure
restart-delay = 50ms
start-limit = 2 in 60s
INI
start_pid1 -c limit.ini
expect_exit 4 30
assert_grep "$ERR" 'boss: failed: start limit'
assert_count "$ERR" 'boss: started' 3
