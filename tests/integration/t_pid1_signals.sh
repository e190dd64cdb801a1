#!/usr/bin/env bash
# As PID 1 (a new PID namespace), muster -- CMD forwards signals to CMD:
# a dozen signals sent to muster from outside the namespace each reach CMD
# (the sigrecord helper, which records every signal and who sent it: muster,
# pid 1), one at a time and in order; SIGTERM last is forwarded too, kills
# CMD, and muster exits 143.  A PID 1 has no default signal actions: this
# also shows that muster caught every one of them.
. "$(dirname "$0")/lib.sh"
: "${HELPERS:=$(cd "$(dirname "$0")/../.." && pwd)/build/helpers}"
SIGREC=$HELPERS/sigrecord
[ -x "$SIGREC" ] || fail "helper $SIGREC is missing: build it with make integration"

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

# wait_lines FILE N: until FILE has N complete lines.
wait_lines() {
	local deadline=$(($(date +%s) + DEFAULT_WAIT)) n
	while :; do
		n=$(wc -l <"$1" 2>/dev/null)
		[ "${n:-0}" -ge "$2" ] && return 0
		[ "$(date +%s)" -gt "$deadline" ] &&
			fail "$(basename "$1"): expected $2 lines within ${DEFAULT_WAIT}s, found ${n:-0}: $(tr '\n' '|' <"$1")"
		sleep 0.02
	done
}

start_pid1 -- "$SIGREC" "$TEST_DIR/rec.txt"
wait_lines rec.txt 1
assert_grep rec.txt '^ready pid=[0-9]+ ppid=1 ' "CMD's parent (muster, PID 1)"

n=1
for sig in USR1 USR2 HUP WINCH QUIT INT CONT TSTP ALRM URG PWR RTMIN+3; do
	signal1 "$sig"
	n=$((n + 1))
	wait_lines rec.txt $n
	want="SIG$sig from=1"
	[ "$sig" = RTMIN+3 ] && want="SIGRTMIN+3 from=1"
	assert_eq "$want" "$(sed -n "${n}p" rec.txt)" "line $n of what CMD received after SIG$sig to muster"
	alive "$M1" || fail "muster (PID 1) is gone after SIG$sig"
done

signal1 TERM
expect_exit 143
assert_eq "SIGTERM from=1" "$(tail -n 1 rec.txt)" "the last signal CMD received"
assert_count rec.txt . $((n + 1))
