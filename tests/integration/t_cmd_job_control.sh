#!/usr/bin/env bash
# Job control.  muster ignores SIGTTIN and SIGTTOU (giving the terminal to
# CMD and taking it back must not stop it; with no config it blocks them,
# which the terminal takes as ignoring them, to forward those sent to it).  With a main command, SIGTSTP
# sent to muster is forwarded to CMD's group and muster keeps running; with
# no main command, SIGTSTP stops muster like any program and SIGCONT goes
# on.  On a real (pseudo-)terminal, Ctrl-Z and Ctrl-C typed while CMD runs
# go from the terminal to CMD's group alone (the sender is the kernel, pid
# 0): muster, in the background, is not stopped and does not shut down;
# CMD dies of the SIGINT and muster exits 130.
. "$(dirname "$0")/lib.sh"
: "${HELPERS:=$(cd "$(dirname "$0")/../.." && pwd)/build/helpers}"
SIGREC=$HELPERS/sigrecord
[ -x "$SIGREC" ] || fail "helper $SIGREC is missing: build it with make integration"

cat >muster.ini <<INI
[muster]
control-socket = $TEST_DIR/ctl.sock

[service s]
command = sleep 300
INI

# ignores_ttin_ttou WHAT [Blk]: muster's SigIgn (or SigBlk) has SIGTTIN (21)
# and SIGTTOU (22).
ignores_ttin_ttou() {
	local ign f=Sig${2:-Ign} verb=ignore
	[ "${2:-}" = Blk ] && verb=block
	ign=$(awk -v f="$f:" '$1 == f { print $2 }' "/proc/$MPID/status")
	(( 0x$ign & (1 << 20) )) || fail "$1: muster does not $verb SIGTTIN ($f $ign)"
	(( 0x$ign & (1 << 21) )) || fail "$1: muster does not $verb SIGTTOU ($f $ign)"
}

# state: muster's process state letter (T: stopped).
state() { stat_field "$MPID" 1; }

# wait_state WANT: until muster's state is WANT (bounded).
wait_state() {
	local deadline=$(($(date +%s) + DEFAULT_WAIT))
	until [ "$(state)" = "$1" ]; do
		[ "$(date +%s)" -gt "$deadline" ] && fail "muster's state: expected $1 within ${DEFAULT_WAIT}s, found $(state)"
		sleep 0.02
	done
}

# ---- with a main command: SIGTSTP is forwarded ------------------------------
start_muster -c muster.ini -- "$SIGREC" "$TEST_DIR/rec.txt"
wait_file rec.txt
wait_for "$ERR" 'main command started'
ignores_ttin_ttou "with a main command"
signal TSTP
wait_for rec.txt '^SIGTSTP '
assert_eq "SIGTSTP from=$MPID" "$(sed -n 2p rec.txt)" "what CMD received"
case $(state) in T | t) fail "muster stopped itself on SIGTSTP although it has a main command" ;; esac
signal TERM
expect_exit 143

# ---- no config: also forwarded ------------------------------------------
rm -f rec.txt
start_muster -- "$SIGREC" "$TEST_DIR/rec.txt"
wait_file rec.txt
ignores_ttin_ttou "no config" Blk
signal TSTP
wait_for rec.txt '^SIGTSTP '
assert_eq "SIGTSTP from=$MPID" "$(sed -n 2p rec.txt)" "what CMD received (no config)"
signal TERM
expect_exit 143

# ---- no main command: Ctrl-Z stops muster --------------------------------
start_muster -c muster.ini
wait_for "$ERR" 'all 1 service up'
ignores_ttin_ttou "no main command"
signal TSTP
wait_state T
signal CONT
wait_state S
signal TERM
expect_exit 0

# ---- on a terminal: Ctrl-Z and Ctrl-C typed reach CMD, not muster ----------
if ! command -v script >/dev/null 2>&1; then
	log "script(1) is not installed: the terminal part is not run"
	exit 0
fi
rm -f rec.txt
# type into the terminal only once CMD listens, then once it saw Ctrl-Z
typist() {
	local deadline=$(($(date +%s) + DEFAULT_WAIT))
	until grep -q '^ready' rec.txt 2>/dev/null; do
		[ "$(date +%s)" -gt "$deadline" ] && return 1
		sleep 0.02
	done
	printf '\032'
	until grep -q '^SIGTSTP' rec.txt 2>/dev/null; do
		[ "$(date +%s)" -gt "$deadline" ] && return 1
		sleep 0.02
	done
	printf '\003'
}
typist | MUSTER_IT_TAG=$IT_TAG timeout -k 5 "$DEFAULT_WAIT" script -qec \
	"$(printf '%q ' "$MUSTER" -c "$TEST_DIR/muster.ini" -- "$SIGREC" -x INT "$TEST_DIR/rec.txt")" \
	/dev/null >tty.out 2>&1
rc=$?
log "---- rec.txt ----"; sed 's/^/  /' rec.txt >&2
tr -d '\r' <tty.out >tty.log
assert_eq 130 "$rc" "exit status of muster when CMD died of the Ctrl-C typed"
assert_eq "SIGTSTP from=0" "$(sed -n 2p rec.txt)" "what CMD received when Ctrl-Z was typed"
assert_eq "SIGINT from=0" "$(sed -n 3p rec.txt)" "what CMD received when Ctrl-C was typed"
assert_count rec.txt . 3
assert_no_grep tty.log 'stopping .*\(SIGINT\)' "muster's messages (it must not have seen the Ctrl-C)"
assert_grep tty.log 'main command exited with signal 2' "muster's messages"
