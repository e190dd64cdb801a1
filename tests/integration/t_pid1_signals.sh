#!/usr/bin/env bash
# As PID 1 (a new PID namespace), muster -- CMD forwards signals to CMD:
# a dozen signals sent to muster from outside the namespace each reach CMD
# (the sigrecord helper, which records every signal and who sent it: muster,
# pid 1), one at a time and in order; SIGTERM last is forwarded too, kills
# CMD, and muster exits 143.  A PID 1 has no default signal actions: this
# also shows that muster caught every one of them.
. "$(dirname "$0")/lib.sh"
: "${HELPERS:=$(cd "$(dirname "$0")/../.." && pwd)/build/helpers}"
. "$(dirname "$0")/signals.sh"

. "$(dirname "$0")/pid1.sh"

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
