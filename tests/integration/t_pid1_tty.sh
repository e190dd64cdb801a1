#!/usr/bin/env bash
# As PID 1 (a new PID namespace) on a terminal (a pseudo-terminal from
# script(1)): muster -- CMD gives CMD the terminal's foreground process
# group, CMD reads from it, and muster exits with CMD's status.
. "$(dirname "$0")/lib.sh"
command -v script >/dev/null 2>&1 || skip "script(1) is not installed (bsdutils): no pseudo-terminal to test on"
command -v ps >/dev/null 2>&1 || skip "ps(1) is not installed (procps)"

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

# CMD: what terminal it has, whether its process group is the terminal's
# foreground group, then it reads a line from the terminal (a background
# group would be stopped by SIGTTIN instead) and exits 5.
service tty '
echo "tty=$(tty)"
echo "ids=$(ps -o pgid=,tpgid= -p $$ | tr -s " " | sed "s/^ //")"
echo "parent=$PPID parent_pgid=$(ps -o pgid= -p $PPID | tr -d " ")"
IFS= read -r line
echo "read=$line"
exit 5' >/dev/null

# on_tty OUTFILE ARG...: run `$RUNNER ARG...` under script(1), on a new
# pseudo-terminal, typing "hello" into it; the terminal's output goes to
# OUTFILE (without carriage returns); returns the status of the run.
on_tty() {
	local out=$1 rc
	shift
	printf 'hello\n' | MUSTER_IT_TAG=$IT_TAG timeout -k 5 "$DEFAULT_WAIT" \
		script -qec "$(printf '%q ' "$@")" /dev/null >"$out.raw" 2>&1
	rc=$?
	tr -d '\r' <"$out.raw" >"$out"
	log "---- $(basename "$out") ----"
	sed 's/^/  /' "$out" >&2
	return $rc
}

# check_tty OUTFILE WHAT: CMD had a terminal, was its foreground process
# group (in a group of its own) and read the line typed.
check_tty() {
	local out=$1 what=$2 ids pgid tpgid mpgid
	assert_grep "$out" '^tty=/dev/pts/[0-9]+$' "$what: CMD's terminal"
	ids=$(sed -n 's/^ids=//p' "$out")
	pgid=${ids%% *} tpgid=${ids##* }
	[ -n "$pgid" ] && [ "$pgid" -gt 0 ] 2>/dev/null || fail "$what: no process group found in '$ids'"
	assert_eq "$pgid" "$tpgid" "$what: the terminal's foreground process group (tpgid), which must be CMD's (pgid)"
	mpgid=$(sed -n 's/^parent=[0-9]* parent_pgid=//p' "$out")
	[ "$mpgid" != "$pgid" ] || fail "$what: CMD is in muster's process group ($mpgid), not one of its own"
	assert_grep "$out" '^read=hello$' "$what: the line CMD read from the terminal"
}

on_tty t1.out unshare --pid --fork --mount-proc --kill-child "$MUSTER_BIN" -- /bin/sh "$TEST_DIR/tty.sh"
assert_eq 5 $? "exit status of muster -- CMD as PID 1 on a terminal"
check_tty t1.out "no config, PID 1"
assert_grep t1.out '^parent=1 ' "CMD's parent (muster, PID 1)"

cat >muster.ini <<INI
[muster]
control-socket = $TEST_DIR/ctl.sock

[service helper]
command = $(service helper 'stamp helper.up; exec sleep 300')
ready-check = test -s $TEST_DIR/helper.up
INI
on_tty t2.out unshare --pid --fork --mount-proc --kill-child "$MUSTER_BIN" -c "$TEST_DIR/muster.ini" -- /bin/sh "$TEST_DIR/tty.sh"
assert_eq 5 $? "exit status of muster -c FILE -- CMD as PID 1 on a terminal"
check_tty t2.out "with a config, PID 1"
assert_grep t2.out '^parent=1 ' "CMD's parent (muster, PID 1)"
assert_file helper.up
