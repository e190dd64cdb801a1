#!/usr/bin/env bash
# Signals and the main command (not PID 1).  With no config, every
# catchable asynchronous signal sent to muster reaches CMD's process group,
# sent by muster, SIGTERM last (CMD dies of it: 143).  With a config,
# SIGHUP reloads instead of being forwarded, the others (SIGUSR1 included)
# are forwarded, and SIGINT stops the run: CMD gets SIGTERM.
. "$(dirname "$0")/lib.sh"
: "${HELPERS:=$(cd "$(dirname "$0")/../.." && pwd)/build/helpers}"
. "$(dirname "$0")/signals.sh"

# send_and_expect SIG NAME: send SIG to muster; CMD records "NAME from=MPID".
n=0
send_and_expect() {
	signal "$1"
	n=$((n + 1))
	wait_lines rec.txt $n
	assert_eq "$2 from=$MPID" "$(sed -n "${n}p" rec.txt)" "line $n of what CMD received after SIG$1 to muster"
}

# ---- no config --------------------------------------------------------
start_muster -- "$SIGREC" "$TEST_DIR/rec.txt"
n=1
wait_lines rec.txt 1
assert_grep rec.txt "^ready pid=[0-9]+ ppid=$MPID " "CMD's parent"
pid=$(sed -n 's/^ready pid=\([0-9]*\) .*/\1/p' rec.txt)
assert_eq "$pid" "$(stat_field "$pid" 3)" "CMD's process group (its own)"
for sig in HUP INT QUIT USR1 USR2 ALRM CONT TSTP URG XCPU XFSZ VTALRM PROF WINCH IO PWR RTMIN RTMIN+1 RTMIN+5; do
	case $sig in
	IO) name=SIGPOLL ;;
	RTMIN) name=SIGRTMIN+0 ;;
	*) name=SIG$sig ;;
	esac
	send_and_expect $sig $name
	alive "$MPID" || fail "muster is gone after SIG$sig"
done
signal TERM
expect_exit 143
assert_eq "SIGTERM from=$MPID" "$(tail -n 1 rec.txt)" "the last signal CMD received"

# ---- with a config ----------------------------------------------------
cat >muster.ini <<INI
[muster]
control-socket = $TEST_DIR/ctl.sock
INI
rm -f rec.txt
start_muster -c muster.ini -- "$SIGREC" "$TEST_DIR/rec.txt"
n=1
wait_lines rec.txt 1
wait_for "$ERR" 'main command started'
for sig in USR1 USR2 QUIT WINCH CONT TSTP; do
	send_and_expect $sig SIG$sig
done
signal HUP
wait_for "$ERR" 'SIGHUP: reloading'
send_and_expect USR2 SIGUSR2   # the line after SIGTSTP: SIGHUP was not forwarded
signal INT
expect_exit 143
assert_eq "SIGTERM from=$MPID" "$(tail -n 1 rec.txt)" "what CMD received when muster got SIGINT"
assert_count rec.txt . $((n + 1))
