#!/usr/bin/env bash
# Run muster's integration tests: every tests/integration/t_*.sh (or the
# ones named on the command line), each in a fresh temporary directory under
# an overall timeout, at most $JOBS (default 2) at a time.
#
#   MUSTER=/abs/muster MUSTERCTL=/abs/musterctl tests/integration/run.sh [t_name...]
#
# Prints "ok NAME", "FAIL NAME" (followed by the test's log) or
# "skip NAME (reason)" per test, then one summary line
# "N passed, N failed, N skipped"; exits 1 when any test failed.
# KEEP=1 keeps every test directory (failed ones are always kept).
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
: "${MUSTER:=$root/build/muster}"
: "${MUSTERCTL:=$root/build/musterctl}"
JOBS=${JOBS:-2}
[[ $JOBS =~ ^[1-9][0-9]*$ ]] || JOBS=1
TEST_TIMEOUT=${TEST_TIMEOUT:-120}
export MUSTER MUSTERCTL

if [ ! -x "$MUSTER" ]; then
	echo "run.sh: MUSTER=$MUSTER is not an executable; build it first (make)" >&2
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi

tests=()
declare -A named=()
if [ $# -gt 0 ]; then
	for a in "$@"; do
		a=$(basename "$a" .sh)
		[ -f "$here/$a.sh" ] || { echo "run.sh: no test $a" >&2; exit 2; }
		[ -n "${named[$a]:-}" ] && continue   # each test once
		named[$a]=1
		tests+=("$a")
	done
else
	for f in "$here"/t_*.sh; do
		[ -f "$f" ] && tests+=("$(basename "$f" .sh)")
	done
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/muster-it.XXXXXX")
runtag="mit-$$-$RANDOM"
passed=0 failed=0 skipped=0
declare -A started=()      # running tests: name -> 1
durations=()               # "SECONDS NAME" of each finished test

# Kill every process carrying MUSTER_IT_TAG=TAG (exact) or, with a
# trailing "*", any tag starting with TAG.
sweep() {
	local tag=$1 f pids=""
	if [ "${tag%\*}" != "$tag" ]; then
		f=$(grep -lzE "^MUSTER_IT_TAG=${tag%\*}" /proc/[0-9]*/environ 2>/dev/null)
	else
		f=$(grep -lzxF "MUSTER_IT_TAG=$tag" /proc/[0-9]*/environ 2>/dev/null)
	fi
	for f in $f; do
		f=${f#/proc/}
		pids="$pids ${f%/environ}"
	done
	[ -n "$pids" ] && kill -KILL $pids 2>/dev/null
	echo "$pids"
}

on_interrupt() {
	trap - INT TERM
	echo "run.sh: interrupted; killing the tests" >&2
	local j
	for j in $(jobs -p); do kill -TERM -- "$j" 2>/dev/null; done
	sweep "$runtag-*" >/dev/null
	echo "$passed passed, $((failed + 1)) failed, $skipped skipped"
	exit 130
}
trap on_interrupt INT TERM

run_one() {
	local name=$1 dir="$work/$1"
	mkdir -p "$dir"
	(
		cd "$dir" || exit 1
		date +%s.%N >"$dir/.t0"
		TEST_DIR=$dir IT_TAG="$runtag-$name" \
			timeout -k 10 "$TEST_TIMEOUT" bash "$here/$name.sh" >"$dir/log" 2>&1 </dev/null
		rc=$?
		date +%s.%N >"$dir/.t1"
		echo $rc >"$dir/.status"
	) &
	started[$name]=1
}

report() {
	local name=$1 dir="$work/$1" rc left
	rc=$(cat "$dir/.status" 2>/dev/null || echo 1)
	durations+=("$(awk -v a="$(cat "$dir/.t0" 2>/dev/null)" -v b="$(cat "$dir/.t1" 2>/dev/null)" \
		'BEGIN { printf "%.1f", (a && b) ? b - a : 0 }') $name")
	left=$(sweep "$runtag-$name")
	if [ -n "${left// /}" ]; then
		echo "run.sh: killed processes left behind by the test:$left" >>"$dir/log"
	fi
	case $rc in
	0)
		echo "ok $name"
		passed=$((passed + 1))
		;;
	77)
		echo "skip $name ($(head -n 1 "$dir/.skip_reason" 2>/dev/null || echo "no reason given"))"
		skipped=$((skipped + 1))
		;;
	*)
		[ "$rc" = 124 ] || [ "$rc" = 137 ] &&
			echo "test timed out after ${TEST_TIMEOUT}s (status $rc)" >>"$dir/log"
		echo "FAIL $name"
		sed 's/^/    /' "$dir/log" 2>/dev/null || echo "    (no log: $dir/log is gone)"
		echo "    (test directory: $dir)"
		failed=$((failed + 1))
		;;
	esac
	unset "started[$name]"
}

# Report every started test that has finished (with "all": also the ones
# whose runner is gone without a status).
reap() {
	local n
	for n in "${!started[@]}"; do
		if [ -f "$work/$n/.status" ] || [ "${1:-}" = all ]; then
			report "$n"
		fi
	done
	return 0
}

t0=$(date +%s)
for name in "${tests[@]}"; do
	while [ "${#started[@]}" -ge "$JOBS" ]; do
		wait -n 2>/dev/null
		reap
		[ -z "$(jobs -pr)" ] && reap all
	done
	run_one "$name"
done
while [ "${#started[@]}" -gt 0 ]; do
	wait -n 2>/dev/null
	reap
	[ -z "$(jobs -pr)" ] && reap all
done

if [ "$failed" = 0 ] && [ -z "${KEEP:-}" ]; then
	rm -rf "$work"
fi
slowest=$(printf '%s\n' "${durations[@]}" | sort -rn | head -n 3 |
	awk '{ printf "%s%s %ss", (NR > 1 ? ", " : ""), $2, $1 }')
echo "($(( $(date +%s) - t0 ))s in all, $JOBS at a time; slowest: $slowest; MUSTER=$MUSTER)"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
