#!/usr/bin/env bash
# compare-init.sh: muster as a one-command init (`muster -- CMD`) side by
# side with tini and dumb-init.  The same single-command scenarios run
# through each, as PID 1 of a new PID namespace when the kernel allows it
# (unshare --pid --fork --mount-proc), and a markdown table is printed:
#
#   signals    how many of a list of signals sent to the wrapper reached the
#              child as themselves (the child, tests/helpers/sigrecord.c,
#              records what it receives)
#   exit       the wrapper's exit status for a child that exits 0, exits 42,
#              kills itself with SIGTERM, with SIGKILL, and for a SIGTERM
#              sent to the wrapper (expected: 0 42 143 137 143)
#   zombies    zombies left 100 ms after N orphans exited at once
#              (tests/helpers/orphans.c)
#   overhead   wrapper start-up overhead: median of RUNS runs of
#              `WRAPPER /bin/true` minus the median of RUNS runs of /bin/true
#              (the runs interleaved, so that the machine's load falls on
#              each alike)
#   RSS        resident memory of the wrapper while its child sleeps
#
#   tests/compare-init.sh            (from the source tree; builds what it needs)
#   N_ORPHANS=10000 RUNS=20 MUSTER=/path/to/muster tests/compare-init.sh
#   COMPARE_PID1=no tests/compare-init.sh   (not as PID 1, even if possible)
#
# tini and dumb-init are installed with apt-get when missing and we are
# root; a wrapper that is not there gets a row saying so.  Not part of
# `make check`; takes well under two minutes.
set -u

root=$(cd "$(dirname "$0")/.." && pwd)
MUSTER=${MUSTER:-$root/build/muster}
HELPERS=${HELPERS:-$root/build/helpers}
N_ORPHANS=${N_ORPHANS:-10000}
RUNS=${RUNS:-20}
SIGWAIT=${SIGWAIT:-2}          # seconds to wait for one signal to be recorded

say() { printf '%s\n' "$*" >&2; }

# ---- what we need ---------------------------------------------------------
targets=""
[ -x "$MUSTER" ] || targets="build/muster"
[ "$HELPERS" = "$root/build/helpers" ] && targets="$targets build/helpers/sigrecord build/helpers/orphans"
if [ -n "$targets" ]; then
	# shellcheck disable=SC2086 # a list of targets
	make -s -C "$root" $targets >&2 || { say "compare-init.sh: cannot build$targets"; exit 1; }
fi
for f in "$MUSTER" "$HELPERS/sigrecord" "$HELPERS/orphans"; do
	[ -x "$f" ] || { say "compare-init.sh: $f is missing"; exit 1; }
done
SIGREC=$HELPERS/sigrecord
ORPHANS=$HELPERS/orphans

missing=""
command -v tini >/dev/null 2>&1 || missing="$missing tini"
command -v dumb-init >/dev/null 2>&1 || missing="$missing dumb-init"
if [ -n "$missing" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	say "installing:$missing"
	# shellcheck disable=SC2086 # a list of packages
	apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null ||
		say "compare-init.sh: could not install$missing"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/compare-init.XXXXXX")
bg_pids=()
cleanup() {
	local p
	for p in "${bg_pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PID1=yes
if [ "${COMPARE_PID1:-}" = no ]; then
	PID1=no
	say "note: COMPARE_PID1=no: the wrappers run as ordinary processes (tini with -s)"
elif ! unshare --pid --fork --mount-proc --kill-child true 2>/dev/null; then
	PID1=no
	say "note: no new PID namespace here; the wrappers run as ordinary processes (tini with -s)"
fi

# argv of each wrapper, before the child's
wrapper_argv() {
	case $1 in
	muster) printf '%s\n' "$MUSTER" -- ;;
	tini) if [ "$PID1" = yes ]; then printf '%s\n' tini --; else printf '%s\n' tini -s --; fi ;;
	dumb-init) printf '%s\n' dumb-init ;;
	esac
}

wrapper_version() {
	case $1 in
	muster) "$MUSTER" --version 2>&1 | head -n 1 | awk '{ print $NF }' ;;
	tini) tini --version 2>&1 | head -n 1 | awk '{ print $NF }' ;;
	dumb-init) dumb-init --version 2>&1 | head -n 1 | awk '{ print $NF }' ;;
	esac
}

# launch NAME ARG...: run the wrapper NAME on the child ARG... in the
# background (as PID 1 when we can), stdin from /dev/null, output to
# $work/NAME.log; sets LPID (to wait for) and WPID (the wrapper itself).
launch() {
	local name=$1 kid
	shift
	local -a w
	mapfile -t w < <(wrapper_argv "$name")
	if [ "$PID1" = yes ]; then
		unshare --pid --fork --mount-proc --kill-child "${w[@]}" "$@" </dev/null >>"$work/$name.log" 2>&1 &
		LPID=$!
		WPID=""
		for _ in $(seq 1 500); do
			kid=$(cat "/proc/$LPID/task/$LPID/children" 2>/dev/null)
			kid=${kid%% *}
			if [ -n "$kid" ] && [ "$(readlink "/proc/$kid/exe" 2>/dev/null)" != "$(readlink "/proc/$LPID/exe" 2>/dev/null)" ]; then
				WPID=$kid
				break
			fi
			kill -0 "$LPID" 2>/dev/null || break
			sleep 0.01
		done
	else
		"${w[@]}" "$@" </dev/null >>"$work/$name.log" 2>&1 &
		LPID=$!
		WPID=$LPID
	fi
	bg_pids+=("$LPID")
}

# wait_status PID SECONDS: the exit status of background job PID, killing
# it (status 255) when it is still running after SECONDS.
wait_status() {
	local pid=$1
	for _ in $(seq 1 $(($2 * 50))); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.02
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		return 255
	fi
	wait "$pid"
}

# wait_child WPID: until the wrapper has a child (bounded).
wait_child() {
	for _ in $(seq 1 500); do
		[ -n "$(cat "/proc/$1/task/$1/children" 2>/dev/null)" ] && return 0
		sleep 0.01
	done
	return 1
}

# lines FILE: its number of lines.
lines() { wc -l 2>/dev/null <"$1" || echo 0; }

# ---- scenarios ---------------------------------------------------------------

# The signals sent one at a time; SIGTERM (which ends the child) after them.
SIGNALS=(HUP INT QUIT USR1 USR2 PIPE ALRM CONT URG WINCH STKFLT RTMIN TSTP)

signals_of() {
	local name=$1 rec="$work/$1.rec" sig want n kid got=0 missed=""
	rm -f "$rec"
	launch "$name" "$SIGREC" "$rec"
	for _ in $(seq 1 500); do [ "$(lines "$rec")" -ge 1 ] && break; sleep 0.01; done
	[ -n "$WPID" ] && [ "$(lines "$rec")" -ge 1 ] || { echo "did not start"; return; }
	n=1
	for sig in "${SIGNALS[@]}"; do
		want=SIG$sig
		[ "$sig" = RTMIN ] && want=SIGRTMIN+0
		if ! kill -s "$sig" "$WPID" 2>/dev/null; then
			missed="$missed $sig(wrapper gone)"
			continue
		fi
		for _ in $(seq 1 $((SIGWAIT * 100))); do
			[ "$(lines "$rec")" -gt "$n" ] && break
			sleep 0.01
		done
		if [ "$(lines "$rec")" -gt "$n" ]; then
			n=$(lines "$rec")
			if grep -q "^$want " <(tail -n +2 "$rec"); then
				got=$((got + 1))
			else
				missed="$missed $sig"
			fi
		else
			missed="$missed $sig"
		fi
	done
	kill -s TERM "$WPID" 2>/dev/null
	sleep 0.2
	kill -s CONT "$WPID" 2>/dev/null   # a child stopped by a rewritten SIGTSTP
	wait_status "$LPID" 5 >/dev/null
	# not as PID 1, a wrapper that died leaves the child behind
	if [ "$PID1" = no ]; then
		kid=$(sed -n 's/^ready pid=\([0-9]*\) .*/\1/p' "$rec")
		[ -n "$kid" ] && kill -KILL "$kid" 2>/dev/null
	fi
	if [ -z "$missed" ]; then
		echo "$got/${#SIGNALS[@]}"
	else
		echo "$got/${#SIGNALS[@]} (not:$missed)"
	fi
}

exit_statuses_of() {
	local name=$1 out="" c rc
	for c in 'exit 0' 'exit 42' 'kill -TERM $$; sleep 5' 'kill -KILL $$; sleep 5'; do
		launch "$name" /bin/sh -c "$c"
		wait_status "$LPID" 20
		out="$out $?"
	done
	launch "$name" /bin/sleep 300
	if [ -n "$WPID" ] && wait_child "$WPID"; then
		sleep 0.1
		kill -s TERM "$WPID" 2>/dev/null
		wait_status "$LPID" 20
		rc=$?
	else
		rc="?"
	fi
	out="$out $rc"
	out=${out# }
	if [ "$out" = "0 42 143 137 143" ]; then echo "$out (ok)"; else echo "$out (expected 0 42 143 137 143)"; fi
}

zombies_of() {
	local name=$1 res="$work/$1.orphans" z r c
	rm -f "$res"
	launch "$name" "$ORPHANS" "$N_ORPHANS" "$res" 100
	wait_status "$LPID" 90 >/dev/null
	if [ ! -s "$res" ]; then
		echo "no result"
		return
	fi
	c=$(awk '$1 == "created" { print $2 }' "$res")
	r=$(awk '$1 == "reparented" { print $2 }' "$res")
	z=$(awk '$1 == "zombies" { print $2 }' "$res")
	if [ "$r" != "$N_ORPHANS" ]; then
		echo "n/a ($r of $c orphans came to it)"
	else
		echo "$z"
	fi
}

# median of the numbers on stdin
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# ms_of ARG...: the wall-clock time (ms) of running ARG... once
ms_of() {
	local t0 t1
	t0=$EPOCHREALTIME
	"$@" >/dev/null 2>&1 </dev/null
	t1=$EPOCHREALTIME
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", (b - a) * 1000 }'
}

# measure_overheads NAME...: RUNS rounds, each running /bin/true bare and
# through every wrapper in turn (so that a change in the machine's load
# falls on all of them alike); sets BASE and OVERHEAD[NAME] (ms).  The
# wrappers run as ordinary processes: unshare's own cost would drown them.
declare -A OVERHEAD=()
measure_overheads() {
	local name
	declare -A argv=([base]="" [muster]="$MUSTER --" [tini]="tini -s --" [dumb-init]="dumb-init")
	for name in base "$@"; do
		# shellcheck disable=SC2086 # the wrapper's words
		ms_of ${argv[$name]} /bin/true >/dev/null   # warm the caches
		: >"$work/times.$name"
	done
	for _ in $(seq 1 "$RUNS"); do
		for name in base "$@"; do
			# shellcheck disable=SC2086
			ms_of ${argv[$name]} /bin/true >>"$work/times.$name"
		done
	done
	BASE=$(median <"$work/times.base")
	for name in "$@"; do
		OVERHEAD[$name]=$(median <"$work/times.$name" | awk -v b="$BASE" '{ printf "%.2f ms", $1 - b }')
	done
}

rss_of() {
	local rss kids=""
	launch "$1" /bin/sleep 300
	if [ -n "$WPID" ] && wait_child "$WPID"; then
		sleep 0.1
		rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$WPID/status" 2>/dev/null)
		kids=$(cat "/proc/$WPID/task/$WPID/children" 2>/dev/null)
	fi
	kill -KILL "$LPID" 2>/dev/null   # as PID 1: the whole namespace goes
	# shellcheck disable=SC2086 # a list of pids
	[ "$PID1" = yes ] || [ -z "$kids" ] || kill -KILL $kids 2>/dev/null
	wait "$LPID" 2>/dev/null
	echo "${rss:-?} KiB"
}

# ---- the table -------------------------------------------------------------
present=()
for name in muster tini dumb-init; do
	[ "$name" = muster ] || command -v "$name" >/dev/null 2>&1 && present+=("$name")
done
say "measuring the start-up overhead"
measure_overheads "${present[@]}"

rows=()
for name in muster tini dumb-init; do
	if [ "$name" != muster ] && ! command -v "$name" >/dev/null 2>&1; then
		rows+=("| $name | not installed | | | | | |")
		continue
	fi
	say "measuring $name"
	ver=$(wrapper_version "$name")
	sigs=$(signals_of "$name")
	ex=$(exit_statuses_of "$name")
	zom=$(zombies_of "$name")
	rss=$(rss_of "$name")
	rows+=("| $name | $ver | $sigs | $ex | $zom | ${OVERHEAD[$name]} | $rss |")
done

echo
if [ "$PID1" = yes ]; then
	echo "Each wrapper as PID 1 of a new PID namespace (unshare --pid --fork --mount-proc); start-up overhead measured outside one."
else
	echo "Each wrapper as an ordinary process (no PID namespace here); tini with -s (subreaper)."
fi
echo "$(uname -sr), $(nproc) CPUs; signals sent: ${SIGNALS[*]} (then TERM); orphans: $N_ORPHANS; baseline /bin/true: $BASE ms (median of $RUNS)."
echo
echo "| wrapper | version | signals forwarded | exit status: 0, 42, own TERM, own KILL, TERM to wrapper | zombies 100 ms after $N_ORPHANS orphans exit | start-up overhead (median of $RUNS) | RSS |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
printf '%s\n' "${rows[@]}"
