# Helpers for muster's integration tests.  Sourced by every t_*.sh:
#
#   . "$(dirname "$0")/lib.sh"
#
# run.sh starts each test in a fresh empty directory (also $TEST_DIR) and
# exports MUSTER (the daemon), MUSTERCTL and IT_TAG (a unique tag).  Every
# muster a test starts gets MUSTER_IT_TAG=$IT_TAG in its environment (the
# test shell itself does not carry that variable), so its services and
# whatever they fork inherit it; the cleanup trap (and run.sh after the
# test) kill every process carrying the tag, even ones that left their
# session.  Every wait is bounded; nothing sleeps a fixed time.  Timeouts
# are in whole seconds.
#
# Conventions: helpers that check something print what was expected and
# what was found, then end the test (fail) when the check does not hold.

set -u

: "${MUSTER:?MUSTER must name the muster binary}"
: "${MUSTERCTL:=}"
# MUSTER_WRAPPER: words run before muster (make valgrind: valgrind ...)
: "${MUSTER_WRAPPER:=}"
: "${TEST_DIR:=$PWD}"
: "${IT_TAG:=mit-$$-$RANDOM-solo}"
# a control socket of the test's own, so that tests can run in parallel
# (and never touch a real daemon's socket); musterctl finds it the same way
: "${MUSTER_SOCKET:=$TEST_DIR/muster.sock}"
unset MUSTER_CONFIG NOTIFY_SOCKET
export MUSTER MUSTERCTL TEST_DIR IT_TAG MUSTER_SOCKET

TEST_NAME=$(basename "$0" .sh)
DEFAULT_WAIT=${DEFAULT_WAIT:-20}   # seconds: generous, for a loaded machine

MPID=""                            # the muster started last
OUT="$TEST_DIR/muster.out"         # its stdout
ERR="$TEST_DIR/muster.err"         # its stderr

# ---- reporting --------------------------------------------------------

log() { printf '%s\n' "$*" >&2; }

# Print the daemon's output files (for a failure's log).
dump_muster() {
	local f
	for f in "$ERR" "$OUT"; do
		[ -f "$f" ] || continue
		log "---- $(basename "$f") ($(wc -l <"$f") lines) ----"
		sed 's/^/  /' "$f" | tail -n 60 >&2
	done
	log "----"
}

fail() {
	log "FAIL: $TEST_NAME: $*"
	dump_muster
	exit 1
}

# skip REASON: the test cannot run here (exit 77, reason for run.sh).
skip() {
	printf '%s\n' "$*" >"$TEST_DIR/.skip_reason"
	log "skip: $*"
	exit 77
}

# known_bug DESCRIPTION: the test shows a daemon bug not fixed yet: skip
# with "known bug: ..." unless RUN_KNOWN_BUGS=1 (then it runs, and fails).
known_bug() {
	[ "${RUN_KNOWN_BUGS:-}" = 1 ] || skip "known bug: $*"
}

# ---- processes ------------------------------------------------------------

# pids of every process whose environment carries MUSTER_IT_TAG=TAG.
tagged_pids() {
	local tag=${1:-$IT_TAG} f
	# one grep over every environ (a process per file is slow when busy)
	grep -lzxF "MUSTER_IT_TAG=$tag" /proc/[0-9]*/environ 2>/dev/null |
	while read -r f; do
		f=${f#/proc/}
		echo "${f%/environ}"
	done
	return 0
}

# The parent pid of PID ("" when gone).
ppid_of() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	s=${s##*) }
	set -- $s
	echo "$2"
}

# Field N (1-based, after the comm) of /proc/PID/stat: 1 state, 2 ppid,
# 3 pgrp, 4 session.
stat_field() {
	local s n=$2
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	s=${s##*) }
	set -- $s
	eval "echo \${$n}"
}

# Every descendant of PID (children, grandchildren, ...), one a line.
# Plain bash: processes come and go while /proc is read (awk implementations
# such as mawk give up on a file that vanished).
descendants() {
	local f s pid pp i
	local -a pids=() parents=() queue=("$1")
	for f in /proc/[0-9]*/stat; do
		{ s=$(<"$f"); } 2>/dev/null || continue
		[ -n "$s" ] || continue
		pid=${f#/proc/}
		pid=${pid%/stat}
		s=${s##*) }
		set -- $s
		pids+=("$pid")
		parents+=("$2")
	done
	for ((i = 0; i < ${#queue[@]}; i++)); do
		for pp in "${!pids[@]}"; do
			if [ "${parents[pp]}" = "${queue[i]}" ]; then
				queue+=("${pids[pp]}")
				echo "${pids[pp]}"
			fi
		done
	done
}

# True while PID exists and is not a zombie.
alive() {
	local st
	st=$(stat_field "$1" 1)
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# Kill (SIGKILL) every process of this test: muster's descendants, the
# tagged ones, muster itself.
kill_everything() {
	local p pids
	if [ -n "$MPID" ] && [ -d "/proc/$MPID" ]; then
		pids=$(descendants "$MPID")
		kill -KILL "$MPID" $pids 2>/dev/null
	fi
	pids=$(tagged_pids)
	[ -n "$pids" ] && kill -KILL $pids 2>/dev/null
	return 0
}

_cleanup() {
	local rc=$?
	kill_everything
	if [ -n "${NB:-}" ]; then
		if [ "$rc" = 0 ]; then rm -rf "$NB"; else log "files in $NB"; fi
	fi
	exit "$rc"
}

# nobody_dir: for services that run as `user = nobody`, which cannot enter
# the test directory (run.sh makes it 0700): skip unless root and a user
# nobody exist; then $NB is a directory of the test's own in /tmp that
# nobody can enter, removed when the test passes, kept (and named in the
# log) when it fails.
nobody_dir() {
	[ "$(id -u)" = 0 ] || skip "needs root to run a service as nobody (running as uid $(id -u))"
	id nobody >/dev/null 2>&1 || skip "no user 'nobody' on this system"
	NB=$(mktemp -d /tmp/muster-trust.XXXXXX) || fail "cannot make a directory in /tmp"
	chmod 0755 "$NB"
	if command -v setpriv >/dev/null &&
		! setpriv --reuid nobody --regid "$(id -g nobody)" --clear-groups test -x "$NB" 2>/dev/null; then
		skip "user nobody cannot enter $NB"
	fi
}
trap _cleanup EXIT
_interrupted() {
	trap - INT TERM HUP
	log "FAIL: $TEST_NAME: interrupted by SIG$1 (the per-test timeout?)"
	if [ -n "$MPID" ]; then
		if [ -d "/proc/$MPID" ]; then
			log "muster (pid $MPID) still running; its processes:"
			ps -o pid,ppid,pgid,sid,stat,etime,args -p "$MPID" $(descendants "$MPID") >&2 2>/dev/null
		else
			log "muster (pid $MPID) has exited (status $(cat "$TEST_DIR/.rc.$MPID" 2>/dev/null))"
		fi
	fi
	dump_muster
	exit 130
}
trap '_interrupted INT' INT
trap '_interrupted TERM' TERM
trap '_interrupted HUP' HUP

# ---- the daemon -----------------------------------------------------------

# start_muster ARG...: run "$MUSTER ARG..." in the background, stdin from
# /dev/null, stdout to $OUT (or $MUSTER_STDOUT), stderr to $ERR; sets MPID.
# Its exit status lands in $TEST_DIR/.rc.PID (see wait_exit).
#
# muster runs as a job of a subshell with job control on: in a process
# group of its own and with the signal dispositions of a normal start (a
# plain "cmd &" in a script would start it with SIGINT and SIGQUIT
# ignored).  The subshell outlives signals meant for the test so that it
# can still record the status.
start_muster() {
	local pidfile="$TEST_DIR/.mpid.$$.$RANDOM"
	rm -f "$OUT" "$ERR"   # no stale lines for wait_for to find
	(
		set -m
		trap true TERM INT HUP
		MUSTER_IT_TAG=$IT_TAG $MUSTER_WRAPPER "$MUSTER" "$@" </dev/null >"${MUSTER_STDOUT:-$OUT}" 2>"$ERR" &
		pid=$!
		echo "$pid" >"$pidfile"
		while :; do
			wait "$pid"
			rc=$?
			[ "$rc" -le 128 ] && break
			# above 128: killed by a signal, or our wait was interrupted
			if ! kill -0 "$pid" 2>/dev/null; then
				wait "$pid"
				r2=$?
				[ "$r2" = 127 ] || rc=$r2
				break
			fi
		done
		echo "$rc" >"$TEST_DIR/.rc.$pid"
	) 2>/dev/null &
	local i
	for i in $(seq 1 500); do
		[ -s "$pidfile" ] && break
		sleep 0.01
	done
	MPID=$(cat "$pidfile" 2>/dev/null)
	rm -f "$pidfile"
	[ -n "$MPID" ] || fail "muster did not start"
}

# start_config INI_TEXT [ARG...]: write INI_TEXT to $TEST_DIR/muster.ini
# and start muster on it.
start_config() {
	printf '%s\n' "$1" >"$TEST_DIR/muster.ini"
	shift
	start_muster -c "$TEST_DIR/muster.ini" "$@"
}

# run_muster ARG...: run muster in the foreground (bounded), stdout to
# $OUT, stderr to $ERR; returns its exit status (124 on timeout).
run_muster() {
	MUSTER_IT_TAG=$IT_TAG timeout -k 5 "$DEFAULT_WAIT" $MUSTER_WRAPPER "$MUSTER" "$@" \
		</dev/null >"$OUT" 2>"$ERR"
}

# signal SIG [PID]: send SIG to muster (or PID).
signal() {
	kill -s "$1" "${2:-$MPID}" 2>/dev/null || fail "cannot send $1 to ${2:-$MPID}: not running"
}

# wait_exit PID [TIMEOUT]: wait until PID exits; returns its exit status
# (PID must be a muster from start_muster, or a child of this shell).
# On timeout it prints why and returns 254.
wait_exit() {
	local pid=$1 timeout=${2:-$DEFAULT_WAIT} rcfile="$TEST_DIR/.rc.$1"
	local deadline=$(( $(date +%s%N) + ${timeout%.*} * 1000000000 ))
	while :; do
		if [ -s "$rcfile" ]; then
			return "$(cat "$rcfile")"
		fi
		if [ "$pid" != "$MPID" ] && ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid" 2>/dev/null
			return
		fi
		if [ "$(date +%s%N)" -gt "$deadline" ]; then
			log "wait_exit: pid $pid still running after ${timeout}s"
			return 254
		fi
		sleep 0.02
	done
}

# expect_exit EXPECTED [TIMEOUT]: muster must exit with EXPECTED in time.
expect_exit() {
	local want=$1 rc
	wait_exit "$MPID" "${2:-$DEFAULT_WAIT}"
	rc=$?
	[ "$rc" = 254 ] && fail "muster (pid $MPID) did not exit within ${2:-$DEFAULT_WAIT}s (expected exit status $want)"
	[ "$rc" = "$want" ] || fail "muster exit status: expected $want, found $rc"
}

# stop_muster [EXPECTED_STATUS] [TIMEOUT]: SIGTERM, then expect_exit.
stop_muster() {
	signal TERM
	expect_exit "${1:-0}" "${2:-$DEFAULT_WAIT}"
}

# ---- waiting ----------------------------------------------------------

now() { date +%s.%N; }

# muster_exited: true when the muster started last has exited.
muster_exited() { [ -n "$MPID" ] && [ -s "$TEST_DIR/.rc.$MPID" ]; }

# poll_for FILE PATTERN [TIMEOUT]: true once a line of FILE matches the
# extended regex PATTERN; false after TIMEOUT seconds, or at once (status
# 2) when muster has exited and the line is not there.
poll_for() {
	local file=$1 pat=$2 timeout=${3:-$DEFAULT_WAIT} gone
	local deadline=$(( $(date +%s%N) + ${timeout%.*} * 1000000000 ))
	while :; do
		gone=no
		muster_exited && gone=yes
		grep -qE -- "$pat" "$file" 2>/dev/null && return 0
		[ "$gone" = yes ] && return 2
		[ "$(date +%s%N)" -gt "$deadline" ] && return 1
		sleep 0.02
	done
}

# wait_for FILE PATTERN [TIMEOUT]: as poll_for, but failing the test.
wait_for() {
	poll_for "$@"
	case $? in
	0) return 0 ;;
	2) fail "muster exited (status $(cat "$TEST_DIR/.rc.$MPID")) without /$2/ in $(basename "$1")" ;;
	*) fail "timed out after ${3:-$DEFAULT_WAIT}s waiting for /$2/ in $(basename "$1")" ;;
	esac
}

# wait_file FILE [TIMEOUT]: until FILE exists and is not empty.
wait_file() {
	local file=$1 timeout=${2:-$DEFAULT_WAIT}
	local deadline=$(( $(date +%s%N) + ${timeout%.*} * 1000000000 ))
	until [ -s "$file" ]; do
		[ "$(date +%s%N)" -gt "$deadline" ] &&
			fail "timed out after ${timeout}s waiting for file $(basename "$file")"
		sleep 0.02
	done
	# a writer may not have finished its line: wait for the newline
	until [ "$(tail -c 1 "$file" | od -An -c | tr -d ' ')" = '\n' ]; do
		[ "$(date +%s%N)" -gt "$deadline" ] &&
			fail "file $(basename "$file") has no complete line after ${timeout}s"
		sleep 0.02
	done
}

# wait_gone PID [TIMEOUT]: true once /proc/PID is absent.
wait_gone() {
	local pid=$1 timeout=${2:-$DEFAULT_WAIT}
	local deadline=$(( $(date +%s%N) + ${timeout%.*} * 1000000000 ))
	while [ -d "/proc/$pid" ]; do
		[ "$(date +%s%N)" -gt "$deadline" ] && return 1
		sleep 0.02
	done
}

# ---- assertions -------------------------------------------------------

assert_eq() { # EXPECTED FOUND WHAT
	[ "$1" = "$2" ] || fail "${3:-value}: expected '$1', found '$2'"
}

assert_grep() { # FILE PATTERN [WHAT]
	grep -qE -- "$2" "$1" 2>/dev/null ||
		fail "${3:-$(basename "$1")}: expected a line matching /$2/, found none"
}

assert_no_grep() { # FILE PATTERN [WHAT]
	local hit
	hit=$(grep -nE -- "$2" "$1" 2>/dev/null | head -n 3)
	[ -z "$hit" ] || fail "${3:-$(basename "$1")}: expected no line matching /$2/, found: $hit"
}

assert_count() { # FILE PATTERN N
	local n
	n=$(grep -cE -- "$2" "$1" 2>/dev/null)
	[ "${n:-0}" = "$3" ] || fail "$(basename "$1"): expected $3 lines matching /$2/, found ${n:-0}"
}

assert_file() { [ -e "$1" ] || fail "expected file $(basename "$1") to exist; it does not"; }
assert_no_file() {
	[ ! -e "$1" ] || fail "expected file $(basename "$1") not to exist; it does ($(head -c 200 "$1"))"
}

# assert_order FILE PAT1 PAT2 ...: the first line matching each pattern
# comes after the first line matching the previous one.
assert_order() {
	local file=$1 prev=0 prevpat="" pat n
	shift
	for pat in "$@"; do
		n=$(grep -nE -m1 -- "$pat" "$file" 2>/dev/null | cut -d: -f1)
		[ -n "$n" ] || fail "order in $(basename "$file"): no line matches /$pat/"
		[ "$n" -gt "$prev" ] ||
			fail "order in $(basename "$file"): expected /$pat/ after /$prevpat/ (line $prev), found it on line $n"
		prev=$n
		prevpat=$pat
	done
}

# line_no FILE PATTERN: the number of the first line matching (or empty).
line_no() { grep -nE -m1 -- "$2" "$1" 2>/dev/null | cut -d: -f1; }

# ts FILE: the timestamp (date +%s.%N) in FILE; fails when missing.
ts() {
	[ -s "$1" ] || fail "timestamp file $(basename "$1") is missing or empty"
	head -n 1 "$1"
}

# assert_le A B WHAT: numbers (floats), A <= B.
assert_le() {
	awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 <= b + 0) }' ||
		fail "${3:-values}: expected $1 <= $2 (difference $(awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3fs", a - b }'))"
}

# assert_lt A B WHAT: numbers (floats), A < B.
assert_lt() {
	awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 < b + 0) }' ||
		fail "${3:-values}: expected $1 < $2 (difference $(awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3fs", a - b }'))"
}

# assert_ts_before FILE_A FILE_B WHAT: timestamp in A <= timestamp in B.
assert_ts_before() {
	assert_le "$(ts "$1")" "$(ts "$2")" "${3:-$(basename "$1") before $(basename "$2")}"
}

# elapsed T0 [T1]: T1 - T0 in seconds (T1 defaults to now).
elapsed() { awk -v a="$1" -v b="${2:-$(now)}" 'BEGIN { printf "%.3f", b - a }'; }

# service NAME BODY: write the shell script $TEST_DIR/NAME.sh (BODY after
# a few helper functions) and print the command line that runs it, for a
# config's "command =".  In the script:
#   stamp FILE   write `date +%s.%N` to $TEST_DIR/FILE atomically
#   D            is $TEST_DIR
service() {
	local name=$1 body=$2 file="$TEST_DIR/$1.sh"
	{
		printf "D='%s'\n" "$TEST_DIR"
		printf '%s\n' 'stamp() { date +%s.%N >"$D/$1.tmp.$$" && mv -f "$D/$1.tmp.$$" "$D/$1"; }'
		printf '%s\n' "$body"
	} >"$file"
	printf '/bin/sh %s' "$file"
}
