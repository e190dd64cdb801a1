# Helpers for the fault-injection tests (tests/integration/t_fault_*.sh),
# sourced after tests/integration/lib.sh:
#
#   . "$(dirname "$0")/lib.sh"
#   . "$(dirname "$0")/../fault/lib.sh"
#
# Every daemon gets a control socket of its own ($CTL, written into the
# config by `header`), and is watched for what the fault tests promise in
# every case: it stays up, no zombie, no descriptor leak, no spinning.

FAULT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CTL="$TEST_DIR/ctl.sock"
SHIM="$TEST_DIR/shim"              # the failshim's control directory

# ctl ARG...: musterctl on this test's daemon (bounded)
ctl() { timeout -k 2 30 "$MUSTERCTL" -s "$CTL" "$@"; }

# header [MORE_LINES]: the [muster] section every config starts with
header() {
	printf '[muster]\ncontrol-socket = %s\n%s\n' "$CTL" "${1:-}"
}

# start_wrapped WRAPPER_WORD... -- MUSTER_ARG...: start_muster with the
# daemon run through a wrapper that execs it (env, prlimit), so that $MPID
# is still the daemon's pid.
start_wrapped() {
	local -a pre=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		pre+=("$1")
		shift
	done
	shift
	local real=$MUSTER
	MUSTER=${pre[0]}
	start_muster "${pre[@]:1}" "$real" "$@"
	MUSTER=$real
	# the daemon, not the wrapper, from here on
	local i exe
	for i in $(seq 1 200); do
		exe=$(readlink "/proc/$MPID/exe" 2>/dev/null)
		[ "$exe" = "$(readlink -f "$real")" ] && return 0
		muster_exited && return 0
		sleep 0.02
	done
	fail "pid $MPID did not become $real (it is ${exe:-gone})"
}

# ---- the failshim ----------------------------------------------------------

# build_shim: compile tests/fault/failshim.c into $TEST_DIR/failshim.so
build_shim() {
	local cc=${CC:-cc}
	command -v "$cc" >/dev/null 2>&1 || skip "no C compiler ($cc) to build the failshim"
	# an ASan build wants its runtime first; the shim is not instrumented
	if ldd "$MUSTER" 2>/dev/null | grep -q libasan; then
		skip "muster is built with ASan: an LD_PRELOAD shim cannot go first"
	fi
	# a static muster (make static) has no dynamic loader to preload it
	ldd "$MUSTER" >/dev/null 2>&1 ||
		skip "muster is statically linked: an LD_PRELOAD shim cannot reach it"
	"$cc" -shared -fPIC -O2 -Wall -Wextra -Werror -D_GNU_SOURCE \
		-o "$TEST_DIR/failshim.so" "$FAULT_DIR/failshim.c" -ldl 2>"$TEST_DIR/shim.cc.err" ||
		fail "cannot build the failshim: $(head -n 5 "$TEST_DIR/shim.cc.err")"
	mkdir -p "$SHIM"
}

# start_shimmed MUSTER_ARG...: start muster with the failshim preloaded
start_shimmed() {
	start_wrapped env LD_PRELOAD="$TEST_DIR/failshim.so" FAILSHIM_DIR="$SHIM" -- "$@"
}

# inject CALL [WORD...]: arm the failshim for CALL (clone, fork, pipe2,
# socket, accept4, execve) with WORDs (errno=E skip=N count=N match=W
# exit=N); a new file each time, so the shim counts afresh.
inject() {
	local call=$1
	shift
	printf '%s serial=%s\n' "$*" "$RANDOM$RANDOM" >"$SHIM/.$call.tmp"
	mv -f "$SHIM/.$call.tmp" "$SHIM/$call"
}

# disarm CALL: calls to CALL work again
disarm() { rm -f "$SHIM/$1"; }

# injected CALL: how many failures of CALL the shim has injected so far
injected() { grep -c "^$1 " "$SHIM/log" 2>/dev/null || true; }

# build_c NAME: compile tests/fault/NAME.c into $TEST_DIR/NAME
build_c() {
	local cc=${CC:-cc}
	command -v "$cc" >/dev/null 2>&1 || skip "no C compiler ($cc) to build $1"
	"$cc" -std=gnu11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -o "$TEST_DIR/$1" \
		"$FAULT_DIR/$1.c" 2>"$TEST_DIR/$1.cc.err" ||
		fail "cannot build $1: $(head -n 5 "$TEST_DIR/$1.cc.err")"
}

# ---- the daemon's health ---------------------------------------------------------

# fd_count PID: descriptors PID holds
fd_count() {
	local n
	n=$(ls "/proc/$1/fd" 2>/dev/null | wc -l)
	echo "${n:-0}"
}

# fd_kinds PID: "COUNT KIND" lines (pipe, socket, /dev/null, ...)
fd_kinds() {
	local f t
	for f in /proc/"$1"/fd/*; do
		t=$(readlink "$f" 2>/dev/null) || continue
		t=${t%%:*}
		echo "$t"
	done | sort | uniq -c | tr '\n' ';'
}

# settled_fd_count PID: the descriptor count once it has held still for
# half a second (clients of the control socket may still be closing)
settled_fd_count() {
	local pid=$1 prev cur i same=0
	prev=$(fd_count "$pid")
	for i in $(seq 1 100); do
		sleep 0.1
		cur=$(fd_count "$pid")
		if [ "$cur" = "$prev" ]; then
			same=$((same + 1))
			[ "$same" -ge 5 ] && break
		else
			same=0
		fi
		prev=$cur
	done
	echo "$cur"
}

# assert_fds PID EXPECTED WHAT: the count comes back to EXPECTED (bounded)
assert_fds() {
	local pid=$1 want=$2 what=${3:-descriptors} n i
	for i in $(seq 1 100); do
		n=$(fd_count "$pid")
		[ "$n" = "$want" ] && return 0
		sleep 0.1
	done
	fail "$what: muster holds $n descriptors, expected $want ($(fd_kinds "$pid"))"
}

# zombies PID: pids of PID's children that are zombies
zombies() {
	local f s pid
	for f in /proc/[0-9]*/stat; do
		{ s=$(<"$f"); } 2>/dev/null || continue
		pid=${f#/proc/}
		pid=${pid%/stat}
		s=${s##*) }
		set -- $s
		[ "$1" = Z ] && [ "$2" = "$ZPARENT" ] && echo "$pid"
	done
	return 0
}

# assert_no_zombies PID [TIMEOUT]: PID's zombie children are reaped in time
assert_no_zombies() {
	local pid=$1 timeout=${2:-5} z=""
	local deadline=$(( $(date +%s%N) + timeout * 1000000000 ))
	while :; do
		z=$(ZPARENT=$pid zombies)
		[ -z "$z" ] && return 0
		[ "$(date +%s%N)" -gt "$deadline" ] && break
		sleep 0.05
	done
	fail "zombies left unreaped by muster ($pid) after ${timeout}s: $(echo $z)"
}

# cpu_ticks PID: user + system clock ticks PID has used
cpu_ticks() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
	s=${s##*) }
	set -- $s
	echo $(( ${12} + ${13} ))
}

# assert_idle PID SECONDS MAX_TICKS WHAT: PID uses at most MAX_TICKS clock
# ticks (1/100 s) of CPU in SECONDS: it is not spinning
assert_idle() {
	local pid=$1 secs=$2 max=$3 what=${4:-muster} t0 t1
	t0=$(cpu_ticks "$pid")
	sleep "$secs"
	t1=$(cpu_ticks "$pid")
	[ $((t1 - t0)) -le "$max" ] ||
		fail "$what is spinning: $((t1 - t0)) CPU ticks in ${secs}s (at most $max expected)"
}

# rss_kb PID
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }

# ---- services, through musterctl -------------------------------------------------

# svc_json NAME: NAME's row of `status --json` (one line)
svc_json() { ctl status --json 2>/dev/null | grep -F "{\"name\": \"$1\"," | head -n 1; }

# svc_state NAME, svc_pid NAME
svc_state() { svc_json "$1" | sed -n 's/.*"state": "\([a-z]*\)".*/\1/p'; }
svc_pid() { svc_json "$1" | sed -n 's/.*"pid": \([0-9]*\),.*/\1/p'; }

# wait_state NAME STATE [TIMEOUT]: until NAME is in STATE (an ERE)
wait_state() {
	local name=$1 want=$2 timeout=${3:-$DEFAULT_WAIT} st=""
	local deadline=$(( $(date +%s%N) + timeout * 1000000000 ))
	while :; do
		st=$(svc_state "$name")
		echo "$st" | grep -qxE -- "$want" && return 0
		muster_exited && fail "muster exited while waiting for $name to be $want (it was '$st')"
		[ "$(date +%s%N)" -gt "$deadline" ] &&
			fail "$name: expected state /$want/ within ${timeout}s, found '$st'"
		sleep 0.05
	done
}

# assert_same_pid NAME PID: NAME is still running as PID (not lost, not restarted)
assert_same_pid() {
	local p
	p=$(svc_pid "$1")
	[ "$p" = "$2" ] || fail "$1 lost: it ran as pid $2, now '${p:-none}' ($(svc_state "$1"))"
	alive "$2" || fail "$1 (pid $2) is not running"
}

# assert_alive: muster is still up
assert_alive() {
	alive "$MPID" && ! muster_exited || fail "muster (pid $MPID) is gone: ${1:-}"
}

# left_behind: processes of this test still running (tagged), muster aside
left_behind() {
	local p
	for p in $(tagged_pids); do
		[ "$p" = "$MPID" ] && continue
		alive "$p" && echo "$p"
	done
	return 0
}

# assert_nothing_left [TIMEOUT]: no process of this test is left
assert_nothing_left() {
	local timeout=${1:-5} left=""
	local deadline=$(( $(date +%s%N) + timeout * 1000000000 ))
	while :; do
		left=$(left_behind)
		[ -z "$left" ] && return 0
		[ "$(date +%s%N)" -gt "$deadline" ] && break
		sleep 0.1
	done
	local p desc=""
	for p in $left; do
		desc="$desc $p($(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | head -c 60), parent $(ppid_of "$p"))"
	done
	fail "processes left behind after muster exited:$desc"
}

# count_lines FILE ERE
count_lines() { grep -cE -- "$2" "$1" 2>/dev/null || true; }

# result LINE: the outcome, for the fault table (in the test's log)
result() { log "result: $TEST_NAME: $*"; }
