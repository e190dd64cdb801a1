#!/usr/bin/env bash
# As PID 1 (a new PID namespace) on a terminal (a pseudo-terminal from
# script(1)): muster -- CMD gives CMD the terminal's foreground process
# group, CMD reads from it, and muster exits with CMD's status.
. "$(dirname "$0")/lib.sh"
command -v script >/dev/null 2>&1 || skip "script(1) is not installed (bsdutils): no pseudo-terminal to test on"
command -v ps >/dev/null 2>&1 || skip "ps(1) is not installed (procps)"

. "$(dirname "$0")/pid1.sh"

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
