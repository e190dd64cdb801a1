#!/usr/bin/env bash
# Fault: descriptors run out.  RLIMIT_NOFILE at 32 (soft and hard: muster
# raises its soft limit to the hard one) with 20 services, each of which
# needs a pipe pair for stdout, one for stderr and one for the exec status.
# muster starts what fits, fails the others with one clear line per
# attempt ("NAME: cannot start: Too many open files") until their start
# limit, keeps the ones that run, does not spin, still answers musterctl,
# and starts the failed ones once descriptors are free again -- with no
# descriptor leaked, no zombie, and a clean exit 0.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../fault/lib.sh"

command -v prlimit >/dev/null || skip "no prlimit"
N=20
{
	header
	for i in $(seq -w 1 $N); do
		printf '[service s%s]\ncommand = sleep 300\n\n' "$i"
	done
} >muster.ini

start_wrapped prlimit --nofile=32:32 -- -c muster.ini
assert_eq "32 32" "$(awk '/^Max open files/ { print $4, $5 }' /proc/$MPID/limits)" "muster's RLIMIT_NOFILE"

# settled: every service ready or failed for good (start limit 5 in 60s)
settled() {
	local st
	st=$(ctl status 2>/dev/null | awk 'NR > 1 { print $2 }')
	[ "$(echo "$st" | grep -cxE 'ready|failed')" = "$N" ]
}
deadline=$(( $(date +%s) + 30 ))
until settled; do
	muster_exited && fail "muster exited with descriptors exhausted"
	[ "$(date +%s)" -gt "$deadline" ] && fail "not settled in 30s: $(ctl status | awk 'NR > 1 { print $2 }' | sort | uniq -c | tr '\n' ' ')"
	sleep 0.2
done
status=$(ctl status)
ready=$(echo "$status" | awk '$2 == "ready" { print $1 }')
failed=$(echo "$status" | awk '$2 == "failed" { print $1 }')
nready=$(echo "$ready" | grep -c .)
nfailed=$(echo "$failed" | grep -c .)
[ "$nready" -ge 1 ] || fail "no service runs with 32 descriptors"
[ "$nfailed" -ge 1 ] || fail "every service started with 32 descriptors: the limit did not bite"
log "with RLIMIT_NOFILE 32: $nready ready, $nfailed failed"

# one clear line per failed attempt, and the reason in the status
for s in $failed; do
	n=$(count_lines "$ERR" "error: $s: cannot start: Too many open files")
	[ "$n" -ge 1 ] && [ "$n" -le 6 ] || fail "$s: expected 1 to 6 'cannot start: Too many open files' lines (start limit 5), found $n"
	assert_grep "$ERR" "error: $s: failed: start limit hit: .*Too many open files"
done
echo "$status" | awk '$2 == "failed"' | grep -qv 'Too many open files' &&
	fail "a failed service without the reason in status: $status"
assert_no_grep "$ERR" 'control: cannot accept'

# the survivors keep their processes; muster idles and reaps
declare -A pid0
for s in $ready; do pid0[$s]=$(svc_pid "$s"); done
assert_idle "$MPID" 2 10 "muster with descriptors exhausted"
assert_no_zombies "$MPID"
fds0=$(settled_fd_count "$MPID")
[ "$fds0" -le 32 ] || fail "muster holds $fds0 descriptors with a limit of 32"

# a failed service started by hand while descriptors are short: fails again
# (six more attempts), nothing leaks
one=$(echo "$failed" | head -n 1)
before=$(count_lines "$ERR" "error: $one: cannot start")
# (a start waits for the outcome: its first failure ends it, exit 1)
ctl start "$one" >/dev/null 2>start.err
assert_eq 1 "$?" "exit status of a start that fails"
assert_grep start.err "$one failed to start: cannot start: Too many open files" "the reason"
wait_for "$ERR" "error: $one: failed: start limit hit" 
wait_state "$one" failed
[ "$(count_lines "$ERR" "error: $one: cannot start")" -gt "$before" ] ||
	fail "$one: no new 'cannot start' line after musterctl start"
assert_fds "$MPID" "$fds0" "after a failed manual start"

# free descriptors: stop two survivors; two failed services then start
stopped=$(echo "$ready" | head -n 2)
revived=$(echo "$failed" | tail -n 2)
ctl stop $stopped >/dev/null || fail "musterctl stop failed"
for s in $stopped; do wait_state "$s" stopped; done
assert_fds "$MPID" $((fds0 - 4)) "after stopping two services"
# (--no-block: a waiting start holds its connection's descriptor in muster,
# which the second service needs here)
ctl start --no-block $revived >/dev/null || fail "musterctl start $revived failed"
for s in $revived; do wait_state "$s" ready; done
assert_fds "$MPID" "$fds0" "after starting two in their place"

for s in $ready; do
	echo "$stopped" | grep -qx "$s" && continue
	assert_same_pid "$s" "${pid0[$s]}"
done
assert_no_zombies "$MPID"

stop_muster 0
assert_nothing_left
result "RLIMIT_NOFILE 32:32, 20 services: $nready ready, $nfailed failed (start limit) with 'cannot start: Too many open files', no spin, musterctl works, freed descriptors let 2 failed ones start, exit 0"
