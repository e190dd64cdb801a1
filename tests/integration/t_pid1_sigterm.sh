#!/usr/bin/env bash
# As PID 1 (a new PID namespace) with a config and no main command, muster
# has no default signal actions to fall back on, yet it stops on SIGTERM and
# SIGINT: sent from outside the namespace, sent from inside it (a service
# running `kill -TERM 1`, which the kernel delivers to a PID 1 only when it
# handles the signal), and a second SIGTERM cuts a slow shutdown short.
# SIGTSTP, which muster does not handle without a main command, does not
# stop it as PID 1 (muster(8), CONTAINERS, says so).
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

cat >muster.ini <<INI
[muster]
control-socket = $TEST_DIR/ctl.sock

[service s]
command = $(service s 'trap "stamp s.term; exit 0" TERM; stamp s.up; while :; do sleep 0.05; done')
INI

for sig in TERM INT; do
	rm -f s.up s.term
	start_pid1 -c muster.ini
	wait_for "$ERR" 'all 1 service up'
	wait_file s.up
	signal1 $sig
	expect_exit 0
	assert_file s.term
	assert_grep "$ERR" "stopping 1 service \\(SIG$sig\\)"
	assert_grep "$ERR" 'all services stopped'
	assert_no_file ctl.sock
done

# SIGTSTP (Ctrl-Z) does not stop PID 1: watch it for a second
rm -f s.up s.term
start_pid1 -c muster.ini
wait_for "$ERR" 'all 1 service up'
signal1 TSTP
for _ in $(seq 1 50); do
	case $(stat_field "$M1" 1) in T | t) fail "muster, PID 1 with no main command, was stopped by SIGTSTP" ;; esac
	sleep 0.02
done
signal1 TERM
expect_exit 0

# from inside the namespace: a service signals PID 1
rm -f s.up s.term
cat >inside.ini <<INI
[muster]
control-socket = $TEST_DIR/ctl.sock

[service s]
command = $(service s2 'trap "stamp s.term; exit 0" TERM; stamp s.up; while :; do sleep 0.05; done')

[service killer]
command = $(service killer 'while [ ! -s $D/s.up ]; do sleep 0.05; done; stamp killer.sent; kill -TERM 1; sleep 300')
INI
start_pid1 -c inside.ini
expect_exit 0
assert_file killer.sent
assert_file s.term
assert_grep "$ERR" 'stopping 2 services \(SIGTERM\)'

# a second SIGTERM during the shutdown: kill everything now
cat >stubborn.ini <<INI
[muster]
control-socket = $TEST_DIR/ctl.sock
graceful-timeout = 100s

[service stubborn]
command = $(service stubborn 'trap "" TERM; stamp stubborn.up; while :; do sleep 0.05; done')
stop-timeout = 100s
INI
start_pid1 -c stubborn.ini
wait_file stubborn.up
signal1 TERM
wait_for "$ERR" 'stubborn: stopping \(SIGTERM'
t0=$(now)
signal1 TERM
expect_exit 0 30
assert_lt "$(elapsed "$t0")" 15 "seconds from the second SIGTERM to the exit"
