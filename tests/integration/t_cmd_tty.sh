#!/usr/bin/env bash
# muster -- CMD on a terminal (a pseudo-terminal from script(1)), tested
# rather than assumed: CMD gets the terminal's foreground process group, so
# it can read from it, and muster exits with CMD's status.  Both with no
# config and with one (CMD then starts once the service is ready).
. "$(dirname "$0")/lib.sh"
command -v script >/dev/null 2>&1 || skip "script(1) is not installed (bsdutils): no pseudo-terminal to test on"
command -v ps >/dev/null 2>&1 || skip "ps(1) is not installed (procps)"

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

on_tty t1.out "$MUSTER" -- /bin/sh "$TEST_DIR/tty.sh"
assert_eq 5 $? "exit status of muster -- CMD on a terminal"
check_tty t1.out "no config"
assert_grep t1.out "^parent=[0-9]+ " "CMD's parent"

# the issue's own one-liner
on_tty t2.out "$MUSTER" -- sh -c 'tty; ps -o pgid=,tpgid= -p $$'
assert_eq 0 $? "exit status of the one-liner"
read -r pg tpg < <(grep -E '^ *[0-9]+ +[0-9]+ *$' t2.out)
[ -n "${pg:-}" ] || fail "the one-liner printed no 'pgid tpgid' line"
assert_eq "$pg" "$tpg" "the one-liner: the terminal's foreground group (tpgid) vs CMD's (pgid)"

cat >muster.ini <<INI
[muster]
control-socket = $TEST_DIR/ctl.sock

[service helper]
command = $(service helper 'stamp helper.up; exec sleep 300')
ready-check = test -s $TEST_DIR/helper.up
INI
on_tty t3.out "$MUSTER" -c "$TEST_DIR/muster.ini" -- /bin/sh "$TEST_DIR/tty.sh"
assert_eq 5 $? "exit status of muster -c FILE -- CMD on a terminal"
check_tty t3.out "with a config"
assert_file helper.up
